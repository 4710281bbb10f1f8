#!/bin/sh
# Leg 8a: cppcheck over lib/ with the checked-in suppressions (.cppcheck,
# each with its reason). Fails on any finding. Both the x86-64 and the
# AArch64 configurations are checked, so NEON-only code is covered too.
CI_LEG=cppcheck
. "$(dirname "$0")/common.sh"
cd "$CI_ROOT"
cppcheck --version
for cfg in "-DFACE_HAVE_AVX2=1 -DFACE_HAVE_AVX512=1 -D__x86_64__" "-DFACE_HAVE_NEON=1 -D__aarch64__"; do
    ci_log "cppcheck lib/ ($cfg)"
    # shellcheck disable=SC2086
    cppcheck --std=c11 --enable=warning,portability,performance --inline-suppr \
        --suppressions-list=.cppcheck --error-exitcode=1 --quiet -j"$CI_JOBS" \
        -I include -I lib -DFACE_BUILDING_LIBRARY -D__GNUC__ -D_POSIX_C_SOURCE=200809L $cfg \
        lib/
done
echo "cppcheck: clean"
