#!/bin/sh
# Leg 6: build the libFuzzer targets (clang, ASan+UBSan, -DFACE_FUZZ=ON) and
# run each for a short smoke period from its checked-in corpus.
#   scripts/ci/fuzz.sh [seconds-per-target]     (default 60; 0 = build only)
# A crash fails the leg; libFuzzer writes the input to build-ci/fuzz/artifacts/.
# Keep it as a regression seed: copy it to tests/fuzz/<target>/crash-<what>.
# bench/fuzz.sh runs the same binaries for as long as you like.
CI_LEG=fuzz
. "$(dirname "$0")/common.sh"
secs=${1:-60}
dir=$CI_BUILD/fuzz
ci_log "build (clang, -fsanitize=fuzzer + address,undefined)"
ci_configure "$dir" -DCMAKE_C_COMPILER=clang -DCMAKE_BUILD_TYPE=RelWithDebInfo \
    -DFACE_FUZZ=ON -DFACE_SANITIZE=address,undefined
cmake --build "$dir" -j"$CI_JOBS" --target fuzzers
# 0 seconds means "build only" (bench/fuzz.sh): libFuzzer reads
# -max_total_time=0 as "no limit".
[ "$secs" -gt 0 ] || exit 0
export ASAN_OPTIONS=detect_leaks=1:abort_on_error=1
export UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1
mkdir -p "$dir/artifacts"
for bin in "$dir"/tests/fuzz/fuzz_*; do
    t=${bin##*/fuzz_}
    corpus=$dir/corpus/$t
    mkdir -p "$corpus"
    ci_log "$t for ${secs}s"
    # New inputs go to the scratch corpus; the checked-in one stays read-only.
    "$bin" -max_total_time="$secs" -max_len=65536 -rss_limit_mb=2048 -timeout=25 \
        -print_final_stats=1 -artifact_prefix="$dir/artifacts/$t-" \
        "$corpus" "$CI_ROOT/tests/fuzz/$t" 2>"$dir/$t.log" || {
        tail -n 60 "$dir/$t.log"
        echo "fuzz: $t found a crash; input in $dir/artifacts/" >&2
        exit 1
    }
    grep -E '^#[0-9]+ *DONE|average_exec_per_sec' "$dir/$t.log" || true
done
