#!/bin/sh
# SPDX-License-Identifier: MIT
# Benchmark smoke test: runs ours on one B = 1 shape in fp32 and every reduced-precision type,
# once each, on every ISA this machine runs, and fails if a row reports an error (a model the
# bench refuses, e.g. one that reports another weight type than its row asks for) or if fewer
# rows ran than the five types.   usage: smoke.sh path/to/gru_bench
bench=$1
out=$("$bench" --gru_set=quick --benchmark_filter='gru/sweep/I256_H256_B1_T16[a-z0-9_]*/(avx2|avx512|neon)$' \
    --benchmark_min_time=0.001 --benchmark_repetitions=1 --benchmark_format=json 2>/dev/null) || {
    echo "smoke.sh: gru_bench failed"
    exit 1
}
if echo "$out" | grep -q '"error_occurred": true'; then
    echo "$out" | grep '"error_message"'
    exit 1
fi
rows=$(echo "$out" | grep -c '"run_type": "iteration"')
echo "smoke.sh: $rows rows ran without error"
[ "$rows" -ge 5 ]
