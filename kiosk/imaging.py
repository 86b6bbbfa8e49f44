"""One bilinear crop-and-resize, which gives both the pad-to-square letterbox and the smart
crop: any square `Box` in source pixels, sampled onto the model's S x S grid, with zeros
wherever the box leaves the frame (the letterbox bars are just the part outside).

Pixel-centre convention throughout: source pixel k covers [k, k+1), model pixel j samples the
source at box.x0 + (j + 0.5) * box.size / S. The same affine map takes model-normalised
keypoints back to source pixels (`Box.to_source`), so the round trip is exact.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache

import numpy as np


@dataclass(frozen=True)
class Box:
    """A square region of the source frame in pixels; may extend past the frame's edges."""

    x0: float
    y0: float
    size: float

    def to_source(self, xy: np.ndarray) -> np.ndarray:
        """Model-normalised (0..1) x, y -> source pixels."""
        return np.asarray(xy, dtype=float) * self.size + (self.x0, self.y0)

    def to_model(self, xy: np.ndarray) -> np.ndarray:
        """Source pixels -> model-normalised x, y."""
        return (np.asarray(xy, dtype=float) - (self.x0, self.y0)) / self.size


def letterbox_box(width: int, height: int) -> Box:
    """The whole frame, centred in a square of side max(width, height)."""
    size = max(width, height)
    return Box((width - size) / 2, (height - size) / 2, float(size))


@lru_cache(maxsize=8)
def _centres(out_size: int) -> np.ndarray:
    return (np.arange(out_size, dtype=np.float64) + 0.5) / out_size


def _axis(start: float, size: float, n_src: int, out_size: int):
    """Indices and weights along one axis: two neighbours per output pixel, zero weight for a
    neighbour outside the frame (so outside reads as black, edges blend towards black)."""
    pos = start + _centres(out_size) * size - 0.5
    i0 = np.floor(pos)
    f = (pos - i0).astype(np.float32)
    i0 = i0.astype(np.intp)
    i1 = i0 + 1
    w0 = (1.0 - f) * ((i0 >= 0) & (i0 < n_src))
    w1 = f * ((i1 >= 0) & (i1 < n_src))
    return np.clip(i0, 0, n_src - 1), np.clip(i1, 0, n_src - 1), w0, w1


class CropResizer:
    """crop_resize with its scratch buffers kept between frames. Fresh ~0.5 MB temporaries
    every call cost more than the arithmetic (each one is a new mmap and page faults)."""

    def __init__(self, out_size: int, channels: int = 3):
        self.out_size, self.channels = out_size, channels
        n = out_size * out_size * channels
        # Flat buffers: a prefix of any length reshapes to a contiguous block.
        self._idx = np.empty(out_size * out_size, dtype=np.intp)
        self._gather = np.empty(n, dtype=np.uint8)
        self._acc = [np.empty(n, dtype=np.float32) for _ in range(3)]

    def __call__(self, image: np.ndarray, box: Box) -> np.ndarray:
        """`image` (H, W, C) uint8 sampled over `box` onto an (S, S, C) uint8 grid."""
        h, w, c = image.shape
        if c != self.channels:
            raise ValueError(f"expected {self.channels} channels, got {c}")
        s = self.out_size
        out = np.zeros((s, s, c), dtype=np.uint8)
        y0, y1, wy0, wy1 = _axis(box.y0, box.size, h, s)
        x0, x1, wx0, wx1 = _axis(box.x0, box.size, w, s)
        # Only the block that overlaps the frame is computed: the letterbox bars (40% of a
        # 16:9 frame) and a crop's overhang are black and cost nothing.
        rows, cols = np.flatnonzero(wy0 + wy1), np.flatnonzero(wx0 + wx1)
        if not rows.size or not cols.size:
            return out
        ra, rb, ca, cb = rows[0], rows[-1] + 1, cols[0], cols[-1] + 1
        nr, nc = rb - ra, cb - ca
        y0, y1, wy0, wy1 = y0[ra:rb], y1[ra:rb], wy0[ra:rb], wy1[ra:rb]
        x0, x1 = x0[ca:cb], x1[ca:cb]
        # Per-channel column weights along one long row: broadcasting over a trailing axis
        # of 3 is several times slower in numpy than over a contiguous row.
        wx0, wx1 = np.repeat(wx0[ca:cb], c)[None, :], np.repeat(wx1[ca:cb], c)[None, :]
        flat = np.ascontiguousarray(image).reshape(h * w, c)
        n = nr * nc
        idx = self._idx[:n].reshape(nr, nc)
        gather = self._gather[: n * c].reshape(n, c)
        g = gather.reshape(nr, nc * c)
        top, bottom, tmp = (a[: n * c].reshape(nr, nc * c) for a in self._acc)
        for acc, ys in ((top, y0), (bottom, y1)):
            start = (ys * w)[:, None]
            np.add(start, x0[None, :], out=idx)
            np.take(flat, idx.ravel(), axis=0, out=gather)
            np.multiply(g, wx0, out=acc)
            np.add(start, x1[None, :], out=idx)
            np.take(flat, idx.ravel(), axis=0, out=gather)
            np.multiply(g, wx1, out=tmp)
            acc += tmp
        top *= wy0[:, None]
        bottom *= wy1[:, None]
        top += bottom
        # Round half to even, like an exact float64 reference: weights sum to at most 1, so
        # the result stays within 0..255. (MoveNet int8 is sensitive to one grey level: the
        # Pi example's wrist on image2 moves by ~5 px between rounding and truncating.)
        np.rint(top, out=top)
        out[ra:rb, ca:cb] = top.reshape(nr, nc, c)
        return out


def crop_resize(image: np.ndarray, box: Box, out_size: int) -> np.ndarray:
    """One-off crop_resize (allocates its buffers; use a CropResizer per video stream)."""
    return CropResizer(out_size, image.shape[2])(image, box)
