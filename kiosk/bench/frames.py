"""Frames for `hinge-mirror bench`: a real video, or the kinematic generator's athlete drawn
as a solid figure in a plain room, so the bench runs on any Pi with no footage at all.

The drawn athlete is crude but MoveNet finds a person in it, so the whole pipeline runs as it
does on a camera: smart crop, tracking, smoothing, and the judge counting reps. Drawing is
numpy only (no pygame) so a camera-like capture thread can make frames while the render loop
owns pygame.
"""

from __future__ import annotations

import os
from typing import Iterator

import numpy as np

from kiosk.pose import keypoints as K
from kiosk.sources import Frame

SKIN, SHIRT, PANTS = (224, 172, 140), (40, 90, 170), (50, 50, 62)
# (from, to, colour, thickness as a fraction of the trunk length)
LIMBS = (
    (K.L_HIP, K.L_KNEE, PANTS, 0.20), (K.L_KNEE, K.L_ANKLE, PANTS, 0.16),
    (K.R_HIP, K.R_KNEE, PANTS, 0.20), (K.R_KNEE, K.R_ANKLE, PANTS, 0.16),
    (K.L_SHOULDER, K.L_ELBOW, SHIRT, 0.14), (K.L_ELBOW, K.L_WRIST, SKIN, 0.11),
    (K.R_SHOULDER, K.R_ELBOW, SHIRT, 0.14), (K.R_ELBOW, K.R_WRIST, SKIN, 0.11),
)  # fmt: skip


def _room(w: int, h: int) -> np.ndarray:
    """A lit wall over a darker floor: a background with some structure, like a room."""
    y = np.linspace(0.0, 1.0, h)[:, None, None]
    wall = np.array([190, 180, 165]) - 40 * y
    img = np.broadcast_to(wall, (h, w, 3)).copy()
    img[int(h * 0.8):] = (95, 80, 70)
    return img.astype(np.uint8)


def _capsule(img: np.ndarray, a, b, radius: float, colour) -> None:
    """A thick line with round ends, painted in place (only its bounding box is touched)."""
    h, w = img.shape[:2]
    r = max(radius, 1.0)
    x0, x1 = int(max(min(a[0], b[0]) - r, 0)), int(min(max(a[0], b[0]) + r + 1, w))
    y0, y1 = int(max(min(a[1], b[1]) - r, 0)), int(min(max(a[1], b[1]) + r + 1, h))
    if x0 >= x1 or y0 >= y1:
        return
    ys, xs = np.mgrid[y0:y1, x0:x1].astype(np.float32)
    ab = np.subtract(b, a, dtype=np.float32)
    denom = float(ab @ ab) or 1.0
    u = np.clip(((xs - a[0]) * ab[0] + (ys - a[1]) * ab[1]) / denom, 0.0, 1.0)
    d2 = (xs - a[0] - u * ab[0]) ** 2 + (ys - a[1] - u * ab[1]) ** 2
    img[y0:y1, x0:x1][d2 <= r * r] = colour


def draw_athlete(pose, background: np.ndarray) -> np.ndarray:
    """An RGB frame of the generated pose: a solid figure over `background` (copied)."""
    img = background.copy()
    k = np.nan_to_num(pose.keypoints[:, :2])
    sh = (k[K.L_SHOULDER] + k[K.R_SHOULDER]) / 2
    hip = (k[K.L_HIP] + k[K.R_HIP]) / 2
    trunk = max(float(np.linalg.norm(sh - hip)), 20.0)
    for a, b, colour, frac in LIMBS[:4]:  # far side first would need depth; legs then trunk
        _capsule(img, k[a], k[b], frac * trunk / 2 + 2, colour)
    _capsule(img, sh, hip, 0.26 * trunk, SHIRT)
    _capsule(img, k[K.L_HIP], k[K.R_HIP], 0.14 * trunk, PANTS)
    for a, b, colour, frac in LIMBS[4:]:
        _capsule(img, k[a], k[b], frac * trunk / 2 + 2, colour)
    ears = (k[K.L_EAR] + k[K.R_EAR]) / 2
    head = 0.4 * k[K.NOSE] + 0.6 * ears
    _capsule(img, head, head, 0.22 * trunk, SKIN)
    return img


def athlete_poses(exercise: str = "hinge", reps: int = 8, fps: float = 30.0,
                  size: tuple[int, int] = (640, 480), seed: int = 7) -> list:
    """A generated set, side-on-ish like the get-set screen asks."""
    from kiosk.synth import generate

    return generate(exercise, reps=reps, yaw_deg=70.0, fps=fps, seed=seed, frame_size=size,
                    lead_in_s=2.0, tail_s=1.0).poses  # fmt: skip


class DrawnAthlete:
    """Endless camera-like frames: the generated set drawn, looped, `fps` frames a second."""

    def __init__(self, exercise: str = "hinge", fps: float = 30.0, size=(640, 480)):
        self.fps, self.size = fps, size
        self.poses = athlete_poses(exercise, fps=fps, size=size)
        self.background = _room(*size)
        self.index = 0

    def next_rgb(self) -> np.ndarray:
        pose = self.poses[self.index % len(self.poses)]
        self.index += 1
        return draw_athlete(pose, self.background)


def generated_frames(n: int, exercise: str = "hinge", fps: float = 30.0,
                     size=(640, 480)) -> list[Frame]:  # fmt: skip
    src = DrawnAthlete(exercise, fps, size)
    return [Frame(src.next_rgb(), i / fps) for i in range(n)]


class VideoLoop:
    """Endless RGB frames from a video file (rewound at its end) at the file's frame rate."""

    def __init__(self, path: str | os.PathLike):
        from kiosk.sources.video import VideoSource

        self.path = path
        self._open = lambda: VideoSource(path).open()
        self.src = self._open()
        self.fps = self.src.fps or 30.0

    def next_rgb(self) -> np.ndarray:
        frame = self.src.read()
        if frame is None:
            self.src.close()
            self.src = self._open()
            frame = self.src.read()
        return frame.rgb

    def close(self) -> None:
        self.src.close()


def video_frames(path: str | os.PathLike, n: int) -> Iterator:
    """Up to `n` decoded frames of a video as (av.VideoFrame, t): kept in the source's own
    pixel format (and orientation) so the pipeline pays for the conversion to upright RGB
    (kiosk.sources.video.ToRGB), as it does live."""
    import av

    from kiosk.errors import SourceError
    from kiosk.sources.video import VideoSource

    VideoSource(path).open().close()  # missing, a directory, empty, not a video: one clear line
    with av.open(str(path)) as container:
        stream = container.streams.video[0]
        stream.thread_type = "AUTO"
        start, count = None, 0
        try:
            for i, frame in enumerate(container.decode(stream)):
                if i >= n:
                    break
                if frame.pts is not None and start is None:
                    start = frame.pts
                t = float((frame.pts - start) * stream.time_base) if frame.pts is not None else i / 30
                count += 1
                yield frame, t
        except av.error.FFmpegError as exc:
            raise SourceError(f"video {path} is corrupt after {count} frames ({exc.strerror or exc}): "
                              "bench a whole clip") from None
        # A cut file decodes its first frames, then simply ends: its index says how many more.
        if count < n and stream.frames and count < stream.frames:
            raise SourceError(f"video {path} is truncated: it ended after {count} of "
                              f"{stream.frames} frames; bench a whole clip")
