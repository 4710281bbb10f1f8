#!/bin/sh
# The README's second command: the whole default test suite.
# Installs what is missing, fetches the models, builds, runs ctest (which
# includes the Python binding's tests).
set -eu
cd "$(dirname "$0")/.."
scripts/install_deps.sh
scripts/fetch_models.sh
cmake -S . -B build -DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null
cmake --build build -j"$(nproc)"
ctest --test-dir build --output-on-failure -j"$(nproc)" "$@"
