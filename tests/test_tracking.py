"""Staying on the coached person: a bystander must not steal the track."""

from __future__ import annotations

import numpy as np

from kiosk.pose import keypoints as K
from kiosk.pose.estimator import PoseEstimator
from kiosk.pose.tracking import Tracker, anchor_and_scale
from tests.test_crop import standing

FPS = 30.0


def test_follows_a_person_moving_at_walking_pace():
    tr = Tracker()
    for i in range(60):  # 1.2 m/s-ish across a 1280 px frame: ~8 px per frame
        assert tr.accept(standing(cx=300 + 8 * i), i / FPS)


def test_rejects_a_jump_to_someone_else():
    tr = Tracker()
    assert tr.accept(standing(cx=640), 0.0)
    assert not tr.accept(standing(cx=1050), 1 / FPS)  # a bystander on the right
    assert tr.accept(standing(cx=642), 2 / FPS)  # the coached person again
    assert tr.centre[0] < 700


def test_rejects_someone_much_bigger_in_the_same_place():
    # A person walking between the camera and the athlete: centred nearby, twice the size.
    tr = Tracker()
    assert tr.accept(standing(cx=640, torso=120), 0.0)
    assert not tr.accept(standing(cx=660, hip_y=420, torso=260), 1 / FPS)


def test_a_deep_hinge_seen_from_the_front_keeps_the_track():
    # Bent over towards the camera the torso foreshortens, but the shoulders stay wide.
    tr = Tracker()
    assert tr.accept(standing(), 0.0)
    for i in range(1, 31):
        kps = standing()
        drop = 60 * i / 30  # shoulders come down towards the hips
        kps[[K.L_SHOULDER, K.R_SHOULDER], 1] += drop
        kps[:5, 1] += drop
        assert tr.accept(kps, i / FPS), f"frame {i}"


def test_a_new_person_is_taken_after_the_old_one_is_gone():
    tr = Tracker(lost_after=1.0)
    tr.accept(standing(cx=640), 0.0)
    assert not tr.accept(standing(cx=1050), 0.5)
    assert not tr.expire(0.9)
    assert tr.expire(1.2)
    assert tr.accept(standing(cx=1050), 1.2)


def test_scale_survives_side_and_front_views():
    front = standing()
    side = standing()
    side[[K.L_SHOULDER, K.R_SHOULDER, K.L_HIP, K.R_HIP], 0] = 640  # zero width from the side
    _, s_front = anchor_and_scale(front)
    _, s_side = anchor_and_scale(side)
    assert s_side == s_front  # torso length rules both


class ScriptedDetector:
    """Stands in for MoveNet: frame i's callable gives the pose of whoever is 'in' a crop."""

    def __init__(self, script):
        self.script = script  # one callable box -> kps per frame
        self.boxes = []  # every crop asked for, in order
        self.first_boxes = []  # the crop each frame started with
        self.frame = -1

    def detect(self, frame, box=None):
        self.boxes.append(box)
        return self.script[self.frame](box)

    def detect_rows(self, frame, box=None):  # the estimator's per-frame call: 17 lists
        return np.asarray(self.detect(frame, box), dtype=float).tolist()

    def run(self, est, n, size=(1280, 720)):
        frame = np.zeros((size[1], size[0], 3), np.uint8)
        out = []
        for i in range(n):
            self.frame = i
            start = len(self.boxes)
            out.append(est.estimate(frame, i / FPS))
            self.first_boxes.append(self.boxes[start])
        return out


def test_estimator_keeps_its_crop_on_the_athlete_when_a_bystander_appears():
    athlete, bystander = standing(cx=500), standing(cx=1000)
    script = [lambda b: athlete] * 5 + [lambda b: bystander] * 3 + [lambda b: athlete] * 3
    det = ScriptedDetector(script)
    out = det.run(PoseEstimator(detector=det), len(script))
    assert all(p is not None for p in out[:5])
    assert out[5:8] == [None, None, None]  # the bystander's poses are refused
    assert all(p is not None and abs(p.xy(K.L_HIP)[0] - athlete[K.L_HIP, 0]) < 5
               for p in out[8:])
    crop_centres = [b.x0 + b.size / 2 for b in det.first_boxes[5:9]]
    assert np.allclose(crop_centres, crop_centres[0])  # the crop stayed on the athlete
    assert abs(crop_centres[0] - 500) < 5


def test_estimator_returns_to_the_full_frame_when_the_person_is_lost():
    nobody = np.zeros((17, 3))
    script = [lambda b: standing(cx=500)] * 3 + [lambda b: nobody] * 40
    det = ScriptedDetector(script)
    out = det.run(PoseEstimator(detector=det), len(script))
    assert out[3:] == [None] * 40
    assert det.first_boxes[0] is None and det.first_boxes[3] is not None  # crop kept briefly
    assert det.first_boxes[-1] is None  # then the whole frame again, to find someone new


def test_a_set_starts_on_the_central_person_not_a_bystander_at_the_edge():
    # MoveNet on the whole frame happens to lock on to a bystander near the right edge; the
    # look at the centre square finds the athlete, larger and central: the track starts there.
    athlete, bystander = standing(cx=640, torso=130), standing(cx=1150, hip_y=380, torso=110)

    def by_box(box):
        return bystander if box is None else athlete

    det = ScriptedDetector([by_box] * 2)
    first, second = det.run(PoseEstimator(detector=det), 2)
    assert abs(first.xy(K.L_HIP)[0] - athlete[K.L_HIP, 0]) < 1
    centre_box = det.boxes[1]
    assert (centre_box.x0, centre_box.y0, centre_box.size) == (280.0, 0.0, 720.0)
    assert len(det.boxes) == 3  # once tracking, one inference per frame again
    assert abs(det.boxes[2].x0 + det.boxes[2].size / 2 - 640) < 5
    assert abs(second.xy(K.L_HIP)[0] - athlete[K.L_HIP, 0]) < 5


def test_the_whole_frame_choice_stands_when_it_is_the_more_prominent():
    athlete, bystander = standing(cx=640, torso=130), standing(cx=700, torso=40)
    det = ScriptedDetector([lambda b: athlete if b is None else bystander])
    (first,) = det.run(PoseEstimator(detector=det), 1)
    assert abs(first.xy(K.L_HIP)[0] - athlete[K.L_HIP, 0]) < 1
