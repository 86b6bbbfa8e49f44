"""The hinge judge: timestamped poses in, live state and per-rep reports out.

In: timestamped poses (kiosk.pose.keypoints.Pose, or None when nobody is in view).
Out: live state every frame and a report per finished rep (reports.py: JudgeState, RepReport).
Must not import: pygame, hardware, clocks, I/O; nor sources, pose runtime, coach, screen, pi.

Pure and deterministic: numpy and the standard library, no clocks, no I/O.

    judge = Judge("deadlift")
    for pose in poses:                      # Pose | None, one per frame
        state = judge.update(pose, pose.t)  # JudgeState
    judge.reports                           # list[RepReport]

Pipeline per frame: features (L/R-robust body points) -> calibration once the person has
stood (start.py says when; standing segment lengths, camera view, facing) -> segment
inclinations (trunk.py, fit.py) -> smoothed depth -> phase machine (phases.py) -> at each
rep's end, metrics and faults (faults.py) with thresholds from rules.py.
"""

from __future__ import annotations

import math
from collections import deque
from dataclasses import replace

from kiosk.judge import faults as F
from kiosk.judge.features import Frame, extract
from kiosk.judge.phases import PhaseMachine
from kiosk.judge.rules import EXERCISES, Rules, rules_for
from kiosk.judge.smooth import Smoother
from kiosk.judge.start import StartBuffer
from kiosk.judge.stats import RollingMedian, median_of_sorted
from kiosk.judge.trunk import Estimate, StandingLengths, elevation_at, estimate, segments
from kiosk.judge.view import ViewEstimator
from kiosk.pose.keypoints import Pose
from kiosk.judge.reports import JudgeState, Phase, RepReport, View

__all__ = ["Judge", "EXERCISES", "Rules", "rules_for"]

LOST_S = 1.0  # no person this long: the rep in progress is abandoned
GONE_S = 4.0  # ...this long: the calibration too (someone else may step in)
SMOOTH_S = 0.08  # time constant of the depth filter (after a median of 3, against spikes)
HISTORY_S = 15.0
HIP_DROP_DEG = 75.0  # depth credited per leg length the hips sink (a squat-pattern rep)
# A trunk fit this inconsistent (e.g. a left/right swap while one shoulder is unseen: the
# filled-in side lands half a body width off) reads a bent back as upright; the median of 3
# cannot reject two such frames in a row, and the dip would split the rep. Such samples are
# left out of the depth signal and the rep's measurements; a run of them lasting longer than
# BAD_FIT_HOLD_S is taken as it is (the view itself changed, not a glitch).
BAD_FIT_CONF = 0.03
BAD_FIT_HOLD_S = 0.3


def depth_of(e: Estimate, standing_back: float) -> float:
    """How far into a rep the person is, in degrees: the back angle above standing, or for
    a knee-dominant (squat-pattern) rep, where the trunk stays upright, the hips' drop."""
    drop = HIP_DROP_DEG * e.hip_drop if e.hip_drop is not None else 0.0
    return max(e.back - standing_back, drop)


class Judge:
    def __init__(self, exercise: str, rules: dict | Rules | None = None, *,
                 camera_elevation_deg: float = 0.0, camera_distance_m: float = 2.5):  # fmt: skip
        """camera_elevation_deg: how far the camera looks down at the person's mid-trunk
        (about atan((camera height - 1.2 m) / distance)); 0 for a camera at chest height.
        Front views over-read the back angle by about that much without it. camera_distance_m:
        how far away the person stands (the elevation steepens as the trunk drops)."""
        self.rules = rules if isinstance(rules, Rules) else rules_for(exercise, rules)
        self.exercise = exercise
        self.elevation = float(camera_elevation_deg)
        self.distance = float(camera_distance_m)  # (how fast the elevation steepens as one bends)
        self.reset()

    def reset(self) -> None:
        """Forget everything: a new set (the person calibrates again)."""
        self.reports: list[RepReport] = []
        self.evidence: list[F.Evidence] = []  # what each report was judged on (review tools)
        self.pm = PhaseMachine(self.rules)
        self.cal = StandingLengths()
        self.view = ViewEstimator()
        self.std = F.Standing()
        self.backs = RollingMedian(90)
        self.raw: deque[float] = deque(maxlen=3)
        self.shifts = RollingMedian(90)
        self.heads = RollingMedian(90)
        self.start = StartBuffer()
        self.smooth = Smoother()
        self.offsets: dict = {}
        self.hist: deque[Estimate] = deque()
        self.calibrated = False
        self.calibrated_t: float | None = None  # when the standing posture was first learned
        self.last_seen: float | None = None
        # The first frame of an empty scene before anyone is seen (or since they left).
        self.empty_since: float | None = None
        self.depth: float | None = None
        self.t_prev: float | None = None
        self.bad_since: float | None = None  # start of a run of inconsistent trunk fits
        self.live: list[str] = []
        self.live_phase = Phase.WAITING
        self.t_in: float | None = None  # last time seen (judge's clock)
        self.t_shift = 0.0  # added to input times after the input clock jumped back
        self.last_state: JudgeState | None = None
        self.shapes: deque[tuple[float, float]] = deque()  # (t, back bulge), see back_shape

    # ------------------------------------------------------------------------------------
    def update(self, pose: Pose | None, t: float) -> JudgeState:
        t = self._monotonic(t)
        last = self.last_state
        if last is not None and t <= last.t:
            # The same moment delivered again (a camera or decoder repeating a frame): it says
            # nothing new. Judged twice, four frames of two moments passed for a second of
            # standing still, and at 1 fps the set calibrated on a glitched frame.
            return replace(last, new_rep=None, partial=False)
        self.last_state = state = self._update(pose, t)
        return state

    def _update(self, pose: Pose | None, t: float) -> JudgeState:
        if pose is not None and pose.back_bulge is not None:  # (read in line: recorded video)
            self.back_shape(t - self.t_shift, pose.back_bulge)
        f = extract(pose, self.offsets, self.cal.get("trunk"))
        if f is None:
            return self._missing(t)
        f.t = float(t)
        f = self.smooth(f, self.cal.get("trunk"))
        # Out of sight since the last sighting or, if never seen, since the scene showed
        # nobody: someone first seen bent over after that did not go down in view (a load
        # pick-up's way up is not a rep). In view from the set's first frame is not "lost":
        # a swing set may start right there, from the hike.
        gone_since = self.last_seen if self.last_seen is not None else self.empty_since
        lost = None
        if gone_since is not None and t - gone_since > LOST_S:
            lost = self._lose_rep()
        self.last_seen = t
        state = self._calibrate(f, t) if not self.calibrated else self._process(f, t)
        if lost is not None and state.new_rep is None:
            state.new_rep = lost
        return state

    def _process(self, f: Frame, t: float, replay: bool = False) -> JudgeState:
        self.view.add_facing(f, self._trunk_len())
        segs = segments(f)  # (once a frame: both need them)
        if segs["trunk"] is not None and self.calibrated:
            self.view.add_motion(*segs["trunk"], self._trunk_len())
        if not replay:  # (replayed frames were weighed by the calibration already)
            self.cal.add(f, segs)
        e = estimate(f, self.cal, self.view.sin_yaw(), self.view.facing,
                     elevation_at(f, self.cal, self.elevation, self.distance), segs)
        if e is None:
            return self._state(t, Phase.CALIBRATING, person=True)
        e.depth = depth_of(e, self.std.back)
        if e.confidence >= BAD_FIT_CONF or self.depth is None:
            self.bad_since = None
        elif self.bad_since is None:
            self.bad_since = t
        trusted = self.bad_since is None or t - self.bad_since > BAD_FIT_HOLD_S
        if trusted:
            self.raw.append(e.depth)
            self.hist.append(e)
        while self.hist and self.hist[0].t < t - HISTORY_S:
            self.hist.popleft()
        raw = float(median_of_sorted(sorted(self.raw), 0, len(self.raw)))
        if self.depth is None or self.t_prev is None:
            self.depth = raw
        else:
            a = 1.0 - math.exp(-max(t - self.t_prev, 0.0) / SMOOTH_S)
            self.depth += a * (raw - self.depth)
        self.t_prev = t
        ev = self.pm.update(t, self.depth)
        if trusted and self.pm.cycle is None and self.depth < 0.5 * self.rules.stand_max_deg:
            self._learn_standing(f, e)
        state = self._state(t, self.pm.phase, True, e.back, e.confidence)
        if ev is not None:
            kind, cycle = ev
            if kind == "rep":
                state.new_rep = self._count(cycle)
            elif kind == "partial":
                state.partial = True
            self.live = []
        elif (self.pm.phase in (Phase.BOTTOM, Phase.ASCENDING) and self.pm.cycle is not None
              and self.pm.phase != self.live_phase):  # once per phase: cheap on a Pi
            self.live = self._live_faults()
        elif self.live and F.to_the_floor(e.hand_reach, self.rules):
            self.live = []  # the hands went on down for the floor: maybe a pick-up
        self.live_phase = self.pm.phase
        state.reps = len(self.reports)
        state.live_faults = list(self.live)
        return state

    def back_shape(self, t: float, bulge: float) -> None:
        """The back's bulge read at frame time `t` (kiosk.pose.backshape, trunk lengths): a
        second model reads it, on its own thread and at its own rate, so it may arrive after
        the frame's pose; a rep's report takes those of its deepest moments when it ends."""
        if not math.isfinite(bulge) or not math.isfinite(t):
            return
        t += self.t_shift  # (the judge's clock, see _monotonic)
        self.shapes.append((t, float(bulge)))
        while self.shapes and self.shapes[0][0] < t - HISTORY_S:
            self.shapes.popleft()

    # ------------------------------------------------------------------------------------
    def _monotonic(self, t: float) -> float:
        """The judge's own clock: the input's, but never going back (a camera clock that
        jumps back would otherwise bend every duration); it carries on from where it was."""
        t = float(t) if math.isfinite(t) else (self.t_in or 0.0)
        if self.t_in is not None and t + self.t_shift < self.t_in:
            self.t_shift = self.t_in - t + 1e-3
        self.t_in = t + self.t_shift
        return self.t_in

    def finish(self) -> JudgeState | None:
        """The set ends here (a stop press, the end of a clip). A rep already back at the
        top, only waiting out SETTLE_S to see the lockout held, is whole: the state that
        reports it, or None when there is none. A clip cut just after its last rep, or a
        stop pressed right after it, lost that rep, most often at a Pi's pose rate, where
        the smoothed depth reaches the top a sample or two later. A rep still on its way up
        is not counted: the movement was not seen to end."""
        last, closed = self.last_state, self._close_at_top()
        if last is None or closed is None:
            return None
        kind, rep = closed
        self.live = []
        if kind != "partial" and rep is None:
            return None  # too short, a load picked up or put down, or a swing never swung
        self.last_state = replace(last, phase=self.pm.phase, new_rep=rep, partial=rep is None,
                                  reps=len(self.reports), live_faults=[])
        return self.last_state

    def _close_at_top(self) -> tuple[str, RepReport | None] | None:
        """Close the rep in progress if it is back at the top, only waiting out SETTLE_S:
        how the phases closed it ("rep", "partial", "discard") and its report, if counted."""
        ev = self.pm.close_at_top()
        if ev is None:
            return None
        return ev[0], self._count(ev[1]) if ev[0] == "rep" else None

    def _lose_rep(self) -> RepReport | None:
        """The person was out of sight too long: the rep in progress is abandoned, and what
        they do on coming back starts afresh. The depth window goes too: its samples from
        before the loss made the first depth after it read "standing" for someone who came
        back bent over (a load pick-up), which cleared the unseen-start mark and let the
        rest of that excursion count as a rep. A rep already back at the top, only waiting
        out SETTLE_S to see the lockout held, is whole: it is reported, not abandoned."""
        closed = self._close_at_top()
        rep = closed[1] if closed is not None else None
        self.pm.reset(after_loss=True)
        self.depth = None
        self.raw.clear()
        return rep

    def _trunk_len(self) -> float:
        return self.cal.get("trunk") or 1.0

    def _missing(self, t: float) -> JudgeState:
        if self.last_seen is None or t - self.last_seen > GONE_S:
            if self.calibrated or self.last_seen is not None:
                reports, left = self.reports, self.last_seen
                self.reset()
                self.reports = reports  # the set's reps stay; only the calibration goes
                self.empty_since = left
            if self.empty_since is None:
                self.empty_since = t
            return self._state(t, Phase.WAITING, person=False, message="Step into view")
        if t - self.last_seen > LOST_S:
            state = self._state(t, Phase.WAITING, person=False, message="Step into view")
            state.new_rep = self._lose_rep()
            state.reps = len(self.reports)
            return state
        return self._state(t, self.pm.phase if self.calibrated else Phase.WAITING, person=False)

    def _calibrate(self, f: Frame, t: float) -> JudgeState:
        """Learn the person's standing body (kiosk.judge.start says when, from which
        frames), then judge the buffered frames, so a rep begun before still counts."""
        start = self.start.add(f, t)
        if isinstance(start, str):
            return self._state(t, Phase.CALIBRATING, person=True, message=start)
        frames = start.frames
        self.cal.add_all(start.lengths_from)
        L0 = self._trunk_len()
        tall = [fr for fr in start.standing if fr.shoulder[1] - fr.hip[1] <= -0.93 * L0]
        for fr in tall or frames:
            self.view.add_standing(fr, L0)
        for fr in frames:
            self.view.add_facing(fr, L0)
        self.calibrated, self.calibrated_t = True, t
        yaw = self.view.yaw_deg or 0.0
        self.std.signed = yaw > 20.0
        self.std.side_view = self.view.view == View.SIDE
        sin_yaw = self.view.sin_yaw(unknown=0.0)
        ests = [estimate(fr, self.cal, sin_yaw, self.view.facing,
                         elevation_at(fr, self.cal, self.elevation, self.distance))
                for fr in tall or frames]
        for fr, e in zip(tall or frames, ests, strict=True):
            if e is not None:
                self._learn_standing(fr, e, calibrating=True)
        # How noisy upright looks from here sets the bar for a rep's start right away.
        self.pm.learn_noise([abs(e.back - self.std.back) for e in ests if e is not None])
        self.start.clear()
        state = self._state(t, Phase.STANDING, person=True, message="Ready")
        for fr in frames:  # judge what happened while calibrating
            st = self._process(fr, fr.t, replay=True)
            if st.new_rep is not None or st.partial:
                state = st
        latest = self._state(t, self.pm.phase, person=True, message="Ready")
        latest.new_rep, latest.partial = state.new_rep, state.partial
        latest.reps = len(self.reports)
        return latest

    def _learn_standing(self, f: Frame, e: Estimate, calibrating: bool = False) -> None:
        """Keep refining what this person's standing posture looks like."""
        if not calibrating:
            self.view.add_standing(f, self._trunk_len())
        self.std.back = self.backs.add(e.back)
        if e.head_flexion is not None:
            self.std.head_flexion = self.heads.add(e.head_flexion)
        if e.hip_shift is not None and math.isfinite(e.hip_shift):  # (junk poses can make NaN)
            self.std.hip_shift = self.shifts.add(e.hip_shift)

    def _state(self, t: float, phase: Phase, person: bool, back: float | None = None,
               conf: float = 0.0, message: str = "") -> JudgeState:  # fmt: skip
        return JudgeState(t, phase, self.view.view if self.calibrated else View.UNKNOWN, person, back, conf,
                          len(self.reports), message=message)  # (positional: once a frame)

    def _count(self, c) -> RepReport | None:
        """Count a movement the phases closed as a rep, and report it; None (not counted)
        when it only picked up or put down the load (faults.carried), or, in a swing, the
        hands never swung (faults.hands_still)."""
        self.std.side_view = self.view.view == View.SIDE  # the view firms up as the set goes
        self.std.signed = (self.view.yaw_deg or 0.0) >= F.SEE_LEGS_YAW
        self.std.yaw = self.view.yaw_deg if self.view.yaw_deg is not None else 0.0
        m = F.measure(c, F.samples_since(self.hist, c.start_t), self.std, self.shapes)
        if F.carried(m, self.rules) or F.hands_still(m, self.rules):
            return None
        evidence = F.Evidence(c, m, replace(self.std), self._stood_first(c))
        self.evidence.append(evidence)
        faults = evidence.faults(self.rules)
        rep = RepReport(
            index=len(self.reports) + 1, start_s=c.start_t, end_s=c.end_t,
            back_angle_deg=m.back, hip_angle_deg=m.hip_angle, knee_flexion_deg=m.knee_flexion,
            hip_shift=m.hip_shift, down_s=m.down_s, up_s=m.up_s, faults=faults,
            score=F.score(faults, m.back, self.rules))  # fmt: skip
        self.reports.append(rep)
        return rep

    @property
    def metrics(self) -> list[F.RepMetrics]:
        """The numbers behind each report, in order."""
        return [e.metrics for e in self.evidence]

    def _stood_first(self, c) -> bool:
        """Was the person seen standing before this rep began?"""
        return self.calibrated_t is not None and c.start_t >= self.calibrated_t

    def _live_faults(self) -> list[str]:
        """Faults already visible at the bottom (the rep is not over yet)."""
        c = self.pm.cycle
        samples = F.samples_since(self.hist, c.start_t)
        if len(samples) < 3:
            return []
        m = F.measure(replace(c, end_t=samples[-1].t), samples, self.std, self.shapes)
        if F.to_the_floor(m.reach, self.rules):
            return []  # maybe a pick-up, not a rep (F.carried): nothing to cue
        early = ("rounded_back", "forward_bend", "squatting", "locked_knees", "too_deep")
        faults = F.judge(replace(c, end_t=samples[-1].t), m, self.rules, self.std,
                         self._stood_first(c))
        return [x for x in faults if x in early]
