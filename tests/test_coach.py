"""The coach: one prioritised cue at a time, held long enough to read, never flickering."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from kiosk.coach.coach import MIN_HOLD_S, PREEMPT_AFTER_S, Coach
from kiosk.coach.cues import FAULTS, GOOD_REP_CUES
from kiosk.judge.reports import JudgeState, Phase, RepReport


def rep(i: int, faults=(), score=None) -> RepReport:
    return RepReport(i, 0.0, 2.0, 60, 110, 20, 0.2, 1.0, 1.0, list(faults),
                     score if score is not None else 100 - 30 * len(faults))  # fmt: skip


def state(t, new_rep=None, live=(), partial=False, reps=0) -> JudgeState:
    return JudgeState(t, Phase.STANDING, person=True, reps=reps, new_rep=new_rep,
                      live_faults=list(live), partial=partial)  # fmt: skip


def test_faulty_rep_gives_the_most_urgent_cue():
    c = Coach()
    shown = c.update(state(1.0, rep(1, ["too_fast", "rounded_back", "squatting"])), 1.0)
    assert shown is not None and shown.fault == "rounded_back"
    assert shown.text == FAULTS["rounded_back"].cue
    assert c.current(1.1).kind == "warning"


def test_good_rep_gives_positive_cue_and_they_vary():
    c = Coach()
    first = c.update(state(1.0, rep(1)), 1.0)
    assert first.kind == "good" and first.text in GOOD_REP_CUES
    second = c.update(state(5.0, rep(2)), 5.0)
    assert second.kind == "good" and second.text != first.text


def test_cue_is_held_then_the_waiting_one_follows():
    c = Coach()
    c.update(state(0.0, rep(1, ["too_deep"])), 0.0)
    assert c.update(state(1.5, rep(2, ["too_fast"])), 1.5) is None  # too_fast is less urgent
    assert c.current(2.0).fault == "too_deep"
    assert c.current(MIN_HOLD_S + 0.01).fault == "too_fast"


def test_more_urgent_cuts_in_only_after_the_first_is_readable():
    c = Coach()
    c.update(state(0.0, rep(1, ["too_fast"])), 0.0)
    assert c.update(state(0.3, rep(2, ["rounded_back"])), 0.3) is None
    assert c.current(0.5).fault == "too_fast"
    assert c.current(PREEMPT_AFTER_S + 0.05).fault == "too_fast"  # waits for the hold...
    assert c.current(MIN_HOLD_S + 0.05).fault == "rounded_back"  # ...then the urgent one
    c2 = Coach()
    c2.update(state(0.0, rep(1, ["too_fast"])), 0.0)
    shown = c2.update(state(1.2, rep(2, ["rounded_back"])), 1.2)
    assert shown is not None and shown.fault == "rounded_back"  # readable for 1 s: cut in


def test_live_fault_blip_never_reaches_the_glass_but_a_steady_one_does():
    c = Coach()
    assert c.update(state(0.0, live=["rounded_back"]), 0.0) is None
    assert c.update(state(0.033), 0.033) is None
    assert c.current(0.1) is None
    for i in range(12):
        t = 1.0 + i / 30
        shown = c.update(state(t, live=["rounded_back"]), t) or None
        if shown:
            break
    assert shown is not None and shown.fault == "rounded_back"
    # The rep then completes with the same fault: not announced twice.
    assert c.update(state(2.0, rep(1, ["rounded_back"])), 2.0) is None


def test_same_cue_again_extends_quietly():
    c = Coach()
    c.update(state(0.0, rep(1, ["too_fast"])), 0.0)
    assert c.update(state(4.0, rep(2, ["too_fast"])), 4.0) is None
    assert c.current(6.0).fault == "too_fast"  # extended past the original 5 s


def test_cue_goes_away_after_a_while():
    c = Coach()
    c.update(state(0.0, rep(1, ["too_fast"])), 0.0)
    assert c.current(10.0) is None


def test_shallow_attempt_says_hinge_further():
    c = Coach()
    shown = c.update(state(0.0, partial=True), 0.0)
    assert shown.fault == "too_shallow"


fault_ids = st.sampled_from(sorted(FAULTS))


@settings(max_examples=60, deadline=None)
@given(st.lists(st.tuples(st.integers(0, 5), st.lists(fault_ids, max_size=3),
                          st.lists(fault_ids, max_size=2)), min_size=5, max_size=200))  # fmt: skip
def test_never_flickers(events):
    """Whatever the judge says, at 30 fps: a cue changes to another only after it was
    readable for PREEMPT_AFTER_S (to a more urgent one) or MIN_HOLD_S (otherwise)."""
    c = Coach()
    shown_at, current = None, None
    reps = 0
    for i, (kind, faults, live) in enumerate(events):
        t = i / 30
        new_rep = None
        if kind == 0:
            reps += 1
            new_rep = rep(reps, faults)
        c.update(state(t, new_rep, live=live, partial=kind == 1, reps=reps), t)
        cue = c.current(t)
        if cue != current:
            if current is not None and cue is not None:
                held = t - shown_at
                need = PREEMPT_AFTER_S if cue.priority < current.priority else MIN_HOLD_S
                assert held >= need - 1e-9, (current, cue, held)
            if cue is not None:
                shown_at = t
            current = cue
