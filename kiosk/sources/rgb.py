"""Decoded video frames (any pixel format) -> RGB pixels that are the same on every CPU.

FFmpeg's swscale picks per-CPU SIMD paths for its default YUV->RGB conversion, and they round
differently: the same clip gave pixels 1-3 grey levels apart on x86-64 and on a Pi's ARM, which
moved back angles by up to 2.5 deg and flipped faults. With BITEXACT and ACCURATE_RND it takes
the one exact path everywhere (tools/arm64-check compares the two frame for frame). Chosen over
OpenCV's I420 conversion, which was 1.5-2.6x cheaper on the clips here but knows only BT.601
limited range: it would shift the colours of BT.709 (HD) and full-range (MJPEG webcam) frames
and needs a code path per pixel format. Costs: docs/performance.md.
"""

from __future__ import annotations

import numpy as np



class ToRGB:
    """One reformatter for a whole stream: it keeps its conversion context, where
    frame.to_ndarray() would set up a fresh one for every frame (3-6x the conversion)."""

    def __init__(self, exact: bool = True) -> None:
        """exact=False: swscale's default, per-CPU conversion (only to measure what it did)."""
        from av.video.reformatter import Interpolation, VideoReformatter

        self._reformatter = VideoReformatter()
        self._flags = Interpolation.BILINEAR
        if exact:
            self._flags |= Interpolation.BITEXACT | Interpolation.ACCURATE_RND

    def __call__(self, frame) -> np.ndarray:
        """(H, W, 3) uint8 RGB of a decoded av.VideoFrame, as stored (not rotated)."""
        return self._reformatter.reformat(frame, format="rgb24", interpolation=self._flags).to_ndarray()
