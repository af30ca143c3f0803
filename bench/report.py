#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""Compact tables from gru_bench's JSON (--benchmark_out), optionally with torch_bench.py's JSON.

usage: report.py RESULTS.json [TORCH.json]
Prints the roofline header, the activation table (elements/cycle, speedup over scalar) and the
GRU table (µs per forward per ISA and peer, oneDNN/ours, and for ours - the active ISA, what a
user gets - GFLOP/s, GB/s of weights, % of the roofline bound, speedup over scalar), then the
geometric mean of oneDNN/ours. Standard library only."""
import json
import math
import sys

ISAS = ["scalar", "avx2", "avx512", "neon"]


def load(path):
    with open(path) as f:
        return json.load(f)


def run_name(b):
    """The benchmark's name without the "/real_time" Google Benchmark appends to wall-clock runs."""
    name = b["run_name"]
    return name[: -len("/real_time")] if name.endswith("/real_time") else name


def medians(doc):
    """name -> the median run (or the only run); skipped names -> their message."""
    basis = "cpu_time" if doc["context"].get("gru_time_basis") == "thread_cpu" else "real_time"
    runs, skipped = {}, {}
    for b in doc["benchmarks"]:
        name = run_name(b)
        if b.get("error_occurred"):
            skipped[name] = b.get("error_message", "skipped")
            continue
        if b["run_type"] == "aggregate" and b["aggregate_name"] == "median":
            runs[name] = b
        elif b["run_type"] == "iteration" and name not in runs:
            runs.setdefault(name + "#first", b)
    for k in [k for k in runs if k.endswith("#first")]:
        runs.setdefault(k[:-6], runs[k])
        del runs[k]
    scale = {"ns": 1e-3, "us": 1.0, "ms": 1e3, "s": 1e6}
    for r in runs.values():
        r["us"] = r[basis] * scale[r["time_unit"]]
    return runs, skipped, basis


def parse_case(shape):
    """"I256_H256_B1_T16[_L2][_D2][_rb][_h0]" -> dict with I, H, B, T, L, D, rb and h0."""
    d = {"L": 1, "D": 1, "rb": False, "h0": False}
    for p in shape.split("_"):
        if p in ("rb", "h0"):
            d[p] = True
        elif p[:1] in "IHBTLD" and p[1:].isdigit():
            d[p[0]] = int(p[1:])
    return d


def fmt_us(us):
    if us is None:
        return "-"
    return f"{us:.3g}" if us < 100 else f"{us:,.0f}".replace(",", " ")


def header(ctx):
    out = [f"libgru {ctx.get('gru_version', '?')}  isa detected {ctx.get('gru_isa_detected')}, "
           f"active {ctx.get('gru_isa_active')}  oneDNN isa {ctx.get('gru_onednn_isa') or 'n/a'}  "
           f"threads: ours {ctx.get('gru_threads_ours')}, peers {ctx.get('gru_threads_peers')}  "
           f"time: {ctx.get('gru_time_basis')}  set: {ctx.get('gru_set')}"]
    peaks = "  ".join(f"{k[16:]} {v}" for k, v in sorted(ctx.items()) if k.startswith("gru_peak_gflops_"))
    out.append(f"roofline: core clock {ctx.get('gru_core_ghz')} GHz (dependent-add chain / thread CPU time);"
               f" FMA peak GFLOP/s: {peaks}; P = {ctx.get('gru_peak_gflops')}")
    bw = dict(kv.split("=") for kv in ctx.get("gru_read_bw_GBps", "").split())
    pick = [k for k in ["16K", "64K", "256K", "1024K", "4096K", "16384K", "131072K"] if k in bw]
    out.append("read GB/s by footprint: " + "  ".join(f"{k} {bw[k]}" for k in pick))
    load, cpus = (ctx.get("load_avg") or [0])[0], ctx.get("num_cpus", 1)
    if load > cpus:
        out.append(f"WARNING: load average {load:.1f} on {cpus} CPUs: other processes shared the cores; "
                   + ("CPU-time figures hold, ratios hold best" if ctx.get("gru_time_basis") == "thread_cpu"
                      else "wall-time figures (and anything multi-threaded) are unreliable"))
    return "\n".join(out)


def table(rows, head):
    widths = [max(len(str(r[i])) for r in [head] + rows) for i in range(len(head))]
    line = lambda r: "  ".join(str(c).rjust(w) if i else str(c).ljust(w) for i, (c, w) in enumerate(zip(r, widths)))
    return "\n".join([line(head), line(["-" * w for w in widths])] + [line(r) for r in rows])


def act_table(runs):
    cases = sorted({tuple(n.split("/")[1:3]) for n in runs if n.startswith("act/")},
                   key=lambda c: (c[0], int(c[1][1:])))
    rows = []
    for fn, n in cases:
        scalar = runs.get(f"act/{fn}/{n}/scalar")
        row = [fn, n[1:]]
        for isa in ISAS:
            r = runs.get(f"act/{fn}/{n}/{isa}")
            if not r:
                row.append("-")
                continue
            cell = f"{r.get('elems_per_cycle', 0):.3g}"
            if scalar and isa != "scalar":
                cell += f" ({scalar['us'] / r['us']:.0f}x)"
            row.append(cell)
        rows.append(row)
    return table(rows, ["activation", "n"] + [f"{i} el/cyc" for i in ISAS]) if rows else ""


def gru_cases(runs, skipped):
    seen = []
    for n in list(runs) + list(skipped):
        if n.startswith("gru/"):
            c = "/".join(n.split("/")[1:3])
            if c not in seen:
                seen.append(c)

    def key(c):
        label, shape = c.split("/")
        d = parse_case(shape)
        return (label != "sweep", label, d["B"], d["H"], d["T"], d["I"])
    return sorted(seen, key=key)


def gru_table(runs, skipped, ctx, torch):
    ours_isa = ctx.get("gru_isa_active", "scalar")
    rows, ratios, torch_ratios = [], [], []
    for case in gru_cases(runs, skipped):
        get = lambda impl: runs.get(f"gru/{case}/{impl}")
        ours, dnnl, scalar = get(ours_isa), get("onednn"), get("scalar")
        row = [case.replace("/", " ").replace("_", " ")]
        for isa in ISAS:
            r = get(isa)
            row.append(fmt_us(r["us"]) if r else ("skip" if f"gru/{case}/{isa}" in skipped else "-"))
        row.append(fmt_us(dnnl["us"]) if dnnl else ("skip" if f"gru/{case}/onednn" in skipped else "-"))
        if dnnl and ours:
            ratios.append(dnnl["us"] / ours["us"])
            row.append(f"{ratios[-1]:.2f}")
        else:
            row.append("-")
        if torch is not None:
            t = torch.get(case)
            row.append(fmt_us(t) if t else "-")
            if t and ours:
                torch_ratios.append(t / ours["us"])
                row.append(f"{torch_ratios[-1]:.1f}")
            else:
                row.append("-")
        if ours:
            row += [f"{ours['flops'] / 1e9:.1f}", f"{ours['wbytes'] / 1e9:.1f}",
                    f"{100 * ours['roofline']:.0f}%" if "roofline" in ours else "-",
                    f"{scalar['us'] / ours['us']:.0f}x" if scalar else "-"]
        else:
            row += ["-"] * 4
        rows.append(row)
    head = ["shape"] + [f"{i} us" for i in ISAS] + ["oneDNN us", "oneDNN/ours"]
    if torch is not None:
        head += ["torch us", "torch/ours"]
    head += [f"GFLOP/s", "GB/s", "roofline", "x scalar"]
    text = table(rows, head) if rows else ""
    geo = lambda v: math.exp(sum(map(math.log, v)) / len(v))
    if ratios:
        text += (f"\noneDNN/ours geometric mean over {len(ratios)} shapes: {geo(ratios):.2f} "
                 f"(> 1: ours faster; ours = {ours_isa})")
    if torch_ratios:
        text += f"\nPyTorch/ours geometric mean over {len(torch_ratios)} shapes: {geo(torch_ratios):.2f}"
    return text, ours_isa


def main(argv):
    if len(argv) not in (2, 3):
        print(__doc__, file=sys.stderr)
        return 2
    doc = load(argv[1])
    runs, skipped, basis = medians(doc)
    torch = None
    if len(argv) == 3:
        t = load(argv[2])
        torch = {r["case"]: r["median_us"] for r in t.get("results", []) if r.get("median_us")}
    ctx = doc["context"]
    print(header(ctx))
    act = act_table(runs)
    if act:
        print("\nactivations: elements per cycle (speedup over scalar); median of repetitions\n" + act)
    gru, ours_isa = gru_table(runs, skipped, ctx, torch)
    if gru:
        print(f"\nGRU forward: median us per call ({basis.replace('_', ' ')}); GFLOP/s, GB/s of weights, "
              f"% of the roofline bound and speedup over scalar are for ours = {ours_isa}; "
              f"skip = not run (scalar above {ctx.get('gru_scalar_max_gflop')} GFLOP per call, or unsupported)\n"
              + gru)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
