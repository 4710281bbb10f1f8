#!/bin/sh
# Leg 8b: clang-tidy over lib/ with the checked-in .clang-tidy. Fails on any
# finding that is not listed, with its reason, in scripts/ci/clang-tidy.known
# ("<file> <check>  # reason"; no line numbers, so unrelated edits do not
# invalidate an entry). A listed finding that no longer appears is reported
# so the list shrinks as code is fixed.
CI_LEG=clang-tidy
. "$(dirname "$0")/common.sh"
dir=$CI_BUILD/tidy
ci_configure "$dir" -DCMAKE_C_COMPILER=clang -DCMAKE_EXPORT_COMPILE_COMMANDS=ON \
    -DFACE_BUILD_TESTS=OFF
out=$dir/clang-tidy.log
ci_log "run-clang-tidy lib/"
run-clang-tidy -quiet -p "$dir" -j"$CI_JOBS" "$CI_ROOT/lib/" >"$out" 2>&1 || true
# "path:line:col: warning|error: text [check,-warnings-as-errors]" -> "path check"
found=$(sed 's/\x1b\[[0-9;]*m//g' "$out" |
    sed -n "s|^$CI_ROOT/\([^:]*\):[0-9]*:[0-9]*: [a-z]*: .*\[\([A-Za-z0-9.-]*\).*\]\$|\1 \2|p" | LC_ALL=C sort -u)
known=$(sed 's/#.*//; s/[[:space:]]*$//' "$CI_ROOT/scripts/ci/clang-tidy.known" | grep -v '^$' | LC_ALL=C sort -u)
new=$(printf '%s\n' "$found" | grep -v '^$' | grep -v -x -F "$known" || true)
gone=$(printf '%s\n' "$known" | grep -v '^$' | grep -v -x -F "$found" || true)
[ -n "$gone" ] && printf 'clang-tidy: fixed, remove from scripts/ci/clang-tidy.known:\n%s\n' "$gone"
if [ -n "$new" ]; then
    sed 's/\x1b\[[0-9;]*m//g' "$out" | grep -E 'warning:|error:' | grep -v 'warnings generated' || true
    printf '\nclang-tidy: new findings (fix them; list one in scripts/ci/clang-tidy.known only with a reason):\n%s\n' "$new"
    exit 1
fi
echo "clang-tidy: clean ($(printf '%s\n' "$known" | grep -c . ) known findings listed with reasons)"
