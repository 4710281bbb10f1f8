#!/usr/bin/python3
"""Regenerate tests/data/align_golden.txt: expected dlib chips for test_align_chip.

The expected chips come from ../shared/reference/faceref.py (dlib_chip), which reproduces
dlib 19.24's get_face_chip_details + extract_image_chip pixel for pixel. Only a 64-bit
FNV-1a hash of each 150x150x3 chip and three pixel values are stored, never image pixels.

    /usr/bin/python3 tools/gen_align_golden.py [--shared ../shared] > tests/data/align_golden.txt

Cases: every tiny-detector golden face of the six sample photos and the SSD faces of
sample1 (landmarks as face-api gave them), then synthetic variants of real landmarks:
faces crossing each image border and corner, strong downscales (dlib's pyramid path, also
at a border), upscales, rolled faces, and faces on a procedural image with flat and
saturated areas (where truncation to uint8 is most sensitive to sample positions).
The landmarks of every case are written out as float32 values so that C and Python
feed the chip code the same numbers.
"""
import argparse, json, math, os, sys

import numpy as np

ap = argparse.ArgumentParser()
ap.add_argument('--shared', default=os.path.join(os.path.dirname(os.path.abspath(__file__)), '..', '..', 'shared'))
args = ap.parse_args()
sys.path.insert(0, os.path.join(args.shared, 'reference'))
import faceref  # noqa: E402

GOLD = os.path.join(args.shared, 'golden')
G = json.load(open(os.path.join(GOLD, 'faceapi-1.7.15-samples.json')))


def fnv64(b):
    h = 0xcbf29ce484222325
    for x in b:
        h = ((h ^ x) * 0x100000001b3) & 0xffffffffffffffff
    return h


def synth(W, H):
    """Procedural RGB test image; test_align_chip.c builds the same one."""
    y, x = np.mgrid[0:H, 0:W].astype(np.int64)
    r = (x * 5 + y * 3) & 255
    g = (((x >> 4) ^ (y >> 4)) * 37) & 255
    b = np.where(((x // 32) + (y // 32)) % 2 == 1, 255, 0)
    return np.stack([r, g, b], 2).astype(np.uint8)


images = {}


def image(src):
    if src not in images:
        if src.startswith('synth:'):
            _, w, h = src.split(':')
            images[src] = synth(int(w), int(h))
        else:
            images[src] = faceref.load_rgb(os.path.join(GOLD, src))
    return images[src]


def transform(lm, k=1.0, deg=0.0, to=None, shift=(0.0, 0.0)):
    """Scale by k and rotate by deg about the landmarks' centroid, move the centroid to
    `to` (default: unchanged), then add shift; rounded to float32 like face_landmarks."""
    lm = np.asarray(lm, np.float64)
    c = lm.mean(0)
    a = math.radians(deg)
    R = np.array([[math.cos(a), -math.sin(a)], [math.sin(a), math.cos(a)]])
    dst = np.array(to, np.float64) if to is not None else c
    return ((lm - c) @ R.T * k + dst + np.array(shift)).astype(np.float32)


cases = []


def add(name, src, lm):
    cases.append((name, src, np.asarray(lm, np.float32)))


sample = {im['file']: im for im in G['images']}
for im in G['images']:
    for j, f in enumerate(im['detectors']['tinyFaceDetector']['faces']):
        add('%s/tiny/%d' % (os.path.basename(im['file']), j), im['file'], f['landmarks'])
for j, f in enumerate(sample['images/sample1.png']['detectors']['ssdMobilenetv1']['faces']):
    add('sample1.png/ssd/%d' % j, 'images/sample1.png', f['landmarks'])

s1 = 'images/sample1.png'
W1, H1 = sample[s1]['width'], sample[s1]['height']
base = np.array(sample[s1]['detectors']['tinyFaceDetector']['faces'][0]['landmarks'], np.float32)
# Borders: centroid on or beyond each edge and corner.
for name, to in [('left', (0, 600)), ('left-out', (-40, 600)), ('top', (900, 0)), ('top-out', (900, -35)),
                 ('right', (W1 - 1, 600)), ('right-out', (W1 + 30, 640)), ('bottom', (900, H1 - 1)),
                 ('bottom-out', (900, H1 + 25)), ('corner-tl', (5, 5)), ('corner-br', (W1 - 4, H1 - 3))]:
    add('border/' + name, s1, transform(base, to=to))
# Strong downscales: dlib's pyramid path (s > 1.9933), one to three levels, also clipped.
for k in (2.1, 3.0, 4.5, 9.0):
    add('pyramid/x%g' % k, s1, transform(base, k=k, to=(W1 / 2, H1 / 2)))
add('pyramid/x4-rolled', s1, transform(base, k=4.0, deg=33, to=(W1 / 2 + 11.3, H1 / 2 - 7.7)))
add('pyramid/x5-corner', s1, transform(base, k=5.0, to=(60, 80)))
add('pyramid/x6-right', s1, transform(base, k=6.0, deg=-12, to=(W1 - 100, H1 - 200)))
# base has scale s = 1.5106; the pyramid starts at s > 1.9933 (k = 1.3195).
add('pyramid/below-threshold', s1, transform(base, k=1.31))
add('pyramid/above-threshold', s1, transform(base, k=1.33))
# Upscales and rolls.
add('upscale/x0.3', s1, transform(base, k=0.3))
add('upscale/x0.6-rolled', s1, transform(base, k=0.6, deg=-70))
for deg in (25, -40, 90, 180, 137.5):
    add('rolled/%g' % deg, s1, transform(base, deg=deg))
# Procedural image: flat, saturated and gradient areas.
sy = 'synth:640:480'
for name, k, deg, to in [('plain', 1.0, 0, (320, 240)), ('rolled', 1.3, 17, (300, 250)),
                         ('pyramid', 3.5, -8, (320, 240)), ('border', 1.0, 5, (630, 10)),
                         ('small', 0.25, 45, (100.37, 200.61))]:
    add('synth/' + name, sy, transform(base, k=k, deg=deg, to=to))

print('# generated by tools/gen_align_golden.py from ../shared/reference/faceref.py (dlib_chip);')
print('# per case: "case <name> <image>", "lm" + 136 float32 values, "chip <fnv1a64> x,y=r,g,b ..."')
for name, src, lm in cases:
    chip = faceref.dlib_chip(image(src), lm)
    assert chip.shape == (150, 150, 3) and chip.dtype == np.uint8
    h = fnv64(chip.tobytes())
    probes = [(75, 75), (10, 140), (140, 10), (37, 46)]
    print('case %s %s' % (name, src))
    print('lm ' + ' '.join('%.9g' % v for v in lm.reshape(-1)))
    print('chip %016x %s' % (h, ' '.join('%d,%d=%d,%d,%d' % ((x, y) + tuple(int(c) for c in chip[y, x]))
                                           for x, y in probes)))
