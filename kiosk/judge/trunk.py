"""The judge's angles for one frame: the person's standing segment lengths (the calibration)
and the segments' inclinations fitted in any camera view (kiosk.judge.fit)."""

from __future__ import annotations

import math
from bisect import bisect_left, bisect_right, insort
from collections import deque
from dataclasses import dataclass

from kiosk.judge import angles as A
from kiosk.judge.features import Frame
from kiosk.judge.fit import incline_many
from kiosk.judge.stats import median_of_sorted, percentile
from kiosk.pose.keypoints import TRUNK_CHORD_SHORTENING


class StandingLengths:
    """Segment lengths (px) of this person standing tall: the calibration of the set.

    Standing is when each segment looks longest (upright, not foreshortened). Every frame is
    kept for WINDOW_S; a segment's length is the median of its samples within 8 % of its
    80th percentile. Keypoint drift lasts about half a second, so a length learned from one
    still moment can be several percent off (>10 deg near upright); pooling all the standing
    moments of the last seconds averages that out, and lets the calibration recover when the
    set starts bent over (a swing already going) or the person steps closer. The reference is
    the 80th percentile, and lengths far above it are ignored: a keypoint that jumps for a
    few frames must not redefine standing."""

    NAMES = ("trunk", "thigh", "shin", "neck")
    WINDOW_S = 12.0
    KEEP = 0.92

    def __init__(self) -> None:
        self.rows: deque[tuple[float, list[float], float]] = deque()  # t, lengths, hip y
        # The window's finite lengths per segment, and (trunk, hip y) pairs, kept sorted as
        # rows come and go: a refresh is then a few bisections, not four sorts of ~360.
        self.sorted: list[list[float]] = [[] for _ in self.NAMES]
        self.trunk_hips: list[tuple[float, float]] = []
        self.cache: dict[str, float | None] = {}
        self.hip_y: float | None = None
        self.cache_t = -1e9

    def add(self, f: Frame, segs: dict | None = None) -> None:
        """segs: segments(f), if already at hand."""
        self._keep(f, segs)
        if f.t - self.cache_t >= 0.5 or len(self.rows) < 60:
            self._refresh()
            self.cache_t = f.t

    def _keep(self, f: Frame, segs: dict | None = None) -> None:
        segs = segs or segments(f)
        # Vertical extent: standing segments are upright, and a sideways error (one side of
        # a pair unseen) must not make them look longer.
        lengths = [math.nan if s is None else abs(s[1]) for s in map(segs.__getitem__, self.NAMES)]
        row = (f.t, lengths, float(f.hip[1]))
        self.rows.append(row)
        self._index(row, insort)
        while self.rows and self.rows[0][0] < f.t - self.WINDOW_S:
            self._index(self.rows.popleft(), _remove)

    def add_all(self, frames: list[Frame]) -> None:
        """Learn from a batch of frames (the calibration's) and answer from all of them: `add`
        refreshes only every 0.5 s once 60 rows are in, and a batch read back from that cache
        answered from its first half second. A shoulder glitched away for the first 0.15 s at
        120 fps was then 30 % of the rows, above the 80th percentile: the trunk was taken 8x
        too long, every real frame read as bent 83 deg until the next refresh, and a person
        standing still was counted a rep."""
        for f in frames:
            self._keep(f)  # (refreshed once, below: nothing reads the cache in between)
        if frames:
            self._refresh()
            self.cache_t = frames[-1].t

    def _index(self, row: tuple[float, list[float], float], op) -> None:
        _, lengths, hip = row
        isfinite = math.isfinite
        for col, v in zip(self.sorted, lengths, strict=True):
            if isfinite(v):
                op(col, v)
        if isfinite(lengths[0]) and isfinite(hip):
            op(self.trunk_hips, (lengths[0], hip))

    def _refresh(self) -> None:
        for n, col in zip(self.NAMES, self.sorted, strict=True):
            if len(col) < 3:
                self.cache[n] = None
                continue
            ref = percentile(col, 80)  # robust to glitches (up to a fifth of the frames)
            lo, hi = self.KEEP * ref, ref / self.KEEP
            i0, i1 = bisect_left(col, lo), bisect_right(col, hi)
            self.cache[n] = median_of_sorted(col, i0, i1) if i1 > i0 and ref > 1.0 else None
            if n == "trunk":
                th = self.trunk_hips
                hips = sorted([h for _, h in th[bisect_left(th, (lo, -math.inf)):bisect_right(th, (hi, math.inf))]])
                self.hip_y = median_of_sorted(hips, 0, len(hips)) if hips else None

    def get(self, name: str) -> float | None:
        return self.cache.get(name)

    @property
    def count(self) -> int:
        return len(self.rows)


def _remove(s: list, x) -> None:
    del s[bisect_left(s, x)]


def segments(f: Frame) -> dict[str, tuple[float, float] | None]:
    """Each segment as (dx, dy_up) in px, from its lower to its upper end."""
    return {"trunk": _seg(f.hip, f.shoulder), "thigh": _seg(f.knee, f.hip),
            "shin": _seg(f.ankle, f.knee), "neck": _seg(f.shoulder, f.head)}  # fmt: skip


def _seg(lo, hi) -> tuple[float, float] | None:
    return None if lo is None or hi is None else (float(hi[0] - lo[0]), float(lo[1] - hi[1]))


# From this sin(yaw) on (~12 deg) the hips' travel behind the ankles is read as a sideways
# offset in the image. A forward bend leaves it near 0 from any angle, so a yaw misread from
# body widths (20-36 deg for a true 30 across body builds) only scales a hinge's reading; the
# thigh and shin tilts it replaced, read from their foreshortening near vertical, put a bend's
# hips 0.14 leg lengths back on some reps at 30 deg.
SHIFT_SIN = 0.2
SHARE_MIN_DROP = 0.2  # (trunk lengths) see Estimate.hip_share
TRUNK_M = 0.5  # an adult's standing hip-to-shoulder length, metres (sizes the trunk's drop)


def elevation_at(f: Frame, cal: StandingLengths, base_deg: float, distance_m: float) -> float:
    """How far the camera looks down at the mid-trunk in this frame, degrees: `base_deg` to a
    standing chest, steepened as the trunk drops below it (a deadlift's bottom brings the
    mid-trunk ~0.4 m lower). A trunk tipping toward a camera above it foreshortens faster, so
    without this a front view read the bottom of generated deadlifts 5-9 deg too deep with the
    camera at chest height (1-2 deg with it). Rounded to 0.5 deg: the fit caches per value."""
    L = cal.get("trunk")
    if not L or cal.hip_y is None:
        return base_deg
    drop_m = (0.5 * (f.hip[1] + f.shoulder[1]) - (cal.hip_y - 0.5 * L)) / L * TRUNK_M
    e = math.degrees(math.atan(math.tan(math.radians(base_deg)) + drop_m / max(distance_m, 0.5)))
    return round(2.0 * e) / 2.0


@dataclass
class Estimate:
    """The judge's angles for one frame (conventions in kiosk.judge.angles.ANGLES)."""

    t: float
    back: float
    confidence: float
    hip_angle: float | None = None
    knee_flexion: float | None = None
    hip_shift: float | None = None
    thigh: float | None = None
    shin: float | None = None
    head_flexion: float | None = None
    wrist_height: float | None = None
    hand_reach: float | None = None
    hip_drop: float | None = None  # hips lower than standing, in leg lengths
    trunk_ratio: float = 1.0  # 2D trunk length / standing length (a curling spine shortens it)
    depth: float = 0.0  # how far into a rep (set by the judge, see kiosk.judge.depth_of)
    hip_y: float = 0.0
    sh_y: float = 0.0  # the mid-shoulder's image y (px, down)
    # How much of the shoulders' drop below standing is the hips' own (image heights: any
    # view sees them): ~1 in a squat, where the trunk stays up and the hips sink; near 0 in
    # a hinge, where the trunk tips over hips that barely sink. None until the shoulders
    # have dropped SHARE_MIN_DROP standing trunk lengths.
    hip_share: float | None = None


def estimate(f: Frame, cal: StandingLengths, sin_yaw: tuple[float, float], facing: float,
             elevation_deg: float = 0.0, segs: dict | None = None) -> Estimate | None:  # fmt: skip
    """The frame's angles; segs: segments(f), if already at hand."""
    segs = segs or segments(f)
    Lt, Lth, Lsh, Ln = [cal.get(n) for n in StandingLengths.NAMES]
    st, sth, ssh, sn = segs["trunk"], segs["thigh"], segs["shin"], segs["neck"]
    if Lt is None or st is None:
        return None
    legs = Lth is not None and Lsh is not None and sth is not None and ssh is not None
    neck = Ln is not None and sn is not None
    # The thigh tips backward (hips behind the knee) and the shin forward (knee ahead).
    rows = [(st[0], st[1], Lt, facing, elevation_deg, TRUNK_CHORD_SHORTENING)]
    if legs:
        rows += [(sth[0], sth[1], Lth, -facing, 0.0, 0.0), (ssh[0], ssh[1], Lsh, facing, 0.0, 0.0)]
    if neck:
        rows.append((sn[0], sn[1], Ln, facing, elevation_deg, 0.0))  # (seen as the trunk is)
    fits = incline_many(rows, sin_yaw)
    back, res = fits[0]
    conf = min(max(f.score * 1.4, 0.0), 1.0) * math.exp(-res / 0.02) * (0.6 + 0.4 * sin_yaw[0])
    thigh = shin = knee_flexion = hip_angle = hip_shift = hip_drop = head_flexion = None
    wrist_height = hand_reach = None
    if legs:
        thigh, shin = fits[1][0], fits[2][0]
        knee_flexion = A.knee_flexion_from(thigh, shin)
        hip_angle = A.hip_angle_from(back, thigh)
        leg = Lth + Lsh
        s_mid = 0.5 * (sin_yaw[0] + sin_yaw[1])
        if s_mid >= SHIFT_SIN and f.hip_ankle is not None:
            # Seen at an angle, the hips' travel behind the ankles shows directly as a
            # sideways offset in the image (the thigh/shin tilts are too near vertical to
            # read well from their foreshortening).
            hip_shift = A.hip_shift(f.hip_ankle, (0.0, 0.0), leg * s_mid, facing)
        else:
            hip_shift = A.hip_shift_from(thigh, shin, Lth, Lsh)
        if cal.hip_y is not None:
            hip_drop = (f.hip[1] - cal.hip_y) / leg
    hip_share = None
    if cal.hip_y is not None:
        sh_drop = (f.shoulder[1] - (cal.hip_y - Lt)) / Lt  # (standing: shoulders a trunk above)
        if sh_drop >= SHARE_MIN_DROP:
            hip_share = (f.hip[1] - cal.hip_y) / Lt / sh_drop
    if neck:
        head_flexion = fits[-1][0] - back
    if f.wrist is not None:
        wrist_height = A.wrist_height(f.wrist, f.shoulder, Lt)
        if f.knee is not None:
            hand_reach = A.hand_reach(f.wrist, f.knee, Lt)
    return Estimate(f.t, back, conf, hip_angle=hip_angle, knee_flexion=knee_flexion, hip_shift=hip_shift,
                    thigh=thigh, shin=shin, head_flexion=head_flexion, wrist_height=wrist_height,
                    hand_reach=hand_reach,
                    hip_drop=hip_drop, trunk_ratio=math.hypot(*st) / Lt, hip_y=float(f.hip[1]),
                    sh_y=float(f.shoulder[1]),
                    hip_share=hip_share)  # fmt: skip
