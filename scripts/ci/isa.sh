#!/bin/sh
# Leg 2: the quick suite once per ISA this CPU supports, forced with
# FACE_FORCE_ISA. The tests assert face_active_isa() equals the forced ISA
# (test_api, test_kernels), so a silent fallback to another table fails.
# Reuses the default build (build/, made by scripts/test.sh).
CI_LEG=isa
. "$(dirname "$0")/common.sh"
dir=${1:-$CI_ROOT/build}
[ -f "$dir/CTestTestfile.cmake" ] || ci_build "$dir" -DCMAKE_BUILD_TYPE=RelWithDebInfo
for isa in $(ci_host_isas); do
    ci_log "FACE_FORCE_ISA=$isa ctest -L quick"
    FACE_FORCE_ISA=$isa ctest --test-dir "$dir" -L quick --output-on-failure -j"$CI_JOBS"
done
