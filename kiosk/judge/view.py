"""Which way the camera sees the person: side, front or oblique, and which way they face.

From standing frames: the shoulders and hips look widest from the front and collapse to a
point from the side. Their 2D widths against the standing trunk length give |cos(yaw)|.
Facing (image-left or -right) comes from the nose against the ears and from the direction
the shoulders travel when the person leans.
"""

from __future__ import annotations

import math

from kiosk.judge.features import Frame
from kiosk.judge.fit import yaw_range
from kiosk.judge.stats import RollingMedian
from kiosk.judge.reports import View

# Standing shoulder and hip widths (MoveNet keypoints) per unit of trunk length, seen from
# the front; about the average adult (Winter's anthropometrics).
SHOULDER_PER_TRUNK = 0.74
HIP_PER_TRUNK = 0.43
# Below this estimated yaw the view is "front": the hips' travel behind the ankles cannot be
# read there, so forward_bend is not judged (faults.BEND_MIN_YAW) and the Get set screen asks
# for a 30-45 deg turn, which body widths read as 17-36 deg across builds (a true front view,
# misread from the widths, is caught by the trunk's motion: MOTION_FRONT_YAW).
FRONT_MAX_YAW = 15.0
SIDE_MIN_YAW = 62.0
# Nothing in front of the body hides a shoulder or hip from a camera in front of it; the body
# itself hides the far side from one beside it. When no pair is ever seen whole, the view is
# at least oblique: sin(yaw) 0.7-1, 45-90 deg. (Left open, 0-90 deg, the fit read keypoint
# jitter in a standing trunk's length as tipping toward the camera: 0-30 deg from frame to
# frame, enough to count a rep for someone standing still.)
HIDDEN_SIN = (math.sin(math.radians(45.0)), 1.0)
# A trunk that tips over with no sideways travel in the image is seen from the front, whatever
# the body widths say: a narrow-shouldered person straight in front read 17-21 deg from them
# (and was then judged for a forward bend the front view cannot show). While the trunk is
# tipped past ~46 deg (its image height under TIPPED_W of standing), its sideways offset over
# its tip, |dx| / sqrt(1 - w^2), is sin(yaw); a trunk that shortens as it rounds (~10 %) makes
# that read low from the side, so it only ever moves the estimate toward the front. (From 53
# deg, 0.6, a deadlift's 45-58 deg bottoms gave too few frames: a broad build turned 30 deg,
# read 11-14 deg from its widths, had its first two pulls judged as seen from the front.)
TIPPED_W = 0.7
MOTION_MIN = 10  # tipped frames before they speak
MOTION_FRONT_YAW = 15.0  # below this, the motion's yaw replaces the widths'
# ...and above the widths' it raises theirs, up to here: a broad-shouldered build turned 30 deg
# read 15-18 from its widths (and was asked to turn), 25-28 from its motion. Beyond this the
# motion is no guide (it reads a side view low, and a good RDL filmed behind at an angle 83).
MOTION_RAISE_MAX = 40.0


class ViewEstimator:
    def __init__(self) -> None:
        # (Kept sorted as samples come and go: one comes with every standing frame.)
        self.cos_samples = RollingMedian(240)
        self._cos = 1.0  # their median
        self.facing_votes = 0.0
        self._yaw: float | None = None  # yaw_deg, cached until the next standing sample
        self.hidden = 0  # standing frames with neither pair seen whole
        self.motion = RollingMedian(240)  # sin(yaw) from tipped frames (TIPPED_W)
        self._motion_sin = 1.0
        self._fresh = True

    def add_standing(self, f: Frame, trunk_len: float) -> None:
        est = []
        if math.isfinite(f.shoulder_width):
            est.append(f.shoulder_width / (SHOULDER_PER_TRUNK * trunk_len))
        if math.isfinite(f.hip_width):
            est.append(f.hip_width / (HIP_PER_TRUNK * trunk_len))
        if est:
            self._cos = self.cos_samples.add(min(max(sum(est) / len(est), 0.0), 1.0))
            self._fresh = True
        else:
            self.hidden += 1

    def add_motion(self, dx: float, dy_up: float, trunk_len: float) -> None:
        """A frame's trunk (px, lower to upper end) against its standing length."""
        w = dy_up / max(trunk_len, 1e-6)
        if -0.2 < w < TIPPED_W and math.isfinite(dx):
            self._motion_sin = self.motion.add(min(abs(dx) / max(trunk_len, 1e-6) / math.sqrt(1 - w * w), 1.0))
            self._fresh = True

    def add_facing(self, f: Frame, trunk_len: float) -> None:
        self.facing_votes += f.facing
        lean = (f.shoulder[0] - f.hip[0]) / max(trunk_len, 1e-6)
        if abs(lean) > 0.3:  # clearly leaning: the shoulders move toward the face
            self.facing_votes += 2.0 if lean > 0 else -2.0

    @property
    def yaw_deg(self) -> float | None:
        if self._fresh:  # read several times a frame, changed only by standing frames
            self._fresh = False
            self._yaw = None if len(self.cos_samples) < 5 else math.degrees(math.acos(self._cos))
            if len(self.motion) >= MOTION_MIN:
                moved = math.degrees(math.asin(self._motion_sin))
                if moved < MOTION_FRONT_YAW and (self._yaw is None or moved < self._yaw):
                    self._yaw = moved
                elif self._yaw is not None and self._yaw < min(moved, MOTION_RAISE_MAX):
                    self._yaw = min(moved, MOTION_RAISE_MAX)  # (only ever raised)
        return self._yaw

    def sin_yaw(self, unknown: float | None = None) -> tuple[float, float]:
        """The range of sin(yaw) the fit may choose from. With no width measured, a view
        where the pairs stay hidden is at least oblique; otherwise it is the `unknown` yaw's
        range (None: any view at all)."""
        yaw = self.yaw_deg
        if yaw is None and self.hidden >= 5:
            return HIDDEN_SIN
        return yaw_range(yaw if yaw is not None else unknown)

    @property
    def view(self) -> View:
        yaw = self.yaw_deg
        if yaw is None:
            return View.UNKNOWN
        return View.FRONT if yaw < FRONT_MAX_YAW else View.SIDE if yaw > SIDE_MIN_YAW else View.OBLIQUE

    @property
    def facing(self) -> float:
        """+1 faces image-right, -1 image-left (0 votes: +1, harmless in a front view)."""
        return -1.0 if self.facing_votes < 0 else 1.0
