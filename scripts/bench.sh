#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# The benchmark command: installs what is missing, builds, runs the sweep and prints one table.
#
#   scripts/bench.sh [--full] [--threads N] [--filter REGEX] [--no-torch] [--no-plot]
#
#   --full        the whole public sweep of docs/PERF.md (default: the quick subset, a few minutes)
#   --threads N   threads for libgru (gru_set_num_threads) and the peers (oneDNN via OpenMP, PyTorch)
#   --filter RE   only benchmarks whose name matches RE (e.g. 'act/', 'gru/.*H256')
#   --no-torch    skip the PyTorch side-by-side run      --no-plot   skip the PNG
#
# Environment: BUILD_DIR (default build/bench), RESULTS (default results/), GRU_ISA=avx2 caps both
# libgru and oneDNN at AVX2 (to measure like a machine without AVX-512).
# Writes RESULTS/bench-<stamp>.json (Google Benchmark JSON), -torch.json, -table.txt and .png.
# Progress goes to stderr, the table to stdout. See bench/README.md for how to read it.
set -euo pipefail

cd "$(dirname "$0")/.."
full=0 threads=1 filter="" torch=1 plot=1
usage() { sed -n '3,14p' "$0" | sed 's/^# \{0,1\}//' >&2; exit "${1:-2}"; }
while [ $# -gt 0 ]; do
    case "$1" in
    --full) full=1 ;;
    --threads) [ $# -ge 2 ] || usage; threads=$2; shift ;;
    --threads=*) threads=${1#*=} ;;
    --filter) [ $# -ge 2 ] || usage; filter=$2; shift ;;
    --filter=*) filter=${1#*=} ;;
    --no-torch) torch=0 ;;
    --no-plot) plot=0 ;;
    -h | --help) usage 0 ;;
    *) echo "bench.sh: unknown argument '$1'" >&2; usage ;;
    esac
    shift
done
[[ "$threads" =~ ^[1-9][0-9]*$ ]] || { echo "bench.sh: --threads needs a positive integer" >&2; exit 2; }

build=${BUILD_DIR:-build/bench}
results=${RESULTS:-results}
py=/usr/bin/python3 # Debian's Python: where python3-torch and matplotlib live
[ -x "$py" ] || py=python3
say() { echo "bench.sh: $*" >&2; }

if [ -x scripts/install-deps.sh ]; then
    scripts/install-deps.sh bench
else
    say "scripts/install-deps.sh not found; assuming the dependencies are installed"
fi

if [ ! -f "$build/build.ninja" ]; then
    say "configuring $build"
    meson setup "$build" --buildtype=release -Dbenchmarks=enabled >&2
fi
say "building"
ninja -C "$build" bench/gru_bench tools/gru >&2

mkdir -p "$results"
stamp=$(date +%Y%m%d-%H%M%S)
base="$results/bench-$stamp"
set_arg=--gru_set=quick
[ "$full" = 1 ] && set_arg=--gru_set=full
args=("$set_arg" --gru_threads="$threads" --gru_progress
    --benchmark_out="$base.json" --benchmark_out_format=json)
[ -n "$filter" ] && args+=(--benchmark_filter="$filter")

say "running $build/bench/gru_bench ${args[*]}"
# OMP_NUM_THREADS as well as omp_set_num_threads() inside: any OpenMP user sees the same count.
OMP_NUM_THREADS=$threads "$build/bench/gru_bench" "${args[@]}" >"$base-console.txt"

report=("$base.json")
if [ "$torch" = 1 ] && "$py" -c 'import torch' 2>/dev/null; then
    say "PyTorch side by side (same shapes, $threads thread(s))"
    topt=()
    [ "$full" = 1 ] && topt+=(--full)
    if OMP_NUM_THREADS=$threads "$py" bench/torch_bench.py "$base.json" "$base-torch.json" \
        --threads "$threads" "${topt[@]}"; then
        report+=("$base-torch.json")
    else
        say "PyTorch run failed; table without it"
    fi
elif [ "$torch" = 1 ]; then
    say "python3-torch not installed: no PyTorch column"
fi

"$py" bench/report.py "${report[@]}" | tee "$base-table.txt"

if [ "$plot" = 1 ]; then
    if "$py" -c 'import matplotlib' 2>/dev/null; then
        "$py" bench/plot.py "${report[@]}" "$base.png" && say "plot: $base.png"
    else
        say "python3-matplotlib not installed: no plot"
    fi
fi
say "results: $base.json, $base-table.txt"
