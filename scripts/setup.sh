#!/bin/sh
# The README's first command: install dependencies, fetch and convert the
# models, build, and run the demo on the sample photos of the face-api package.
set -eu
cd "$(dirname "$0")/.."
scripts/install_deps.sh
scripts/fetch_models.sh
cmake -S . -B build -DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null
cmake --build build -j"$(nproc)"
exec build/examples/face_demo build/models build/models/demo/sample*.jpg
