"""The screen state machine, driven by actions like buttons would, and by the real judge fed
generated poses: idle -> choose -> get set -> coaching -> summary -> idle."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from kiosk.screen.flow import (AWAY_END_SET_S, CHOOSE_TIMEOUT_S, HISTORY_ITEM, SUMMARY_TIMEOUT_S, Action,
                        Flow, Screen)  # fmt: skip
from kiosk.judge import Judge
from kiosk.judge.reports import JudgeState, Phase, RepReport
from kiosk.synth import generate

EXERCISES = ("hinge", "hello", "deadlift", "skier-swing")


def kinds(effects):
    return [e.kind for e in effects]


def test_actions_walk_the_screens():
    f = Flow(EXERCISES)
    assert f.screen is Screen.IDLE
    f.act(Action.SELECT, 1.0)
    assert f.screen is Screen.CHOOSE and f.selected == "hinge"
    f.act(Action.NEXT, 2.0)
    assert f.selected == "hello"
    eff = f.act(Action.SELECT, 3.0)
    assert f.screen is Screen.GET_SET
    assert eff[0].kind == "start_set" and eff[0].exercise == "hello"
    f.act(Action.BACK, 4.0)
    assert f.screen is Screen.CHOOSE
    f.act(Action.BACK, 5.0)
    assert f.screen is Screen.IDLE
    f.act(Action.BACK, 6.0)  # back/info from idle: the history
    assert f.screen is Screen.HISTORY
    f.act(Action.NEXT, 7.0)
    assert f.screen is Screen.IDLE


@pytest.mark.parametrize("target", EXERCISES + (HISTORY_ITEM,))
def test_one_button_reaches_everything(target):
    """Short press = NEXT, long press = SELECT: every exercise and the history."""
    f = Flow(EXERCISES)
    f.act(Action.NEXT, 0.0)  # wake
    for i in range(len(f.items)):
        if f.selected == target:
            break
        f.act(Action.NEXT, 1.0 + i)
    eff = f.act(Action.SELECT, 10.0)
    if target == HISTORY_ITEM:
        assert f.screen is Screen.HISTORY
    else:
        assert f.screen is Screen.GET_SET and eff[0].exercise == target


def state(t, phase=Phase.STANDING, reps=0, new_rep=None, person=True):
    return JudgeState(t, phase, person=person, reps=reps, new_rep=new_rep)


def rep(i):
    return RepReport(i, 0, 1, 60, 100, 20, 0.2, 1, 1)


def test_coaching_ignores_next_and_stops_on_select_with_a_summary():
    f = Flow(EXERCISES)
    f.act(Action.NEXT, 0)
    f.act(Action.SELECT, 1)
    f.on_judge(state(2, Phase.CALIBRATING), 2)
    assert f.screen is Screen.GET_SET and 0 < f.calibration_progress(2.5) < 1
    f.on_judge(state(3), 3)
    assert f.screen is Screen.COACHING
    f.on_judge(state(4, reps=1, new_rep=rep(1)), 4)
    assert f.act(Action.NEXT, 5) == [] and f.screen is Screen.COACHING
    eff = f.act(Action.SELECT, 6)
    assert kinds(eff) == ["end_set", "screen"] and f.screen is Screen.SUMMARY
    assert [r.index for r in eff[0].reports] == [1]
    f.tick(6 + SUMMARY_TIMEOUT_S + 0.1)
    assert f.screen is Screen.IDLE


def test_a_set_without_reps_skips_the_summary():
    f = Flow(EXERCISES)
    f.act(Action.NEXT, 0)
    f.act(Action.SELECT, 1)
    f.on_judge(state(2), 2)
    eff = f.act(Action.LONG_PRESS, 3)
    assert kinds(eff) == ["end_set", "screen"] and f.screen is Screen.IDLE


def test_walking_away_ends_the_set_and_choose_times_out():
    f = Flow(EXERCISES)
    f.act(Action.NEXT, 0)
    f.act(Action.SELECT, 1)
    f.on_judge(state(2), 2)
    f.on_judge(state(3, reps=1, new_rep=rep(1)), 3)
    for t in range(4, 4 + int(AWAY_END_SET_S) - 1):
        f.on_judge(state(t, Phase.WAITING, reps=1, person=False), t)
        assert f.tick(t) == []
    eff = f.tick(3 + AWAY_END_SET_S + 0.5)
    assert kinds(eff)[0] == "end_set" and f.screen is Screen.SUMMARY
    f.act(Action.SELECT, 100)
    assert f.screen is Screen.CHOOSE
    f.tick(100 + CHOOSE_TIMEOUT_S + 1)
    assert f.screen is Screen.IDLE


@pytest.mark.parametrize("exercise", EXERCISES)
def test_full_set_with_the_judge_on_generated_poses(exercise):
    """Rep count on the glass equals the judge's at every frame; the summary has its reports."""
    s = generate(exercise, reps=4, faults={1: "rounded_back"}, yaw_deg=90, fps=30, seed=3)
    f = Flow(EXERCISES)
    f.act(Action.NEXT, 0.0)
    while f.selected != exercise:
        f.act(Action.NEXT, 0.1)
    eff = f.act(Action.SELECT, 0.2)
    judge = Judge(eff[0].exercise)
    seen = set()
    for p in s.poses:
        t = 1.0 + p.t
        st = judge.update(p, p.t)
        f.on_judge(st, t)
        f.tick(t)
        seen.add(f.screen)
        if f.screen is Screen.COACHING:
            assert f.reps == st.reps == len(judge.reports)
    assert Screen.GET_SET in seen and Screen.COACHING in seen
    assert f.reps == len(judge.reports) >= 3
    end = 2.0 + s.poses[-1].t
    eff = f.act(Action.SELECT, end)
    assert f.screen is Screen.SUMMARY
    assert eff[0].exercise == exercise and list(eff[0].reports) == judge.reports
    assert f.last_set == (exercise, tuple(judge.reports))
    f.act(Action.NEXT, end + 1)
    assert f.screen is Screen.IDLE

events = st.one_of(
    st.sampled_from(list(Action)),
    st.tuples(st.sampled_from(list(Phase)), st.booleans(), st.booleans()),  # judge state
    st.floats(0.1, 60.0),  # time passes
)


@settings(max_examples=150, deadline=None)
@given(st.lists(events, max_size=60))
def test_any_sequence_keeps_the_flow_consistent(seq):
    f = Flow(EXERCISES)
    t, reps = 0.0, 0
    for ev in seq:
        t += 0.1
        if isinstance(ev, Action):
            effects = f.act(ev, t)
            if any(e.kind == "start_set" for e in effects):
                reps = 0
        elif isinstance(ev, tuple):
            phase, person, new = ev
            new_rep = None
            if new and f.screen is Screen.COACHING:
                reps += 1
                new_rep = rep(reps)
            f.on_judge(state(t, phase, reps, new_rep, person), t)
        else:
            t += ev
            f.tick(t)
        assert f.selected in f.items
        if f.screen is Screen.SUMMARY:
            assert f.last_set is not None and f.last_set[1]  # a summary always has reps
        if f.screen is Screen.COACHING:
            assert f.reps == reps == len(f.reports)
