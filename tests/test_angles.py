"""Angle conventions (kiosk.judge.angles) and the any-view inclination fit (kiosk.judge.trunk)."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from kiosk.judge import angles as A
from kiosk.pose import keypoints as K
from kiosk.judge.fit import incline, yaw_range
from kiosk.pose.keypoints import TRUNK_CHORD_SHORTENING as CHORD_SHORTENING
from kiosk.synth import Body, truth_angles
from kiosk.synth.body import Posture, skeleton

# Image coordinates: y grows downward. A person facing image-right has facing = +1.
HIP = np.array([100.0, 200.0])


def test_every_angle_is_defined_once_with_a_convention():
    assert {"back_angle", "hip_angle", "knee_flexion", "hip_shift", "wrist_height",
            "hand_reach", "head_flexion"} <= set(A.ANGLES)  # fmt: skip
    assert all(a.convention and a.unit for a in A.ANGLES.values())


def test_back_angle_convention():
    assert A.back_angle(HIP, HIP + [0, -50]) == pytest.approx(0)
    assert A.back_angle(HIP, HIP + [50, 0], facing=1) == pytest.approx(90)
    assert A.back_angle(HIP, HIP + [35.36, -35.36], facing=1) == pytest.approx(45, abs=0.01)
    assert A.back_angle(HIP, HIP + [-10, -50], facing=1) < 0  # leaning back
    assert A.back_angle(HIP, HIP + [-10, -50]) > 0  # unsigned without a facing


def test_hand_reach_convention():
    knee = HIP + [0, 50]  # trunk length 50 px
    assert A.hand_reach(knee + [5, 0], knee, 50.0) == pytest.approx(0)
    assert A.hand_reach(knee + [0, 25], knee, 50.0) == pytest.approx(0.5)  # toward the floor
    assert A.hand_reach(HIP, knee, 50.0) == pytest.approx(-1.0)  # up at the hips


def test_joint_angles():
    knee, ankle = HIP + [0, 50], HIP + [0, 100]
    assert A.knee_flexion(HIP, knee, ankle) == pytest.approx(0, abs=1e-3)
    assert A.knee_flexion(HIP, knee, knee + [50, 0]) == pytest.approx(90)
    assert A.hip_angle(HIP + [0, -60], HIP, knee) == pytest.approx(180)
    assert A.hip_angle(HIP + [60, 0], HIP, knee) == pytest.approx(90)


def test_hip_shift_wrist_height_head_flexion():
    ankle = HIP + [20, 100]  # facing right, hips 20 px behind the ankles
    assert A.hip_shift(HIP, ankle, leg_length=100, facing=1) == pytest.approx(0.2)
    assert A.hip_shift(HIP, ankle, leg_length=100, facing=-1) == pytest.approx(-0.2)
    sh = HIP + [0, -80]
    assert A.wrist_height(sh, sh, 80) == 0 and A.wrist_height(HIP, sh, 80) == pytest.approx(-1)
    assert A.head_flexion(HIP, sh, sh + [0, -30], facing=1) == pytest.approx(0)
    assert A.head_flexion(HIP, sh, sh + [30, 0], facing=1) == pytest.approx(90)


@settings(max_examples=40, deadline=None)
@given(shin=st.floats(-8, 35), knee=st.floats(0, 120), trunk=st.floats(-15, 100))
def test_inclination_formulas_match_the_3d_truth_seen_from_the_side(shin, knee, trunk):
    """From exactly the side (orthographic), the *_from() composites of segment inclinations
    equal the 3D angles of the generator's skeleton."""
    body = Body()
    pts = skeleton(body, Posture(shin=shin, knee=knee, trunk=trunk))
    back, hip_angle, knee_flex, shift = truth_angles(pts, body, 0.0)
    xy = pts[:, :2] * [1, -1]  # side view: X forward = image right, Y up = image up
    mid = lambda a, b: (xy[a] + xy[b]) / 2  # noqa: E731
    h, k, a = mid(K.L_HIP, K.R_HIP), mid(K.L_KNEE, K.R_KNEE), mid(K.L_ANKLE, K.R_ANKLE)
    s = mid(K.L_SHOULDER, K.R_SHOULDER)
    assert A.back_angle(h, s, facing=1) == pytest.approx(back, abs=0.01)
    thigh, shin_i = A.inclination(k, h, facing=-1), A.inclination(a, k, facing=1)
    assert A.hip_angle_from(back, thigh) == pytest.approx(hip_angle, abs=0.01)
    assert A.knee_flexion_from(thigh, shin_i) == pytest.approx(knee_flex, abs=0.01)
    assert A.hip_shift_from(thigh, shin_i, body.thigh, body.shin) == pytest.approx(shift, abs=1e-3)


@settings(max_examples=60, deadline=None)
@given(theta=st.floats(0, 110), yaw=st.floats(0, 90))
def test_incline_recovers_the_true_inclination_in_any_view(theta, yaw):
    """A segment of standing length 100 px tipped forward by theta, seen from yaw: the fit
    gets theta back from its 2D projection, from the front by foreshortening alone."""
    t, y = np.radians(theta), np.radians(yaw)
    got, _ = incline(100 * np.sin(y) * np.sin(t), 100 * np.cos(t), 100.0, yaw_range(yaw), facing=1.0)
    assert abs(got - theta) <= 1.0


@settings(max_examples=60, deadline=None)
@given(theta=st.floats(40, 100), yaw=st.floats(0, 90), scale=st.floats(0.97, 1.03))
def test_incline_tolerates_a_few_percent_of_scale_error_when_bent(theta, yaw, scale):
    """(Near upright no method can tell a foreshortened segment from a short one: that is why
    the judge calibrates each person's standing lengths.)"""
    t, y = np.radians(theta), np.radians(yaw)
    dx, dy = 100 * scale * np.sin(y) * np.sin(t), 100 * scale * np.cos(t)
    got, _ = incline(dx, dy, 100.0, yaw_range(yaw), facing=1.0)
    assert abs(got - theta) <= 4.0


@pytest.mark.parametrize("yaw", [0.0, 30.0, 45.0])
@pytest.mark.parametrize("theta", [30.0, 50.0, 70.0])
def test_a_trunk_chord_that_shortens_as_it_tips_reads_its_true_angle(theta, yaw):
    """MoveNet's hip-to-shoulder chord shortens by ~CHORD_SHORTENING sin^2(theta) as one bends
    (measured from the side). Told so, the fit reads the true angle from the front and at an
    angle; fitted as a rigid segment the same chord reads deeper (the 6 deg the front-oblique
    camera of a two-camera set over-read)."""
    t, y = np.radians(theta), np.radians(yaw)
    k = 1 - CHORD_SHORTENING * np.sin(t) ** 2
    dx, dy = 100 * k * np.sin(y) * np.sin(t), 100 * k * np.cos(t)
    told, _ = incline(dx, dy, 100.0, yaw_range(yaw), facing=1.0, shortening=CHORD_SHORTENING)
    rigid, _ = incline(dx, dy, 100.0, yaw_range(yaw), facing=1.0)
    assert abs(told - theta) <= 1.0
    assert rigid - theta >= 1.5


def test_incline_reads_a_backward_lean_only_where_it_can_be_seen():
    dx, dy = -100 * np.sin(np.radians(15)), 100 * np.cos(np.radians(15))
    assert incline(dx, dy, 100.0, yaw_range(90.0), facing=1.0)[0] == pytest.approx(-15, abs=1)
    assert incline(0.0, dy, 100.0, yaw_range(0.0), facing=1.0)[0] >= 0  # front: never backward
