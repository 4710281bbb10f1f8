#!/bin/sh
# Leg 1: AddressSanitizer + UndefinedBehaviorSanitizer, no recovery, over the
# quick tests (which include the fuzz corpora replays).
CI_LEG=asan
. "$(dirname "$0")/common.sh"
dir=$CI_BUILD/asan
ci_log "build (-fsanitize=address,undefined)"
ci_build "$dir" -DCMAKE_BUILD_TYPE=RelWithDebInfo -DFACE_SANITIZE=address,undefined
# detect_leaks: every test must free what it allocates. abort_on_error gives
# a core-style failure ctest reports; UBSan prints the stack of each report.
export ASAN_OPTIONS=detect_leaks=1:abort_on_error=1:strict_string_checks=1:detect_stack_use_after_return=1:check_initialization_order=1
export UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1
ci_log "ctest -L quick"
ctest --test-dir "$dir" -L quick --output-on-failure -j"$CI_JOBS" --timeout 900
