#!/bin/bash
# Speed per stage, libface against face-api.js, in one run on this machine.
#
#   bench/speed.sh [BUILD_DIR]     (default build; needs scripts/fetch_models.sh done)
#
# face-api.js runs from ../shared/peers/faceapi (copied into BUILD_DIR/peer-faceapi and
# npm-installed there once) on the wasm backend with 1 thread and 2 threads. libface runs
# once per ISA this CPU supports, with 1 and 2 threads. Both see the six demo photos of the
# face-api package. Prints one JSON line per run and a summary table with ratios.
set -euo pipefail
cd "$(dirname "$0")/.."
build=${1:-build}
models=$build/models
imgs=$(ls "$models"/demo/sample*.jpg)
peer_src=../shared/peers/faceapi
peer=$build/peer-faceapi
out=$build/speed
mkdir -p "$out"

echo "machine: $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ //'), $(nproc) cores"
echo "date: $(date -u +%Y-%m-%dT%H:%MZ)"

if [ -d "$peer_src" ]; then
    if [ ! -d "$peer/node_modules/@vladmandic/face-api" ]; then
        mkdir -p "$peer"
        cp "$peer_src"/*.js "$peer_src"/package.json "$peer"/
        (cd "$peer" && npm install --no-audit --no-fund --ignore-scripts --silent)
    fi
    for mode in wasm:1 wasm-mt:2; do
        be=${mode%%:*}; th=${mode##*:}
        REPS=3 FA_BACKEND=$be FA_THREADS=$th node "$peer/bench.js" --out "$out/faceapi_$be.json" \
            $imgs 2>/dev/null | grep '^{' | tail -1 > "$out/faceapi_$be.line" || true
        echo "face-api.js $be threads=$th: $(cat "$out/faceapi_$be.line")"
    done
else
    echo "(../shared/peers/faceapi not found: face-api.js not measured)"
fi

for isa in ref avx2 avx512 neon; do
    # the plain-C reference is ~10x slower: one timed repetition is enough
    reps=3; [ $isa = ref ] && reps=1
    for th in 1 2; do
        if FACE_FORCE_ISA=$isa "$build/bench/face_speed" "$models" $imgs --threads $th --reps $reps \
            --json > "$out/libface_${isa}_t$th.json" 2>/dev/null; then
            echo "libface $isa threads=$th: $(cat "$out/libface_${isa}_t$th.json")"
        else
            rm -f "$out/libface_${isa}_t$th.json"
        fi
    done
done

/usr/bin/python3 - "$out" <<'PY'
import json, glob, os, sys
out = sys.argv[1]
def load(p):
    try:
        return json.loads(open(p).read().strip().splitlines()[-1])
    except Exception:
        return None
fa = {b: load(f"{out}/faceapi_{b}.line") for b in ("wasm", "wasm-mt")}
fam = {b: (v or {}).get("median_ms", {}) for b, v in fa.items()}
print("\n| libface run | detect tiny416 640x480 | tiny416 min40 640x480 | tiny416 min40 1080p | SSD 640x480 | landmarks/face | embed/face | embed speed-up vs face-api.js |")
print("|---|---|---|---|---|---|---|---|")
for p in sorted(glob.glob(f"{out}/libface_*.json")):
    r = load(p)
    if not r: continue
    peer = fam["wasm" if r["threads"] == 1 else "wasm-mt"].get("descriptor_per_face")
    ratio = f"{peer / r['embed_per_face']:.1f}x" if peer else "n/a"
    print(f"| {r['isa']}, {r['threads']} thread(s) | {r['detect_tiny416_640x480']:.1f} | {r['detect_tiny416_min40_640x480']:.1f} | "
          f"{r['detect_tiny416_min40_1920x1080']:.1f} | {r['detect_ssd_640x480']:.1f} | {r['landmarks_per_face']:.2f} | {r['embed_per_face']:.2f} | {ratio} |")
for b, m in fam.items():
    if m:
        print(f"| face-api.js {b} | tiny416 (photo) {m.get('detect_tiny416', float('nan')):.1f} | | | SSD (photo) {m.get('detect_ssd', float('nan')):.1f} | "
              f"{m.get('landmarks_per_face', float('nan')):.2f} | {m.get('descriptor_per_face', float('nan')):.2f} | 1.0x |")
PY
