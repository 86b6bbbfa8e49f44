"""Judge -> one cue on the glass: prioritised, held long enough to read, never flickering.

Pure: takes judge states and timestamps, no clock reads. Rules:
- One cue at a time. A fault cue comes from kiosk.coach.cues (lower priority number = more urgent).
- A cue stays up at least MIN_HOLD_S. Meanwhile a new candidate waits (only the most urgent
  waiting one is kept); it may cut in early only if it is strictly more urgent than the cue
  on the glass and that cue has been readable for PREEMPT_AFTER_S.
- A fault seen live during a rep must persist LIVE_DEBOUNCE_S before it is shown, so a
  one-frame blip from the pose model never reaches the glass.
- After a rep without faults: a positive cue. After a rejected shallow attempt: "hinge further".
- A cue fades off after MAX_SHOW_S unless the same thing is said again (then it is extended,
  not re-announced).
"""

from __future__ import annotations

from dataclasses import dataclass

from kiosk.coach.cues import FAULTS, GOOD_REP_CUES
from kiosk.judge.reports import JudgeState

MIN_HOLD_S = 2.5
PREEMPT_AFTER_S = 1.0
LIVE_DEBOUNCE_S = 0.3
MAX_SHOW_S = 5.0
PENDING_MAX_AGE_S = 4.0
GOOD_PRIORITY = 50  # positive cues yield to any warning once readable
INFO_PRIORITY = 40


@dataclass(frozen=True)
class Cue:
    text: str
    kind: str  # "warning" | "good" | "info"
    priority: int
    fault: str = ""  # the fault id for warnings
    rep: int = 0  # the rep it is about (0 = live / none)

    @property
    def key(self) -> tuple[str, str]:
        return (self.kind, self.fault or self.text)


def fault_cue(fault_id: str, rep: int = 0) -> Cue:
    f = FAULTS[fault_id]
    return Cue(f.cue, "warning", f.priority, f.id, rep)


def top_fault(faults: list[str] | tuple[str, ...]) -> str | None:
    known = [f for f in faults if f in FAULTS]
    return min(known, key=lambda f: FAULTS[f].priority) if known else None


class Coach:
    def __init__(self) -> None:
        self.reset()

    def reset(self) -> None:
        self.cue: Cue | None = None
        self.shown_at = 0.0
        self.until = 0.0
        self.pending: Cue | None = None
        self.pending_at = 0.0
        self._live_since: dict[str, float] = {}
        self._good = 0
        self._announced_live: set[str] = set()  # live faults already shown this rep

    def say(self, cue: Cue, t: float) -> Cue | None:
        """Offer a cue (e.g. "Go!" at the start of a set). Returns it if it went up now."""
        return self._offer(cue, t)

    def update(self, state: JudgeState, t: float) -> Cue | None:
        """Feed one judge state. Returns the cue that newly went up (for sound), else None."""
        shown: Cue | None = None
        for cue in self._candidates(state, t):
            shown = self._offer(cue, t) or shown
        return self._advance(t) or shown

    def current(self, t: float) -> Cue | None:
        """The cue on the glass at time t (after any pending one had its turn)."""
        self._advance(t)
        return self.cue

    # ---- internals -------------------------------------------------------------------
    def _candidates(self, state: JudgeState, t: float) -> list[Cue]:
        out: list[Cue] = []
        rep = state.new_rep
        if rep is not None:
            self._live_since.clear()
            top = top_fault(rep.faults)
            already = top in self._announced_live
            self._announced_live = set()
            if top is not None:
                if not already:
                    out.append(fault_cue(top, rep.index))
            else:
                text = GOOD_REP_CUES[self._good % len(GOOD_REP_CUES)]
                self._good += 1
                out.append(Cue(text, "good", GOOD_PRIORITY, rep=rep.index))
        elif state.partial:
            self._live_since.clear()
            out.append(fault_cue("too_shallow"))
        live = [f for f in state.live_faults if f in FAULTS]
        for f in list(self._live_since):
            if f not in live:
                del self._live_since[f]
        for f in live:
            self._live_since.setdefault(f, t)
        steady = [f for f in live if t - self._live_since[f] >= LIVE_DEBOUNCE_S]
        top = top_fault(steady)
        if top is not None and top not in self._announced_live:
            self._announced_live.add(top)
            out.append(fault_cue(top, state.reps + 1))
        return out

    def _offer(self, cue: Cue, t: float) -> Cue | None:
        cur = self.cue if t < self.until else None
        if cur is not None and cur.key == cue.key:
            self.until = max(self.until, t + MIN_HOLD_S)  # same thing again: extend, quietly
            return None
        if cur is None:
            return self._show(cue, t)
        readable = t - self.shown_at
        if cue.priority < cur.priority and readable >= PREEMPT_AFTER_S:
            return self._show(cue, t)
        if self.pending is None or cue.priority <= self.pending.priority:
            self.pending, self.pending_at = cue, t
        return None

    def _advance(self, t: float) -> Cue | None:
        if self.cue is not None and t >= self.until:
            self.cue = None
        if self.pending is not None and t - self.pending_at > PENDING_MAX_AGE_S:
            self.pending = None  # news too old to be useful
        if self.pending is not None and (
            self.cue is None or t - self.shown_at >= MIN_HOLD_S
        ):
            cue, self.pending = self.pending, None
            if self.cue is not None and self.cue.key == cue.key:
                return None
            return self._show(cue, t)
        return None

    def _show(self, cue: Cue, t: float) -> Cue:
        if self.pending is not None and self.pending.key == cue.key:
            self.pending = None
        self.cue, self.shown_at, self.until = cue, t, t + MAX_SHOW_S
        return cue
