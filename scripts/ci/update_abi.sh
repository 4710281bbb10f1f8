#!/bin/sh
# Regenerate the ABI baseline deliberately (abi/):
#   abi/libface.symbols  exported symbols + version nodes (ctest abi_symbols)
#   abi/libface.abi      abidw dump of the public types and functions
#   abi/BASELINE         the FACE_ABI_MAJOR and docs/ABI.md the dump belongs to
#
#   scripts/ci/update_abi.sh [build-dir]
# Uses a RelWithDebInfo gcc build (build-ci/abi unless a build dir is given;
# abidw needs the DWARF). Commit abi/ in the same commit as the change.
set -eu
CI_LEG=update_abi
. "$(dirname "$0")/common.sh"
dir=${1:-$CI_BUILD/abi}
if [ -z "${1:-}" ]; then
    ci_build "$dir" -DCMAKE_BUILD_TYPE=RelWithDebInfo -DFACE_BUILD_TESTS=OFF
fi
so=$dir/lib/libface.so
mkdir -p "$CI_ROOT/abi"
sh "$CI_ROOT/scripts/ci/symbols.sh" list "$so" >"$CI_ROOT/abi/libface.symbols"
# --headers-dir: only types reachable from the installed headers count.
abidw --headers-dir "$CI_ROOT/include/face" --no-corpus-path --drop-private-types \
    --out-file "$CI_ROOT/abi/libface.abi" "$so"
major=$(sed -n 's/^set(FACE_ABI_MAJOR \([0-9]*\)).*/\1/p' "$CI_ROOT/CMakeLists.txt")
md=$(sha256sum "$CI_ROOT/docs/ABI.md" | cut -d' ' -f1)
printf 'abi_major=%s\nabi_md_sha256=%s\n' "$major" "$md" >"$CI_ROOT/abi/BASELINE"
echo "abi/ updated: $(wc -l <"$CI_ROOT/abi/libface.symbols") exports, ABI major $major"
