"""The back's shape: BlazePose's person mask read for the back's outline, in line for recorded
video and on its own thread live, and what the kiosk says when the model is not there."""

from __future__ import annotations

import threading
import time
import numpy as np
import pytest

from kiosk.pose import backshape as B
from kiosk.pose import keypoints as K
from kiosk.pose.keypoints import Pose


def bent_pose(t=0.0, wrist_behind=False):
    """A lifter seen from the side, facing image-right, trunk tipped ~60 deg."""
    kp = np.zeros((17, 3))
    kp[:, 2] = 0.8
    pts = {K.L_HIP: (300, 300), K.R_HIP: (302, 300), K.L_SHOULDER: (390, 250),
           K.R_SHOULDER: (392, 250), K.L_KNEE: (360, 380), K.R_KNEE: (362, 380),
           K.L_ANKLE: (320, 460), K.R_ANKLE: (322, 460), K.NOSE: (430, 250),
           K.L_EAR: (415, 240), K.R_EAR: (417, 240), K.L_WRIST: (395, 330), K.R_WRIST: (397, 330),
           K.L_ELBOW: (392, 290), K.R_ELBOW: (394, 290), K.L_EYE: (425, 245), K.R_EYE: (427, 245)}  # fmt: skip
    for i, xy in pts.items():
        kp[i, :2] = xy
    if wrist_behind:  # hands clasped at the lower back
        kp[K.L_WRIST, :2] = kp[K.R_WRIST, :2] = (315, 280)
    return Pose(kp, t, (640, 480))


def upright_pose(t=0.0):
    kp = bent_pose(t).keypoints.copy()
    kp[[K.L_SHOULDER, K.R_SHOULDER], :2] = [(300, 200), (302, 200)]
    return Pose(kp, t, (640, 480))


def test_only_a_trunk_bent_in_the_image_is_worth_reading():
    assert B.wanted(bent_pose())
    assert not B.wanted(upright_pose())  # standing, or bent straight toward the camera


def test_the_crop_stands_the_trunk_upright():
    kp = bent_pose().keypoints.tolist()
    m = B.crop_transform(kp)
    hip = m[:, :2] @ np.array([301, 300]) + m[:, 2]
    sh = m[:, :2] @ np.array([391, 250]) + m[:, 2]
    assert hip == pytest.approx((B.SIZE / 2, B.SIZE / 2))
    assert abs(sh[0] - hip[0]) < 1e-6 and sh[1] < hip[1]  # straight above


def _mask_with_back(bulge_px: float) -> tuple[np.ndarray, list, np.ndarray]:
    """A person mask in the crop whose back edge (left: the knees are to the right) bulges
    out by `bulge_px` at mid-trunk."""
    kp = bent_pose().keypoints.tolist()
    m = B.crop_transform(kp)
    to = lambda p: m[:, :2] @ np.array(p) + m[:, 2]  # noqa: E731
    sh, hip = to((391, 250)), to((301, 300))
    mask = np.zeros((B.SIZE, B.SIZE), bool)
    for y in range(B.SIZE):
        f = (y - sh[1]) / (hip[1] - sh[1])
        edge = sh[0] - 12 - (bulge_px * 4 * f * (1 - f) if 0 <= f <= 1 else 0)
        mask[y, int(round(edge)):int(sh[0] + 40)] = True
    return mask, kp, m


def test_a_bulging_outline_reads_positive_and_a_straight_one_zero():
    length = None
    for bulge_px, expect in ((0.0, 0.0), (6.0, None)):
        mask, kp, m = _mask_with_back(bulge_px)
        b = B.bulge_of(mask, kp, m)
        if expect is not None:
            assert b == pytest.approx(0.0, abs=0.005)
        else:
            length = (m[:, :2] @ np.array([301, 300]) + m[:, 2])[1] - (m[:, :2] @ np.array([391, 250]) + m[:, 2])[1]
            assert b > 0.5 * 6.0 / length  # most of the bulge's height, in trunk lengths
    assert length


def test_hands_on_the_back_hide_its_outline():
    mask, _, m = _mask_with_back(6.0)
    kp = bent_pose(wrist_behind=True).keypoints.tolist()
    assert B.bulge_of(mask, kp, B.crop_transform(kp)) is None


def test_the_schedule_reads_bent_poses_at_most_hz_times_a_second():
    sched = B.Schedule(hz=5.0)
    due = [sched.due(bent_pose(i / 30)) for i in range(60)]  # two seconds at 30 fps
    assert sum(due) == 10 and due[0]
    assert not B.Schedule().due(upright_pose())


def test_a_reading_rides_with_its_pose_through_json():
    p = Pose(bent_pose().keypoints, 1.5, (640, 480), back_bulge=0.0421)
    assert Pose.from_json(p.to_json()).back_bulge == pytest.approx(0.0421)
    assert "back_bulge" not in bent_pose().to_json()


class SlowShape:
    def __init__(self, gate):
        self.gate, self.calls = gate, 0

    def measure(self, rgb, pose):
        self.calls += 1
        self.gate.wait(2.0)
        return 0.05


def test_the_live_reader_never_makes_the_pose_worker_wait():
    gate = threading.Event()
    shape = SlowShape(gate)
    reader = B.Reader(shape, hz=15.0)
    try:
        t0 = time.perf_counter()
        for i in range(30):  # offered every frame while the first reading is stuck
            reader.offer(np.zeros((4, 4, 3), np.uint8), bent_pose(i / 30))
        assert time.perf_counter() - t0 < 0.5
        gate.set()
        deadline = time.time() + 2.0
        while not reader.readings and time.time() < deadline:
            time.sleep(0.01)
        time.sleep(0.05)
        got = reader.take()
        assert shape.calls == 1 and got == [(0.0, 0.05)]  # the busy time was passed over
    finally:
        gate.set()
        reader.close()


def test_without_the_model_the_kiosk_runs_and_says_the_check_is_off(tmp_path, monkeypatch):
    from kiosk import config
    from kiosk.pose import model_files as mf
    from kiosk.startup import BACK_SHAPE_OFF, back_shape_reader

    monkeypatch.setenv(mf.ENV_DIR, str(tmp_path))
    monkeypatch.setattr(mf, "REPO_MODELS", tmp_path)
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path))
    cfg = config.parse("", origin="test")
    assert back_shape_reader(cfg) == (None, BACK_SHAPE_OFF)
    off = config.parse("[model]\nback_shape = false\n", origin="test")
    assert "off in the config" in back_shape_reader(off)[1]


@pytest.mark.model
@pytest.mark.footage
@pytest.mark.parametrize("clip, rounded", [("barbell-deadlift_side_10.mp4", True),
                                           ("barbell-deadlift_side_14.mp4", False)])
def test_the_real_model_reads_a_rounded_back_out_and_a_flat_one_not(clip, rounded, footage_dir, model_path):
    from kiosk.pose.estimator import PoseEstimator
    from kiosk.sources.video import VideoSource

    shape = B.BackShape(model_path.parent / "pose_landmark_full.tflite")
    est = PoseEstimator(model_path=model_path)
    bulges = []
    with VideoSource(footage_dir / clip) as src:
        for frame in src:
            pose = est.estimate(frame.rgb, frame.t)
            if pose is not None and (B.trunk_incline(pose.keypoints.tolist()) or 0) > 70:
                b = shape.measure(frame.rgb, pose)
                if b is not None:
                    bulges.append(b)
    assert len(bulges) >= 10
    assert (float(np.median(bulges)) > 0.03) is rounded, np.median(bulges)
