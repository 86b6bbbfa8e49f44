"""One Euro filter on every keypoint coordinate (Casiez et al. 2012), driven by timestamps.

Slow motion gets a low cut-off (jitter removed); fast motion raises the cut-off with the
speed so a quick hinge is followed without lag. Coordinates are divided by the frame's
longer side before filtering (image-normalised units, as in tfjs-models' MoveNet) so the
constants mean the same at any resolution.

tfjs-models' MoveNet constants (min cut-off 6.36 Hz, beta 636.61, derivative cut-off 4.77 Hz)
were the start, but they barely smooth: 1.5 px of jitter on a 1280-px frame already moves the
cut-off to ~25 Hz, so frame-to-frame jitter only drops by ~20%. These values more than halve
it at 24-60 fps while a 1 Hz, 300 px swing stays within 0.2 frames and a slow 0.4 Hz hinge
within a frame (tests/test_smoothing.py).
"""

from __future__ import annotations

import math

import numpy as np

from kiosk.pose.keypoints import rows

MIN_CUTOFF = 2.5  # Hz, the cut-off at rest
BETA = 80.0  # cut-off increase per (normalised unit / s) of speed
D_CUTOFF = 2.0  # Hz, for the speed estimate itself


TWO_PI = 2 * math.pi


def _alpha(cutoff: float, dt: float) -> float:
    return 1.0 / (1.0 + 1.0 / (TWO_PI * cutoff * dt))


class OneEuro:
    """One Euro filter over a fixed number of values (e.g. 17 keypoints x 2 coordinates).

    Plain floats, not numpy: 34 values a frame, right after the model has run, where the
    twenty-odd small array calls of a vectorised version cost more than this loop (README:
    "Speed and memory"). The arithmetic is the same, operation for operation."""

    def __init__(self, min_cutoff=MIN_CUTOFF, beta=BETA, d_cutoff=D_CUTOFF):
        self.min_cutoff, self.beta, self.d_cutoff = min_cutoff, beta, d_cutoff
        self.reset()

    def reset(self) -> None:
        self._x = self._raw = self._dx = self._t = None

    def __call__(self, values, t: float) -> list[float]:
        x = [float(v) for v in values]
        if self._x is None or len(self._x) != len(x):
            self._x, self._raw, self._dx, self._t = x, x, [0.0] * len(x), t
            return list(x)
        dt = t - self._t
        if dt <= 0:  # repeated or out-of-order timestamp: nothing sensible to filter
            return list(self._x)
        a_d, lo, beta = _alpha(self.d_cutoff, dt), self.min_cutoff, self.beta
        # Speed from the raw values, as MediaPipe and tfjs do: the filtered value lags.
        speeds = [s + a_d * ((n - r) / dt - s) for n, r, s in zip(x, self._raw, self._dx)]
        out = [o + _alpha(lo + beta * abs(s), dt) * (n - o) for n, s, o in zip(x, speeds, self._x)]
        self._x, self._raw, self._dx, self._t = out, x, speeds, t
        return list(out)


class KeypointSmoother:
    """Smooths 17 keypoints in pixels (an array, or keypoints.rows); scores pass through
    unchanged. Returns the same kind it was given."""

    def __init__(self, **params):
        self._filter = OneEuro(**params)

    def reset(self) -> None:
        self._filter.reset()

    def __call__(self, kps, t: float, frame_size: tuple[int, int]):
        scale = float(max(frame_size))
        pts = rows(kps)
        xy = self._filter([v / scale for p in pts for v in (p[0], p[1])], t)
        out = [[xy[2 * i] * scale, xy[2 * i + 1] * scale, p[2]] for i, p in enumerate(pts)]
        return out if isinstance(kps, list) else np.array(out, dtype=float)
