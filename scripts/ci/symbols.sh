#!/bin/sh
# Exported symbols of libface.so with their version nodes, one per line:
#   face_init@@FACE_1.0 FUNC
#   scripts/ci/symbols.sh list  <libface.so>            print the list
#   scripts/ci/symbols.sh check <libface.so> <expected> compare (ctest abi_symbols)
# The checked-in list is abi/libface.symbols; update it deliberately with
# scripts/ci/update_abi.sh (see docs/hardening.md and docs/ABI.md).
set -eu
list()
{
    # readelf prints name@@NODE for a symbol's default version; LC_ALL=C
    # keeps the sort order independent of the developer's locale.
    LC_ALL=C readelf --dyn-syms -W "$1" |
        awk '$1 ~ /^[0-9]+:$/ && $7 != "UND" && $8 != "" && $5 != "LOCAL" {print $8, $4}' |
        LC_ALL=C sort
}
case "${1:-}" in
list) list "$2" ;;
check)
    so=$2 expected=$3
    got=$(mktemp)
    trap 'rm -f "$got"' EXIT
    list "$so" >"$got"
    if diff -u "$expected" "$got" >/dev/null; then
        echo "abi_symbols: $(wc -l <"$got") exports match $(basename "$expected")"
        exit 0
    fi
    echo "abi_symbols: the exports of $so differ from $expected"
    diff -u "$expected" "$got" | sed -n '3,$p' | grep '^[-+]' || true
    removed=$(diff "$expected" "$got" | grep -c '^<' || true)
    cat <<MSG

  '+' lines are new exports, '-' lines are exports that disappeared or changed.
  * A new public function is fine: it must carry FACE_API and a face_ prefix
    (and, once 1.0 has shipped, a new version node in lib/face.map).
    Record it with:   scripts/ci/update_abi.sh
    and commit abi/ together with the change.
  * Anything else starting with a non-face_ name is a symbol leak: make it
    static or lf_-prefixed (hidden), do not add it to the list.
MSG
    if [ "$removed" -gt 0 ]; then
        cat <<MSG
  * $removed export(s) removed or re-versioned: that breaks every binary built
    against the old library. Either restore them, or bump FACE_ABI_MAJOR in
    CMakeLists.txt, describe the break in docs/ABI.md, and then run
    scripts/ci/update_abi.sh.
MSG
    fi
    exit 1
    ;;
*)
    echo "usage: $0 list|check <libface.so> [expected]" >&2
    exit 2
    ;;
esac
