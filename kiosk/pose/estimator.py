"""Frames in, one tracked, smoothed `Pose` out: MoveNet + smart crop + tracking + One Euro.

    est = PoseEstimator()              # finds and verifies the model, picks the runtime
    pose = est.estimate(frame_rgb, t)  # Pose in source-frame pixels, or None (nobody)
    est.reset()                        # a new set: forget the crop, track and filter state
"""

from __future__ import annotations

import collections
import os
from pathlib import Path
from typing import Iterator

import numpy as np

from kiosk.pose.crop import next_box
from kiosk.pose.imaging import Box
from kiosk.pose.keypoints import Pose, rows
from kiosk.pose.model_files import find_model
from kiosk.pose.movenet import MoveNet
from kiosk.pose.runtime import load_runtime
from kiosk.pose.smoothing import KeypointSmoother
from kiosk.pose.tracking import Tracker, anchor_and_scale, prominence

# A frame holds a person when enough keypoints are confident. MoveNet always returns 17
# points; on an empty scene they are low-scoring guesses.
KEYPOINT_SCORE = 0.2
MIN_KEYPOINTS = 5
MIN_MEAN_SCORE = 0.3
# Someone else in frame (for the get-set advice): how often to look beside the tracked
# person's crop, and how many sightings to remember.
LOOK_ASIDE_S = 1.0
OTHERS_KEPT = 16
SETTLED_S = 0.5


def person_present(kps) -> bool:
    """Enough confident keypoints (an array or keypoints.rows) for a person."""
    confident = [p[2] for p in rows(kps) if p[2] > KEYPOINT_SCORE]
    return len(confident) >= MIN_KEYPOINTS and sum(confident) / len(confident) >= MIN_MEAN_SCORE


class PoseEstimator:
    def __init__(self, model_path: str | os.PathLike | None = None, threads: int = 1, *,
                 config_model_path: str | os.PathLike | None = None,
                 variant: str | None = None, runtime: str | None = None,
                 smoothing: bool = True, smart_crop: bool = True, detector=None,
                 look_aside_s: float | None = LOOK_ASIDE_S):
        if detector is None:  # `detector`: anything with MoveNet's detect(), detect_rows()
            self.model_path: Path = find_model(model_path, config_model_path, variant)
            detector = MoveNet(self.model_path, threads, load_runtime(runtime))
        else:
            self.model_path = getattr(detector, "model_path", None)
        self.detector = detector
        self.threads = threads
        self.smart_crop = smart_crop
        self.smoother = KeypointSmoother() if smoothing else None
        self.tracker = Tracker()
        # Frame times at which a second person was seen (newest last), for "someone else is
        # in view". Single-pose MoveNet shows it three ways: the tracker refuses a jump to
        # them, the start-of-track centre look finds a different person than the whole frame,
        # or the periodic look beside the tracked crop finds a person there. Not cleared by
        # reset(): it is a fact about the room, read with a time window.
        self.others_seen: collections.deque[float] = collections.deque(maxlen=OTHERS_KEPT)
        self.look_aside_s = look_aside_s  # None: never spend the extra inference
        self._looked_at = self._track_since = -1e9
        # Recorded video: the back's shape read in line (kiosk.pose.backshape.Sampler), so
        # each due pose carries its back_bulge. Live, a Reader thread does it instead.
        self.back_shape = None
        self.reset()

    @property
    def others_seen_at(self) -> float | None:
        """Frame time another person was last seen, or None."""
        return self.others_seen[-1] if self.others_seen else None

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
        pts = self.detector.detect_rows(frame_rgb, self._box)  # floats to the Pose
        if not person_present(pts):
            if self._box is not None and not self.tracker.tracking:
                self._lose()
            # Keep the crop while the track lives: a blurred frame or a brief occlusion
            # should not throw away where the person is.
            return None
        if not self.tracker.tracking and self.smart_crop:
            pts = rows(self._choose_start(frame_rgb, np.array(pts), w, h, t))
        starting = not self.tracker.tracking
        if not self.tracker.accept(pts, t):
            # A body, just not the tracked one; in a track's first moments a refusal may
            # only be the track settling, so those are not counted as someone else.
            if t - self._track_since >= SETTLED_S and anchor_and_scale(pts)[0] is not None:
                self.others_seen.append(t)
            return None  # someone else; keep the crop on the tracked person
        if starting:
            self._track_since = t
        if self.smoother:
            pts = self.smoother(pts, t, (w, h))
        if self.smart_crop:
            self._box = next_box(pts, w, h)
            self._look_aside(frame_rgb, t, w, h)
        pose = Pose(np.array(pts), float(t), (w, h))
        return pose if self.back_shape is None else self.back_shape(frame_rgb, pose)

    def _look_aside(self, frame_rgb, t, w, h) -> None:
        """Now and then (one extra inference a second) look at the wider strip of the frame
        beside the tracked person's crop: a confident person there is someone else. The crop
        holds every confident keypoint of the tracked person, so their own limbs are not in
        the strip. With no crop (the pose fills the frame, or MoveNet merged two people into
        one), compare the frame's left and right squares instead (two inferences)."""
        box = self._box
        if self.look_aside_s is None or t - self._looked_at < self.look_aside_s:
            return
        self._looked_at = t
        if box is None:
            if w >= 1.2 * h:
                a = self.detector.detect(frame_rgb, Box(0.0, 0.0, float(h)))
                b = self.detector.detect(frame_rgb, Box(float(w - h), 0.0, float(h)))
                if person_present(a) and person_present(b) and self._two_people(a, b):
                    self.others_seen.append(t)
            return
        left, right = box.x0, w - (box.x0 + box.size)
        if max(left, right) < 0.1 * w:
            return  # no room beside the person for anyone else
        x0 = box.x0 + box.size if right >= left else box.x0 - h
        kps = self.detector.detect(frame_rgb, Box(x0, 0.0, float(h)))
        centre, _ = anchor_and_scale(kps)
        beside = centre is not None and not box.x0 <= centre[0] <= box.x0 + box.size
        if beside and 0 <= centre[0] < w and person_present(kps):
            self.others_seen.append(t)


    def _choose_start(self, frame_rgb, kps, w, h, t):
        """Starting a track: MoveNet on the whole frame returns whoever it finds most
        prominent. Also look at the centre square and start on the larger, more central of
        the two. One extra inference, only on the frame a track starts."""
        self._looked_at = t  # this was a look around: the next look aside is due later
        side = min(w, h)
        if side == max(w, h):
            return kps
        x0 = (w - side) / 2
        centre = self.detector.detect(frame_rgb, Box(x0, (h - side) / 2, side))
        if not person_present(centre) or _cut_at(centre, x0, x0 + side, 0.03 * side):
            return kps
        if self._two_people(kps, centre):
            self.others_seen.append(t)
        return centre if prominence(centre, w) > prominence(kps, w) else kps

    @staticmethod
    def _two_people(a, b) -> bool:
        """Two detections of one frame side by side: each one's torso lies outside the
        other's left-right extent. (A partial view of one person overlaps the whole view.)"""
        ca, cb = anchor_and_scale(a)[0], anchor_and_scale(b)[0]
        if ca is None or cb is None:
            return False
        xa, xb = (k[k[:, 2] > KEYPOINT_SCORE, 0] for k in (a, b))
        return not (xa.min() <= cb[0] <= xa.max() or xb.min() <= ca[0] <= xb.max())


def _cut_at(kps: np.ndarray, left: float, right: float, margin: float) -> bool:
    """Does a pose found in the centre square touch its left or right side? Then the square
    cut a person standing across its edge: MoveNet makes up the rest, and that partial body
    is neither a better start than the whole-frame view nor a second person."""
    xs = kps[kps[:, 2] > KEYPOINT_SCORE, 0]
    return bool(xs.size and (xs.min() < left + margin or xs.max() > right - margin))


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
