"""3D-ish segment inclinations from 2D keypoints, in any camera view.

A segment of standing length L0 (pixels, learned while the person stands) inclined by theta in
the sagittal plane, seen from a camera at yaw psi (0 front, 90 side), projects to
    horizontal  u = k sin(psi) sin(theta)      vertical  w = k cos(theta)        (in L0 units)
with k ~ 1 - kappa sin^2(theta) (a keypoint chord that shortens as it tips: the trunk's, see
kiosk.pose.keypoints.TRUNK_CHORD_SHORTENING) times a free scale near 1 (perspective, a curling
spine). From the side
theta = atan2(u, w) needs no calibration; from the front the horizontal part vanishes and the
foreshortening w alone says how far the segment tipped toward the camera (the 2D angle would
read ~0). `incline` fits theta and k to both parts by least squares with a prior k ~ 1,
so it slides from one regime to the other with the view.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from functools import lru_cache

import numpy as np

_GRID = np.radians(np.arange(-45.0, 180.01, 0.5))
_SIN, _COS = np.sin(_GRID), np.cos(_GRID)
_DEG = np.degrees(_GRID)
OBLIQUE_SIN = 0.45  # sin(yaw) from which sideways offsets in the image are trusted (~27 deg)
SCALE_PRIOR = 0.6  # weight of k ~ 1 against the observations (noise / scale uncertainty)^2
# Leaning back is rare and shallow (an over-extended lockout, up to ~20 deg): beyond that a
# backward fit must beat the forward one clearly, and a tie (a front view cannot tell them
# apart) goes forward, so that the estimate never flips between the two on noise.
# From near the front (sideways offsets unreadable) any backward reading is noise.
_BACKWARD = 0.5 * np.clip(-_GRID - np.radians(20.0), 0, None) ** 2 + 1e-3 * (_GRID < 0)
_BACKWARD_FRONT = 0.5 * np.clip(-_GRID, 0, None) ** 2 + 1e-3 * (_GRID < 0)


def incline(dx: float, dy_up: float, length0: float, sin_yaw: tuple[float, float], facing: float,
            prior: float = SCALE_PRIOR, elevation_deg: float = 0.0,
            shortening: float = 0.0) -> tuple[float, float]:  # fmt: skip
    """Inclination (deg, + toward facing) and fit residual of a segment seen as (dx, dy_up) px.

    sin_yaw is a range (lo, hi): the view is known only roughly (body proportions vary), so
    the fit may pick any yaw in it. Near the front this leaves the horizontal part unused and
    only the foreshortening speaks; an ambiguous sign resolves to forward.
    elevation_deg: how far the camera looks down at the person (a camera above the trunk
    sees a segment tipping toward it shorten faster: cos(theta + e) instead of cos(theta)).
    shortening: how much the segment's keypoint chord shortens as it tips, the kappa of
    k ~ 1 - kappa sin^2(theta) (the trunk's: kiosk.pose.keypoints.TRUNK_CHORD_SHORTENING; 0: rigid)."""
    return incline_many([(dx, dy_up, length0, facing, elevation_deg, shortening)], sin_yaw, prior)[0]


def incline_many(segs: list[tuple[float, float, float, float, float, float]],
                 sin_yaw: tuple[float, float],
                 prior: float = SCALE_PRIOR) -> list[tuple[float, float]]:  # fmt: skip
    """`incline` for several segments (dx, dy_up, length0, facing, elevation_deg, shortening)
    seen in one view, fitted together: one pass over the grid per frame, not one per segment.
    The same fit as one segment at a time (tests/test_judge_fast.py), arranged for few numpy calls:
    everything that depends only on the view is cached, and the residual at the best k is
    |y|^2 - (x.y)^2 / |x|^2 (least squares), not the sum of the three squared misfits."""
    n = len(segs)
    v = _view_terms(*sin_yaw, tuple([r[4] for r in segs]), tuple([r[5] for r in segs]), prior)
    # u, w and their |y|^2 per segment, spread along the grid: numpy takes about twice as
    # long over a broadcast (n, 1) operand as over a same-shape one at this size.
    us, ws, qs = [], [], []
    for dx, dy, L, f, _, _ in segs:
        u, w = dx * f / L, dy / L
        us.append(u)
        ws.append(w)
        qs.append(u * u + w * w + prior)
    x = np.array(us + ws + qs).repeat(_N).reshape(3 * n, _N)
    u, w, q = x[:n], x[n:2 * n], x[2 * n:]
    # (In-place steps on fresh temporaries: numpy skips an allocation, ~0.3 us of ~0.8 a call.)
    wbp = w * v.b
    wbp += prior
    # Alternate: the scale k for the yaw, then the yaw for that k (twice).
    k = u * v.a0
    k += wbp
    k /= v.d0
    a = _sideways(u, k, v)
    k = u * a
    k += wbp
    k /= _norm2(a, v)
    a = _sideways(u, k, v)
    xy = u * a
    xy += wbp
    xy *= xy
    xy /= _norm2(a, v)
    res = q + v.back
    res -= xy
    # (>= 0 as a sum of squares is; the difference form can round below it on junk input)
    return [(_DEG_LIST[j], max(res.item(r, j), 0.0)) for r, j in enumerate(res.argmin(axis=1).tolist())]


def _norm2(a: np.ndarray, v: _View) -> np.ndarray:
    """|x|^2 = a^2 + b^2 + prior."""
    d = a * a
    d += v.bbp
    return d


_N = len(_GRID)
_DEG_LIST = _DEG.tolist()


def _sideways(u: np.ndarray, k: np.ndarray, v: _View) -> np.ndarray:
    """The sideways part of the model at scale k: the yaw in [lo, hi] nearest to explaining u."""
    k *= v.sin  # (k is the caller's temporary)
    # Near-zero scales are replaced by 1e-6 in place (cheaper than np.where); ~(>) rather
    # than <=, so that a NaN is replaced too.
    np.putmask(k, ~(np.abs(k) > 1e-6), 1e-6)
    x = u / k
    np.maximum(x, v.lo, out=x)
    np.minimum(x, v.hi, out=x)
    x *= v.sin
    return x


@dataclass(frozen=True)
class _View:
    """The grid terms of the fit that depend only on the view, one row per segment."""

    sin: np.ndarray
    lo: np.ndarray  # the sin(yaw) range, spread along the grid
    hi: np.ndarray
    a0: np.ndarray  # first guess of the sideways part
    b: np.ndarray  # vertical model
    bbp: np.ndarray  # b^2 + prior
    d0: np.ndarray  # a0^2 + b^2 + prior
    back: np.ndarray  # the penalty on leaning back


@lru_cache(maxsize=8)
def _view_terms(lo: float, hi: float, elevations: tuple[float, ...], shortenings: tuple[float, ...],
                prior: float) -> _View:  # fmt: skip
    """The view changes when the yaw estimate does (at standing samples, ~1 frame in 10), so
    this runs often enough to be kept to a few numpy calls too."""
    rows = (len(elevations), _N)
    sin, cos, backward, backward_front = _grid_rows(rows[0])
    mid = 0.5 * (lo + hi)
    # Vertical model: cos(theta) minus the toward-camera part seen through the elevation,
    # relative to standing (the calibration saw the upright segment through it too).
    b = cos
    if any(elevations):
        tan_e = np.tan(np.radians(np.array(elevations, float)))[:, None]
        b = cos - tan_e * np.sqrt(max(0.0, 1.0 - mid**2)) * sin
    if any(shortenings):
        chord = 1.0 - np.array(shortenings, float)[:, None] * sin * sin
        sin = sin * chord  # (the sideways model is k s sin(theta): _sideways scales by this)
        b = b * chord
    a0 = mid * sin
    bbp = b * b
    bbp += prior
    d0 = a0 * a0
    d0 += bbp
    back = backward if lo >= OBLIQUE_SIN else backward_front
    return _View(sin, np.full(rows, lo), np.full(rows, hi), a0, b, bbp, d0, back)


@lru_cache(maxsize=4)
def _grid_rows(n: int) -> tuple[np.ndarray, ...]:
    """The grid's fixed terms, one row per segment (read-only: shared by every view)."""
    out = tuple(np.broadcast_to(a, (n, _N)).copy() for a in (_SIN, _COS, _BACKWARD, _BACKWARD_FRONT))
    for a in out:
        a.flags.writeable = False
    return out


@lru_cache(maxsize=64)  # (every frame, with a yaw that changes only at standing samples)
def yaw_range(yaw_deg: float | None, cos_err: float = 0.1) -> tuple[float, float]:
    """sin(yaw) bounds for a yaw estimated from body widths (their |cos| is good to ~0.1)."""
    if yaw_deg is None:
        return 0.0, 1.0
    c = abs(math.cos(math.radians(yaw_deg)))
    return math.sqrt(1 - min(1.0, c + cos_err) ** 2), math.sqrt(1 - max(0.0, c - cos_err) ** 2)
