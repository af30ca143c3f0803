#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""GFLOP/s against hidden size from gru_bench's JSON (and torch_bench.py's): one panel per batch
size, one colour per ISA and peer, one line style per sequence length; the public sweep only.

usage: /usr/bin/python3 plot.py RESULTS.json [TORCH.json] OUT.png"""
import json
import sys

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402

from report import medians, parse_case  # noqa: E402

STYLE = {1: ":", 16: "-", 128: "--"}
COLOR = {"scalar": "tab:gray", "avx2": "tab:blue", "avx512": "tab:purple", "neon": "tab:green",
         "onednn": "tab:orange", "torch": "tab:red"}


def main(argv):
    if len(argv) not in (3, 4):
        print(__doc__, file=sys.stderr)
        return 2
    with open(argv[1]) as f:
        doc = json.load(f)
    runs, _, _ = medians(doc)
    points = {}  # (impl, B, T) -> [(H, GFLOP/s)]
    for name, r in runs.items():
        parts = name.split("/")
        if parts[0] != "gru" or parts[1] != "sweep" or "flops" not in r:
            continue
        s = parse_case(parts[2])
        points.setdefault((parts[3], s["B"], s["T"]), []).append((s["H"], r["flops"] / 1e9))
    if len(argv) == 4:
        with open(argv[2]) as f:
            for t in json.load(f)["results"]:
                label, shape = t["case"].split("/")
                if label != "sweep" or not t.get("median_us"):
                    continue
                s = parse_case(shape)
                fl = 2 * 3 * s["H"] * (s["I"] + s["H"]) * s["B"] * s["T"]
                points.setdefault(("torch", s["B"], s["T"]), []).append((s["H"], fl / (t["median_us"] * 1e3)))
    batches = sorted({b for _, b, _ in points})
    if not batches:
        print("plot.py: no sweep results to plot", file=sys.stderr)
        return 1
    fig, axes = plt.subplots(1, len(batches), figsize=(5 * len(batches), 4), squeeze=False)
    peak = float(doc["context"].get("gru_peak_gflops", 0))
    for ax, b in zip(axes[0], batches):
        for (impl, bb, t), pts in sorted(points.items()):
            if bb != b:
                continue
            pts.sort()
            ax.plot([p[0] for p in pts], [p[1] for p in pts], STYLE.get(t, "-."), marker="o", ms=3,
                    color=COLOR.get(impl, "black"), label=f"{impl} T={t}")
        if peak:
            ax.axhline(peak, color="black", lw=0.8, alpha=0.5)
            ax.text(0.01, peak, "FMA peak", va="bottom", fontsize=7, transform=ax.get_yaxis_transform())
        ax.set_xscale("log", base=2)
        ax.set_yscale("log")
        ax.set_title(f"batch {b}")
        ax.set_xlabel("hidden size (I = H)")
        ax.set_ylabel("GFLOP/s")
        ax.grid(True, which="both", alpha=0.3)
        ax.legend(fontsize=6)
    ctx = doc["context"]
    fig.suptitle(f"libgru {ctx.get('gru_version')}: GRU forward, {ctx.get('gru_threads_peers')} thread(s) for peers, "
                 f"ours 1; {ctx.get('gru_time_basis')} time", fontsize=9)
    fig.tight_layout()
    fig.savefig(argv[-1], dpi=110)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
