"""Is the person well placed for the camera? Plain advice for the get-set screen, from the
pose alone: cut off at the frame's edge, too close, too dark (the model is unsure of
everything). Pure: a Pose in, a sentence (or None) out. And is someone else in view, from
the times the pose estimator saw a second person."""

from __future__ import annotations

import numpy as np

from kiosk.pose.keypoints import L_ANKLE, L_HIP, L_SHOULDER, NOSE, R_ANKLE, R_HIP, R_SHOULDER, Pose
from kiosk.judge.reports import View

SEEN = 0.3  # keypoint score above which a point counts as seen
EDGE = 0.02  # within this fraction of the frame's edge: touching it


def framing_advice(pose: Pose | None) -> str | None:
    if pose is None:
        return "Step into view, 2 to 3 metres from the mirror"
    kp = pose.keypoints
    w, h = pose.frame_size
    scores = kp[:, 2]
    seen = scores >= SEEN
    if seen.sum() < 5:
        if scores.max() > 0.1:
            return "Too dark? Turn on a light in front of you"
        return "Step into view, 2 to 3 metres from the mirror"
    body = [L_SHOULDER, R_SHOULDER, L_HIP, R_HIP]
    if not seen[body].any():
        return "Step into view, 2 to 3 metres from the mirror"
    ys = kp[seen, 1]
    feet = seen[[L_ANKLE, R_ANKLE]].any() and ys.max() < (1 - EDGE) * h
    head = seen[NOSE:L_SHOULDER].any() and ys.min() > EDGE * h
    if not feet and not head:
        return "Too close: step back until head and feet show"
    if not feet:
        return "Feet cut off: step back, or tilt the camera down"
    if not head:
        return "Head cut off: step back, or tilt the camera up"
    xs = kp[seen, 0]
    if xs.min() < EDGE * w or xs.max() > (1 - EDGE) * w:
        return "Move to the middle of the mirror"
    if float(np.mean(scores[seen])) < 0.4:
        return "Too dark? Turn on a light in front of you"
    return None


SOMEONE_ELSE = "Someone else is in view: ask them to step out"
TURN = "Turn 30-45\u00b0 to the mirror so it can see your hips move back"
TURN_SHORT = "Turn 30-45\u00b0 so the mirror sees your hips"


def view_advice(view: View) -> str | None:
    """Straight on, the hips moving back are invisible in 2D keypoints, so the judge cannot
    check forward bend, locked knees or over-extension: ask for a turn (30-45 degrees works)."""
    return TURN if view is View.FRONT else None


def someone_else(seen, now: float, window_s: float = 3.0, times: int = 1) -> bool:
    """Was a second person seen at least `times` times in the `window_s` seconds up to `now`?
    `seen`: frame times (kiosk.pose.estimator.PoseEstimator.others_seen), same clock as `now`."""
    return sum(1 for t in seen if now - window_s <= t <= now) >= times
