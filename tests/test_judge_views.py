"""The judge sees a hinge from wherever the mirror's user stands: forward bends from a 30-90 deg
turn, squats from every side, no hinge fault a view fakes, and the back's shape from the side.

Generated athletes (kiosk.synth): a 3D figure filmed by a pinhole camera at a given yaw, with
MoveNet-like keypoint noise and a random body build per seed.
"""

from __future__ import annotations

from dataclasses import replace

import numpy as np
import pytest

from kiosk.judge import Judge
from kiosk.judge import faults as F
from kiosk.synth import generate

MAJOR = {"forward_bend", "rounded_back", "squatting", "hips_rise_first"}


def judged(exercise, yaw, seed, faults=None, as_exercise=None, shapes=None):
    s = generate(exercise, reps=5, faults=faults or {}, yaw_deg=yaw, seed=seed)
    j = Judge(as_exercise or exercise)
    for p in s.poses:
        j.update(p, p.t)
        if shapes is not None:
            j.back_shape(p.t, shapes(p.t, s))
    j.finish()
    return j


@pytest.mark.parametrize("exercise", ["hinge", "hello", "deadlift"])
@pytest.mark.parametrize("yaw", [30, 45, 60, 90])
def test_a_forward_bend_is_caught_from_a_30_to_90_degree_turn(exercise, yaw):
    # 300: broad shoulders, whose widths read a 30 deg turn as ~15 deg until the trunk's
    # motion corrects it; its hips' keypoint drift read 2 of 5 bends as hinges when the hips'
    # travel was taken over the 0.2 s around the bottom alone. 508: broad too, its widths
    # read 11-14 deg, and its trunk's motion spoke only from the third pull.
    for seed in (50, 51, 300, 508):
        j = judged(exercise, yaw, seed, {i: "forward_bend" for i in range(5)})
        hits = sum("forward_bend" in r.faults for r in j.reports)
        assert len(j.reports) == 5 and hits >= 4, (seed, [r.faults for r in j.reports])


@pytest.mark.parametrize("exercise", ["hinge", "hello", "deadlift"])
@pytest.mark.parametrize("yaw", [0, 15, 30, 45, 60, 90])
def test_good_hinges_carry_no_major_fault_from_any_yaw(exercise, yaw):
    for seed in (100, 103):  # 103: narrow shoulders, whose widths read a front view as ~20 deg
        j = judged(exercise, yaw, seed)
        assert len(j.reports) == 5
        assert [r.faults for r in j.reports if set(r.faults) & MAJOR] == [], seed


def test_a_trunk_that_tips_straight_toward_the_camera_is_seen_from_the_front():
    j = judged("hinge", 0, 103)  # its widths alone read ~18-21 deg
    assert j.view.yaw_deg < F.BEND_MIN_YAW


@pytest.mark.parametrize("yaw", [0, 15, 30, 45, 60, 75, 90])
def test_a_squat_judged_as_a_deadlift_is_counted_and_flagged_from_every_view(yaw):
    for seed in (0, 1):
        s = generate("squat", reps=3, yaw_deg=yaw, seed=seed)
        j = Judge("deadlift")
        for p in s.poses:
            j.update(p, p.t)
        j.finish()
        assert [("squatting" in r.faults) for r in j.reports] == [True] * 3, seed


@pytest.mark.parametrize("yaw", [0, 15, 30])
def test_near_straight_knees_are_not_called_stiff_where_the_view_cannot_read_them(yaw):
    j = judged("deadlift", yaw, 7, {i: "hips_rise_first" for i in range(5)})
    assert not any("hips_rise_first" in r.faults for r in j.reports if j.std.yaw < F.KNEES_READ_YAW)


def test_a_stiff_legged_pull_seen_from_the_side_is_still_caught():
    j = judged("deadlift", 90, 7, {i: "hips_rise_first" for i in range(5)})
    assert sum("hips_rise_first" in r.faults for r in j.reports) >= 4


def _bulge(rounded_reps):
    """A back-shape reader: the outline bulges 5 % of the trunk during the listed reps."""

    def read(t, s):
        for i in rounded_reps:
            rep = s.reps[i]
            if rep.start_s <= t <= rep.end_s:
                return 0.05
        return -0.02

    return read


def test_a_bulging_back_outline_is_rounded_back_seen_from_the_side():
    j = judged("hinge", 90, 3, shapes=_bulge({1, 3}))
    assert ["rounded_back" in r.faults for r in j.reports] == [False, True, False, True, False]


def test_the_outline_is_not_read_for_the_spine_from_the_front_oblique():
    j = judged("hinge", 40, 3, shapes=_bulge({1, 3}))
    assert not any("rounded_back" in r.faults for r in j.reports)


def test_one_outline_reading_is_not_enough_to_fault_a_rep():
    s = generate("hinge", reps=3, yaw_deg=90, seed=4)
    j = Judge("hinge")
    bottom = s.reps[1].bottom_s
    for p in s.poses:
        j.update(p, p.t)
        if abs(p.t - bottom) < 1e-6 or (p.t < bottom < p.t + 1 / 30):
            j.back_shape(p.t, 0.08)
    j.finish()
    assert not any("rounded_back" in r.faults for r in j.reports)
    assert [m.bulge_samples for m in j.metrics][1] == 1


@pytest.mark.parametrize("seed", range(6))
def test_where_the_get_set_screen_asks_for_a_turn_is_where_bends_go_unjudged(seed):
    from kiosk.coach.framing import view_advice
    from kiosk.judge.reports import View

    # Standing 30 deg to the camera, as the Get set screen asks: not "front", so no turn is
    # asked for, and forward bends are judged. Straight on: a turn is asked for.
    turned = judged("hinge", 30, seed)
    assert turned.view.view is not View.FRONT and view_advice(turned.view.view) is None
    assert turned.view.yaw_deg >= F.BEND_MIN_YAW
    straight = judged("hinge", 0, seed)
    assert straight.view.view is View.FRONT and view_advice(straight.view.view)


@pytest.mark.parametrize("yaw", [0, 30, 45, 60, 90])
def test_the_back_angle_at_the_bottom_is_true_from_a_chest_high_camera(yaw):
    # A trunk tipping toward a camera above it shortens faster than its tilt alone says; at a
    # deadlift's bottom the mid-trunk is ~0.4 m below chest height. Read without that, the
    # bottom came out 5-9 deg too deep from the front (camera at 1.1 m, 2.5 m away).
    from kiosk.synth import Camera, Noise

    errs = []
    for seed in (0, 1):
        s = generate("deadlift", reps=3, yaw_deg=yaw, seed=seed, noise=Noise.none(),
                     camera=Camera(yaw_deg=yaw, height_m=1.1, distance_m=2.5))
        j = Judge("deadlift", camera_elevation_deg=float(np.degrees(np.arctan2(1.1 - 1.2, 2.5))),
                  camera_distance_m=2.5)
        for p in s.poses:
            j.update(p, p.t)
        j.finish()
        for r in j.reports:
            errs.append(r.back_angle_deg - s.back_angle[s.at(r.start_s):s.at(r.end_s) + 1].max())
    assert abs(np.mean(errs)) < 3.0, errs


def test_a_squat_with_the_bar_on_the_back_is_not_taken_for_a_good_morning():
    from kiosk.judge.faults import RepMetrics, hands_up_squat
    from kiosk.judge.rules import rules_for

    m = RepMetrics(back=45, hip_angle=90, knee_flexion=100, hip_shift=0.1, down_s=1, up_s=1,
                   head_flexion=0, hip_drop=None, hips_lead=None, top_back=0, top_lean_back=0,
                   wrist_top=-0.1, hip_share=0.52, wrist_bottom=-0.13)  # (barbell-squat_front_02)
    assert hands_up_squat(m, rules_for("deadlift"))
    assert not hands_up_squat(replace(m, wrist_bottom=-1.0), rules_for("deadlift"))  # a deadlift
    assert not hands_up_squat(replace(m, hip_share=0.1), rules_for("deadlift"))  # a good morning
    assert not hands_up_squat(m, rules_for("hello"))  # hands at the chest belong there
