"""A one-slot hand-over from a capture thread: the reader always gets the newest frame.

Cameras deliver frames at their own pace whether or not inference keeps up. Queueing them
would make the mirror lag further behind the person with every slow inference; this keeps
only the newest and counts what was dropped. A reader never gets the same frame twice.
"""

from __future__ import annotations

import logging
import threading
from typing import Callable

from kiosk.errors import SourceError
import cv2
import numpy as np

from kiosk.sources import Frame, FrameSource

log = logging.getLogger(__name__)


class LatestFrame:
    def __init__(self) -> None:
        self._cond = threading.Condition()
        self._frame: Frame | None = None
        self._fresh = False
        self._error: BaseException | None = None
        self.dropped = 0  # frames replaced before anyone read them
        self.delivered = 0

    def put(self, frame: Frame) -> None:
        with self._cond:
            if self._fresh:
                self.dropped += 1
            self._frame, self._fresh = frame, True
            self._cond.notify_all()

    def fail(self, error: BaseException) -> None:
        """The producer died: wake the reader with this error."""
        with self._cond:
            self._error = error
            self._cond.notify_all()

    def get(self, timeout: float) -> Frame | None:
        """The newest frame not yet read; waits up to `timeout` s. None on time-out; raises
        the producer's error once frames have run out."""
        with self._cond:
            self._cond.wait_for(lambda: self._fresh or self._error is not None, timeout)
            if self._fresh:
                self._fresh = False
                self.delivered += 1
                return self._frame
            if self._error is not None:
                raise self._error
            return None


class CaptureThread:
    """Calls `grab()` in a loop on a daemon thread and posts each frame to a LatestFrame."""

    def __init__(self, grab: Callable[[], Frame | None], name: str = "capture") -> None:
        self.grab = grab
        self.latest = LatestFrame()
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name=name, daemon=True)

    def start(self) -> "CaptureThread":
        self._thread.start()
        return self

    def _run(self) -> None:
        try:
            while not self._stop.is_set():
                frame = self.grab()
                if frame is None:
                    raise SourceError("the camera stopped sending frames")
                self.latest.put(frame)
        except BaseException as exc:  # hand every failure to the reader, as a SourceError
            if not self._stop.is_set():
                log.warning("capture stopped: %s", exc)
                err = exc if isinstance(exc, SourceError) else SourceError(
                    f"camera capture failed: {exc}")
                self.latest.fail(err)

    def read(self, timeout: float = 2.0) -> Frame:
        frame = self.latest.get(timeout)
        if frame is None:
            raise SourceError(f"no frame from the camera for {timeout:.0f} s "
                              "(unplugged, or in use by another program?)")
        return frame

    def stop(self, timeout: float = 2.0) -> bool:
        """Stop after the current grab; True once the thread has ended."""
        self._stop.set()
        if self._thread.is_alive() and self._thread is not threading.current_thread():
            self._thread.join(timeout)
        return not self._thread.is_alive()


def upright(rgb, quarter_turns: int = 0, hflip: bool = False, vflip: bool = False):
    """Flip and turn (anticlockwise, like np.rot90) a captured picture, ending in one
    contiguous copy: the copy also frees the capture buffer for reuse before the frame leaves
    the capture thread. Flips are views; a quarter turn is cv2.rotate, which writes the turned
    copy directly (np.rot90's strided copy costs ~5x more: a portrait-mounted camera turns
    every frame)."""
    if hflip:
        rgb = rgb[:, ::-1]
    if vflip:
        rgb = rgb[::-1]
    quarter_turns %= 4
    if quarter_turns:
        return cv2.rotate(np.ascontiguousarray(rgb) if hflip or vflip else rgb, _TURNS[quarter_turns])
    return np.ascontiguousarray(rgb)


_TURNS = {1: cv2.ROTATE_90_COUNTERCLOCKWISE, 2: cv2.ROTATE_180, 3: cv2.ROTATE_90_CLOCKWISE}


class CapturedSource(FrameSource):
    """A camera read through a CaptureThread: opened on first read, newest frame only."""

    _capture: "CaptureThread | None" = None
    read_timeout = 2.0

    def read(self) -> Frame:
        if self._capture is None:
            self.open()
        return self._capture.read(self.read_timeout)
