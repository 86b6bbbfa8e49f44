"""Video files through PyAV: any frame rate, portrait or landscape, container timestamps.

Timestamps are pts * time_base, counted from the stream's start, so a 24 000/1001 fps clip or
a variable-rate phone clip gets the times the player would show. A rotation in the display
matrix (phones record landscape and tag it "rotate 90") is applied. A corrupt or truncated
file raises SourceError after handing over every frame that decoded, so nothing good is lost.
"""

from __future__ import annotations

import os
from pathlib import Path

import cv2
import numpy as np

from kiosk.errors import SourceError
from kiosk.sources import Frame, FrameSource
from kiosk.sources.rgb import ToRGB as ExactRGB


class ToRGB:
    """Decoded video frames -> upright RGB arrays, the same pixels on every CPU."""

    def __init__(self, exact: bool = True) -> None:
        self._rgb = ExactRGB(exact)

    def __call__(self, frame) -> np.ndarray:
        return _rotate(self._rgb(frame), getattr(frame, "rotation", 0) or 0)


def _rotate(rgb: np.ndarray, degrees_ccw: float) -> np.ndarray:
    """The frame turned upright. cv2.rotate, not np.rot90 + a contiguous copy: the same
    pixels, 1 ms a 640x360 frame cheaper (phone footage is often stored sideways)."""
    quarter = int(round(degrees_ccw / 90.0)) % 4
    return cv2.rotate(rgb, _QUARTERS[quarter]) if quarter else rgb


_QUARTERS = {1: cv2.ROTATE_90_COUNTERCLOCKWISE, 2: cv2.ROTATE_180, 3: cv2.ROTATE_90_CLOCKWISE}


class VideoSource(FrameSource):
    name = "video"

    def __init__(self, path: str | os.PathLike, threads: int = 0, exact_rgb: bool = True):
        self.path = Path(path)
        self.exact_rgb = exact_rgb  # False: swscale's per-CPU default (stability runs only)
        self.threads = threads
        self._container = None
        self.frames_read = 0
        self.skipped = 0  # read past by read_from, never converted

    def open(self) -> "VideoSource":
        import av

        if self.path.is_dir():
            raise SourceError(f"video {self.path} is a directory: give a video file in it")
        if not self.path.is_file():
            raise SourceError(f"video {self.path} does not exist")
        if self.path.stat().st_size == 0:
            raise SourceError(f"video {self.path} is empty (0 bytes): copy it again")
        try:
            self._container = av.open(str(self.path))
            if not self._container.streams.video:
                raise SourceError(f"{self.path} has no video stream")
            self._stream = self._container.streams.video[0]
            self._stream.thread_type = "AUTO"  # frame threads: decoding is the slow part
            if self.threads:
                self._stream.thread_count = self.threads
        except av.error.FFmpegError as exc:
            self.close()
            raise SourceError(f"cannot read video {self.path}: {exc.strerror or exc} "
                              "(not a video, or the file is damaged)") from exc
        s = self._stream
        self.time_base = s.time_base
        self.start = s.start_time if s.start_time is not None else None
        self.expected_frames = s.frames or None  # from the container's index; 0 if unknown
        self.fps = float(s.average_rate) if s.average_rate else None
        self._to_rgb = ToRGB(self.exact_rgb)
        self._decoded = self._decode()
        self._last_t = None
        self.damaged = []  # what went wrong, for the error at the end
        return self

    def _decode(self):
        """Frames, skipping packets the decoder rejects (the frames after a damaged stretch
        are still good); what was skipped is reported once the good frames are out."""
        import av

        packets = self._container.demux(self._stream)
        while True:
            try:
                packet = next(packets)
            except StopIteration:
                return
            except av.error.FFmpegError as exc:  # the container itself is broken: stop here
                self.damaged.append(f"reading failed ({exc.strerror or exc})")
                return
            try:
                yield from packet.decode()
            except av.error.FFmpegError as exc:
                self.damaged.append(f"a damaged packet was skipped ({exc.strerror or exc})")

    @property
    def size(self) -> tuple[int, int]:
        """(width, height) as coded, before any rotation."""
        return self._stream.width, self._stream.height

    def _timestamp(self, frame) -> float:
        if frame.pts is None:  # rare: no pts; step by the nominal rate
            step = 1.0 / (self.fps or 30.0)
            return 0.0 if self._last_t is None else self._last_t + step
        if self.start is None:
            self.start = frame.pts
        return float((frame.pts - self.start) * self.time_base)

    def read(self) -> Frame | None:
        return self.read_from(None)

    def read_from(self, not_before: float | None) -> Frame | None:
        """The next frame at or after `not_before` s (None: the next frame). The frames before
        it are decoded, as they must be, but not converted to RGB (`skipped` counts them): a
        file played at its pace catches up after a slow inference without that cost."""
        if self._container is None:
            self.open()
        for frame in self._decoded:
            t = self._timestamp(frame)
            self._last_t = t
            self.frames_read += 1
            if not_before is None or t >= not_before:
                return Frame(self._to_rgb(frame), t)
            self.skipped += 1
        expected = self.expected_frames
        if expected and self.frames_read < expected:
            self.damaged.append(f"it ended after {self.frames_read} of {expected} frames")
        if self.damaged:
            raise SourceError(self._broken(self.damaged))
        return None

    def _broken(self, problems: list[str]) -> str:
        first = problems[0] if len(problems) == 1 else \
            f"{problems[0]} (and {len(problems) - 1} more problems)"
        return (f"video {self.path} is truncated or corrupt: {first}; "
                f"its {self.frames_read} good frames were used")

    def close(self) -> None:
        if self._container is not None:
            self._container.close()
            self._container = None
