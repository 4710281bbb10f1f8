#!/usr/bin/env python3
"""Are the people in two photos the same person?

    python3 verify.py MODEL_DIR PHOTO_A PHOTO_B

Embeds the best-scoring face of each photo and compares the templates.
Exit 0 same person, 1 different, 2 usage, 3 a libface error. Needs the
binding (bindings/python, see docs/python.md). Copy freely.
"""
import sys

import libface

# The network's trained decision distance; choose your own operating point
# from the false match rates in docs/benchmarks.md.
SAME_PERSON_DISTANCE = 0.6


def best_face(ctx, path):
    img = ctx.load_image(path)
    try:
        faces = ctx.faces(img)          # detect, landmarks, align, embed
        if not faces:
            raise SystemExit(f"{path}: no face found")
        best = faces[0]                 # best detection score first
        for other in faces[1:]:
            other.template.wipe()       # templates are biometric data
        return best.template
    finally:
        img.wipe()


def main(argv):
    if len(argv) != 4:
        print(__doc__.strip().splitlines()[2].strip(), file=sys.stderr)
        return 2
    try:
        with libface.Engine(argv[1]) as engine, engine.context() as ctx:
            with best_face(ctx, argv[2]) as a, best_face(ctx, argv[3]) as b:
                cmp = a.compare(b)
    except libface.FaceError as e:
        # e.status is the face_status; str(e) carries the library's detail.
        print(f"libface: {e}", file=sys.stderr)
        return 3
    same = cmp.distance < SAME_PERSON_DISTANCE
    print(f"distance {cmp.distance:.3f} similarity {cmp.similarity:.3f}: "
          f"{'same person' if same else 'different people'}")
    return 0 if same else 1


if __name__ == "__main__":
    sys.exit(main(sys.argv))
