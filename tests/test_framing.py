"""Get-set advice from the pose alone: cut off, too close, too dark, off to the side."""

import numpy as np

from kiosk.coach.framing import framing_advice
from kiosk.pose.keypoints import Pose


def person(dy=0.0, dx=0.0, scale=1.0, score=0.9) -> Pose:
    """A standing person, side-on, in a 640x480 frame (head ~60 px, ankles ~440 px)."""
    ys = np.array([60, 55, 55, 60, 60, 110, 110, 180, 180, 240, 240, 250, 250, 350, 350, 440, 440.0])
    xs = np.full(17, 320.0)
    kp = np.stack([(xs - 320) * scale + 320 + dx, (ys - 250) * scale + 250 + dy, np.full(17, score)], 1)
    out = (kp[:, 0] < 0) | (kp[:, 0] > 639) | (kp[:, 1] < 0) | (kp[:, 1] > 479)
    kp[:, 0], kp[:, 1] = np.clip(kp[:, 0], 0, 639), np.clip(kp[:, 1], 0, 479)
    kp[out, 2] = 0.05  # like MoveNet: off-frame points sit on the border, unsure
    return Pose(kp, 0.0, (640, 480))


def test_well_placed_person_needs_no_advice():
    assert framing_advice(person()) is None


def test_feet_cut_off():
    assert "Feet cut off" in framing_advice(person(dy=80))


def test_head_cut_off():
    assert "Head cut off" in framing_advice(person(dy=-80))


def test_too_close():
    assert "Too close" in framing_advice(person(scale=1.6))


def test_too_dark_and_nobody():
    assert "Too dark" in framing_advice(person(score=0.2))
    assert "Step into view" in framing_advice(None)
    assert "Step into view" in framing_advice(person(score=0.01))


def test_off_to_the_side():
    assert "middle" in framing_advice(person(dx=318))
