#!/bin/sh
# Leg 3: ThreadSanitizer over the threaded tests (label "threads") and the
# engine's thread hammer (test_engine) when it is in the build.
CI_LEG=tsan
. "$(dirname "$0")/common.sh"
dir=$CI_BUILD/tsan
ci_log "build (-fsanitize=thread)"
ci_build "$dir" -DCMAKE_BUILD_TYPE=RelWithDebInfo -DFACE_SANITIZE=thread
export TSAN_OPTIONS=halt_on_error=1:second_deadlock_stack=1
# Tests labelled threads, plus test_engine (its hammer is labelled models).
sel='-L threads'
if ctest --test-dir "$dir" -N -R '^test_engine$' | grep -q 'Total Tests: 1'; then
    ci_log "ctest -R ^test_engine$"
    ctest --test-dir "$dir" -R '^test_engine$' --output-on-failure --timeout 1800
fi
n=$(ctest --test-dir "$dir" -N $sel | sed -n 's/^Total Tests: //p')
if [ "${n:-0}" = 0 ]; then
    echo "tsan: no test is labelled threads yet" >&2
    exit 0
fi
ci_log "ctest $sel"
ctest --test-dir "$dir" $sel --output-on-failure -j"$CI_JOBS" --timeout 1800
