#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# Builds the libFuzzer targets (clang, ASan + UBSan; see fuzz/meson.build) and runs each for a
# bounded time.
#
#   scripts/fuzz.sh [SECONDS]        seconds per target (default 60)
#
# FUZZ_TARGETS: the targets to run (default "safetensors npy forward": the two file readers, and
# the engine's calls compared across every ISA of this CPU).
# FUZZ_BUILD_DIR: the clang build directory (default build/fuzz). Each target starts from its seed
# corpus fuzz/corpus/<target> (read only) plus a scratch corpus in FUZZ_BUILD_DIR/fuzz-work/<target>
# that persists between runs; a crashing input is saved as FUZZ_BUILD_DIR/artifacts/<target>-crash-*.
# Exits non-zero if a target crashes, leaks, times out or fails to build. To keep a crash input as a
# regression test, copy it into fuzz/corpus/<target>/: `meson test --suite fuzz-corpus` replays it.
set -euo pipefail
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
secs=${1:-60}
build=${FUZZ_BUILD_DIR:-$root/build/fuzz}
read -r -a targets <<<"${FUZZ_TARGETS:-safetensors npy forward}"

command -v clang >/dev/null || { echo "fuzz.sh: clang is missing (scripts/install-deps.sh test)" >&2; exit 1; }
if [ ! -f "$build/meson-private/coredata.dat" ]; then
    CC=clang meson setup "$build" "$root" -Dbuildtype=debugoptimized -Dfuzzers=enabled -Dbenchmarks=disabled \
        -Donednn=disabled -Davx512_emulation=disabled >/dev/null
fi
if ! ninja -C "$build" "${targets[@]/#/fuzz/fuzz_}" >"$build/fuzz-build.log" 2>&1; then
    cat "$build/fuzz-build.log"
    echo "fuzz.sh: build FAILED" >&2
    exit 1
fi

status=0
for t in "${targets[@]}"; do
    work=$build/fuzz-work/$t
    mkdir -p "$work" "$build/artifacts"
    echo "==== fuzz_$t: ${secs}s"
    # -timeout: one input may take at most 10 s; -rss_limit_mb: the readers hold at most a few
    # copies of the input, so 2 GiB means a bug. Output goes to a log; its summary is printed.
    log=$build/fuzz-$t.log
    dict=()
    [ -f "$root/fuzz/$t.dict" ] && dict=(-dict="$root/fuzz/$t.dict")
    if "$build/fuzz/fuzz_$t" -max_total_time="$secs" -timeout=10 -rss_limit_mb=2048 -max_len=65536 \
        -print_final_stats=1 "${dict[@]}" -artifact_prefix="$build/artifacts/$t-" \
        "$work" "$root/fuzz/corpus/$t" >"$log" 2>&1; then
        grep -E '^(#[0-9]+ +DONE|stat::number_of_executed_units|stat::peak_rss_mb|INFO: .*corpus)' "$log" | tail -n 4
    else
        status=1
        echo "fuzz_$t FAILED (log: $log):"
        grep -E 'ERROR|SUMMARY|Test unit written|artifact' "$log" | head -n 20
    fi
done
exit $status
