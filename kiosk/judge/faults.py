"""Judge one finished rep: its numbers at the bottom, its faults and its 0-100 score.

Each rule reads one measurement against a threshold from kiosk.judge.rules (data, per
exercise). The measurements come from kiosk.judge.trunk.Estimate samples over the rep.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from kiosk.judge.phases import Cycle, descent_seen
from kiosk.judge.rules import Rules
from kiosk.judge.stats import median, percentile_of
from kiosk.judge.trunk import Estimate
from kiosk.judge.view import FRONT_MAX_YAW

# Below this camera yaw (near-front) the hips' travel behind the ankles and near-straight
# knee angles cannot be seen in 2D keypoints: faults that rest on them are not judged there.
SEE_LEGS_YAW = 25.0
# Nearly straight knees are told from soft ones only where the thigh's tilt shows sideways
# (sin 45 = 0.7 of it); nearer the front it is read from foreshortening, which barely moves
# near vertical (a 30 deg tilt shortens the thigh 13 %): a good RDL filmed 28 deg off behind
# read as stiff-legged, and a plate hiding a knee read -15 deg.
KNEES_READ_YAW = 45.0
# From this estimated yaw on the hips' travel behind the ankles is judged (forward_bend): the
# view is no longer "front", and the Get set screen stops asking for a turn.
BEND_MIN_YAW = FRONT_MAX_YAW
# A rep's deep moments: within this share of its greatest depth. The back's shape, the head,
# the hips' share of the drop and their travel back are read over them, not only at the peak.
DEEP_SHARE = 0.7
MIN_DESCENT_FRAMES = 3  # fewer samples on the way down than this are a jump, not a descent
# A rep is too shallow or too fast only when clearly so: a good morning's bottom (45-50 deg
# against the line at 45) read 42-48.5 and its way down 0.30-0.63 s (line 0.35) as a few grey
# levels of noise or a 1 px shift moved the keypoints (kiosk.review.perturb), so the verdict
# came and went. The rep's own reading is reported unchanged.
SHALLOW_MARGIN_DEG = 4.0
FAST_MARGIN = 0.2  # (of the exercise's min_down_s)
PENALTY = {"rounded_back": 35, "forward_bend": 35, "squatting": 30, "hips_rise_first": 25,
           "over_extension": 15, "locked_knees": 15, "incomplete_lockout": 15, "too_shallow": 15,
           "too_deep": 10, "arms_low": 10, "too_fast": 10}  # fmt: skip
# Faults read against the person's standing posture. A rep begun before the judge had seen
# them stand (a set joined mid-way, a lifter already gripping the bar) is compared with a
# posture learned from its own last moments, and these read wrong on it.
AGAINST_STANDING = ("forward_bend", "hips_rise_first", "over_extension")


def samples_since(hist, start: float) -> list[Estimate]:
    """The samples of a rep begun at `start` (50 ms of lead-in): the history is in time order
    (the judge's clock never goes back), so they are its tail, found without reading all of it."""
    out, cut = [], start - 0.05
    for s in reversed(hist):
        if s.t < cut:
            break
        out.append(s)
    out.reverse()
    return out


@dataclass
class Standing:
    """The set's standing posture, the reference for drops and leans."""

    back: float = 0.0
    head_flexion: float | None = None
    signed: bool = True  # lean direction is observable (not a pure front view)
    side_view: bool = False
    yaw: float = 90.0  # the camera's yaw (0 front, 90 side): what can be seen from there
    hip_shift: float = 0.0  # hips behind ankles while standing (stance and keypoint bias)


# Fewer hand samples over a rep than this say nothing about how far the hands went.
HAND_SAMPLES_MIN = 4


@dataclass
class RepMetrics:
    back: float
    hip_angle: float
    knee_flexion: float
    hip_shift: float
    down_s: float
    up_s: float
    head_flexion: float | None  # neck against trunk at the deep moments (0 = in line)
    hip_drop: float | None
    hips_lead: float | None
    top_back: float
    top_lean_back: float
    wrist_top: float | None
    trunk_ratio: float | None = None
    down_frames: int = 0  # samples from the rep's start to the bottom: the descent as seen
    reach: float | None = None  # hands below the knees, trunk lengths (p90 over the rep)
    hand_travel: float | None = None  # how far the hands went up and down (p95 - p5 of reach)
    hip_share: float | None = None  # the hips' share of the shoulders' drop at the bottom
    wrist_bottom: float | None = None  # wrists against the shoulders at the bottom (wrist_height)
    back_bulge: float | None = None  # the back's outline bulging out at the deep moments (median)
    bulge_samples: int = 0  # how many back-shape readings that median took


@dataclass(frozen=True)
class Evidence:
    """What one rep's faults were judged on, kept so that review tools can judge it again
    under other thresholds (kiosk.review.lolo: each threshold tried on lifters it was not
    chosen on) without running the judge over the poses again."""

    cycle: Cycle
    metrics: RepMetrics
    standing: Standing  # (a copy: the judge's own keeps learning)
    stood_first: bool

    def faults(self, r: Rules) -> list[str]:
        return judge(self.cycle, self.metrics, r, self.standing, self.stood_first)


def _med(samples: list[Estimate], attr: str) -> float | None:
    vals = [getattr(s, attr) for s in samples if getattr(s, attr) is not None]
    return median(vals) if vals else None


def measure(c: Cycle, samples: list[Estimate], std: Standing, shapes=()) -> RepMetrics:
    """Numbers of one rep from its samples (time order, start_t .. a little past end_t) and
    the back-shape readings (t, bulge) in time order (Judge.back_shape)."""
    t = np.array([s.t for s in samples])
    back = np.array([s.back for s in samples])
    rep = (t >= c.start_t) & (t <= c.end_t + 1e-6)
    if not rep.any():  # (the rep's own samples all left out as inconsistent fits: use the rest)
        rep = np.ones(len(t), dtype=bool)
    # The bottom: a window around the peak, narrower for quick (ballistic) reps.
    half = min(max(0.06 * (c.end_t - c.start_t), 0.04), 0.12)
    # The smoothed depth peaks a little late: re-centre on the raw angles' peak.
    look = np.flatnonzero(rep & (np.abs(t - c.peak_t) <= 0.25))
    if len(look):
        smooth = np.convolve(back, np.ones(3) / 3, mode="same")
        peak_t = float(t[look[np.argmax(smooth[look])]])
    else:
        peak_t = c.peak_t
    near = rep & (np.abs(t - peak_t) <= half)
    if not near.any():
        near = rep
    bottom = [s for s, m in zip(samples, near, strict=True) if m]
    b = median(back[near].tolist())
    depth = np.array([s.depth for s in samples])
    deepest = float(np.max(depth[rep]))  # (rep is never empty: see above)
    deep = rep & (depth >= 0.9 * deepest)
    t_deep = t[deep] if deep.any() else np.array([c.peak_t])
    # The head, the hips' share and their travel back, over the rep's deep moments (as the
    # back's shape is): read over the few frames around the peak, a pixel of keypoint jitter
    # moved the first two 8 deg and 0.05, and the verdict with them (kiosk.review.perturb);
    # the hips' travel, seen 30 deg off the front, read a generated forward bend 0.1 leg
    # lengths back on 2 reps of a set (keypoint drift outlasts a 0.2 s window).
    held = rep & (depth >= DEEP_SHARE * deepest)
    deep_samples = [x for x, m_ in zip(samples, held, strict=True) if m_] or bottom
    top = (t >= c.end_t - 0.1) & (t > c.peak_t)  # the top of the rep, up to its closing
    # Lowest back angle after the bottom: below the standing posture = leaning back.
    # Leaning back at the top: the lowest back angle there (smoothed over 3 samples, so that
    # one noisy frame is not a lean). The lockout is read there too: the top is where the
    # trunk came closest to upright. (Its median took in the last of the way up: seen 45 deg
    # off the front, where a standing trunk reads ~13 deg back, good kettlebell pulls read
    # 13 deg short of lockout on 8 of 10 reps; the side camera on the same pulls, none.)
    if top.sum() >= 3:
        top_back = float(np.min(np.convolve(back, np.ones(3) / 3, mode="same")[top]))
        lean = std.back - top_back
    else:
        top_back = median(back[top].tolist()) if top.any() else float(back[-1])
        lean = 0.0
    after = t > c.peak_t
    wr = [s.wrist_height for s, m in zip(samples, after, strict=True) if m and s.wrist_height is not None]
    # p90: the hands' lowest stretch, where a lone wrist glitch does not reach
    reach = [s.hand_reach for s, m in zip(samples, rep, strict=True)
             if m and s.hand_reach is not None]
    bulges = _deep_bulges(shapes, t[rep], held[rep])
    return RepMetrics(
        back=b, hip_angle=_med(bottom, "hip_angle") or 180.0 - b,
        knee_flexion=_med(bottom, "knee_flexion") or 0.0,
        hip_shift=(_med(deep_samples, "hip_shift") or 0.0) - std.hip_shift,
        down_s=float(t_deep[0] - c.start_t), up_s=float(c.end_t - t_deep[-1]),
        # (hips_lead: a near-straight knee's angle is only readable from the side)
        head_flexion=_med(deep_samples, "head_flexion"),
        hip_drop=_med(bottom, "hip_drop"), hips_lead=_hips_lead(samples, c, std.side_view),
        top_back=top_back, top_lean_back=lean,
        wrist_top=percentile_of(wr, 90) if wr else None,
        trunk_ratio=_med(bottom, "trunk_ratio"),
        down_frames=int(np.count_nonzero((t >= c.start_t) & (t <= t_deep[0]))),
        reach=percentile_of(reach, 90) if reach else None,
        hand_travel=(percentile_of(reach, 95) - percentile_of(reach, 5)
                     if len(reach) >= HAND_SAMPLES_MIN else None),
        hip_share=_med(deep_samples, "hip_share"), wrist_bottom=_med(bottom, "wrist_height"),
        back_bulge=median(bulges) if bulges else None, bulge_samples=len(bulges),
    )  # fmt: skip


def _deep_bulges(shapes, t: np.ndarray, deep: np.ndarray) -> list[float]:
    """The back-shape readings taken at the rep's deep moments (`deep`: which of the samples
    at times `t` are; a reading counts when the sample nearest it is)."""
    if not len(shapes) or len(t) < 2:
        return []
    out = []
    for ts, bulge in reversed(shapes):  # (newest last: the rep's are at the end)
        if ts > t[-1] + 0.05:
            continue
        if ts < t[0] - 0.05:
            break
        i = int(np.clip(np.searchsorted(t, ts), 1, len(t) - 1))
        i -= ts - t[i - 1] < t[i] - ts
        if deep[i]:
            out.append(bulge)
    return out


def _hips_lead(samples: list[Estimate], c: Cycle, knees_visible: bool = True) -> float | None:
    """How much of the hips' rise is done by the time the shoulders have come up 15 % of
    theirs: ~0.3 when chest and hips rise together, near 1 when the hips shoot up first and
    the back is left to do the lifting. Both are heights in the image, which every view sees
    alike (the back angle read from a front view's foreshortening, near upright, is not: it
    made good pulls filmed from the front and behind look hips-first). When the hips barely
    rise, the knees' extension stands in for them, where the knees can be read (the side)."""
    up = [s for s in samples if c.peak_t - 0.05 <= s.t <= c.end_t]
    if len(up) < 5:
        return None
    k = np.ones(3) / 3
    sh = np.convolve([s.sh_y for s in up], k, mode="same")[1:-1]
    rise = sh[0] - sh.min()
    if rise <= 0:
        return None
    i = int(np.argmax(sh[0] - sh >= 0.15 * rise))
    hips = np.convolve([s.hip_y for s in up], k, mode="same")[1:-1]
    if hips[0] - hips.min() >= HIPS_RISE_MIN * rise:
        return float(np.max((hips[0] - hips[: i + 1]) / (hips[0] - hips.min())))
    knees = [s.knee_flexion for s in up]
    if knees_visible and None not in knees:
        legs = np.convolve(knees, k, mode="same")[1:-1]
        if legs[0] - legs[-1] >= 12.0:
            return float(np.max((legs[0] - legs[: i + 1]) / (legs[0] - legs[-1])))
    return None  # the legs barely move in this rep: nothing to judge


HIPS_RISE_MIN = 0.1  # the hips rising less than this share of the shoulders' rise: "barely"


# The back's outline is the spine's profile only from the side: from the front-oblique the
# mask's edge is the side of the back and the lats, which bulge on good backs too (a good band
# deadlift seen 38 deg off the front read +2.7 to +3.4 %; rounded side-view pulls +4.7 to +5.6).
SHAPE_MIN_YAW = 60.0
SHAPE_MIN_SAMPLES = 2  # one reading is one frame's mask edge: too noisy to fault a rep on


def rounded_outline(m: RepMetrics, r: Rules, std: Standing) -> bool:
    """Did the back's outline bulge out at the bottom (kiosk.pose.backshape), seen from the
    side, by more than the exercise allows?"""
    return (r.back_bulge_max is not None and m.back_bulge is not None
            and m.bulge_samples >= SHAPE_MIN_SAMPLES and std.yaw >= SHAPE_MIN_YAW
            and m.back_bulge > r.back_bulge_max)  # fmt: skip


# Hips that sank this far into the shoulders' drop are a squat's, not a good morning's
# (a good morning done with a bar on the back keeps the hands up too, and the hips high).
HANDS_UP_SHARE = 0.4


def hands_up_squat(m: RepMetrics, r: Rules) -> bool:
    """In an exercise whose load hangs from the hands (the deadlift: the wrists at the bottom
    0.8-1.5 trunk lengths below the shoulders in the footage), hands kept at the shoulders or
    chest (a bar on the back, a goblet: 0.1-0.25 below) while the hips sink: a squat."""
    return (r.hands_up_max is not None and m.wrist_bottom is not None and m.hip_share is not None
            and m.wrist_bottom > r.hands_up_max and m.hip_share > HANDS_UP_SHARE)  # fmt: skip


def to_the_floor(reach: float | None, r: Rules) -> bool:
    """Did the hands go down for the floor (reach: RepMetrics.reach), in an exercise that
    keeps them off it (rules.carry_reach)? Unseen wrists are no evidence."""
    return r.carry_reach is not None and reach is not None and reach > r.carry_reach


def hands_still(m: RepMetrics, r: Rules) -> bool:
    """Did the hands stay put through a movement of an exercise that swings them
    (rules.hands_travel_min)? Then it was no swing. Standing still after parking the
    dumbbells, seen near the front, keypoint drift shortened the trunk by ~7 % for a second,
    which reads as 20-25 deg forward: a swing was counted with the hands 0.12 trunk lengths
    from where they hung. Real swings move them 0.43 or more (252 generated sets, yaw 0-90,
    10-30 poses a second, the least from near the front, where the swing comes toward the
    camera) and 1.2 or more (the footage's kettlebell swings, at every pose rate)."""
    return (r.hands_travel_min is not None and m.hand_travel is not None
            and m.hand_travel < r.hands_travel_min)  # fmt: skip


def carried(m: RepMetrics, r: Rules) -> bool:
    """Did this movement pick up or put down the load rather than lift it? The hands went
    down for the floor, and, in a swing, did not swing up after (rules.hands_top_min: a
    swing's first hike lifts the bell from the floor too)."""
    if not to_the_floor(m.reach, r):
        return False
    return r.hands_top_min is None or (m.wrist_top is not None and m.wrist_top < r.hands_top_min)


def judge(c: Cycle, m: RepMetrics, r: Rules, std: Standing, stood_first: bool = True) -> list[str]:
    """The rep's faults. stood_first=False: the rep began before the person was seen
    standing, so AGAINST_STANDING faults are not judged on it."""
    f = []
    rel = m.back - std.back
    ratio = rel / max(m.knee_flexion, 1.0)  # hip-dominant (hinge) > 1 > knee-dominant (squat)
    legs_seen = std.yaw >= SEE_LEGS_YAW
    # Knee-dominant: bent knees with an upright trunk (angles: best from the side), or hips
    # sunk low, or most of the shoulders' drop made by the hips (image heights: any view).
    # (The angles' ratio only where both angles read well: near the front a standing trunk's
    # angle, read from its foreshortening, wanders by 20 deg, and the ratio with it; and the
    # knee's bend, like a stiff knee's, shows sideways only from KNEES_READ_YAW: at 40 deg a
    # good kettlebell swing's knees read 55-88 deg from rep to rep, the ratio 0.41-0.72.)
    knees_read = std.yaw >= KNEES_READ_YAW
    squat = ((knees_read and m.knee_flexion > r.squat_knee_deg and ratio < r.squat_ratio)
             or (m.hip_drop is not None and m.hip_drop > r.squat_drop)
             or (m.hip_share is not None and m.hip_share > r.squat_share)
             or hands_up_squat(m, r))  # fmt: skip
    # A flat back keeps the neck in line with the trunk at the bottom; a rounding upper back
    # drops the head below that line.
    # The neck is short: seen obliquely its angle is rough, so only a clear drop counts there.
    head_max = r.head_flexion_deg + (0.0 if std.side_view else 15.0)
    if (m.head_flexion is not None and m.head_flexion > head_max) or rounded_outline(m, r, std):
        f.append("rounded_back")
    if squat:
        f.append("squatting")
    # The hips travel back in proportion to the hinge: a shallow rep needs less of it.
    elif std.yaw >= BEND_MIN_YAW and m.hip_shift < r.forward_bend_shift * float(np.clip(rel / 60, 0.5, 1.2)):
        f.append("forward_bend")
    if (std.side_view and r.locked_knee_deg is not None and m.knee_flexion < r.locked_knee_deg
            and "forward_bend" not in f):  # fmt: skip
        f.append("locked_knees")
    # From the floor with nearly straight knees, the hips are already up: a stiff-legged pull.
    stiff = (knees_read and r.stiff_knee_deg is not None and m.knee_flexion < r.stiff_knee_deg
             and ratio > r.stiff_ratio)  # fmt: skip
    if stiff or (r.hips_first is not None and m.hips_lead is not None and m.hips_lead > r.hips_first):
        f.append("hips_rise_first")
    # Near upright, foreshortening (the front view's only cue) is noisy: a wider margin there.
    lockout = r.lockout_deg + (0.0 if legs_seen else 10.0)
    if not c.full_lockout or m.top_back - std.back > lockout:
        f.append("incomplete_lockout")
    if std.signed and m.top_lean_back > r.lean_back_deg + (0.0 if std.side_view else 6.0):
        f.append("over_extension")
    if m.back < r.shallow_deg - SHALLOW_MARGIN_DEG and not squat:  # (a squat: cue the squat)
        f.append("too_shallow")
    if m.back > r.deep_deg:
        f.append("too_deep")
    # Tempo only for a way down that was seen: not one begun out of sight, nor a set begun at
    # the bottom, nor a jump between two frames (no lifter drops 60 deg in 40 ms: the pose
    # model's first frames of a set, before its crop finds the person, can read a bent-over
    # lifter as upright).
    if (r.min_down_s is not None and m.down_s < (1.0 - FAST_MARGIN) * r.min_down_s and descent_seen(c)
            and m.down_frames >= MIN_DESCENT_FRAMES):  # fmt: skip
        f.append("too_fast")
    if r.arms_min is not None and m.wrist_top is not None and m.wrist_top < r.arms_min:
        f.append("arms_low")
    return f if stood_first else [x for x in f if x not in AGAINST_STANDING]


def score(faults: list[str], back: float, r: Rules) -> int:
    lo, hi = r.band_deg
    off = max(0.0, lo - back, back - hi)
    s = 100 - sum(PENALTY.get(x, 10) for x in faults) - min(10.0, off / 2)
    return int(round(max(0.0, min(100.0, s))))
