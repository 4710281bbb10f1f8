#!/usr/bin/env python3
"""Enroll a person, seal the watchlist, reopen it, search photos.

    python3 watchlist.py MODEL_DIR ENROLL_PHOTO FACE_INDEX PROBE_PHOTO...

Enrolls face FACE_INDEX of ENROLL_PHOTO (detector order, best first, with a
40-px minimum face) as "subject-1", seals the watchlist with a random raw key
to a temporary file, opens it again with the key, and prints an ALERT line
for every probe face within the alert distance. Faces that match nothing
are wiped at once. The file is destroyed (crypto-shredded) at the end.
Exit 0 if anything alerted, 1 if not, 2 usage, 3 a libface error.
In production the key comes from your KMS/HSM, not os.urandom. Copy freely.
"""
import os
import sys
import tempfile

import libface
from libface import Key, Watchlist

# Stricter than 1:1 verification's 0.6: every probe meets every entry.
ALERT_DISTANCE = 0.5


def main(argv):
    if len(argv) < 5:
        print(__doc__.strip().splitlines()[2].strip(), file=sys.stderr)
        return 2
    model_dir, enroll_photo, index, probes = argv[1], argv[2], int(argv[3]), argv[4:]
    alerts = 0
    fd, path = tempfile.mkstemp(suffix=".fwl")
    os.close(fd)
    wl = None
    try:
        with libface.Engine(model_dir) as engine, engine.context() as ctx:
            key_bytes = bytearray(os.urandom(32))
            with Key.raw(key_bytes) as key:
                wl = Watchlist.create(key, engine.fingerprint())
                img = ctx.load_image(enroll_photo)
                faces = ctx.faces(img, min_face_size=40)
                img.wipe()
                if index >= len(faces):
                    print(f"{enroll_photo}: no face {index}", file=sys.stderr)
                    return 2
                wl.enroll("subject-1", [faces[index].template], label="Subject 1")
                for f in faces:
                    f.template.wipe()
                wl.save(path)
                wl.close()
                # Only the key opens it; any change to the file is FaceError(AUTH).
                wl = Watchlist.open(path, key, fingerprint=engine.fingerprint())
            key_bytes[:] = bytes(len(key_bytes))

            for photo in probes:
                img = ctx.load_image(photo)
                faces = ctx.faces(img, min_face_size=40)
                img.wipe()
                for i, face in enumerate(faces):
                    with face.template as t:     # wiped when the block ends
                        for m in wl.search(t, threshold=ALERT_DISTANCE):
                            b = face.detection.box
                            print(f"ALERT {photo} face {i} box {b.x:.0f},{b.y:.0f} "
                                  f"{b.width:.0f}x{b.height:.0f}: {m.id.decode()} "
                                  f"distance {m.distance:.3f}")
                            alerts += 1
                print(f"{photo}: {len(faces)} faces searched")
            print(f"{alerts} alerts")
            wl.destroy()                  # unlink the file, wipe the keys
            wl = None
    except libface.FaceError as e:
        print(f"libface: {e}", file=sys.stderr)
        return 3
    finally:
        if wl is not None:
            wl.close()
        if os.path.exists(path):
            os.unlink(path)
    return 0 if alerts else 1


if __name__ == "__main__":
    sys.exit(main(sys.argv))
