#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""PyTorch side by side: times torch.nn.GRU on the GRU shapes found in a gru_bench JSON.

usage: /usr/bin/python3 torch_bench.py RESULTS.json OUT.json [--threads N] [--full] [--max-gflop X]

What a Python user gets: torch.no_grad(), torch.set_num_threads(N), fp32, time-major input,
h0 = zeros (random in [-1, 1] for a carried-state shape, key suffix _h0), default PyTorch init (weights do not change the time). Each shape: one timed warm-up
call, then repeats for ~0.3 s (1 s with --full; at least 3, or 1 when the warm-up alone took
longer than that), median. With one thread the clock is the
thread's CPU time, as gru_bench uses then, so a busy machine inflates neither; wall time
otherwise. Shapes above --max-gflop per call (default 6, --full 200) are skipped: PyTorch is
some 25x slower than libgru, and the quick run must stay within minutes. Not run in the
same process as gru_bench, so this ratio is noisier than oneDNN's."""
import argparse
import json
import statistics
import sys
import time

from report import parse_case, run_name


def cases_from(path):
    with open(path) as f:
        doc = json.load(f)
    seen = []
    for b in doc["benchmarks"]:
        parts = run_name(b).split("/")
        # PyTorch runs fp32 weights: the reduced-precision rows (key suffix _fp16 ...) are ours only.
        if parts[0] == "gru" and len(parts) == 4 and not parts[2].endswith(("_fp16", "_bf16", "_int8", "_int8dyn")):
            case = parts[1] + "/" + parts[2]
            if case not in seen:
                seen.append(case)
    return seen


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("results")
    ap.add_argument("out")
    ap.add_argument("--threads", type=int, default=1)
    ap.add_argument("--full", action="store_true")
    ap.add_argument("--max-gflop", type=float, default=None)
    a = ap.parse_args()
    if a.threads < 1:
        ap.error("--threads must be >= 1")
    import torch

    torch.set_num_threads(a.threads)
    clock = time.thread_time if a.threads == 1 else time.perf_counter
    budget = 1.0 if a.full else 0.3
    max_flops = (a.max_gflop if a.max_gflop is not None else (200 if a.full else 6)) * 1e9
    cases = cases_from(a.results)
    out = {"torch_version": torch.__version__, "threads": a.threads,
           "time_basis": "thread_cpu" if a.threads == 1 else "wall", "results": []}
    for k, case in enumerate(cases):
        s = parse_case(case.split("/")[1])
        I, H, B, T, L, D = s["I"], s["H"], s["B"], s["T"], s["L"], s["D"]
        flops = sum(2 * 3 * H * ((I if l == 0 else D * H) + H) * B * T for l in range(L)) * D
        rec = {"case": case}
        if sys.stderr.isatty():
            sys.stderr.write(f"\r  [{k + 1}/{len(cases)}] torch {case:<40}")
            sys.stderr.flush()
        if s["rb"]:
            rec["skip"] = "PyTorch has no reset-before variant"
        elif flops > max_flops:
            rec["skip"] = f"{flops / 1e9:.1f} GFLOP per call > --max-gflop"
        else:
            with torch.no_grad():
                gru = torch.nn.GRU(I, H, num_layers=L, bidirectional=D == 2)
                x = torch.rand(T, B, I) * 2 - 1
                h0 = torch.rand(L * D, B, H) * 2 - 1 if s["h0"] else None
                t0 = clock()
                gru(x, h0)  # warm-up
                first = clock() - t0
                reps = 1 if first > budget else max(3, min(500, int(budget / max(first, 1e-9))))
                times = []
                for _ in range(reps):
                    t0 = clock()
                    gru(x, h0)
                    times.append(clock() - t0)
            rec["median_us"] = statistics.median(times) * 1e6
            rec["reps"] = reps
        out["results"].append(rec)
    if sys.stderr.isatty():
        sys.stderr.write("\n")
    with open(a.out, "w") as f:
        json.dump(out, f, indent=1)
    return 0


if __name__ == "__main__":
    sys.exit(main())
