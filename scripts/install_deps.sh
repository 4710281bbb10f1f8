#!/bin/sh
# Install what libface needs on Debian 12 (as root, or through sudo).
#
#   scripts/install_deps.sh          build + test dependencies
#   scripts/install_deps.sh --ci     also the hardening toolchain used by .ci/run
#                                    (clang + sanitizer runtime, qemu, arm64 cross)
#
# Only Debian packages. npm comes from Debian only when no npm is on PATH: a
# Node.js installed some other way conflicts with Debian's npm package.
set -eu

SUDO=
if [ "$(id -u)" != 0 ]; then SUDO=sudo; fi

pkgs="build-essential cmake pkg-config libopenblas-serial-dev libsodium-dev libcmocka-dev
libstb-dev libjpeg62-turbo-dev python3 python3-numpy python3-pil python3-venv python3-pip ca-certificates"
if [ "${1:-}" = "--ci" ]; then
    pkgs="$pkgs clang libclang-rt-14-dev qemu-user gcc-aarch64-linux-gnu abigail-tools
cppcheck clang-tidy binutils
libopenblas-serial-dev:arm64 libsodium-dev:arm64 libcmocka-dev:arm64 libjpeg62-turbo-dev:arm64
libc6-dev-arm64-cross"
    # The arm64 -dev packages above need the foreign architecture (once).
    if ! dpkg --print-foreign-architectures | grep -qx arm64; then
        $SUDO dpkg --add-architecture arm64
        arch_added=1
    fi
fi
command -v npm >/dev/null 2>&1 || pkgs="$pkgs npm"

missing=
for p in $pkgs; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" ||
        missing="$missing $p"
done
if [ -n "$missing" ] || [ -n "${arch_added:-}" ]; then
    echo "installing:$missing"
    export DEBIAN_FRONTEND=noninteractive
    $SUDO apt-get update -qq
    # shellcheck disable=SC2086
    $SUDO apt-get install -y -qq --no-install-recommends $missing
fi
