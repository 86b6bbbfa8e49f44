"""The one screen state machine: which screen is up, and what a button press means there.

Pure: driven by abstract `Action`s (from the keyboard or GPIO buttons, interchangeably), by the
judge's states and by timestamps passed in. No pygame, no clock reads, so it is unit-testable.
Side effects the app must carry out (reset the judge, record history) come back as `Effect`s.

    idle --any--> choose --select--> get set --calibrated--> coaching --select--> summary
      ^              | next: next item (exercises, then History)               |
      +--back/timeout+------------------------ back/next/timeout --------------+

A one-button setup (short press = NEXT, long press = SELECT) reaches every exercise and the
history, because History is the last item of the choose carousel.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import Enum

from kiosk.judge.reports import JudgeState, Phase, RepReport


class Action(str, Enum):
    NEXT = "next"
    SELECT = "select"  # select / start / stop
    BACK = "back"  # back / info
    LONG_PRESS = "long_press"  # end the set or session


class Screen(str, Enum):
    IDLE = "idle"
    CHOOSE = "choose"
    GET_SET = "get_set"
    COACHING = "coaching"
    SUMMARY = "summary"
    HISTORY = "history"


HISTORY_ITEM = "history"  # the last item of the choose carousel

# Seconds. Long enough for a person to read, short enough that a walked-away kiosk goes dark.
CHOOSE_TIMEOUT_S = 60.0
GET_SET_TIMEOUT_S = 90.0  # no calibration in this long: back to idle
SUMMARY_TIMEOUT_S = 45.0
HISTORY_TIMEOUT_S = 45.0
AWAY_END_SET_S = 20.0  # coaching with nobody in view this long ends the set
CALIBRATION_S = 1.0  # about the judge's standing-still time, for the progress bar only


@dataclass(frozen=True)
class Effect:
    """Something the app must do because of a transition."""

    kind: str  # "start_set" | "end_set" | "screen"
    exercise: str = ""
    reports: tuple[RepReport, ...] = ()
    screen: Screen | None = None


@dataclass
class Flow:
    exercises: tuple[str, ...]
    screen: Screen = Screen.IDLE
    choice: int = 0  # index into items (exercises + History)
    entered_at: float = 0.0
    last_input_at: float = 0.0
    state: JudgeState | None = None  # latest judge state in get set / coaching
    reports: list[RepReport] = field(default_factory=list)  # this set's reps
    last_set: tuple[str, tuple[RepReport, ...]] | None = None  # for the summary screen
    calibrating_since: float | None = None
    person_seen_at: float | None = None

    def __post_init__(self) -> None:
        if not self.exercises:
            raise ValueError("Flow needs at least one exercise")
        self.exercises = tuple(self.exercises)

    # ---- what the screens read -------------------------------------------------------
    @property
    def items(self) -> tuple[str, ...]:
        return self.exercises + (HISTORY_ITEM,)

    @property
    def selected(self) -> str:
        return self.items[self.choice]

    @property
    def exercise(self) -> str:
        """The exercise of the current (or last) set."""
        item = self.selected
        return item if item != HISTORY_ITEM else self.exercises[0]

    @property
    def reps(self) -> int:
        """The rep count on the glass: exactly the judge's."""
        return self.state.reps if self.state is not None else 0

    def calibration_progress(self, t: float) -> float:
        """0..1 for the get-set bar; 1 once the judge says the person is calibrated."""
        if self.state is not None and self.state.phase not in (Phase.WAITING, Phase.CALIBRATING):
            return 1.0
        if self.calibrating_since is None:
            return 0.0
        return min(0.95, (t - self.calibrating_since) / CALIBRATION_S)

    def seconds_on_screen(self, t: float) -> float:
        return t - self.entered_at

    def ends_set(self, action: Action) -> bool:
        """Does this press end the set being coached? SELECT (stop), BACK and LONG_PRESS do; a
        stray NEXT must not. (The app first lets the judge report a rep just locked out.)"""
        return self.screen is Screen.COACHING and Action(action) is not Action.NEXT

    # ---- inputs ----------------------------------------------------------------------
    def act(self, action: Action, t: float) -> list[Effect]:
        """A button press (or key). Returns the effects to carry out."""
        action = Action(action)
        self.last_input_at = t
        s = self.screen
        if s is Screen.IDLE:
            if action is Action.BACK:
                return self._go(Screen.HISTORY, t)
            return self._go(Screen.CHOOSE, t)
        if s is Screen.CHOOSE:
            if action is Action.NEXT:
                self.choice = (self.choice + 1) % len(self.items)
                return []
            if action is Action.SELECT:
                if self.selected == HISTORY_ITEM:
                    return self._go(Screen.HISTORY, t)
                return self._start_set(t)
            return self._go(Screen.IDLE, t)  # BACK or LONG_PRESS
        if s is Screen.GET_SET:
            if action is Action.LONG_PRESS:
                return self._go(Screen.IDLE, t)
            if action is Action.SELECT:
                return []  # the set starts when the judge has calibrated, not on a press
            return self._go(Screen.CHOOSE, t)  # NEXT or BACK: pick another exercise
        if s is Screen.COACHING:
            return self._end_set(t) if self.ends_set(action) else []
        if s is Screen.SUMMARY:
            if action is Action.SELECT:
                return self._go(Screen.CHOOSE, t)  # another set
            return self._go(Screen.IDLE, t)
        if s is Screen.HISTORY:
            if action is Action.SELECT:
                return self._go(Screen.CHOOSE, t)
            return self._go(Screen.IDLE, t)
        return []

    def on_judge(self, state: JudgeState, t: float) -> list[Effect]:
        """Every judge state while a set is being prepared or coached."""
        if self.screen not in (Screen.GET_SET, Screen.COACHING):
            return []
        self.state = state
        if state.person:
            self.person_seen_at = t
        if state.new_rep is not None:
            self.reports.append(state.new_rep)
        if self.screen is Screen.GET_SET:
            if state.phase is Phase.CALIBRATING:
                if self.calibrating_since is None:
                    self.calibrating_since = t
            elif state.phase is Phase.WAITING:
                self.calibrating_since = None
            else:  # calibrated: standing or already moving
                return self._go(Screen.COACHING, t)
        return []

    def tick(self, t: float) -> list[Effect]:
        """Time passing: timeouts."""
        s, idle_for = self.screen, t - max(self.entered_at, self.last_input_at)
        if s is Screen.CHOOSE and idle_for > CHOOSE_TIMEOUT_S:
            return self._go(Screen.IDLE, t)
        if s is Screen.GET_SET and idle_for > GET_SET_TIMEOUT_S:
            return self._go(Screen.IDLE, t)
        if s is Screen.SUMMARY and idle_for > SUMMARY_TIMEOUT_S:
            return self._go(Screen.IDLE, t)
        if s is Screen.HISTORY and idle_for > HISTORY_TIMEOUT_S:
            return self._go(Screen.IDLE, t)
        if s is Screen.COACHING:
            seen = self.person_seen_at if self.person_seen_at is not None else self.entered_at
            if t - max(seen, self.last_input_at) > AWAY_END_SET_S:
                return self._end_set(t)
        return []

    def sleep(self, t: float) -> list[Effect]:
        """Nobody around for a long time (presence): back to the plain mirror."""
        if self.screen is Screen.COACHING:
            effects = self._end_set(t)
            return effects + self._go(Screen.IDLE, t)
        return self._go(Screen.IDLE, t) if self.screen is not Screen.IDLE else []

    # ---- transitions -----------------------------------------------------------------
    def _go(self, screen: Screen, t: float) -> list[Effect]:
        if screen is Screen.CHOOSE and self.selected == HISTORY_ITEM:
            self.choice = 0
        self.screen, self.entered_at = screen, t
        return [Effect("screen", screen=screen)]

    def _start_set(self, t: float) -> list[Effect]:
        self.state, self.reports, self.calibrating_since = None, [], None
        self.person_seen_at = None
        return [Effect("start_set", exercise=self.exercise)] + self._go(Screen.GET_SET, t)

    def _end_set(self, t: float) -> list[Effect]:
        reports = tuple(self.reports)
        self.last_set = (self.exercise, reports)
        end = Effect("end_set", exercise=self.exercise, reports=reports)
        if not reports:  # nothing done: no summary to read
            return [end] + self._go(Screen.IDLE, t)
        return [end] + self._go(Screen.SUMMARY, t)
