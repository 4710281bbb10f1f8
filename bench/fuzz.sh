#!/bin/sh
# Run the libFuzzer targets for as long as you like (CI runs 60 s each).
#   bench/fuzz.sh [seconds-per-target] [target...]   default 600 s, every target
# Targets run one after another, each from its checked-in corpus plus a
# growing scratch corpus in build-ci/fuzz/corpus/<target>. Set JOBS=2 to run
# two libFuzzer workers per target. Prints exec/s and coverage (cov/ft) for
# docs/hardening.md. A crash stops the run; keep the input as a regression
# seed in tests/fuzz/<target>/crash-<what> after fixing it.
set -eu
root=$(cd "$(dirname "$0")/.." && pwd)
secs=${1:-600}
[ $# -gt 0 ] && shift
# Build (or refresh) the binaries via the CI leg with a zero-length run.
CI_BUILD=${CI_BUILD:-$root/build-ci} sh "$root/scripts/ci/fuzz.sh" 0 >/dev/null
dir=${CI_BUILD:-$root/build-ci}/fuzz
targets=${*:-$(cd "$dir/tests/fuzz" && ls fuzz_* | sed 's/^fuzz_//')}
export ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1
for t in $targets; do
    mkdir -p "$dir/corpus/$t"
    echo "== $t: ${secs}s"
    "$dir/tests/fuzz/fuzz_$t" -max_total_time="$secs" -max_len=65536 -rss_limit_mb=2048 \
        -timeout=25 -jobs="${JOBS:-1}" -workers="${JOBS:-1}" -print_final_stats=1 \
        -artifact_prefix="$dir/artifacts/$t-" "$dir/corpus/$t" "$root/tests/fuzz/$t" \
        2>"$dir/$t.long.log" || { tail -n 60 "$dir/$t.long.log"; exit 1; }
    grep -E '^#[0-9]+ *(INITED|DONE)|average_exec_per_sec' "$dir/$t.long.log"
done
