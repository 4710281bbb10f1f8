#!/bin/sh
# Leg 4: the quick suite under qemu-x86_64 -cpu Nehalem (SSE4.2, no AVX).
# Any AVX/AVX2/FMA/AVX-512 instruction outside the per-ISA files traps with
# SIGILL, and dispatch must settle on ref by itself (FACE_FORCE_ISA unset).
# OpenBLAS (DYNAMIC_ARCH) probes CPUID too and must pick a pre-AVX kernel;
# the leg checks which core it chose.
CI_LEG=nehalem
. "$(dirname "$0")/common.sh"
dir=$CI_BUILD/nehalem
qemu=$(command -v qemu-x86_64)
ci_log "build (RelWithDebInfo, tests run through $qemu -cpu Nehalem)"
ci_build "$dir" -DCMAKE_BUILD_TYPE=RelWithDebInfo \
    "-DCMAKE_CROSSCOMPILING_EMULATOR=$qemu;-cpu;Nehalem"
# ctest prepends the emulator only to test commands that are targets; make
# sure it did, or this leg would silently run natively.
ctest --test-dir "$dir" -L quick -N -V | grep -q -- "$qemu.*Nehalem" || {
    echo "nehalem: ctest does not run the tests through qemu" >&2
    exit 1
}
obcore=$(OPENBLAS_VERBOSE=2 "$qemu" -cpu Nehalem "$dir"/tests/test_kernels --help 2>&1 |
    sed -n 's/^Core: //p' | head -1)
ci_log "OpenBLAS core under Nehalem: ${obcore:-unknown}"
case "$obcore" in
    *Haswell* | *SkylakeX* | *Zen* | *Cooperlake* | *Sapphire*)
        echo "nehalem: OpenBLAS chose an AVX kernel ($obcore)" >&2
        exit 1 ;;
esac
unset FACE_FORCE_ISA
ci_log "ctest -L quick under qemu"
ctest --test-dir "$dir" -L quick --output-on-failure -j"$CI_JOBS" --timeout 1800
