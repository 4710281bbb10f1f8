#!/bin/sh
# Install the binding the way docs/python.md says (a venv with the system
# site packages, pip offline without build isolation) and import it from
# outside the source tree.
#   check_install.sh <python> <bindings/python> <work dir> <libface.so>
set -eu
PY=$1 SRC=$2 WORK=$3 LIB=$4

rm -rf "$WORK"
mkdir -p "$WORK"
# setuptools builds in the source folder (build/, *.egg-info): use a copy so
# the test never writes into the repository.
cp -R "$SRC" "$WORK/src"
rm -rf "$WORK/src/build" "$WORK/src"/*.egg-info "$WORK/src/libface/__pycache__"

"$PY" -m venv --system-site-packages "$WORK/venv"
PIP_DISABLE_PIP_VERSION_CHECK=1 PIP_NO_CACHE_DIR=1 \
  "$WORK/venv/bin/python" -m pip install --no-index --no-build-isolation --quiet "$WORK/src"

cd "$WORK"
env -u PYTHONPATH LIBFACE_LIBRARY="$LIB" "$WORK/venv/bin/python" - "$WORK/venv" <<'PYEOF'
import os, sys
import libface
venv = os.path.realpath(sys.argv[1])
where = os.path.realpath(libface.__file__)
assert where.startswith(venv + os.sep), "imported %s, not the venv's copy" % where
assert libface.abi_version() == libface.ABI_VERSION
t = libface.Template.from_values([0.25] * 128, bytes(16))
assert libface.Template.parse(t.serialize()) == t
print("installed libface %s from %s, library %s" % (libface.version(), where,
                                                     libface.library_path()))
PYEOF
"$WORK/venv/bin/python" -m pip uninstall --yes --quiet libface
