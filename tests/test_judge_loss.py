"""The person out of sight mid-set: what happens to the rep they come back into."""

from __future__ import annotations

import pytest

from kiosk.judge import Judge
from kiosk.synth import generate


def settling_top(s, exercise: str, n: int) -> float:
    """When the judge, seeing the whole generated set `s`, has rep `n` (from 1) back at the
    top, still waiting out the settle time to see the lockout held."""
    probe, top = Judge(exercise), None
    for p in s.poses:
        probe.update(p, p.t)
        if top is None and len(probe.reports) == n - 1 and probe.pm.stand_t is not None:
            top = probe.pm.stand_t
    assert top is not None and len(probe.reports) == len(s.counted)
    return top


def _gap(seconds_after_top: float, gap_s: float, seed: int):
    """A 4-rep hinge set, 30 fps, with `gap_s` of frames missing from `seconds_after_top`
    after rep 2 ended; returns (judge, reps done)."""
    s = generate("hinge", reps=4, yaw_deg=30.0, fps=30, seed=seed, lead_in_s=2.0, tail_s=1.0)
    t0 = s.counted[1].end_s + seconds_after_top
    judge = Judge("hinge")
    for p in s.poses:
        if not t0 <= p.t < t0 + gap_s:
            judge.update(p, p.t)
    return judge, len(s.counted)


@pytest.mark.parametrize("seed", [3, 4])
def test_back_in_sight_part_way_down_still_counts_the_rep(seed):
    # Lost for 1.5 s at the top, back half-way down rep 3: the rest of the way down, the
    # bottom and the way up are seen, so it is a rep (the camera-outage test's case).
    judge, done = _gap(0.45, 1.5, seed)
    assert len(judge.reports) == done
    assert "too_fast" not in judge.reports[2].faults  # its descent was not all seen


def test_back_in_sight_at_the_bottom_does_not_count_the_rep():
    # Out of sight through the whole way down of rep 3, back at its bottom: only the way up
    # is seen, which is not a rep (nor is standing up from a load pick-up).
    s = generate("hinge", reps=4, yaw_deg=30.0, fps=30, seed=3, lead_in_s=2.0, tail_s=1.0)
    r = s.counted[2]
    judge = Judge("hinge")
    for p in s.poses:
        if not r.start_s - 0.3 <= p.t < r.bottom_s:
            judge.update(p, p.t)
    assert len(judge.reports) == len(s.counted) - 1


@pytest.mark.parametrize("fps", [30.0, 120.0])
@pytest.mark.parametrize("seed", [0, 1])
def test_first_seen_at_the_bottom_of_a_pick_up_after_an_empty_scene_is_not_a_rep(fps, seed):
    # The camera shows nobody (MoveNet's scores all zero) until the skier-swing athlete is
    # bent over for the dumbbells; standing up with them is not a rep, only the two swings
    # are. (Out of sight was counted only from a last sighting, so a person never seen
    # before had their way up counted: 3 reps of 2, found by test_judge_fuzz.py.)
    s = generate("skier-swing", reps=2, yaw_deg=(90.0, 60.0)[seed], fps=fps, seed=seed,
                 lead_in_s=1.5)
    seen_from = s.counted[0].start_s - 3.5  # at the load: bent over from ~2.8 s to ~5 s
    first = next(i for i, p in enumerate(s.poses) if p.t >= seen_from)
    assert s.back_angle[first] > 40  # (the premise: first seen bent over)
    judge = Judge("skier-swing")
    for p in s.poses:
        judge.update(p if p.t >= seen_from else None, p.t)
    assert len(judge.reports) == len(s.counted) == 2
    assert all(r.start_s > s.counted[0].start_s - 0.5 for r in judge.reports)


@pytest.mark.parametrize("as_none", [False, True])
@pytest.mark.parametrize("seed", [3, 4])
def test_a_rep_back_at_the_top_is_counted_even_if_the_person_is_lost_before_it_settles(seed, as_none):
    # Out of sight 0.15 s after standing up from rep 2 (frames missing, or poses of nobody):
    # the rep is whole, it only waited to see the lockout held. It was abandoned with the loss.
    s = generate("hinge", reps=3, yaw_deg=30.0, fps=30, seed=seed, lead_in_s=2.0, tail_s=1.0)
    j = Judge("hinge")
    top = settling_top(s, "hinge", 2)
    new = []
    for p in s.poses:
        if top + 0.15 <= p.t < top + 2.0:
            if as_none:
                new.append(j.update(None, p.t).new_rep)
            continue
        new.append(j.update(p, p.t).new_rep)
    assert len(j.reports) == len(s.counted) == 3
    assert sum(r is not None for r in new) == 3  # each reported once, on the glass too


@pytest.mark.parametrize("exercise", ["hinge", "deadlift"])
@pytest.mark.parametrize("fps", [30, 10])
def test_a_set_ended_just_after_the_last_lockout_counts_that_rep(exercise, fps):
    # A clip cut, or stop pressed, 0.15 s after standing up from the last rep: the rep is
    # whole. Without finish() it was lost, more often at a Pi's pose rate.
    s = generate(exercise, reps=3, yaw_deg=30.0, fps=fps, seed=5, lead_in_s=2.0, tail_s=1.5)
    cut = settling_top(s, exercise, len(s.counted)) + 0.15
    j = Judge(exercise)
    for p in s.poses:
        if p.t < cut:
            j.update(p, p.t)
    assert len(j.reports) == 2  # still settling: update() alone has not reported it
    end = j.finish()
    assert end is not None and end.new_rep is j.reports[-1] and end.reps == len(j.reports) == 3
    assert j.finish() is None  # reported once
    assert end.new_rep.end_s <= cut and end.new_rep.start_s > j.reports[1].end_s


@pytest.mark.parametrize("fps", [30, 10])
def test_a_set_ended_on_the_way_up_does_not_count_the_unfinished_rep(fps):
    s = generate("hinge", reps=3, yaw_deg=30.0, fps=fps, seed=5, lead_in_s=2.0, tail_s=1.5)
    last = s.counted[-1]
    j = Judge("hinge")
    for p in s.poses:
        if p.t < (last.bottom_s + last.end_s) / 2:  # halfway back up
            j.update(p, p.t)
    assert j.finish() is None and len(j.reports) == 2
    assert Judge("hinge").finish() is None  # nothing seen at all


@pytest.mark.parametrize("exercise", ["hinge", "hello", "skier-swing"])
@pytest.mark.parametrize("fps", [10, 30])
def test_walking_in_from_the_side_is_not_a_rep(exercise, fps):
    # Someone walks in from 1.6 m to the side, stands still (the set calibrates there), and
    # does 4 reps. The walk used to be replayed with the view learned at the spot, where it
    # read 25-30 deg bent: a phantom first rep. Of 96 such sets (these 3 exercises, yaw 0,
    # 30, 60 and 90, 4 seeds, both rates) 19 were over-counted, now 5, all at yaw 90, where
    # the walk heads toward the camera: see kiosk/judge/start.arrived.
    for yaw in (0, 30, 60):
        for seed in range(4):
            s = generate(exercise, reps=4, yaw_deg=yaw, fps=fps, seed=seed, walk_in=True)
            j = Judge(exercise)
            for p in s.poses:
                j.update(p, p.t)
            starts = [r.start_s for r in j.reports]
            assert len(j.reports) == len(s.counted) == 4, (yaw, seed, starts)
