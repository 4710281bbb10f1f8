#!/bin/sh
# Leg 7: ABI guard. The export list is compared on every build by ctest
# (abi_symbols, quick); this leg also runs abidiff against the checked-in
# baseline abi/libface.abi. An incompatible change (abidiff bit 8: removed
# function, changed signature or struct layout...) fails unless FACE_ABI_MAJOR
# in CMakeLists.txt AND docs/ABI.md both differ from abi/BASELINE, i.e. the
# break was declared. Compatible changes (additions) are reported only.
#   scripts/ci/abi.sh [build-dir]   (default build/, RelWithDebInfo)
CI_LEG=abi
. "$(dirname "$0")/common.sh"
dir=${1:-$CI_ROOT/build}
[ -f "$dir/lib/libface.so" ] || ci_build "$dir" -DCMAKE_BUILD_TYPE=RelWithDebInfo
so=$dir/lib/libface.so
ci_log "export list"
sh "$CI_ROOT/scripts/ci/symbols.sh" check "$so" "$CI_ROOT/abi/libface.symbols"
ci_log "abidiff abi/libface.abi $so"
set +e
abidiff --headers-dir2 "$CI_ROOT/include/face" --drop-private-types --no-added-syms \
    "$CI_ROOT/abi/libface.abi" "$so"
rc=$?
set -e
if [ $((rc & 3)) -ne 0 ]; then
    echo "abi: abidiff failed to run (exit $rc)" >&2
    exit 1
fi
if [ $((rc & 8)) -eq 0 ]; then
    [ $((rc & 4)) -ne 0 ] && echo "abi: compatible changes only (see above)"
    echo "abi: no incompatible change"
    exit 0
fi
base_major=$(sed -n 's/^abi_major=//p' "$CI_ROOT/abi/BASELINE")
base_md=$(sed -n 's/^abi_md_sha256=//p' "$CI_ROOT/abi/BASELINE")
major=$(sed -n 's/^set(FACE_ABI_MAJOR \([0-9]*\)).*/\1/p' "$CI_ROOT/CMakeLists.txt")
md=$(sha256sum "$CI_ROOT/docs/ABI.md" | cut -d' ' -f1)
if [ "$major" != "$base_major" ] && [ "$md" != "$base_md" ]; then
    echo "abi: incompatible change, declared (FACE_ABI_MAJOR $base_major -> $major, docs/ABI.md changed)."
    echo "     Record the new baseline with scripts/ci/update_abi.sh."
    exit 0
fi
cat >&2 <<MSG
abi: INCOMPATIBLE ABI CHANGE (abidiff above). Binaries built against
     libface.so.$base_major would break. Either undo it, or declare it:
       1. bump FACE_ABI_MAJOR in CMakeLists.txt (now $major),
       2. say what broke and why in docs/ABI.md,
       3. run scripts/ci/update_abi.sh and commit abi/ with the change.
MSG
exit 1
