#!/bin/sh
# The shared library must export face_* symbols only (plus the version node),
# keep stb_image inside as local symbols, and not depend on a shared stb.
set -eu
so=$1
bad=$(nm -D --defined-only "$so" | awk '{print $3}' | grep -v -E '^(face_|FACE_1\.)' || true)
if [ -n "$bad" ]; then
    echo "symbols exported outside face_*:"; echo "$bad"; exit 1
fi
nm -D --defined-only "$so" | grep -q ' face_init' || { echo "face_init not exported"; exit 1; }
# stb_image is compiled in (static functions): its code is present but local.
if nm -D "$so" | grep -q stbi; then echo "stb_image symbols leak"; exit 1; fi
nm "$so" 2>/dev/null | grep -q -i ' t stbi__' || {
    # stripped builds keep no local symbol table; fall back to the strings
    strings "$so" | grep -q -i 'bad png sig\|PNG\|JFIF\|stb' || { echo "stb_image not inside"; exit 1; }
}
if readelf -d "$so" | grep NEEDED | grep -q -i stb; then echo "depends on a shared stb"; exit 1; fi
# Every exported symbol carries the FACE_1.0 version node.
unver=$(objdump -T "$so" | awk '$NF ~ /^face_/ && $0 !~ /FACE_1\./' || true)
if [ -n "$unver" ]; then echo "unversioned exports:"; echo "$unver"; exit 1; fi
echo "exports ok: $(nm -D --defined-only "$so" | grep -c ' face_') face_* symbols"
