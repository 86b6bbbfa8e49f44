"""The 17 COCO keypoints MoveNet returns, and the `Pose` that flows from pose to judge."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

NAMES = (
    "nose", "left_eye", "right_eye", "left_ear", "right_ear",
    "left_shoulder", "right_shoulder", "left_elbow", "right_elbow",
    "left_wrist", "right_wrist", "left_hip", "right_hip",
    "left_knee", "right_knee", "left_ankle", "right_ankle",
)  # fmt: skip
INDEX = {name: i for i, name in enumerate(NAMES)}

NOSE, L_EYE, R_EYE, L_EAR, R_EAR = 0, 1, 2, 3, 4
L_SHOULDER, R_SHOULDER, L_ELBOW, R_ELBOW, L_WRIST, R_WRIST = 5, 6, 7, 8, 9, 10
L_HIP, R_HIP, L_KNEE, R_KNEE, L_ANKLE, R_ANKLE = 11, 12, 13, 14, 15, 16

# MoveNet's hip points slide up the pelvis as the hips flex: the hip-to-shoulder chord shortens
# by about this times sin^2(trunk from vertical), whatever the back does. Measured from the
# side (where the 2D angle needs no length): median over 6 lifters' good pulls, 0.015-0.26 per
# lifter, rounded backs left out; the thigh chord lengthens a little as the point leaves it
# (-0.075, too varied across lifters to model). kiosk.judge.trunk fits the trunk with it. (The
# generator, kiosk.synth, keeps a rigid chord, which this fit reads 2-3 deg shallower than the
# truth from the front and at 30-45 deg, and exactly from the side.)
TRUNK_CHORD_SHORTENING = 0.11

# Index of each keypoint's mirror image, for left/right swaps and mirrored drawing.
MIRROR = (0, 2, 1, 4, 3, 6, 5, 8, 7, 10, 9, 12, 11, 14, 13, 16, 15)

# Bones for drawing a skeleton (pairs of indices).
EDGES = (
    (L_SHOULDER, R_SHOULDER), (L_HIP, R_HIP),
    (L_SHOULDER, L_ELBOW), (L_ELBOW, L_WRIST), (R_SHOULDER, R_ELBOW), (R_ELBOW, R_WRIST),
    (L_SHOULDER, L_HIP), (R_SHOULDER, R_HIP),
    (L_HIP, L_KNEE), (L_KNEE, L_ANKLE), (R_HIP, R_KNEE), (R_KNEE, R_ANKLE),
    (NOSE, L_EYE), (NOSE, R_EYE), (L_EYE, L_EAR), (R_EYE, R_EAR),
)  # fmt: skip


def rows(kps) -> list:
    """Keypoints as 17 plain [x, y, score] lists (given an array or such lists already). The
    per-frame code on 17 points runs on floats: it runs right after the model, when each
    numpy call costs several times what it does in a loop (README: "Speed and memory")."""
    return kps if isinstance(kps, list) else kps.tolist()


@dataclass(frozen=True)
class Pose:
    """One person's keypoints in one frame.

    keypoints: float array (17, 3) of x, y in source-frame pixels (y grows downward) and a
    score in 0..1, in COCO order (see NAMES).
    t: the frame's timestamp in seconds (camera or container clock, not wall-clock).
    frame_size: (width, height) of the source frame in pixels.
    back_bulge: how far the back's outline bulged out in this frame, trunk lengths, when the
    back-shape model read it (kiosk.pose.backshape; convention in kiosk.judge.angles).
    """

    keypoints: np.ndarray
    t: float
    frame_size: tuple[int, int]
    back_bulge: float | None = None  # the back's outline, when read (kiosk.pose.backshape)

    def xy(self, index: int) -> np.ndarray:
        return self.keypoints[index, :2]

    def score(self, index: int) -> float:
        return float(self.keypoints[index, 2])

    def to_json(self) -> dict:
        out = {
            "t": round(float(self.t), 4),
            "frame_size": list(self.frame_size),
            "keypoints": [
                {"name": n, "x": round(float(k[0]), 2), "y": round(float(k[1]), 2),
                 "score": round(float(k[2]), 4)}
                for n, k in zip(NAMES, self.keypoints, strict=True)
            ],
        }  # fmt: skip
        if self.back_bulge is not None:
            out["back_bulge"] = round(float(self.back_bulge), 5)
        return out

    @classmethod
    def from_json(cls, obj: dict) -> "Pose":
        kps = np.array([[k["x"], k["y"], k["score"]] for k in obj["keypoints"]], dtype=float)
        bulge = obj.get("back_bulge")
        return cls(kps, float(obj["t"]), tuple(obj["frame_size"]),
                   None if bulge is None else float(bulge))
