"""Fuzzed pose streams through the judge: broken keypoints and broken clocks.

Every stream is a generated set (a known number of full movements) or a generated person
standing still (no movement at all), spoiled by hypothesis with the faults a camera and
MoveNet really produce: NaN and infinite coordinates, all-zero scores, teleporting joints,
left/right swaps, dropped frames, repeated and backwards timestamps, at 1, 30 and 120 fps.

Properties: the judge never raises; its output stays sane (finite numbers, rep count never
going down); and it never counts more reps than there were full movements - for a person who
only stands there, none at all.
"""

from __future__ import annotations

import math
from functools import lru_cache

import numpy as np
import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from kiosk.judge import Judge
from kiosk.pose.keypoints import MIRROR, Pose
from kiosk.judge.reports import JudgeState
from kiosk.synth import generate

EXERCISES = ("hinge", "hello", "deadlift", "skier-swing")
RATES = (1.0, 30.0, 120.0)
KINDS = ("nan", "inf", "zero_scores", "teleport", "swap", "drop", "repeat_t", "backwards")
FUZZ = settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])


@lru_cache(maxsize=None)
def _movement(exercise: str, fps: float, seed: int):
    s = generate(exercise, reps=2, yaw_deg=(90.0, 60.0)[seed % 2], fps=fps, seed=seed, lead_in_s=1.5)
    return s.poses, len(s.counted)


@lru_cache(maxsize=None)
def _standing(fps: float, seed: int):
    # The hinge athlete with no reps and no load to pick up: standing still throughout (a
    # deadlift or skier-swing set would bend for the load, which is a movement).
    s = generate("hinge", reps=0, yaw_deg=(90.0, 30.0)[seed % 2], fps=fps, seed=seed,
                 lead_in_s=6.0, pickup=False)
    assert not s.counted and np.ptp(s.back_angle) < 5.0
    return s.poses


op = st.tuples(
    st.sampled_from(KINDS),
    st.floats(0.0, 1.0),  # where in the stream
    st.floats(0.0, 1.0),  # how long (fraction of the stream, capped per kind)
    st.lists(st.integers(0, 16), min_size=1, max_size=17, unique=True),  # which joints
    st.floats(-1.0, 1.0),  # a signed amount (teleport distance, clock step)
)


def spoil(poses: list[Pose], ops, fps: float, allow_motion_glitch: bool = True):
    """A list of (Pose | None, t) with the ops applied, in order."""
    n = len(poses)
    kps = [p.keypoints.copy() for p in poses]
    ts = [p.t for p in poses]
    missing = [False] * n
    dup: set[int] = set()
    for kind, where, length, joints, amount in ops:
        i0 = min(int(where * n), n - 1)
        span = max(1, int(length * n))
        if kind == "teleport":
            # A glitch, not a movement: at most 0.15 s, which no real rep fits in. (At 1 fps
            # a single bent frame between upright ones IS indistinguishable from a rep.)
            glitch = int(0.15 * fps)
            if glitch < 1:
                continue
            span = min(span, glitch)
        idx = range(i0, min(n, i0 + span))
        j = list(joints)
        for i in idx:
            k = kps[i]
            if kind == "nan":
                k[j, (i % 2)] = np.nan
            elif kind == "inf":
                k[j, (i % 2)] = math.copysign(np.inf, amount or 1.0)
            elif kind == "zero_scores":
                k[:, 2] = 0.0
            elif kind == "teleport":
                w, h = poses[i].frame_size
                k[j, 0] += amount * w
                k[j, 1] -= abs(amount) * h
            elif kind == "swap":
                kps[i] = k[list(MIRROR)]
            elif kind == "drop":
                missing[i] = True
            elif kind == "repeat_t":
                dup.add(i)
        if kind == "backwards":  # the clock steps back (up to 2 s) and carries on from there
            for i in range(i0, n):
                ts[i] -= 2.0 * abs(amount)
    out = []
    for i in range(n):
        pose = None if missing[i] else Pose(kps[i], ts[i], poses[i].frame_size)
        out.append((pose, ts[i]))
        if i in dup:  # the same frame delivered twice, same timestamp
            out.append((pose, ts[i]))
    return out


def run_judge(exercise: str, stream) -> list[JudgeState]:
    judge = Judge(exercise)
    states = []
    for pose, t in stream:
        st_ = judge.update(pose, t)
        assert isinstance(st_, JudgeState)
        states.append(st_)
        assert st_.reps == len(judge.reports)
        assert st_.back_angle_deg is None or math.isfinite(st_.back_angle_deg)
        assert math.isfinite(st_.angle_confidence) and 0.0 <= st_.angle_confidence <= 1.0
        if st_.new_rep is not None:
            r = st_.new_rep
            assert all(math.isfinite(v) for v in (r.start_s, r.end_s, r.back_angle_deg))
            assert 0 <= r.score <= 100
    reps = [s.reps for s in states]
    assert reps == sorted(reps), "the rep count went down"
    return states


# A shoulder teleported for 0.15 s mid-descent (with the nose and an eye): the glitched side
# dragged the shoulders' mean, the dip split the rep in two.
TELEPORT_SPLIT = [("teleport", 0.25, 1.0, [0, 1, 6], 0.5)]
# Both hips lost for 2.8 s while the skier-swing athlete bends for the dumbbells: they come back
# bent over, and the depth window's samples from before the loss read them as standing for a
# frame, which erased "this excursion began unseen"; the rest of the pick-up counted as a rep.
HIPS_LOST_AT_PICKUP = [("nan", 0.0, 0.0, [0], 0.0), ("nan", 0.125, 0.1875, [0, 11, 12], 0.0)]
# Nobody seen (all scores zero) for the first 4.6 s, until the athlete is bent over for the
# dumbbells: out of sight was counted only from a last sighting, so standing up counted.
FIRST_SEEN_AT_PICKUP = [("nan", 0.0, 0.0, [0], 0.0), ("zero_scores", 0.0, 0.3125, [0], 0.0)]
# Frames dropped for 0.53 s, the first one back with the right shoulder teleported: the
# smoother restarted on the glitch, then eased back to the real shoulder a step per hold_s
# (each step re-armed its jump gate), a 45 deg "bend" for a second, counted as a rep.
GLITCH_AFTER_GAP = [("nan", 0.0, 0.66, [0], 0.0), ("teleport", 0.515, 0.1, [6], 0.84),
                    ("drop", 0.4422, 0.075, [0], 0.0)]
# A hip glitched for 0.13 s while the dumbbells are put down after the set: the depth spiked
# 15 deg above the park's real bottom, the "near the bottom" band followed the spike, and the
# park's 3 s down there measured 0.3 s, a swing's: counted as a rep.
HIP_GLITCH_AT_PARK = [("teleport", 0.78125, 1.0, [11], 0.125)]
# A shoulder (and the nose) glitched for 0.13 s mid-descent, the shoulders' mean moving just
# under the smoother's jump gate; its return was just over it and was held as the glitch, so
# the glitch lasted 0.4 s: a dip that split the rep in two.
SHOULDER_GLITCH_HELD = [("nan", 0.0, 0.0, [0], 0.0), ("teleport", 0.609375, 1.0, [0, 5], 0.125)]
# The right shoulder and left hip lost from 30-40 % of the set on (camera at 30 deg): fine with
# the last whole frame's fill-in offsets; averaged offsets counted a rep for the first and
# crashed the live fault check on the second (its rep's samples all left out as bad fits).
DIAGONAL_LOST_MID_SET = [("nan", 0.0, 0.0, [0], 0.0), ("nan", 0.0, 1.0, [0], 0.0),
                         ("nan", 0.375, 1.0, [6, 0, 11], 0.0)]
DIAGONAL_AND_WRIST_LOST_MID_SET = [("nan", 0.0, 0.0, [0, 1], 0.0), ("nan", 0.0, 0.0, [0], 0.0),
                                   ("nan", 0.30058431353658405, 0.8932475213921061, [9, 6, 11], 0.0)]
# The first 0.15 s teleported by a frame width (shoulders, a hip, the face), then the shoulders
# unseen from 0.9 to 1.75 s: the calibration's replay added the glitched frames to the standing
# lengths, the standing hip height moved up, and the real hips read 0.8 leg lengths "dropped".
GLITCHED_START_REPLAYED = [("nan", 0.0, 0.0, [0], 0.0), ("nan", 0.125, 0.125, [0, 1, 5, 6], 0.0),
                           ("teleport", 0.0, 1.0, [0, 1, 2, 3, 4, 5, 6, 11], 1.0)]
# A shoulder (and the face) thrown 2 frame heights up for the set's first 0.15 s: at 120 fps the
# calibration read the standing lengths from a cache last refreshed 0.5 s in, when the glitch
# was 30 % of the rows, above the 80th percentile: a trunk 8x too long read every real frame as
# bent 83 deg until the next refresh, a rep for someone standing still.
GLITCHED_START_STALE_LENGTHS = [("teleport", 0.0, 1.0, [0, 1, 2, 5], 1.0),
                                ("teleport", 0.0, 1.0, [0, 1, 2, 5], -1.0)]
# The left shoulder, then the left hip, unseen from 40 % of the set on (camera at 30 deg): the
# fill-in offsets were the last whole frame's, and a score-weighted mean's offset swings by tens
# of px with the two scores; frozen, it leaned the trunk ~25 deg for the rest of the set: 2 reps.
ONE_SIDE_LOST_MID_SET = [("nan", 0.0, 0.0, [0], 0.0), ("nan", 0.40625, 1.0, [5], 0.0),
                         ("nan", 0.412109375, 1.0, [11], 0.0)]
# The left shoulder and the face unseen from 4 % of a skier-swing set on (camera at 60 deg): the
# same frozen offset leaned the trunk through the pick-up, counted as a third rep.
ONE_SHOULDER_LOST_EARLY = [("nan", 0.0, 0.0, [0], 0.0), ("nan", 0.04, 1.0, [0, 1, 2, 5], 0.0)]
# The right shoulder never seen (its mid-point found along the hips' axis), then from 25 % of
# the set on the left hip lost too (camera at 30 deg): with no axis left, the lone shoulder was
# taken as the mid-point, half a shoulder width off: a 31 deg lean, counted as a rep.
SHOULDER_NEVER_SEEN_THEN_HIP_LOST = [("nan", 0.0, 0.0, [0], 0.0), ("nan", 0.0, 1.0, [0, 6], 0.0),
                                     ("nan", 0.25, 1.0, [0, 1, 2, 3, 11], 0.0)]
# The left hip never seen, the right shoulder lost from 15 % on (camera at 60 deg): the hip
# filled in from its remembered half width, only ~8 px there, took the wrong way mid-bend and
# the slow park after the set read as a swing.
HIP_NEVER_SEEN_THEN_SHOULDER_LOST = [("nan", 0.0, 1.0, [11], 0.0), ("nan", 0.15, 1.0, [6], 0.0)]
# Every frame delivered twice, the first with a shoulder unseen, at 1 fps: four frames of two
# moments passed for a second of standing still, the set calibrated on the glitched frame,
# and its reading (37 deg) and the next (1 deg) made a rep.
EVERY_FRAME_TWICE = [("nan", 0.0, 0.0, [5], 0.0), ("repeat_t", 0.0, 1.0, [0], 0.0)]
# The left shoulder and right hip (and the face) never seen: with no pair seen whole the view
# was left open, and the fit read the standing trunk's jitter as tipping toward the camera,
# 0-30 deg from frame to frame; a stretch of it counted as a rep.
DIAGONAL_HIDDEN = [("nan", 0.0, 1.0, [0, 5, 1, 2, 3, 12], 0.0)]
# Nobody seen for 0.22 s, then the hips (and the nose) glitched far off for 0.15 s: the hold
# counted from the hips' last sighting, so they were held only 0.08 s, then taken as real,
# and their return held as the glitch for 0.3 s; a 120 deg back in the set's first seconds,
# enough of the standing lengths' window to make the upright trunk read 74 deg bent.
GLITCH_AFTER_NOBODY = [("nan", 0.0, 0.0, [0], 0.0), ("zero_scores", 0.171875, 0.03125, [0], 0.0),
                       ("teleport", 0.203125, 1.0, [0, 11, 12], 1.0)]


@FUZZ
@example(exercise="hinge", fps=30.0, seed=0, ops=TELEPORT_SPLIT)
@example(exercise="hinge", fps=120.0, seed=1, ops=TELEPORT_SPLIT)
# The very first frame glitched: it must not become the reference a jump gate holds on to.
@example(exercise="hinge", fps=30.0, seed=0,
         ops=[("nan", 0.0, 0.0, [0, 1], 0.0), ("teleport", 0.0, 0.0, [0, 1, 2, 3, 4, 5], -0.5)])
@example(exercise="skier-swing", fps=30.0, seed=0, ops=HIPS_LOST_AT_PICKUP)
@example(exercise="skier-swing", fps=30.0, seed=0, ops=FIRST_SEEN_AT_PICKUP)
@example(exercise="skier-swing", fps=30.0, seed=0, ops=HIP_GLITCH_AT_PARK)
@example(exercise="hello", fps=30.0, seed=0, ops=SHOULDER_GLITCH_HELD)
@example(exercise="skier-swing", fps=120.0, seed=1, ops=ONE_SHOULDER_LOST_EARLY)
@example(exercise="skier-swing", fps=30.0, seed=1, ops=HIP_NEVER_SEEN_THEN_SHOULDER_LOST)
@given(exercise=st.sampled_from(EXERCISES), fps=st.sampled_from(RATES), seed=st.integers(0, 1),
       ops=st.lists(op, max_size=6))
def test_spoiled_set_never_raises_nor_counts_more_than_was_done(exercise, fps, seed, ops):
    poses, done = _movement(exercise, fps, seed)
    states = run_judge(exercise, spoil(poses, ops, fps))
    assert states[-1].reps <= done


@FUZZ
# A left shoulder lost for 3.5 s right after a left/right swap burst: the fill-in offsets
# learned in the swap put the lone right shoulder half a body width off, a 35 deg "lean".
@example(exercise="hinge", fps=120.0, seed=1, ops=[("nan", 0.375, 0.5, [5], 0.0)])
@example(exercise="deadlift", fps=120.0, seed=1, ops=GLITCH_AFTER_GAP)
@example(exercise="deadlift", fps=120.0, seed=0, ops=DIAGONAL_HIDDEN)
@example(exercise="hinge", fps=120.0, seed=1, ops=DIAGONAL_LOST_MID_SET)
@example(exercise="hinge", fps=120.0, seed=1, ops=DIAGONAL_AND_WRIST_LOST_MID_SET)
@example(exercise="hinge", fps=1.0, seed=0, ops=EVERY_FRAME_TWICE)
@example(exercise="hinge", fps=120.0, seed=0, ops=GLITCHED_START_REPLAYED)
@example(exercise="hinge", fps=120.0, seed=0, ops=GLITCHED_START_STALE_LENGTHS)
@example(exercise="deadlift", fps=120.0, seed=1, ops=ONE_SIDE_LOST_MID_SET)
@example(exercise="hinge", fps=120.0, seed=1, ops=SHOULDER_NEVER_SEEN_THEN_HIP_LOST)
@example(exercise="hinge", fps=120.0, seed=1, ops=GLITCH_AFTER_NOBODY)
@given(exercise=st.sampled_from(EXERCISES), fps=st.sampled_from(RATES), seed=st.integers(0, 1),
       ops=st.lists(op, max_size=8))
def test_standing_still_never_counts_a_rep_whatever_the_glitches(exercise, fps, seed, ops):
    poses = _standing(fps, seed)
    states = run_judge(exercise, spoil(poses, ops, fps))
    assert states[-1].reps == 0
    assert not any(s.new_rep for s in states)


# Junk straight from hypothesis: any numbers at all in every keypoint, any timestamps.
junk_value = st.floats(allow_nan=True, allow_infinity=True, width=32)
junk_pose = st.lists(junk_value, min_size=51, max_size=51)


@FUZZ
@given(exercise=st.sampled_from(EXERCISES),
       frames=st.lists(st.tuples(st.one_of(st.none(), junk_pose),
                                 st.floats(-1e6, 1e6, allow_nan=False)), max_size=80))
def test_arbitrary_junk_never_raises(exercise, frames):
    stream = [(None if v is None else Pose(np.array(v, float).reshape(17, 3), t, (640, 480)), t)
              for v, t in frames]  # fmt: skip
    run_judge(exercise, stream)


@pytest.mark.parametrize("fps", [30.0, 120.0])
@pytest.mark.parametrize("seed", [0, 1])
def test_a_teleported_shoulder_neither_splits_nor_loses_a_rep(fps, seed):
    poses, done = _movement("hinge", fps, seed)
    states = run_judge("hinge", spoil(poses, TELEPORT_SPLIT, fps))
    assert states[-1].reps == done == 2


def test_glitched_first_frames_replayed_after_calibration_do_not_move_the_standing_body():
    for ex in EXERCISES:
        assert run_judge(ex, spoil(_standing(120.0, 0), GLITCHED_START_REPLAYED, 120.0))[-1].reps == 0


def test_the_calibration_weighs_all_its_frames_not_a_stale_first_half_second():
    for ex in EXERCISES:
        states = run_judge(ex, spoil(_standing(120.0, 0), GLITCHED_START_STALE_LENGTHS, 120.0))
        assert states[-1].reps == 0
        # Not even read as bent: the glitch is a sixth of the calibration's frames.
        assert max(s.back_angle_deg or 0.0 for s in states) < 30.0


@pytest.mark.parametrize("exercise", EXERCISES)
def test_one_side_lost_mid_set_is_filled_in_where_it_usually_was(exercise):
    for fps in (30.0, 120.0):
        assert run_judge(exercise, spoil(_standing(fps, 1), ONE_SIDE_LOST_MID_SET, fps))[-1].reps == 0
        poses, done = _movement(exercise, fps, 1)
        assert run_judge(exercise, spoil(poses, ONE_SIDE_LOST_MID_SET, fps))[-1].reps == done
    poses, done = _movement(exercise, 120.0, 1)
    assert run_judge(exercise, spoil(poses, ONE_SHOULDER_LOST_EARLY, 120.0))[-1].reps == done


@pytest.mark.parametrize("exercise", EXERCISES)
def test_a_side_never_seen_stays_filled_in_when_the_other_pair_loses_a_side(exercise):
    for fps in (30.0, 120.0):
        for seed in (0, 1):  # side, 30 deg
            stream = spoil(_standing(fps, seed), SHOULDER_NEVER_SEEN_THEN_HIP_LOST, fps)
            assert run_judge(exercise, stream)[-1].reps == 0
        poses, done = _movement(exercise, fps, 1)
        assert run_judge(exercise, spoil(poses, SHOULDER_NEVER_SEEN_THEN_HIP_LOST, fps))[-1].reps == done
        assert run_judge(exercise, spoil(poses, HIP_NEVER_SEEN_THEN_SHOULDER_LOST, fps))[-1].reps == done


def test_fill_in_offsets_average_across_left_right_swaps():
    # A pair seen whole, a third of the frames with its labels swapped, its mean moving with
    # the scores: a lone side is filled in where the mean usually sat, not where the last
    # whole frame put it, nor (averaged label by label) near the lone side itself.
    from kiosk.judge.features import extract

    def pose(i, left_score, swapped=False, right_seen=True):
        kp = np.full((17, 3), 0.9)
        kp[[5, 6, 11, 12], :2] = [[300, 100], [360, 100], [310, 200], [350, 200]]
        kp[5, 2], kp[6, 2] = left_score, 0.9 if right_seen else 0.0
        return Pose(kp[list(MIRROR)] if swapped else kp, i / 30, (640, 480))

    offsets: dict = {}
    rng = np.random.default_rng(0)
    for i in range(120):
        extract(pose(i, rng.uniform(0.3, 0.9), swapped=i % 30 >= 20), offsets, 100.0)
    extract(pose(120, 0.3), offsets, 100.0)  # the last whole frame: mean at 354
    f = extract(pose(121, 0.9, right_seen=False), offsets, 100.0)
    # Weighted 0.81 against ~0.39 on average, the mean sits ~40 px right of the left shoulder.
    assert 334 < f.shoulder[0] < 348


def test_a_frame_delivered_twice_is_judged_once():
    poses, done = _movement("hinge", 30.0, 0)
    once = run_judge("hinge", spoil(poses, [], 30.0))
    twice = run_judge("hinge", spoil(poses, [("repeat_t", 0.0, 1.0, [0], 0.0)], 30.0))
    assert [s.reps for s in twice[::2]] == [s.reps for s in once]
    assert twice[-1].reps == done == 2
    assert sum(s.new_rep is not None for s in twice) == 2  # never reported twice
    for ex in EXERCISES:
        assert run_judge(ex, spoil(_standing(1.0, 0), EVERY_FRAME_TWICE, 1.0))[-1].reps == 0


def test_the_end_of_a_glitch_is_not_held_as_a_glitch():
    poses, done = _movement("hello", 30.0, 0)
    states = run_judge("hello", spoil(poses, SHOULDER_GLITCH_HELD, 30.0))
    assert states[-1].reps == done == 2
    assert not any(s.new_rep and "incomplete_lockout" in s.new_rep.faults for s in states)


@pytest.mark.parametrize("fps", [30.0, 120.0])
@pytest.mark.parametrize("seed", [0, 1])
def test_a_pick_up_begun_out_of_sight_is_not_a_rep(fps, seed):
    poses, done = _movement("skier-swing", fps, seed)
    judge = Judge("skier-swing")
    for pose, t in spoil(poses, HIPS_LOST_AT_PICKUP, fps):
        judge.update(pose, t)
    assert len(judge.reports) == done == 2
    # The two swings, not the pick-up the person was already bent over in when seen again.
    assert all(r.start_s > 6.5 for r in judge.reports)


@pytest.mark.parametrize("exercise", ["hinge", "deadlift"])
def test_a_glitch_right_after_a_gap_is_not_a_rep(exercise):
    states = run_judge(exercise, spoil(_standing(120.0, 1), GLITCH_AFTER_GAP, 120.0))
    assert states[-1].reps == 0
    # Not even a partial: the shoulder is back where it belongs within hold_s of the glitch.
    assert not any(s.partial for s in states)


def test_a_glitch_after_nobody_was_seen_is_held_from_its_start():
    def backs(ops):
        judge = Judge("hinge")
        out = [judge.update(pose, t).back_angle_deg for pose, t in spoil(_standing(120.0, 1), ops, 120.0)]
        return [b for b in out if b is not None], len(judge.reports)

    clean, _ = backs([])
    spoiled, reps = backs(GLITCH_AFTER_NOBODY)
    assert reps == 0
    # The glitch never reaches the back angle (it read 120 deg, then 74): no reading beyond
    # the same standing set's own unspoiled extremes (its noise reaches 20 deg at 30 deg yaw).
    assert max(spoiled) <= max(clean)


@pytest.mark.parametrize("exercise", EXERCISES)
@pytest.mark.parametrize("hidden", [[5, 12], [6, 11]])
def test_a_shoulder_and_the_other_sides_hip_alone_are_not_a_trunk(exercise, hidden):
    # Never seen with their partners, they leave the mid-trunk unknown: half a body width
    # of lean either way. Nothing is counted, standing or moving, rather than guessed.
    ops = [("nan", 0.0, 1.0, [0, 1, 2, 3, *hidden], 0.0)]
    for seed in (0, 1):
        assert run_judge(exercise, spoil(_standing(120.0, seed), ops, 120.0))[-1].reps == 0
    poses, _ = _movement(exercise, 120.0, 0)
    assert run_judge(exercise, spoil(poses, ops, 120.0))[-1].reps == 0


@pytest.mark.parametrize("exercise", EXERCISES)
def test_one_side_never_seen_still_counts_and_invents_nothing(exercise):
    # The far shoulder and hip hidden behind the body, all set long: no width tells the view,
    # and left open (front to side) the fit read the trunk's jitter as tipping toward the
    # camera. A view that never shows a pair whole is at least oblique. (Seen at 30 deg, where
    # that is wrong, the lean's sign flipped until glitch ends stopped being held: 3a17c61.)
    ops = [("nan", 0.0, 1.0, [0, 1, 2, 3, 6, 12], 0.0)]
    for fps in (30.0, 120.0):
        for seed in (0, 1):  # side, 30 deg
            assert run_judge(exercise, spoil(_standing(fps, seed), ops, fps))[-1].reps == 0
        poses, done = _movement(exercise, fps, 1)
        assert run_judge(exercise, spoil(poses, ops, fps))[-1].reps == done == 2


def test_unspoiled_sets_do_count_so_the_bounds_above_mean_something():
    # The upper bounds are only worth having if the judge does count these movements.
    for ex in EXERCISES:
        poses, done = _movement(ex, 30.0, 0)
        assert done == 2
        assert run_judge(ex, [(p, p.t) for p in poses])[-1].reps == done


# The kiosk's own sets (the demo's, as the soak plays them), clean: an over-count here is a rep
# "counted" from a movement that was not one (a load pick-up, one rep split in two). The
# examples are seeds the 10-minute soak found.
@settings(max_examples=25, deadline=None)
@example(exercise="hello", seed=170)
@example(exercise="skier-swing", seed=292)
@example(exercise="skier-swing", seed=320)
@given(exercise=st.sampled_from(EXERCISES), seed=st.integers(0, 10_000))
def test_clean_kiosk_sets_are_never_over_counted(exercise, seed):
    from kiosk.commands.demo import SETS, YAW_DEG

    i = [ex for ex, _, _ in SETS].index(exercise)
    _, reps, faults = SETS[i]
    s = generate(exercise, reps=reps, faults=faults, yaw_deg=YAW_DEG[i], fps=30, seed=seed,
                 lead_in_s=2.0, tail_s=1.0)  # fmt: skip
    states = run_judge(exercise, [(p, p.t) for p in s.poses])
    assert states[-1].reps <= len(s.counted)
