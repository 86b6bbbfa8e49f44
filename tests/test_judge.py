"""The judge on generated sets: API contract, rep counting, back-angle accuracy by view."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from kiosk.errors import ConfigError
from kiosk.judge import EXERCISES, Judge, rules_for
from kiosk.judge.reports import Phase, View
from kiosk.synth import PARTIAL, generate


def run(s, exercise=None):
    j = Judge(exercise or s.exercise)
    states = [j.update(p, p.t) for p in s.poses]
    return j, states


def bottom_errors(s, j):
    """Judge's back angle at each true rep's bottom minus the truth (matched by time)."""
    errs = []
    for r in s.counted:
        rep = [x for x in j.reports if x.start_s - 0.3 <= r.bottom_s <= x.end_s + 0.3]
        assert rep, f"no judged rep around true rep {r.index} at {r.bottom_s:.2f}s"
        errs.append(rep[0].back_angle_deg - s.back_angle[s.at(r.bottom_s)])
    return np.array(errs)


def test_no_person_waits_and_unknown_exercise_is_a_config_error():
    j = Judge("hinge")
    st0 = j.update(None, 0.0)
    assert st0.phase == Phase.WAITING and not st0.person and st0.reps == 0
    with pytest.raises(ConfigError, match="squat"):
        Judge("squat")


def test_rules_overrides_are_checked_and_applied():
    assert rules_for("deadlift", {"squat_knee_deg": 90}).squat_knee_deg == 90.0
    with pytest.raises(ConfigError, match="squat_knee"):
        rules_for("deadlift", {"squat_knees": 90})
    with pytest.raises(ConfigError, match="band_deg"):
        rules_for("hinge", {"band_deg": [90, 40]})
    with pytest.raises(ConfigError, match="count_min_deg"):
        rules_for("hinge", {"count_min_deg": "deep"})
    for r in EXERCISES.values():
        assert r.name and r.how_to and r.band_deg[0] < r.band_deg[1]


def test_same_poses_give_the_same_reports():
    s = generate("hello", reps=3, yaw_deg=35, seed=9)
    a, _ = run(s)
    b, _ = run(s)
    assert [r.to_json() for r in a.reports] == [r.to_json() for r in b.reports]


@pytest.mark.parametrize("exercise", ["hinge", "hello", "deadlift", "skier-swing"])
@pytest.mark.parametrize("yaw", [0, 40, 90])
def test_counts_every_rep_and_reads_the_back_angle(exercise, yaw):
    s = generate(exercise, reps=5, yaw_deg=yaw, seed=yaw + 1)
    j, states = run(s)
    assert len(j.reports) == 5
    assert [r.index for r in j.reports] == [1, 2, 3, 4, 5]
    assert sum(st.new_rep is not None for st in states) == 5
    err = np.abs(bottom_errors(s, j)).mean()
    assert err <= (3.0 if yaw == 90 else 8.0)
    assert j.update(s.poses[-1], s.poses[-1].t).view == (View.SIDE if yaw == 90 else View.FRONT if yaw == 0 else View.OBLIQUE)


@pytest.mark.parametrize("yaw", [10, 60])
def test_ignores_walking_in_a_wave_a_pause_and_a_partial_attempt(yaw):
    s = generate("hinge", reps=4, faults={4: PARTIAL}, walk_in=True, wave=True, pauses=True, yaw_deg=yaw, seed=4)
    j, states = run(s)
    assert len(j.reports) == 4
    if yaw >= 45:  # from the front a 25 deg dip is within the noise of upright: not asserted
        assert sum(st.partial for st in states) == 1


def test_skier_swing_ignores_picking_up_and_parking_the_dumbbells():
    s = generate("skier-swing", reps=6, pickup=True, yaw_deg=30, seed=2)
    j, _ = run(s)
    assert len(j.reports) == 6


@settings(max_examples=8, deadline=None)
@given(exercise=st.sampled_from(["hinge", "hello", "deadlift", "skier-swing"]),
       yaw=st.floats(0, 90), fps=st.sampled_from([10, 15, 24, 30, 60]), seed=st.integers(0, 10_000))
def test_property_rep_count_exact_across_views_rates_and_bodies(exercise, yaw, fps, seed):
    s = generate(exercise, reps=3, yaw_deg=yaw, fps=fps, seed=seed)
    j, _ = run(s)
    assert len(j.reports) == 3
    # One set of one body: looser than the targets, which are means over many sets (below).
    err = np.abs(bottom_errors(s, j)).mean()
    assert err <= (4.5 if yaw >= 75 else 12.0)


@pytest.mark.parametrize("yaw", [0, 30, 60, 90])
def test_mean_back_angle_error_meets_the_targets(yaw):
    """Targets: mean absolute error at the bottom <= 3 deg from the side, <= 8 deg from the
    front and oblique, over all four exercises and several bodies."""
    errs = []
    for k, exercise in enumerate(["hinge", "hello", "deadlift", "skier-swing"]):
        for seed in (11, 12):
            s = generate(exercise, reps=3, yaw_deg=yaw, seed=seed + 10 * k)
            j, _ = run(s)
            errs += list(np.abs(bottom_errors(s, j)))
    assert np.mean(errs) <= (3.0 if yaw == 90 else 8.0)


def test_left_right_mix_ups_do_not_change_the_verdict():
    """MoveNet mixes up left and right in side views; every pose mirrored gives the same reps."""
    from kiosk.pose.keypoints import MIRROR, Pose

    s = generate("deadlift", reps=3, yaw_deg=85, seed=6)
    a, _ = run(s)
    mirrored = [Pose(p.keypoints[list(MIRROR)], p.t, p.frame_size) for p in s.poses]
    j = Judge("deadlift")
    for p in mirrored:
        j.update(p, p.t)
    assert len(j.reports) == len(a.reports) == 3
    for x, y in zip(a.reports, j.reports, strict=True):
        assert abs(x.back_angle_deg - y.back_angle_deg) < 1.5 and x.faults == y.faults


def test_garbage_in_does_not_crash_or_count():
    """Dropped frames, NaNs, a wrong shape, repeated and backward timestamps, a long gap."""
    from kiosk.pose.keypoints import Pose

    s = generate("hinge", reps=3, yaw_deg=70, seed=8)
    j = Judge("hinge")
    for i, p in enumerate(s.poses):
        if i % 17 == 0:
            j.update(None, p.t)
        elif i % 29 == 0:
            j.update(Pose(np.full((17, 3), np.nan), p.t, p.frame_size), p.t)
        elif i % 31 == 0:
            j.update(Pose(np.zeros((5, 3)), p.t, p.frame_size), p.t)
        elif i % 37 == 0:
            j.update(p, p.t - 0.5)  # a stale frame
        else:
            j.update(p, p.t)
            j.update(p, p.t)  # the same frame twice
    assert len(j.reports) == 3
    t = s.poses[-1].t
    for k in range(1, 200):  # the person leaves
        st = j.update(None, t + k / 30)
    assert st.phase == Phase.WAITING and not st.person and len(j.reports) == 3
    j.reset()
    assert j.reports == [] and j.update(None, 0.0).reps == 0


def test_a_high_camera_is_corrected_by_its_elevation():
    """A camera at the top of a mirror looks down: foreshortening over-reads the back angle
    unless the judge knows the elevation (about atan((height - 1.1 m) / distance))."""
    from kiosk.synth import Camera

    cam = Camera(yaw_deg=0, height_m=1.7, distance_m=3.0)
    s = generate("hinge", reps=3, seed=2, camera=cam)
    plain = Judge("hinge")
    told = Judge("hinge", camera_elevation_deg=float(np.degrees(np.arctan(0.6 / 3.0))))
    for p in s.poses:
        plain.update(p, p.t)
        told.update(p, p.t)
    assert np.mean(bottom_errors(s, plain)) > 8.0  # the problem is real
    assert np.abs(bottom_errors(s, told)).mean() <= 8.0


# The soak's athletes: kiosk.bench.soak builds every set exactly like this (demo's SETS and YAW_DEG,
# 30 fps, 2 s lead-in, 1 s tail, one seed per set counting up from 101).
def soak_set(exercise: str, seed: int):
    from kiosk.commands.demo import SETS, YAW_DEG

    (i, n, faults), = [(i, n, f) for i, (ex, n, f) in enumerate(SETS) if ex == exercise]
    return generate(exercise, reps=n, faults=faults, yaw_deg=YAW_DEG[i], fps=30, seed=seed,
                    lead_in_s=2.0, tail_s=1.0)  # fmt: skip


def counted_vs_done(exercise: str, seed: int) -> tuple[int, int]:
    s = soak_set(exercise, seed)
    return len(run(s)[0].reports), len(s.counted)


def test_a_swap_with_one_shoulder_unseen_does_not_split_a_rep():
    """Soak seed 214 (hello): mid-descent a left/right swap burst starts while the far
    shoulder is dropped, so the filled-in shoulder lands half a body width off and two frames
    read nearly upright (fit confidence 0). Fed to the depth signal they looked like the top
    of a rep, and the rep was counted twice."""
    s = soak_set("hello", 214)
    j, _ = run(s)
    assert len(j.reports) == len(s.counted) == 4
    for r, truth in zip(j.reports, s.counted, strict=True):  # one judged rep per true rep, in step
        assert r.start_s - 0.5 <= truth.bottom_s <= r.end_s + 0.5


# Seed 852 (skier-swing): parking the dumbbells after the set, noisy fits at the shins dipped
# the depth out of the bottom band for a few frames, so the 2 s park measured under the swing's
# 1.2 s bottom limit and was counted as a sixth rep.
SOAK_SWEEP = [(ex, seed) for ex in EXERCISES for seed in range(101, 113)] + [("hello", 170),
                                                                            ("skier-swing", 852)]


@pytest.mark.parametrize("exercise,seed", SOAK_SWEEP)
def test_soak_athletes_are_counted_exactly(exercise, seed):
    counted, done = counted_vs_done(exercise, seed)
    assert counted == done, f"{exercise} seed {seed}: counted {counted} of {done}"


def test_standing_still_after_parking_is_not_counted_a_swing():
    """Hour soak, seed 2916: seen 25 deg off the front, the lifter stands still after parking
    the dumbbells; keypoint drift shortened the trunk ~7 % for a second, read as 20-25 deg
    forward, and the depth passed the swing's 25 deg counting bar for 0.27 s: a sixth swing,
    with the hands where they hung (faults.hands_still). On a clock begun 100 s earlier, as
    the kiosk's is (the calibration refreshes on its own cadence), and with one more second
    of standing, as the live kiosk's camera keeps running."""
    from kiosk.pose.keypoints import Pose

    s, off = soak_set("skier-swing", 2916), 100.0
    poses = [Pose(p.keypoints, p.t + off, p.frame_size) for p in s.poses]
    last = poses[-1]
    poses += [Pose(last.keypoints, last.t + i / 30, last.frame_size) for i in range(1, 31)]
    j = Judge("skier-swing")
    for p in poses:
        j.update(p, p.t)
    j.finish()
    assert len(s.counted) == 5
    assert len(j.reports) == 5


def test_the_bottom_of_an_excursion_is_the_deepest_depth_held_not_a_spike():
    from kiosk.judge.phases import Cycle, held_peak

    for fps in (24.0, 30.0, 60.0):  # (24: 0.2 s is no whole number of frames)
        park = [(i / fps, min(40.0, 120.0 * i / fps)) for i in range(int(3 * fps))]
        spiked = [(t, 60.0 if 1.5 <= t < 1.63 else d) for t, d in park]  # a 0.13 s glitch
        assert held_peak(spiked, 0.2) == 40.0
        assert held_peak(park[:3], 0.2) == park[2][1]  # shorter than the hold: its max
        # The time near the bottom is measured against the held depth, not the spike.
        assert Cycle(0.0, trace=spiked).bottom_s == pytest.approx(Cycle(0.0, trace=park).bottom_s)
        assert Cycle(0.0, trace=park).bottom_s > 2.5
