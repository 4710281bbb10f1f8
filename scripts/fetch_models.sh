#!/bin/sh
# Fetch the face-api weights, verify them against the pinned hash and convert
# them into libface model files.
#
#   scripts/fetch_models.sh [CACHE_DIR [OUT_DIR]]
#
# CACHE_DIR (default <repo>/build/models-cache) keeps the npm tarball, so later
# runs work offline. OUT_DIR (default <repo>/build/models) receives
# tiny_face_detector.fmdl, ssd_mobilenetv1.fmdl, face_landmark_68.fmdl,
# face_recognition.fmdl and demo/sample*.jpg.
#
# FACE_API_TARBALL=<path> seeds an empty cache from a local copy of the tarball
# instead of the registry (it is verified like a download).
#
# The tarball's sha512 must equal scripts/face-api.integrity; on a mismatch
# nothing is unpacked or converted. A second run with everything in place only
# verifies and writes nothing.
set -eu

PKG_NAME=@vladmandic/face-api
PKG_VERSION=1.7.15
TARBALL=vladmandic-face-api-$PKG_VERSION.tgz

here=$(cd "$(dirname "$0")" && pwd)
repo=$(cd "$here/.." && pwd)
cache=${1:-$repo/build/models-cache}
out=${2:-$repo/build/models}

die() {
    echo "fetch_models.sh: $*" >&2
    exit 1
}

pin=$(tr -d ' \r\n' <"$here/face-api.integrity")
case $pin in
sha512-*) ;;
*) die "scripts/face-api.integrity does not hold a sha512 SRI string" ;;
esac

# The converter is stdlib-only; prefer the system interpreter, which is the
# one the project documents.
if [ -x /usr/bin/python3 ]; then
    py=/usr/bin/python3
elif command -v python3 >/dev/null 2>&1; then
    py=python3
else
    die "python3 is needed (apt-get install -y python3)"
fi

sri_of() {
    if command -v openssl >/dev/null 2>&1; then
        printf 'sha512-%s' "$(openssl dgst -sha512 -binary "$1" | base64 -w0)"
    else
        "$py" -c 'import base64,hashlib,sys
print("sha512-" + base64.b64encode(hashlib.sha512(open(sys.argv[1], "rb").read()).digest()).decode(), end="")' "$1"
    fi
}

mkdir -p "$cache"
tgz=$cache/$TARBALL

work=$(mktemp -d "$cache/.work.XXXXXX")
trap 'rm -rf "$work"' EXIT INT TERM

if [ ! -f "$tgz" ]; then
    if [ -n "${FACE_API_TARBALL:-}" ]; then
        cp "$FACE_API_TARBALL" "$work/$TARBALL"
    elif command -v npm >/dev/null 2>&1; then
        echo "fetching $PKG_NAME@$PKG_VERSION with npm pack"
        (cd "$work" && npm pack --ignore-scripts --silent "$PKG_NAME@$PKG_VERSION" >/dev/null)
        [ -f "$work/$TARBALL" ] || die "npm pack did not produce $TARBALL"
    else
        die "npm is not installed and $tgz is not cached: apt-get install -y npm"
    fi
    got=$(sri_of "$work/$TARBALL")
    if [ "$got" != "$pin" ]; then
        die "integrity mismatch for the new tarball (got $got, pinned $pin); refusing to use it"
    fi
    mv "$work/$TARBALL" "$tgz"
fi

got=$(sri_of "$tgz")
if [ "$got" != "$pin" ]; then
    die "integrity mismatch for $tgz (got $got, pinned $pin); refusing to continue. Delete the file to fetch it again."
fi
echo "verified $TARBALL ($pin)"

# Unpack only what the converter and the demos need, into a fresh directory,
# so the converter reads exactly the bytes that were just verified.
tar -xzf "$tgz" -C "$work" --no-same-owner --no-same-permissions --wildcards \
    'package/model/tiny_face_detector_model*' \
    'package/model/ssd_mobilenetv1_model*' \
    'package/model/face_landmark_68_model*' \
    'package/model/face_recognition_model*' \
    'package/demo/sample*.jpg'

models="tiny_face_detector ssd_mobilenetv1 face_landmark_68 face_recognition"
demo_ok=1
for f in "$work"/package/demo/sample*.jpg; do
    cmp -s "$f" "$out/demo/$(basename "$f")" || demo_ok=0
done

if [ -d "$out" ] && [ $demo_ok = 1 ] &&
    "$py" "$repo/tools/convert_models.py" --model-dir "$work/package/model" --out-dir "$out" \
        --source "$PKG_NAME@$PKG_VERSION" --integrity "$pin" --check 2>/dev/null; then
    echo "models in $out are up to date"
    exit 0
fi

mkdir -p "$out/demo"
"$py" "$repo/tools/convert_models.py" --model-dir "$work/package/model" --out-dir "$out" \
    --source "$PKG_NAME@$PKG_VERSION" --integrity "$pin"
for f in "$work"/package/demo/sample*.jpg; do
    dst=$out/demo/$(basename "$f")
    cmp -s "$f" "$dst" || cp "$f" "$dst"
done
for m in $models; do
    [ -f "$out/$m.fmdl" ] || die "$out/$m.fmdl was not produced"
done
echo "models written to $out"
