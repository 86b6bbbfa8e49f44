"""Stay on the person being coached.

MoveNet single-pose returns one person per crop: the most prominent one. The smart crop keeps
that crop on the tracked person, and this tracker refuses a pose that jumps somewhere the
tracked person could not have moved in the time since the last frame (a bystander walking
into the crop, or the model flicking to someone else). After `lost_after` seconds without an
accepted pose the track is dropped and the next confident full-frame detection starts a new
one. At the start of a track the estimator also looks at the centre of the frame and starts
on whichever candidate is more `prominent` (larger and more central), so a bystander near the
edge does not win the start of a set just because MoveNet found them first.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from kiosk.pose.keypoints import L_HIP, L_SHOULDER, R_HIP, R_SHOULDER, rows

MIN_SCORE = 0.2


def anchor_and_scale(kps, min_score: float = MIN_SCORE):
    """Centre (x, y) of the confident torso keypoints, and a body scale that survives a hinge: the
    largest of torso length, shoulder width and hip width (one of them stays long whether the
    camera sees the person from the front or the side, upright or bent over)."""
    # Plain floats (keypoints.rows): numpy's fancy indexing of the four alone cost ~40 us
    # here, right after the model has run.
    pts = rows(kps)
    ls, rs, lh, rh = pts[L_SHOULDER], pts[R_SHOULDER], pts[L_HIP], pts[R_HIP]
    ok = [k for k in (ls, rs, lh, rh) if k[2] > min_score]
    if len(ok) < 2:
        return None, None
    centre = (sum(k[0] for k in ok) / len(ok), sum(k[1] for k in ok) / len(ok))
    torso = math.hypot((ls[0] + rs[0] - lh[0] - rh[0]) / 2, (ls[1] + rs[1] - lh[1] - rh[1]) / 2)
    shoulders = math.hypot(ls[0] - rs[0], ls[1] - rs[1])
    hips = math.hypot(lh[0] - rh[0], lh[1] - rh[1])
    return centre, float(max(torso, shoulders, hips))


def prominence(kps: np.ndarray, width: int, min_score: float = MIN_SCORE) -> float:
    """How strongly a pose claims to be the person being coached: body scale, times how
    central it stands across the frame, times its confidence. 0 for no torso."""
    centre, scale = anchor_and_scale(kps, min_score)
    if centre is None:
        return 0.0
    off_centre = abs(centre[0] - width / 2) / (width / 2)
    confident = kps[:, 2] > min_score
    return scale * max(0.1, 1.0 - off_centre) * float(kps[confident, 2].mean())


@dataclass
class Tracker:
    # A jump larger than (base + speed * dt) body scales is another person.
    max_jump_base: float = 0.6
    max_jump_speed: float = 4.0  # body scales per second
    max_scale_ratio: float = 1.8  # a person does not double in size between frames
    lost_after: float = 1.0  # seconds without an accepted pose before the track is dropped

    def __post_init__(self):
        self.reset()

    def reset(self) -> None:
        self.centre = self.scale = self.t = None

    @property
    def tracking(self) -> bool:
        return self.centre is not None

    def expire(self, t: float) -> bool:
        """Drop the track if it has not been seen for `lost_after` s; True if dropped now."""
        if self.tracking and t - self.t > self.lost_after:
            self.reset()
            return True
        return False

    def accept(self, kps, t: float) -> bool:
        """Is this pose the tracked person (or a fine start for a new track)? Updates the
        track when it is."""
        centre, scale = anchor_and_scale(kps)
        if centre is None:
            return False
        if self.tracking:
            dt = max(t - self.t, 0.0)
            allowed = (self.max_jump_base + self.max_jump_speed * dt) * self.scale
            ratio = max(scale, 1e-6) / max(self.scale, 1e-6)
            if (math.hypot(centre[0] - self.centre[0], centre[1] - self.centre[1]) > allowed
                    or not 1 / self.max_scale_ratio < ratio < self.max_scale_ratio):
                return False
        self.centre, self.scale, self.t = centre, scale, t
        return True
