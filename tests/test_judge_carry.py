"""Picking up or putting down the load is not a rep (kiosk.judge.faults.carried).

A lifter presses Start, then bends to pick the dumbbells up or grab the band off the floor,
and puts them down at the end. Done slowly, the long stay at the bottom already told these
apart (rules.max_bottom_s); done quickly, or in a good morning (whose bottom limit is long),
only the hands do: they go down for the floor, where this exercise never takes them.
"""

from __future__ import annotations

from dataclasses import replace

import pytest

from kiosk.errors import ConfigError
from kiosk.judge import Judge, rules_for
from kiosk.judge import faults as F
from kiosk.synth import generate


def counted(s, rules=None) -> list:
    j = Judge(s.exercise, rules=rules)
    for p in s.poses:
        j.update(p, p.t)
    return j.reports


@pytest.mark.parametrize("exercise", ["skier-swing", "hello"])
@pytest.mark.parametrize("grip_s", [0.3, 1.0])
@pytest.mark.parametrize("yaw", [0, 30, 60, 90])
def test_a_quick_pick_up_and_put_down_are_not_reps(exercise, grip_s, yaw):
    for seed in (0, 1):
        s = generate(exercise, reps=5, yaw_deg=yaw, seed=seed, pickup=True, grip_s=grip_s)
        reps = counted(s)
        assert len(reps) == 5, (seed, [(round(r.start_s, 1), r.faults) for r in reps])
        first, last = s.counted[0], s.counted[-1]
        assert reps[0].end_s > first.start_s and reps[-1].start_s < last.end_s


def test_without_the_hands_rule_the_same_sets_count_the_pick_ups():
    """The sets above are the case the rule is for: without it, they miscount."""
    s = generate("hello", reps=5, yaw_deg=30, seed=0, pickup=True, grip_s=0.3)
    assert len(counted(s, replace(rules_for("hello"), carry_reach=None))) == 7
    s = generate("skier-swing", reps=5, yaw_deg=0, seed=1, pickup=True, grip_s=0.3)
    assert len(counted(s, replace(rules_for("skier-swing"), carry_reach=None))) == 7


@pytest.mark.parametrize("yaw", [0, 60])
def test_a_low_weak_swing_still_counts_with_its_fault(yaw):
    """Hands only to the hips is a poor swing, not a pick-up: they never went to the floor."""
    s = generate("skier-swing", reps=4, faults={1: "arms_low"}, yaw_deg=yaw, seed=0, pickup=True,
                 grip_s=0.3)
    reps = counted(s)
    assert len(reps) == 4
    assert "arms_low" in reps[1].faults


def _metrics(reach, wrist_top, hand_travel=None) -> F.RepMetrics:
    return F.RepMetrics(back=60.0, hip_angle=120.0, knee_flexion=20.0, hip_shift=0.2, down_s=1.0,
                        up_s=1.0, head_flexion=None, hip_drop=None, hips_lead=None, top_back=5.0,
                        top_lean_back=0.0, wrist_top=wrist_top, reach=reach,
                        hand_travel=hand_travel)  # fmt: skip


def test_carried_reads_the_hands_only_where_they_were_seen():
    swing, hello, lift = rules_for("skier-swing"), rules_for("hello"), rules_for("deadlift")
    # To the floor and back up with the hands by the legs: a pick-up.
    assert F.carried(_metrics(0.8, -1.2), swing) and F.carried(_metrics(0.8, -1.2), hello)
    # To the floor, then swung up to the chest: a swing's first hike (the labelled kettlebell
    # swing clip's first reps reach 0.41-0.45), but never part of a good morning.
    assert not F.carried(_metrics(0.8, 0.1), swing) and F.carried(_metrics(0.8, 0.1), hello)
    # The hands between the knees at the bottom of a swing (-0.1 to -0.24 in that clip).
    assert not F.carried(_metrics(-0.1, -1.2), swing)
    # Wrists never seen, or a wrist seen at the floor but not after: no evidence.
    assert not F.carried(_metrics(None, None), hello)
    assert not F.carried(_metrics(0.8, None), swing)
    # A deadlift goes to the floor every rep.
    assert not F.carried(_metrics(1.0, -1.3), lift)


def test_a_swing_whose_hands_stayed_put_was_no_swing():
    swing, hinge = rules_for("skier-swing"), rules_for("hinge")
    # Standing still after parking the dumbbells (the hour soak's extra swing): 0.12.
    assert F.hands_still(_metrics(-0.5, -1.2, 0.12), swing)
    # The least a generated swing moves them (from the front, 10 poses a second): 0.55.
    assert not F.hands_still(_metrics(-0.2, -0.9, 0.55), swing)
    # Hands not seen often enough to say: no evidence. Other exercises: not judged.
    assert not F.hands_still(_metrics(None, None, None), swing)
    assert not F.hands_still(_metrics(-0.5, -1.2, 0.05), hinge)


def test_measure_takes_the_hands_travel_only_from_enough_samples():
    from kiosk.judge.phases import Cycle
    from kiosk.judge.trunk import Estimate

    def samples(reaches):
        return [Estimate(t=0.1 * i, back=40.0, confidence=1.0, hand_reach=r, depth=40.0)
                for i, r in enumerate(reaches)]  # fmt: skip

    def travel(reaches):
        c = Cycle(start_t=0.0, peak=40.0, peak_t=0.5, end_t=1.0)
        return F.measure(c, samples(reaches), F.Standing()).hand_travel

    assert travel([-1.2, -0.8, -0.2, 0.1, -0.3, -0.9, -1.3, -1.2, -1.2, -1.2, -1.2]) > 1.0
    assert travel([-0.5, -0.45, -0.5, -0.55, -0.5, -0.5, -0.48, -0.5, -0.52, -0.5, -0.5]) < 0.12
    assert travel([-1.2, 0.1] + [None] * 9) is None  # two hand samples: no evidence


def test_the_hands_rules_are_settable_and_checked_by_name():
    assert rules_for("hello", {"carry_reach": -0.1}).carry_reach == -0.1
    assert rules_for("skier-swing", {"hands_top_min": -1.0}).hands_top_min == -1.0
    assert rules_for("skier-swing", {"hands_travel_min": 0.5}).hands_travel_min == 0.5
    assert rules_for("hinge", {"hands_travel_min": 0.2}).hands_travel_min == 0.2
    with pytest.raises(ConfigError, match="carry_reach"):
        rules_for("hello", {"carry_reach": "low"})
    with pytest.raises(ConfigError, match="hands_travel_min"):
        rules_for("skier-swing", {"hands_travel_min": -0.3})


def _longest_cue_outside_reps(s) -> float:
    """The longest run of live faults while picking up or putting down the load (s)."""
    j = Judge(s.exercise)
    first, last = s.counted[0].start_s - 0.2, s.counted[-1].end_s + 0.2
    since, longest = None, 0.0
    for p in s.poses:
        st = j.update(p, p.t)
        if (p.t < first or p.t > last) and st.live_faults:
            since = p.t if since is None else since
            longest = max(longest, p.t - since)
        else:
            since = None
    return longest


@pytest.mark.parametrize("yaw", [0, 30, 60, 90])
def test_no_live_cue_for_a_swing_pick_up_or_put_down(yaw):
    """Squatting to the dumbbells is not a squatted swing: no cue held for the coach's
    debounce (0.3 s). Every such set showed "squatting" for longer before."""
    for grip_s in (0.3, 1.0, 2.0):
        s = generate("skier-swing", reps=3, yaw_deg=yaw, seed=0, pickup=True, grip_s=grip_s)
        assert _longest_cue_outside_reps(s) < 0.3, grip_s
