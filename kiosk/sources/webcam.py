"""A USB webcam through V4L2, read with PyAV (the same library as video files).

A capture thread decodes continuously and keeps only the newest frame, so a slow inference
never makes the mirror fall behind. Timestamps are the driver's (pts * time_base).
"""

from __future__ import annotations

import logging
import os
import time

from kiosk.errors import SourceError
from kiosk.sources import Frame
from kiosk.sources.latest import CaptureThread, CapturedSource, upright
from kiosk.sources.rgb import ToRGB

log = logging.getLogger(__name__)


class WebcamSource(CapturedSource):
    name = "webcam"

    def __init__(self, device: str = "/dev/video0", width: int = 640, height: int = 480,
                 fps: float = 30.0, hflip: bool = False, vflip: bool = False,
                 rotation: int = 0, input_format: str | None = None, read_timeout: float = 3.0):
        self.device, self.width, self.height, self.fps = device, width, height, fps
        self.hflip, self.vflip = hflip, vflip
        self.quarter_turns = {0: 0, 90: 3, 180: 2, 270: 1}[rotation]
        self.input_format = input_format  # e.g. "mjpeg" for more fps at high resolutions
        self.read_timeout = read_timeout
        self._container = self._capture = None

    @classmethod
    def from_config(cls, cam) -> "WebcamSource":
        return cls(device=cam.device, width=cam.width, height=cam.height, fps=cam.fps,
                   hflip=cam.hflip, vflip=cam.vflip, rotation=cam.rotation)

    def options(self) -> dict:
        opts = {"video_size": f"{self.width}x{self.height}", "framerate": f"{self.fps:g}"}
        if self.input_format:
            opts["input_format"] = self.input_format
        return opts

    def open(self) -> "WebcamSource":
        import av

        if not os.path.exists(self.device):
            raise SourceError(f"webcam {self.device} does not exist (plug it in, or set "
                              "[camera] device; `ls /dev/video*` lists them)")
        try:
            self._container = av.open(self.device, format="v4l2", options=self.options())
            stream = self._container.streams.video[0]
        except (av.error.FFmpegError, IndexError) as exc:
            self.close()
            raise SourceError(
                f"cannot open webcam {self.device}: {exc} (busy, no permission - is the user "
                "in the 'video' group? - or an unsupported size)") from exc
        self._to_rgb = ToRGB()
        self._frames = self._container.decode(stream)
        self._capture = CaptureThread(self._grab, name="webcam").start()
        log.info("webcam %s: %sx%s", self.device, stream.width, stream.height)
        return self

    def _grab(self) -> Frame | None:
        frame = next(self._frames, None)
        if frame is None:
            return None
        rgb = self._to_rgb(frame)
        t = frame.time if frame.time is not None else time.monotonic()
        return Frame(upright(rgb, self.quarter_turns, self.hflip, self.vflip), float(t))

    def close(self) -> None:
        if self._capture is not None:
            stopped = self._capture.stop(1.0)
            self._capture = None
            if not stopped:
                # Closing the container under a decode in progress can crash FFmpeg; a
                # stuck device is left to the daemon thread and the process exit.
                log.warning("webcam capture thread did not stop; leaving %s open", self.device)
                self._container = None
                return
        if self._container is not None:
            self._container.close()
            self._container = None
