"""Smart crop: a square around the hips, sized from torso and every confident limb."""

from __future__ import annotations

import numpy as np
import pytest

from kiosk.pose import keypoints as K
from kiosk.pose.crop import next_box


def standing(cx=640.0, hip_y=420.0, torso=120.0, score=0.9):
    """A plausible upright person in a 1280x720 frame: hips at (cx, hip_y)."""
    u = torso / 3  # body unit
    xy = {
        K.NOSE: (0, -4.6 * u), K.L_EYE: (0.2 * u, -4.8 * u), K.R_EYE: (-0.2 * u, -4.8 * u),
        K.L_EAR: (0.45 * u, -4.7 * u), K.R_EAR: (-0.45 * u, -4.7 * u),
        K.L_SHOULDER: (1.1 * u, -3 * u), K.R_SHOULDER: (-1.1 * u, -3 * u),
        K.L_ELBOW: (1.3 * u, -1.5 * u), K.R_ELBOW: (-1.3 * u, -1.5 * u),
        K.L_WRIST: (1.3 * u, 0), K.R_WRIST: (-1.3 * u, 0),
        K.L_HIP: (0.8 * u, 0), K.R_HIP: (-0.8 * u, 0),
        K.L_KNEE: (0.8 * u, 3 * u), K.R_KNEE: (-0.8 * u, 3 * u),
        K.L_ANKLE: (0.8 * u, 6 * u), K.R_ANKLE: (-0.8 * u, 6 * u),
    }
    kps = np.zeros((17, 3))
    for i, (dx, dy) in xy.items():
        kps[i] = (cx + dx, hip_y + dy, score)
    return kps


def test_centred_on_the_hips_and_covers_every_keypoint():
    kps = standing()
    box = next_box(kps, 1280, 720)
    assert box is not None
    assert box.x0 + box.size / 2 == pytest.approx(640)
    assert box.y0 + box.size / 2 == pytest.approx(420)
    lo, hi = np.array([box.x0, box.y0]), np.array([box.x0, box.y0]) + box.size
    assert (kps[:, :2] > lo).all() and (kps[:, :2] < hi).all()


def test_wrists_far_out_widen_the_crop():
    # The TF Lite Pi example's bug: its body-extent loop re-reads the last torso joint, so
    # outstretched arms never widen the crop and the hands get cut off.
    arms_down = next_box(standing(), 1280, 720)
    t_pose = standing()
    t_pose[K.L_WRIST, :2] = (640 + 260, 300)
    t_pose[K.R_WRIST, :2] = (640 - 260, 300)
    wide = next_box(t_pose, 1280, 720)
    assert wide.size > arms_down.size
    assert wide.x0 < 640 - 260 and wide.x0 + wide.size > 640 + 260


def test_a_low_score_limb_does_not_widen_the_crop():
    base = next_box(standing(), 1280, 720)
    kps = standing()
    kps[K.L_WRIST] = (1250, 20, 0.05)  # a wild guess from the model
    assert next_box(kps, 1280, 720) == base


def test_crop_follows_a_moving_person():
    boxes = [next_box(standing(cx=cx), 1280, 720) for cx in (400, 500, 600, 700, 800)]
    centres = [b.x0 + b.size / 2 for b in boxes]
    assert centres == pytest.approx([400, 500, 600, 700, 800])
    assert len({round(b.size, 6) for b in boxes}) == 1


def test_lost_torso_means_the_whole_frame():
    kps = standing()
    kps[[K.L_HIP, K.R_HIP], 2] = 0.1
    assert next_box(kps, 1280, 720) is None
    kps = standing()
    kps[[K.L_SHOULDER, K.R_SHOULDER], 2] = 0.1
    assert next_box(kps, 1280, 720) is None


def test_a_crop_bigger_than_the_frame_means_the_whole_frame():
    # A person filling a small frame: the square would be larger than the frame itself.
    assert next_box(standing(cx=160, hip_y=170, torso=110), 320, 320) is None


def test_one_hip_hidden_still_crops():
    kps = standing()
    kps[K.R_HIP, 2] = 0.1  # side view: the far hip is occluded
    assert next_box(kps, 1280, 720) is not None
