"""Frame sources: a Pi camera, a USB webcam or a video file, behind one small interface.

In: a Pi camera (picamera2), a USB webcam (V4L2) or a video file.
Out: `Frame`s (RGB pixels and a timestamp); a live camera keeps only the newest (latest.py).
Must not import: pose, judge, coach, screen, pi, review or bench: it is upstream of them all.

A source is opened, read until `read()` returns None (end of video) and closed; it is also a
context manager and an iterator of `Frame`s. Each frame carries its own timestamp in seconds
from the source's clock (container pts, sensor timestamp), never the wall clock at read time.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Iterator

import numpy as np


@dataclass(frozen=True)
class Frame:
    rgb: np.ndarray  # (H, W, 3) uint8, R, G, B
    t: float  # seconds

    @property
    def size(self) -> tuple[int, int]:
        return self.rgb.shape[1], self.rgb.shape[0]


class FrameSource:
    """Base for sources: subclasses implement open(), read() and close()."""

    name = "source"

    def open(self) -> "FrameSource":
        return self

    def read(self) -> Frame | None:
        raise NotImplementedError

    def read_from(self, not_before: float | None) -> Frame | None:
        """The next frame at or after `not_before` s (None: the next frame), the ones before
        read and dropped: how a file played at its pace catches up (kiosk/worker.py).
        VideoSource skips them without converting them."""
        frame = self.read()
        while frame is not None and not_before is not None and frame.t < not_before:
            frame = self.read()
        return frame

    def close(self) -> None:
        pass

    def __enter__(self) -> "FrameSource":
        return self.open()

    def __exit__(self, *exc) -> None:
        self.close()

    def __iter__(self) -> Iterator[Frame]:
        while (frame := self.read()) is not None:
            yield frame
