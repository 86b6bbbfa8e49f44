"""The rep counter: standing -> descending -> bottom -> ascending -> standing, on the back angle.

Works on `depth`, the smoothed back angle above this set's standing posture. Hysteresis (a
rep starts above `start`, ends below `stand_max`) and minimum durations keep jitter from
counting; a rep that turns back down before full lockout still ends at its top (it is judged
incomplete, not merged into the next one). What is not a rep is decided when the excursion
ends: too shallow (a partial attempt), too quick (noise), or too long at the bottom (picking
up or parking the load).
"""

from __future__ import annotations

import math
from collections import deque
from dataclasses import dataclass, field

from kiosk.judge.rules import Rules
from kiosk.judge.stats import SortedWindow, percentile
from kiosk.judge.reports import Phase

SETTLE_S = 0.4  # stay this long at the top before the rep is closed (to see the lockout)
REBOUND_DEG = 7.0  # a turn back down this far above the lowest top point starts a new rep
SLOW_DEG_S = 30.0  # slower than this near the peak is "at the bottom"
HOLD_S = 0.8  # a top held this long short of lockout ends the rep (incomplete)
DEEP_S = 0.25  # a rep stays past the counting depth at least this long (not a noise spike)
# While parked at the bottom, noisy trunk fits (hands and load at the shins, low confidence)
# dip the depth out of the band around a noise-high peak for a few frames; a dip this short
# back into the band is still time at the bottom (a swing never comes back up and down in it).
BRIEF_DIP_S = 0.5
# A depth must be held this long to be the bottom (longer than a keypoint glitch, ~0.15 s).
PEAK_HOLD_S = 0.2


@dataclass
class Cycle:
    """One excursion from standing and back."""

    start_t: float
    peak: float = 0.0
    peak_t: float = 0.0
    bottom_in_t: float | None = None  # first time within the bottom band
    bottom_out_t: float | None = None  # left the bottom band on the way up
    end_t: float = 0.0
    top_min: float = 1e9
    top_min_t: float = 0.0
    full_lockout: bool = True
    deep_s: float = 0.0  # time spent past the counting depth
    unseen: bool = False  # began while the person was out of sight
    first_depth: float = 0.0  # the depth it was first seen at

    trace: list = field(default_factory=list)  # (t, depth) samples of this excursion

    @property
    def bottom_s(self) -> float:
        """Time spent near the deepest point (within a quarter of the depth, 10 deg at
        least): ~0.3 s in a swing, ~1 s with a dead stop, several s to pick up a load. The
        deepest point is the deepest held for PEAK_HOLD_S: a glitched keypoint that spikes
        the depth for a few frames while the load is put down would otherwise set the band
        above the real bottom, and the park would count as a rep."""
        peak = held_peak(self.trace, PEAK_HOLD_S)
        near = peak - max(10.0, 0.25 * peak)
        total, last_in = 0.0, None  # last_in: end of the latest stretch near the peak
        for (t0, d0), (t1, _) in zip(self.trace, self.trace[1:], strict=False):
            if d0 >= near:
                if last_in is not None and t0 - last_in <= BRIEF_DIP_S:
                    total += t0 - last_in  # a brief dip out of the band (a noisy fit): still there
                total += t1 - t0
                last_in = t1
        return total



def held_peak(trace: list[tuple[float, float]], hold_s: float) -> float:
    """The greatest depth the trace stays at or above for hold_s (its max if shorter)."""
    best, window = -math.inf, deque()  # window: indices of increasing depth (sliding min)
    j = 0
    for i, (t, d) in enumerate(trace):
        while window and trace[window[-1]][1] >= d:
            window.pop()
        window.append(i)
        while trace[j][0] < t - hold_s:
            j += 1
        while window[0] < j:
            window.popleft()
        # The window spans hold_s once the trace reaches back past its start (its samples
        # then cover hold_s less at most one frame interval, at any frame rate).
        if j > 0 or t - trace[0][0] >= hold_s:
            best = max(best, trace[window[0]][1])
    return best if best > -math.inf else max((d for _, d in trace), default=0.0)


# Back in sight part-way through an excursion: it counts only if they were seen going on down
# (by this much past where they reappeared), i.e. most of a rep. Someone reappearing at the
# bottom and standing up was picking up or parking the load, or was never seen going down.
UNSEEN_DESCENT_DEG = 10.0
UNSEEN_DESCENT_FRAC = 0.2  # of the excursion's peak


def descent_seen(c: Cycle) -> bool:
    return c.peak - c.first_depth >= max(UNSEEN_DESCENT_DEG, UNSEEN_DESCENT_FRAC * c.peak)


class PhaseMachine:
    def __init__(self, rules: Rules):
        self.r = rules
        self.start_deg = rules.stand_max_deg + 3.0
        self.calm = SortedWindow(150)  # |depth| while standing: the noise floor
        self.phase = Phase.STANDING
        self.cycle: Cycle | None = None
        self.leave_t: float | None = None  # last time the person was clearly standing
        self.prev: tuple[float, float] | None = None
        self.prev_t: float | None = None
        self.unseen_start = False
        self.stand_t: float | None = None
        self.reps = 0

    def learn_noise(self, calm: list[float]) -> None:
        """A noisy view (near-front, where upright is read from foreshortening) raises the
        bar for starting a rep, never above what a real rep clearly passes."""
        self.calm.extend(calm)
        if len(self.calm) >= 8:
            # (As np.percentile would, a NaN depth from a junk pose makes the noise NaN.)
            noise = percentile(self.calm.sorted, 90) if self.calm.sum_is_finite() else math.nan
            self.start_deg = min(max(self.r.stand_max_deg + 3.0, noise + 5.0), self.r.count_min_deg - 4.0)

    def reset(self, after_loss: bool = False) -> None:
        """Start over; `after_loss`: the person was out of sight, so if they come back
        already bent over, that excursion's start was not seen and it cannot count."""
        calm, reps = self.calm, self.reps
        self.__init__(self.r)
        self.calm, self.reps = calm, reps  # the view's noise floor outlives a lost rep
        self.unseen_start = after_loss

    def update(self, t: float, d: float) -> tuple[str, Cycle] | None:
        """Feed one depth sample; returns ("rep" | "partial" | "discard", cycle) when an
        excursion ends."""
        vel = 0.0 if self.prev is None else (d - self.prev[1]) / max(t - self.prev[0], 1e-3)
        self.prev = (t, d)
        c, ev = self.cycle, None
        if c is not None:
            c.trace.append((t, d))
            if d >= self.r.count_min_deg and self.prev_t is not None:
                c.deep_s += t - self.prev_t
        self.prev_t = t
        if c is None:
            self.calm.append(abs(d))
            if len(self.calm) % 5 == 0:
                self.learn_noise([])
            if d <= self.r.stand_max_deg * 0.5 or self.leave_t is None:
                self.leave_t = t
            if d > self.start_deg:
                self.cycle = Cycle(start_t=self.leave_t, peak=d, peak_t=t, unseen=self.unseen_start,
                                   first_depth=d)
                self.phase = Phase.DESCENDING
            self.unseen_start = False
            return None
        band = max(5.0, 0.12 * c.peak)
        if self.phase in (Phase.DESCENDING, Phase.BOTTOM):
            if d > c.peak:
                c.peak, c.peak_t = d, t
            if d >= c.peak - band and c.bottom_in_t is None and (abs(vel) < SLOW_DEG_S or d < c.peak):
                c.bottom_in_t = t
            if c.bottom_in_t is not None and self.phase == Phase.DESCENDING:
                self.phase = Phase.BOTTOM
            if d < c.peak - band:
                c.bottom_out_t = t
                self.phase = Phase.ASCENDING
                c.top_min, c.top_min_t = d, t
            return None
        # ascending, or standing at the top waiting to close the rep
        if d < c.top_min:
            c.top_min, c.top_min_t = d, t
        if d <= self.r.stand_max_deg:
            if self.stand_t is None:
                self.stand_t, c.end_t = t, t
            self.phase = Phase.STANDING
            if t - self.stand_t >= SETTLE_S or d > self.start_deg:
                ev = self._close(c, full=True)
        elif self.stand_t is not None:  # was at the top, now going down again
            ev = self._close(c, full=True)
        elif self._is_top(c) and t - c.top_min_t >= HOLD_S:
            c.end_t = c.top_min_t  # stopped short of lockout and stayed there: the rep is over
            ev = self._close(c, full=False)
        elif d > c.top_min + REBOUND_DEG:
            if self._is_top(c):
                c.end_t = c.top_min_t
                ev = self._close(c, full=False)
                # the next rep starts from this top
                self.cycle = Cycle(start_t=c.top_min_t, peak=d, peak_t=t)
                self.phase = Phase.DESCENDING
            else:  # a dip on the way up: still the same rep
                self.phase = Phase.DESCENDING if vel > 0 else Phase.BOTTOM
                c.bottom_out_t = None
        return ev

    def close_at_top(self) -> tuple[str, Cycle] | None:
        """Close a rep that is back at the top but still settling (the person is about to be
        lost from view): it ends where it reached the top."""
        c = self.cycle
        if c is None or self.stand_t is None:
            return None
        return self._close(c, full=True)

    def _is_top(self, c: Cycle) -> bool:
        """The lowest point since the bottom is a real top (short of lockout): well below
        the peak, not a wobble on the way up."""
        return c.top_min <= max(2.2 * self.r.stand_max_deg, 0.45 * c.peak) and \
            c.peak - c.top_min >= max(15.0, 0.5 * c.peak)

    def _close(self, c: Cycle, full: bool) -> tuple[str, Cycle]:
        c.full_lockout = full
        self.cycle, self.stand_t = None, None
        self.phase = Phase.STANDING
        self.leave_t = c.end_t
        if c.end_t - c.start_t < self.r.min_rep_s or (c.unseen and not descent_seen(c)):
            return "discard", c  # a twitch, or only the way up seen after losing the person
        if c.peak >= self.r.count_min_deg and c.deep_s < DEEP_S:
            return "discard", c  # a spike past the counting depth, not a movement
        if c.peak < self.r.count_min_deg:
            partial = c.peak >= max(self.r.partial_min_deg, self.start_deg + 4.0)
            return ("partial" if partial else "discard"), c
        first_from_floor = self.r.first_rep_from_floor and self.reps == 0
        if c.bottom_s > self.r.max_bottom_s and not first_from_floor:
            return "discard", c  # picking up or parking the load
        self.reps += 1
        return "rep", c
