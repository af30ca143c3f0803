#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# The test command (CI runs exactly this, through .ci/run). Installs what is missing, then builds and
# runs every suite, each build warning-free (-Dwerror=true):
#   native      build/native   gcc, release: every suite but exhaustive, i.e. native (the host's
#                              ISAs: AVX2, and AVX-512 where the CPU has it), avx512-emu (AVX-512
#                              kernels on SIMDe) and its strided exhaustive sweep, fuzz-corpus
#   exhaustive  build/native   all 2^32 inputs of each activation on the host's ISAs
#   neon        build/aarch64  cross-built, under QEMU through binfmt: neon, exhaustive-neon
#   sanitize    build/asan     clang, ASan + UBSan (no recovery) + LeakSanitizer, asserts on:
#                              every suite, the exhaustive one strided; the AVX-512 kernels
#                              natively where the CPU has AVX-512, else on SIMDe
#   fuzz        scripts/fuzz.sh, when it exists (FUZZ_SECONDS per target, default 60)
# A skipped test, or a required suite with no test, counts as a failure. Prints each meson summary
# and ends with one line "N passed, N failed" over all runs; exits non-zero on any failure.
# GRU_BUILD_ROOT=dir puts the build directories elsewhere (default: build).
set -uo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.." || exit 1
mkdir -p "${GRU_BUILD_ROOT:-build}" && root=$(cd "${GRU_BUILD_ROOT:-build}" && pwd) || exit 1
py=/usr/bin/python3
[ -x "$py" ] || py=python3

passed=0
failed=0
timings=()

banner() { printf '\n==== %s ====\n' "$*"; }

# Optional parts the cross and sanitizer builds leave out, for the options this tree declares.
extras_off=()
for o in benchmarks onednn fuzzers; do
    grep -q "option('$o'" meson_options.txt && extras_off+=("-D$o=disabled")
done

# setup DIR ARGS...: configure, or reconfigure an existing build directory with the same ARGS.
setup() {
    local dir=$1
    shift
    if [ -f "$dir/meson-private/coredata.dat" ]; then
        meson setup --reconfigure "$dir" "$@" || meson setup --wipe "$dir" "$@"
    else
        rm -rf "$dir" && meson setup "$dir" "$@"
    fi
}

# build STAGE DIR SETUP_ARGS...: a failed configure or build counts as one failure.
build() {
    local stage=$1 dir=$2 t0=$SECONDS
    shift 2
    banner "$stage: configure and build ($dir)"
    if setup "$dir" -Dwerror=true "$@" && ninja -C "$dir"; then
        timings+=("$(printf '%-26s %4ds' "$stage build" $((SECONDS - t0)))")
        return 0
    fi
    echo "$stage: BUILD FAILED"
    failed=$((failed + 1))
    timings+=("$(printf '%-26s %4ds  BUILD FAILED' "$stage build" $((SECONDS - t0)))")
    return 1
}

# run STAGE DIR "REQUIRED SUITES" MESON_TEST_ARGS...: one meson test run, counted from its JSON log.
run() {
    local stage=$1 dir=$2 required=$3 t0=$SECONDS
    shift 3
    banner "$stage: meson test ($dir)"
    local log="$dir/meson-logs/ci-$stage.json"
    rm -f "$log"
    meson test -C "$dir" --print-errorlogs --logbase "ci-$stage" "$@"
    local counts
    # shellcheck disable=SC2086
    counts=$("$py" scripts/testlog-count.py "$dir" "$log" $required)
    echo "$stage:"
    echo "$counts" | sed '$d'
    local p f
    read -r p f <<<"$(echo "$counts" | tail -n 1)"
    passed=$((passed + p))
    failed=$((failed + f))
    timings+=("$(printf '%-26s %4ds  %d passed, %d failed' "$stage tests" $((SECONDS - t0)) "$p" "$f")")
}

t_all=$SECONDS
banner "dependencies"
if ! scripts/install-deps.sh test; then
    echo "0 passed, 1 failed"
    exit 1
fi

# Native: gcc, release (the library as shipped), plus the SIMDe-emulated AVX-512 build.
if build native "$root/native" -Davx512_emulation=enabled; then
    run native "$root/native" "native avx512-emu exhaustive-avx512-emu" --no-suite exhaustive
    run exhaustive "$root/native" "exhaustive" --suite exhaustive
fi

# NEON: aarch64 cross build; binfmt runs the tests under QEMU with the sysroot of install-deps.sh.
if build neon "$root/aarch64" --cross-file cross/aarch64-linux-gnu.ini "${extras_off[@]}"; then
    run neon "$root/aarch64" "neon exhaustive-neon"
fi

# Sanitizers: clang, asserts on; tests/meson.build's 'sanitize' setup makes leaks abort and bounds
# the exhaustive suite to its strided sweep. Debug info is line tables only: reports keep file and
# line, and the unrolled kernels compile in about 60 % of the time of full -g. The AVX-512 kernels
# run under the sanitizers once: natively where the CPU has AVX-512 (required then, with AVX2),
# else on SIMDe. Their SIMDe build is tested in the native stage either way; compiling it again
# under ASan took ~6 CPU minutes.
san_emu=enabled san_suites="native avx512-emu exhaustive exhaustive-avx512-emu" san_require=
if [ -x "$root/native/tools/gru" ] && "$root/native/tools/gru" info | grep -q '^isa detected *avx512$'; then
    san_emu=disabled san_suites="native exhaustive" san_require=avx2,avx512
fi
if CC=clang build sanitize "$root/asan" -Dbuildtype=debugoptimized \
    -Db_sanitize=address,undefined -Db_lundef=false \
    "-Dc_args=-fno-sanitize-recover=all -gline-tables-only" -Davx512_emulation=$san_emu \
    "${extras_off[@]}"; then
    GRU_TEST_REQUIRE=$san_require run sanitize "$root/asan" "$san_suites"
fi

# Fuzzers (libFuzzer, clang), when the repository has them: one pass or one failure.
if [ -x scripts/fuzz.sh ]; then
    banner "fuzz: scripts/fuzz.sh ${FUZZ_SECONDS:-60}"
    t0=$SECONDS
    if FUZZ_BUILD_DIR="$root/fuzz" scripts/fuzz.sh "${FUZZ_SECONDS:-60}"; then r=passed; passed=$((passed + 1)); else r=FAILED; failed=$((failed + 1)); fi
    timings+=("$(printf '%-26s %4ds  %s' "fuzz" $((SECONDS - t0)) "$r")")
fi

banner "summary"
printf '%s\n' "${timings[@]}"
printf '%-26s %4ds\n' "total" $((SECONDS - t_all))
echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
