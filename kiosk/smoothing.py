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

MIN_CUTOFF = 2.5  # Hz, the cut-off at rest
BETA = 80.0  # cut-off increase per (normalised unit / s) of speed
D_CUTOFF = 2.0  # Hz, for the speed estimate itself


def _alpha(cutoff, dt: float):
    return 1.0 / (1.0 + 1.0 / (2 * math.pi * cutoff * dt))


class OneEuro:
    """Vectorised One Euro filter over an array of values (e.g. 17 keypoints x 2 coords)."""

    def __init__(self, min_cutoff=MIN_CUTOFF, beta=BETA, d_cutoff=D_CUTOFF):
        self.min_cutoff, self.beta, self.d_cutoff = min_cutoff, beta, d_cutoff
        self.reset()

    def reset(self) -> None:
        self._x = self._raw = self._dx = self._t = None

    def __call__(self, x: np.ndarray, t: float) -> np.ndarray:
        x = np.asarray(x, dtype=float)
        if self._x is None or self._x.shape != x.shape:
            self._x, self._raw, self._dx, self._t = x.copy(), x.copy(), np.zeros_like(x), t
            return x.copy()
        dt = t - self._t
        if dt <= 0:  # repeated or out-of-order timestamp: nothing sensible to filter
            return self._x.copy()
        # Speed from the raw values, as MediaPipe and tfjs do: the filtered value lags.
        dx = (x - self._raw) / dt
        self._dx = self._dx + _alpha(self.d_cutoff, dt) * (dx - self._dx)
        cutoff = self.min_cutoff + self.beta * np.abs(self._dx)
        self._x = self._x + _alpha(cutoff, dt) * (x - self._x)
        self._raw, self._t = x.copy(), t
        return self._x.copy()


class KeypointSmoother:
    """Smooths (17, 3) keypoints in pixels; scores pass through unchanged."""

    def __init__(self, **params):
        self._filter = OneEuro(**params)

    def reset(self) -> None:
        self._filter.reset()

    def __call__(self, kps: np.ndarray, t: float, frame_size: tuple[int, int]) -> np.ndarray:
        scale = float(max(frame_size))
        out = kps.copy()
        out[:, :2] = self._filter(kps[:, :2] / scale, t) * scale
        return out
