"""Where to look next frame: MoveNet's "smart crop", after tfjs-models' MoveNet.

A square centred on the hips, big enough for the torso (x1.9) and for every confident
keypoint (x1.2), so the model sees the person large instead of a letterboxed whole frame.
When the torso is lost, or the square would be bigger than the frame, look at the whole
frame again (`None`).

The TensorFlow Lite Raspberry Pi example measures the body extent with the loop variable of
its torso loop, so the crop never widens for arms or legs. Here every confident keypoint
counts, so raised wrists or a wide stance widen the crop (tested in tests/test_crop.py).
"""

from __future__ import annotations

from kiosk.pose.imaging import Box
from kiosk.pose.keypoints import L_HIP, L_SHOULDER, R_HIP, R_SHOULDER, rows

MIN_CROP_KEYPOINT_SCORE = 0.2
TORSO = (L_SHOULDER, R_SHOULDER, L_HIP, R_HIP)
TORSO_SCALE = 1.9
BODY_SCALE = 1.2


def torso_visible(pts: list, min_score: float = MIN_CROP_KEYPOINT_SCORE) -> bool:
    """Are a hip and a shoulder confident? `pts`: the 17 (x, y, score) rows as lists."""
    return (max(pts[L_HIP][2], pts[R_HIP][2]) > min_score
            and max(pts[L_SHOULDER][2], pts[R_SHOULDER][2]) > min_score)


def next_box(kps, width: int, height: int,
             min_score: float = MIN_CROP_KEYPOINT_SCORE) -> Box | None:
    """The crop for the next frame from this frame's keypoints (x, y px, score; an array or
    keypoints.rows), or None for the whole (letterboxed) frame."""
    pts = rows(kps)  # plain floats: 17 points, every frame; numpy here is mostly call cost
    if not torso_visible(pts, min_score):
        return None
    cx = (pts[L_HIP][0] + pts[R_HIP][0]) / 2
    cy = (pts[L_HIP][1] + pts[R_HIP][1]) / 2
    torso = max(max(abs(pts[i][0] - cx), abs(pts[i][1] - cy)) for i in TORSO)
    dx = [abs(x - cx) for x, _, s in pts if s > min_score]
    dy = [abs(y - cy) for _, y, s in pts if s > min_score]
    body = max(max(dx), max(dy)) if dx else 0.0
    half = max(torso * TORSO_SCALE, body * BODY_SCALE)
    # Never reach further from the centre than the farthest frame edge.
    half = min(half, max(cx, width - cx, cy, height - cy))
    if half > max(width, height) / 2:
        return None
    return Box(float(cx - half), float(cy - half), float(2 * half))
