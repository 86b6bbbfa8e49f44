"""Frames in, one tracked, smoothed `Pose` out: MoveNet + smart crop + tracking + One Euro.

    est = PoseEstimator()              # finds and verifies the model, picks the runtime
    pose = est.estimate(frame_rgb, t)  # Pose in source-frame pixels, or None (nobody)
    est.reset()                        # a new set: forget the crop, track and filter state
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Iterator

import numpy as np

from kiosk.crop import next_box
from kiosk.imaging import Box
from kiosk.keypoints import Pose
from kiosk.model_files import find_model
from kiosk.movenet import MoveNet
from kiosk.runtime import load_runtime
from kiosk.smoothing import KeypointSmoother
from kiosk.tracking import Tracker, prominence

# A frame holds a person when enough keypoints are confident. MoveNet always returns 17
# points; on an empty scene they are low-scoring guesses.
KEYPOINT_SCORE = 0.2
MIN_KEYPOINTS = 5
MIN_MEAN_SCORE = 0.3


def person_present(kps: np.ndarray) -> bool:
    s = kps[:, 2]
    ok = s > KEYPOINT_SCORE
    return bool(ok.sum() >= MIN_KEYPOINTS and s[ok].mean() >= MIN_MEAN_SCORE)


class PoseEstimator:
    def __init__(self, model_path: str | os.PathLike | None = None, threads: int = 1, *,
                 config_model_path: str | os.PathLike | None = None,
                 variant: str | None = None, runtime: str | None = None,
                 smoothing: bool = True, smart_crop: bool = True, detector=None):
        if detector is None:  # `detector`: anything with MoveNet's detect() (tests)
            self.model_path: Path = find_model(model_path, config_model_path, variant)
            detector = MoveNet(self.model_path, threads, load_runtime(runtime))
        else:
            self.model_path = getattr(detector, "model_path", None)
        self.detector = detector
        self.threads = threads
        self.smart_crop = smart_crop
        self.smoother = KeypointSmoother() if smoothing else None
        self.tracker = Tracker()
        self.reset()

    @property
    def runtime_name(self) -> str:
        return self.detector.runtime_name

    @property
    def input_size(self) -> int:
        return self.detector.input_size

    def reset(self) -> None:
        """Forget everything about the previous person: crop, track and filter state."""
        self._box = None
        self._frame_size = None
        self.tracker.reset()
        if self.smoother:
            self.smoother.reset()

    def _lose(self) -> None:
        self._box = None
        if self.smoother:
            self.smoother.reset()

    def estimate(self, frame_rgb: np.ndarray, t: float) -> Pose | None:
        h, w = frame_rgb.shape[:2]
        if self._frame_size != (w, h):
            self.reset()
            self._frame_size = (w, h)
        if self.tracker.expire(t):
            self._lose()
        kps = self.detector.detect(frame_rgb, self._box)
        if not person_present(kps):
            if self._box is not None and not self.tracker.tracking:
                self._lose()
            # Keep the crop while the track lives: a blurred frame or a brief occlusion
            # should not throw away where the person is.
            return None
        if not self.tracker.tracking and self.smart_crop:
            kps = self._choose_start(frame_rgb, kps, w, h)
        if not self.tracker.accept(kps, t):
            return None  # someone else; keep the crop on the tracked person
        if self.smoother:
            kps = self.smoother(kps, t, (w, h))
        if self.smart_crop:
            self._box = next_box(kps, w, h)
        return Pose(kps, float(t), (w, h))


    def _choose_start(self, frame_rgb, kps, w, h):
        """Starting a track: MoveNet on the whole frame returns whoever it finds most
        prominent. Also look at the centre square and start on the larger, more central of
        the two. One extra inference, only on the frame a track starts."""
        side = min(w, h)
        if side == max(w, h):
            return kps
        centre = self.detector.detect(frame_rgb, Box((w - side) / 2, (h - side) / 2, side))
        if person_present(centre) and prominence(centre, w) > prominence(kps, w):
            return centre
        return kps


def poses_from_frames(frames, estimator: PoseEstimator) -> Iterator[tuple[float, Pose | None]]:
    """(t, Pose or None) for each Frame(rgb, t)."""
    for frame in frames:
        yield frame.t, estimator.estimate(frame.rgb, frame.t)


def poses_from_video(path: str | os.PathLike, estimator: PoseEstimator | None = None,
                     **estimator_args) -> Iterator[tuple[float, Pose | None]]:
    """(t, Pose or None) for every frame of a video file, timestamps from the container. A
    broken file raises SourceError after the frames that decoded."""
    from kiosk.sources.video import VideoSource

    est = estimator or PoseEstimator(**estimator_args)
    est.reset()
    with VideoSource(path) as src:
        yield from poses_from_frames(src, est)
