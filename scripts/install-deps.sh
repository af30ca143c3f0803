#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# Installs what libgru needs on Debian 12 (bookworm), and nothing when it is all there.
#
#   scripts/install-deps.sh [build|bench|test ...]     (default: test, which is everything)
#
#   build  compiler, Meson, Ninja and the libraries the library itself links
#   bench  build + Google Benchmark, oneDNN and PyTorch (the peers), matplotlib (plots)
#   test   bench + Criterion, SIMDe, the aarch64 cross toolchain, QEMU with binfmt,
#          clang's sanitizer/fuzzer runtimes, and a private aarch64 sysroot with Criterion
#
# As root it installs with apt-get (apt-get update only when something is missing). Otherwise it
# prints the exact command to run and exits 1. Checks take well under a second when all is present.
#
# Why a private aarch64 sysroot: libcriterion-dev:arm64 cannot be installed beside the amd64 one
# (the amd64 libnanomsg5 is a binNMU, 1.1.5+dfsg-1.1+b1, the arm64 one is 1.1.5+dfsg-1.1, and
# Multi-Arch: same packages must match). So the arm64 runtime closure of Criterion (with libc)
# and the few -dev packages whose headers/.pc files the cross build needs are fetched with a
# separate apt state (the host's dpkg configuration is not touched) and unpacked with dpkg -x
# into $SYSROOT. cross/aarch64-linux-gnu.ini points at it; the NEON tests run under QEMU through
# binfmt_misc with QEMU_LD_PREFIX=$SYSROOT.
set -euo pipefail

SYSROOT=/opt/libgru-aarch64-sysroot # also named in cross/aarch64-linux-gnu.ini

pkgs_build=(meson ninja-build pkg-config gcc libcjson-dev libpthreadpool-dev)
pkgs_bench=(g++ libbenchmark-dev libdnnl-dev python3-torch python3-numpy python3-matplotlib)
pkgs_test=(libcriterion-dev libsimde-dev
    gcc-aarch64-linux-gnu libc6-dev-arm64-cross qemu-user-static binfmt-support
    clang libclang-rt-14-dev)
# arm64 packages of the sysroot: runtime libraries with their whole dependency closure, and
# -dev packages taken alone (headers, .so links and .pc files; their own deps are not needed).
sysroot_runtime=(libc6 libcriterion3 libcjson1 libpthreadpool0)
sysroot_dev=(libcriterion-dev libcjson-dev libpthreadpool-dev)

die() { echo "install-deps: $*" >&2; exit 1; }
is_root() { [ "$(id -u)" = 0 ]; }

groups=("$@")
[ ${#groups[@]} -gt 0 ] || groups=(test)
want=()
want_test=0
for g in "${groups[@]}"; do
    case "$g" in
    build) want+=("${pkgs_build[@]}") ;;
    bench) want+=("${pkgs_build[@]}" "${pkgs_bench[@]}") ;;
    test | all) want+=("${pkgs_build[@]}" "${pkgs_bench[@]}" "${pkgs_test[@]}"); want_test=1 ;;
    *) die "unknown group '$g' (build, bench, test)" ;;
    esac
done

# --- Debian packages ---------------------------------------------------------------------------
missing=()
for p in $(printf '%s\n' "${want[@]}" | sort -u); do
    st=$(dpkg-query -W -f='${db:Status-Abbrev}' "$p" 2>/dev/null || true)
    [ "${st:0:2}" = ii ] || missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
    cmd="apt-get install -y --no-install-recommends ${missing[*]}"
    if ! is_root; then
        echo "install-deps: missing packages; run as root:" >&2
        echo "  apt-get update && $cmd" >&2
        exit 1
    fi
    echo "install-deps: installing ${missing[*]}" >&2
    export DEBIAN_FRONTEND=noninteractive
    apt-get update -q
    # shellcheck disable=SC2086
    $cmd </dev/null
fi

[ "$want_test" = 1 ] || exit 0

# --- QEMU through binfmt_misc (Criterion re-executes itself, so an explicit wrapper cannot work) -
binfmt=/proc/sys/fs/binfmt_misc
binfmt_ok() { grep -qx enabled "$binfmt/qemu-aarch64" 2>/dev/null && grep -qx enabled "$binfmt/status"; }
if ! binfmt_ok; then
    if ! is_root; then
        echo "install-deps: QEMU is not registered with binfmt_misc; run as root:" >&2
        echo "  mountpoint -q $binfmt || mount -t binfmt_misc binfmt_misc $binfmt; update-binfmts --enable qemu-aarch64" >&2
        exit 1
    fi
    mountpoint -q "$binfmt" || mount -t binfmt_misc binfmt_misc "$binfmt"
    echo 1 >"$binfmt/status"
    update-binfmts --display qemu-aarch64 >/dev/null 2>&1 || update-binfmts --import qemu-aarch64
    if [ -e "$binfmt/qemu-aarch64" ]; then
        echo 1 >"$binfmt/qemu-aarch64" # registered but disabled
    else
        update-binfmts --enable qemu-aarch64
    fi
    binfmt_ok || die "could not enable qemu-aarch64 in $binfmt"
fi

# --- the private aarch64 sysroot ------------------------------------------------------------------
stamp="runtime: ${sysroot_runtime[*]}; dev: ${sysroot_dev[*]}"
if [ "$(cat "$SYSROOT/.libgru-sysroot" 2>/dev/null)" = "$stamp" ]; then
    exit 0
fi
if ! is_root; then
    echo "install-deps: the aarch64 sysroot $SYSROOT is missing or stale; run as root: $0 test" >&2
    exit 1
fi
echo "install-deps: building the aarch64 sysroot in $SYSROOT" >&2
mkdir -p "$(dirname "$SYSROOT")"
work=$(mktemp -d "$SYSROOT.tmp.XXXXXX")
trap 'rm -rf "$work"' EXIT
mkdir -p "$work/lists/partial" "$work/cache/archives/partial" "$work/sources" "$work/none" "$work/debs" "$work/root"
: >"$work/status"
if [ -f /etc/apt/sources.list.d/debian.sources ]; then
    cp /etc/apt/sources.list.d/debian.sources "$work/sources/"
else
    cat >"$work/sources/debian.sources" <<'EOF'
Types: deb
URIs: http://deb.debian.org/debian
Suites: bookworm bookworm-updates
Components: main
Signed-By: /usr/share/keyrings/debian-archive-keyring.gpg

Types: deb
URIs: http://deb.debian.org/debian-security
Suites: bookworm-security
Components: main
Signed-By: /usr/share/keyrings/debian-archive-keyring.gpg
EOF
fi
# An apt of its own: arm64 as the only architecture, an empty dpkg status (so the resolver
# returns the whole closure), Debian's sources only, nothing written to the host's apt state.
apt_arm64=(apt-get -q -y
    -o APT::Architecture=arm64 -o APT::Architectures=arm64
    -o Dir::State="$work" -o Dir::State::Lists="$work/lists" -o Dir::State::status="$work/status"
    -o Dir::Cache="$work/cache" -o Dir::Etc::SourceList=/dev/null -o Dir::Etc::SourceParts="$work/sources"
    -o Dir::Etc::Preferences=/dev/null -o Dir::Etc::PreferencesParts="$work/none"
    -o APT::Sandbox::User=root -o Debug::NoLocking=1 -o Acquire::Languages=none)
"${apt_arm64[@]}" update </dev/null
"${apt_arm64[@]}" --no-install-recommends --download-only install "${sysroot_runtime[@]}" </dev/null
(cd "$work/debs" && "${apt_arm64[@]}" download "${sysroot_dev[@]}" </dev/null)
for deb in "$work"/cache/archives/*.deb "$work"/debs/*.deb; do
    dpkg -x "$deb" "$work/root"
done
[ -e "$work/root/lib/ld-linux-aarch64.so.1" ] || die "sysroot has no aarch64 dynamic loader"
ls "$work"/root/usr/lib/aarch64-linux-gnu/libcriterion.so.3 >/dev/null || die "sysroot has no Criterion"
echo "$stamp" >"$work/root/.libgru-sysroot"
rm -rf "$SYSROOT.old"
[ ! -e "$SYSROOT" ] || mv "$SYSROOT" "$SYSROOT.old"
mv "$work/root" "$SYSROOT"
rm -rf "$SYSROOT.old"
echo "install-deps: aarch64 sysroot ready ($(du -sh "$SYSROOT" | cut -f1))" >&2
