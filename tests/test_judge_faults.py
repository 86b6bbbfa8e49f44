"""Fault rules on generated sets: each fault switched on at reps 2 and 4 is found there and
not on the clean reps, from the views where it can be seen."""

from __future__ import annotations

import numpy as np
import pytest

from kiosk.coach.cues import FAULTS
from kiosk.judge import Judge
from kiosk.pose.keypoints import Pose
from kiosk.synth import generate

CASES = [  # (exercise, fault, yaw)
    ("hinge", "forward_bend", 90), ("hinge", "forward_bend", 45),
    ("hinge", "rounded_back", 90), ("hinge", "rounded_back", 0),
    ("hinge", "squatting", 45), ("hinge", "squatting", 0),
    ("hinge", "locked_knees", 90), ("hinge", "incomplete_lockout", 90),
    ("hinge", "over_extension", 90), ("hinge", "too_shallow", 60),
    ("hinge", "too_deep", 30), ("hinge", "too_fast", 0),
    ("hello", "forward_bend", 60), ("hello", "locked_knees", 80),
    ("deadlift", "rounded_back", 45), ("deadlift", "squatting", 0),
    ("deadlift", "hips_rise_first", 90), ("deadlift", "forward_bend", 60),
    ("skier-swing", "arms_low", 0), ("skier-swing", "squatting", 45),
]  # fmt: skip


def judged(exercise, faults, yaw, seed=3):
    s = generate(exercise, reps=4, faults=faults, yaw_deg=yaw, seed=seed)
    j = Judge(exercise)
    states = [j.update(p, p.t) for p in s.poses]
    assert len(j.reports) == 4
    return s, j, states


@pytest.mark.parametrize("exercise,fault,yaw", CASES)
def test_fault_is_found_where_it_happens(exercise, fault, yaw):
    s, j, _ = judged(exercise, {1: fault, 3: fault}, yaw)
    found = [fault in r.faults for r in j.reports]
    assert found == [False, True, False, True], [r.faults for r in j.reports]
    assert j.reports[1].score < j.reports[0].score or j.reports[0].faults


def test_clean_reps_are_clean_from_every_side():
    for exercise in ("hinge", "hello", "deadlift", "skier-swing"):
        for yaw in (0, 45, 90):
            _, j, _ = judged(exercise, {}, yaw, seed=5)
            assert all(r.faults == [] and r.score >= 80 for r in j.reports), (exercise, yaw, [r.faults for r in j.reports])


def test_front_view_does_not_guess_what_it_cannot_see():
    """From straight ahead the hips' travel behind the ankles is invisible: no forward_bend
    verdict either way (a false alarm would nag a good hinge)."""
    _, j, _ = judged("hinge", {1: "forward_bend"}, 0)
    assert not any("forward_bend" in r.faults for r in j.reports)


def test_live_faults_show_at_the_bottom_before_the_rep_ends():
    s, j, states = judged("hinge", {1: "rounded_back"}, 90)
    second = [st for st in states if s.reps[1].start_s <= st.t <= s.reps[1].end_s]
    assert any("rounded_back" in st.live_faults for st in second)
    assert all(f in FAULTS for st in states for f in st.live_faults)


@pytest.mark.parametrize("yaw", [0, 45, 90])
def test_a_set_begun_over_the_bar_counts_the_first_pull_and_does_not_time_its_descent(yaw):
    # The camera starts with the lifter already gripping the bar: the first pull is rep 1,
    # but its way down was never seen, so its tempo cannot be "too fast".
    s = generate("deadlift", reps=3, yaw_deg=yaw, seed=3)
    j = Judge("deadlift")
    for p in s.poses:
        if p.t >= s.reps[0].start_s - 0.3:
            j.update(p, p.t)
    assert [r.faults for r in j.reports] == [[], [], []]


def held_at_the_bar(yaw: float, seed: int, hold_s: float = 2.0) -> Judge:
    """A deadlift set whose lifter is already gripping the bar when first seen, and holds it
    `hold_s` s before the first pull: the judge after the whole set."""
    s = generate("deadlift", reps=3, yaw_deg=yaw, seed=seed)
    rest = [p for p in s.poses if p.t >= s.reps[0].start_s - 0.05]
    n = round(30 * hold_s)
    rng = np.random.default_rng(seed)
    jitter = np.c_[rng.normal(0.0, 1.0, (n, 17, 2)), np.zeros((n, 17, 1))]
    hold = [Pose(rest[0].keypoints + jitter[i], i / 30, rest[0].frame_size) for i in range(n)]
    shift = hold_s - rest[0].t
    j = Judge("deadlift")
    for p in hold + [Pose(p.keypoints, p.t + shift, p.frame_size) for p in rest]:
        j.update(p, p.t)
    return j


@pytest.mark.parametrize("yaw", [0, 15, 30, 60])
@pytest.mark.parametrize("seed", [3, 5, 6, 7])
def test_a_lifter_holding_the_bar_at_the_start_is_not_taken_for_standing(yaw, seed):
    # Two seconds still, gripping the bar, before the first pull. From the front that trunk
    # still points up in the image, only short: calibrated on it, the first pull read 26 deg
    # or was lost. Its height against the legs' says it is bent, for most bodies; for some
    # (seeds 6 and 7) only the hands down at the bar do. And a pull seen from the front looks
    # upright before lockout: calibrated mid-pull, the first rep was lost.
    j = held_at_the_bar(yaw, seed)
    assert len(j.reports) == 3
    assert abs(j.reports[0].back_angle_deg - j.reports[1].back_angle_deg) < 20


@pytest.mark.parametrize("yaw", [0, 15, 30, 60])
@pytest.mark.parametrize("seed", range(8))
def test_a_first_pull_from_a_held_set_up_is_not_a_fault(yaw, seed):
    # Calibrated mid-pull, the first rep read as the hips shooting up first (from the front);
    # calibrated at its lockout, it was compared with a standing posture learned from its
    # own last moments, and read as a forward bend (seed 1, 15-30 deg).
    j = held_at_the_bar(yaw, seed)
    assert [r.faults for r in j.reports] == [[], [], []]


@pytest.mark.parametrize("exercise, yaw, seed", [
    ("hinge", 30, 1), ("deadlift", 30, 3), ("deadlift", 60, 3), ("deadlift", 90, 3)])
def test_a_set_joined_mid_rep_is_not_faulted_against_a_standing_it_never_showed(exercise, yaw,
                                                                                 seed):
    # Seen first part-way into a rep, the person's standing posture is learned from that
    # rep's end: leaning back at the top or hips not back enough read against it are
    # artefacts (these four read over_extension or forward_bend on their first rep).
    s = generate(exercise, reps=5, yaw_deg=yaw, seed=seed)
    r1 = s.reps[1]
    cut = r1.start_s + (seed / 4) * (r1.end_s - r1.start_s)
    j = Judge(exercise)
    for p in s.poses:
        if p.t >= cut:
            j.update(p, p.t)
    assert len(j.reports) >= 3
    assert all(r.faults == [] for r in j.reports)


def test_a_wrist_glitching_below_the_knee_does_not_stop_a_standing_calibration():
    # The footage has it: a wrist lost behind a kettlebell, below the knee for one frame.
    # The hands test is a median, so one frame does not make a standing person "bent over".
    s = generate("hinge", reps=2, yaw_deg=90, seed=2)
    j, seen = Judge("hinge"), []
    for p in s.poses:
        k = p.keypoints.copy()
        if abs(p.t - 0.9) < 0.5 / 30:
            k[9:11, 1] = k[13:15, 1].mean() + 30.0  # both wrists below the knees
        seen.append(j.update(Pose(k, p.t, p.frame_size), p.t).phase.value)
    first = next(i for i, ph in enumerate(seen) if ph not in ("calibrating", "waiting"))
    assert s.poses[first].t < s.reps[0].start_s  # calibrated on the lead-in's stand
    assert len(j.reports) == 2


def test_a_body_whose_legs_dwarf_the_trunk_still_calibrates():
    # The bent-over-the-bar test (trunk under 0.4 of the hips' height) must not lock out a
    # standing person it misreads (long legs, a low camera): after 5 s upright in the image
    # they are taken at their word, and their reps count.
    s = generate("hinge", reps=2, yaw_deg=30, seed=3, lead_in_s=7.0)
    j = Judge("hinge")
    for p in s.poses:
        k = p.keypoints.copy()
        hip_y = k[11:13, 1].mean()
        k[13:17, 1] = hip_y + 2.0 * (k[13:17, 1] - hip_y)  # knees and ankles twice as far down
        j.update(Pose(k, p.t, p.frame_size), p.t)
    assert len(j.reports) == 2


def test_a_rep_whose_own_samples_were_all_left_out_is_still_measured():
    # Inconsistent trunk fits are kept out of the judge's history; a rep (or the live check
    # at its bottom) left with none inside its own span crashed measuring an empty bottom.
    from kiosk.judge.faults import Standing, measure
    from kiosk.judge.phases import Cycle
    from kiosk.judge.trunk import Estimate

    samples = [Estimate(t=0.1 * i, back=60.0 + i, confidence=0.5, depth=60.0 + i) for i in range(5)]
    m = measure(Cycle(start_t=1.0, peak=65.0, peak_t=1.2, end_t=1.3), samples, Standing())
    assert 60.0 <= m.back <= 64.0
