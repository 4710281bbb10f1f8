#!/bin/sh
# cmake --install into a temporary prefix, then build examples/ against the
# installed tree only - once through pkg-config, once through
# find_package(face) (shared), once through find_package with the static
# library - and run what was built.
#
#   test_install.sh BUILD_DIR SOURCE_DIR WORK_DIR [MODEL_DIR]
#
# Without MODEL_DIR (or without models in it) the examples are run with no
# arguments, which must give their usage exit code 2: that still proves
# they link and load the installed library.
set -eu
build=$1 src=$2 work=$3 models=${4:-}
fail() { echo "FAIL: $*" >&2; exit 1; }

rm -rf "$work"
mkdir -p "$work"
prefix=$work/prefix
cmake --install "$build" --prefix "$prefix" >"$work/install.log" || fail "cmake --install"

libdir=$(ls -d "$prefix"/lib*/ | head -n1)
libdir=${libdir%/}
for f in include/face/face.h include/face/status.h include/face/template.h \
         include/face/watchlist.h include/face/version.h include/face/export.h bin/face; do
    [ -e "$prefix/$f" ] || fail "missing $f"
done
for f in libface.so libface.so.1 libface.a cmake/face/faceConfig.cmake \
         cmake/face/faceConfigVersion.cmake cmake/face/faceTargets.cmake pkgconfig/face.pc; do
    [ -e "$libdir/$f" ] || fail "missing $libdir/$f"
done
# Every public header in the source tree is installed.
for h in "$src"/include/face/*.h; do
    [ -e "$prefix/include/face/$(basename "$h")" ] || fail "header $(basename "$h") not installed"
done

# The installed CLI finds the installed library by itself (RUNPATH $ORIGIN/../lib).
env -u LD_LIBRARY_PATH "$prefix/bin/face" version >"$work/version.json" || fail "installed face does not run"
grep -q '"version"' "$work/version.json" || fail "face version printed no JSON"
ldd "$prefix/bin/face" | grep "libface.so" | grep -q "$prefix" || fail "installed face does not load the installed libface"

have_models=0
if [ -n "$models" ] && [ -f "$models/face_recognition.fmdl" ] && [ -f "$models/demo/sample1.jpg" ]; then
    have_models=1
fi

run_examples() { # DIR LABEL
    dir=$1 label=$2
    for ex in annotate verify watchlist; do
        [ -x "$dir/example_$ex" ] || fail "$label: example_$ex not built"
    done
    if [ "$have_models" = 1 ]; then
        photo=$models/demo/sample1.jpg
        "$dir/example_verify" "$models" "$photo" "$photo" >"$dir/verify.out" ||
            fail "$label: example_verify of a photo with itself"
        grep -q "same person" "$dir/verify.out" || fail "$label: verify output"
        "$dir/example_annotate" "$models" "$photo" "$dir/a.ppm" >"$dir/annotate.out" ||
            fail "$label: example_annotate"
        head -c 2 "$dir/a.ppm" | grep -q P6 || fail "$label: annotate wrote no PPM"
        "$dir/example_watchlist" "$models" "$photo" 0 "$photo" >"$dir/watchlist.out" ||
            fail "$label: example_watchlist (a face must find itself)"
        grep -q "^ALERT" "$dir/watchlist.out" || fail "$label: watchlist printed no alert"
    else
        for ex in annotate verify watchlist; do
            set +e
            "$dir/example_$ex" >/dev/null 2>&1
            rc=$?
            set -e
            [ "$rc" = 2 ] || fail "$label: example_$ex without arguments exited $rc, not 2"
        done
    fi
    echo "$label: ok"
}

# Nothing from the source tree or the build tree may leak in.
unset CPATH C_INCLUDE_PATH LIBRARY_PATH || true

# 1. pkg-config (no rpath: the loader is told where the library is)
PKG_CONFIG_PATH=$libdir/pkgconfig cmake -S "$src/examples" -B "$work/ex-pkgconfig" \
    -DFACE_FIND=pkgconfig >"$work/pkgconfig.log" 2>&1 || { cat "$work/pkgconfig.log"; fail "configure (pkg-config)"; }
cmake --build "$work/ex-pkgconfig" -j2 >>"$work/pkgconfig.log" 2>&1 || { cat "$work/pkgconfig.log"; fail "build (pkg-config)"; }
LD_LIBRARY_PATH=$libdir ldd "$work/ex-pkgconfig/example_verify" | grep libface.so | grep -q "$prefix" ||
    fail "pkg-config build does not load the installed libface"
LD_LIBRARY_PATH=$libdir run_examples "$work/ex-pkgconfig" pkg-config

# 2. find_package(face), shared
cmake -S "$src/examples" -B "$work/ex-cmake" -DFACE_FIND=cmake -DCMAKE_PREFIX_PATH="$prefix" \
    >"$work/cmake.log" 2>&1 || { cat "$work/cmake.log"; fail "configure (find_package)"; }
cmake --build "$work/ex-cmake" -j2 >>"$work/cmake.log" 2>&1 || { cat "$work/cmake.log"; fail "build (find_package)"; }
ldd "$work/ex-cmake/example_verify" | grep libface.so | grep -q "$prefix" ||
    fail "find_package build does not load the installed libface"
run_examples "$work/ex-cmake" find_package

# 3. find_package(face), static: no libface.so at run time
cmake -S "$src/examples" -B "$work/ex-static" -DFACE_FIND=cmake -DFACE_LINK_STATIC=ON \
    -DCMAKE_PREFIX_PATH="$prefix" >"$work/static.log" 2>&1 || { cat "$work/static.log"; fail "configure (static)"; }
cmake --build "$work/ex-static" -j2 >>"$work/static.log" 2>&1 || { cat "$work/static.log"; fail "build (static)"; }
if ldd "$work/ex-static/example_verify" | grep -q libface.so; then fail "static build loads libface.so"; fi
run_examples "$work/ex-static" static

rm -rf "$work"
echo "install: ok"
