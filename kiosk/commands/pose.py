"""`hinge-mirror pose IMAGE`: the 17 keypoints of one photo, in image pixels."""

from __future__ import annotations

import json


def add_parser(subparsers, name):
    p = subparsers.add_parser(name, help="find the 17 keypoints in one image",
                              description=__doc__.splitlines()[0])
    p.add_argument("image", help="PNG or JPEG file")
    p.add_argument("--json", action="store_true", help="print one JSON object")
    p.add_argument("--model", help="MoveNet .tflite file (default: look it up)")
    p.add_argument("--threads", type=int, default=1, help="interpreter threads (default 1)")
    p.set_defaults(func=run)
    return p


def load_rgb(path):
    """(H, W, 3) uint8 RGB; alpha is dropped, palettes and greyscale expanded."""
    import os

    import numpy as np

    os.environ.setdefault("PYGAME_HIDE_SUPPORT_PROMPT", "1")  # keep stdout pure JSON
    import pygame

    from kiosk.errors import SourceError

    if os.path.isdir(path):
        raise SourceError(f"image {path} is a directory: give a PNG or JPEG file")
    if not os.path.exists(path):
        raise SourceError(f"image {path} does not exist")
    try:
        surf = pygame.image.load(str(path))
    except (pygame.error, FileNotFoundError, OSError) as exc:
        raise SourceError(f"cannot read image {path}: {exc}") from exc
    rgb = pygame.surfarray.array3d(surf)  # (W, H, 3), converts any pixel format
    return np.ascontiguousarray(rgb.transpose(1, 0, 2))


def run(args) -> int:
    from kiosk.pose.keypoints import NAMES
    from kiosk.pose.model_files import find_model
    from kiosk.pose.movenet import MoveNet
    from kiosk.pose.runtime import load_runtime

    rgb = load_rgb(args.image)
    path = find_model(args.model)
    net = MoveNet(path, args.threads, load_runtime())
    # One photo: the whole letterboxed frame, no tracking or smoothing.
    kps = net.detect(rgb)
    if args.json:
        print(json.dumps({
            "runtime": net.runtime_name,
            "model": path.name,
            "keypoints": [{"name": n, "x": float(k[0]), "y": float(k[1]), "score": float(k[2])}
                          for n, k in zip(NAMES, kps, strict=True)],
        }))
    else:
        print(f"{args.image}: {rgb.shape[1]}x{rgb.shape[0]}, {net.runtime_name}, {path.name}")
        for n, k in zip(NAMES, kps, strict=True):
            print(f"  {n:15s} x={k[0]:7.1f} y={k[1]:7.1f} score={k[2]:.2f}")
    return 0
