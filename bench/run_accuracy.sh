#!/bin/sh
# Every accuracy figure of docs/benchmarks.md ("## Accuracy") and
# docs/accuracy.md in one run: build, fetch the models if needed, run
# bench/accuracy (face_accuracy) with a progress bar, and leave
#   BUILD/accuracy/results.json    machine-readable results
#   BUILD/accuracy/summary.md      the tables
#   BUILD/accuracy/*.svg           DET, FNIR-vs-FPIR, recall-vs-size plots
#   BUILD/accuracy/calibration_table.h  the table face_threshold_for_fmr ships
#
#   bench/run_accuracy.sh [BUILD_DIR] [extra face_accuracy options]
#
# BUILD_DIR defaults to build. Per-image results are cached in
# BUILD/accuracy/cache.bin, so a second run (or one after an interruption)
# only redoes the analysis; delete it to start from scratch. The full first
# run embeds all 6,922 lfw-dev images (about 15 minutes on 2 cores).
#
# Environment: FACE_SHARED_DIR (default ../shared next to the repository),
# THREADS (default: the number of cores), UPDATE_CALIBRATION=1 copies the
# new table over lib/engine/calibration_table.h (then rebuild and commit it).
set -eu
repo=$(cd "$(dirname "$0")/.." && pwd)
build=${1:-$repo/build}
[ $# -gt 0 ] && shift
shared=${FACE_SHARED_DIR:-$repo/../shared}
threads=${THREADS:-$(nproc 2>/dev/null || echo 1)}
out=$build/accuracy

[ -d "$shared/data/lfw-dev" ] || { echo "run_accuracy.sh: $shared/data/lfw-dev not found (set FACE_SHARED_DIR)" >&2; exit 1; }
cmake -S "$repo" -B "$build" >/dev/null
cmake --build "$build" -j"$threads" --target face_accuracy
[ -f "$build/models/face_recognition.fmdl" ] || sh "$repo/scripts/fetch_models.sh" "$build/models-cache" "$build/models"
mkdir -p "$out"

echo "machine: $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ //'), $(nproc) cores"
echo "date: $(date -u +%Y-%m-%dT%H:%MZ)"
echo "command: bench/run_accuracy.sh $build $*"
OPENBLAS_NUM_THREADS=1 "$build/bench/face_accuracy" \
    --data "$shared/data/lfw-dev" --crowd "$shared/data/crowd" \
    --models "$build/models" --out "$out" --threads "$threads" \
    --jitter 2 --det-every 20 --frames 8 "$@"
if [ "${UPDATE_CALIBRATION:-0}" = 1 ]; then
    cp "$out/calibration_table.h" "$repo/lib/engine/calibration_table.h"
    echo "updated lib/engine/calibration_table.h"
fi
cat "$out/summary.md"
