"""Every angle the judge reports, defined once, with its convention.

Image coordinates: x to the right, y DOWN (pixels). `facing` is +1 when the person faces
image-right and -1 when they face image-left (side and oblique views); it signs the angles
that have a forward and a backward. All angles in degrees.

Two ways to get the same numbers: straight from 2D points (side view, where the image plane is
the sagittal plane), or from segment inclinations estimated in any view (kiosk.judge.trunk)
via the *_from() functions. Both follow the conventions in ANGLES.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np


@dataclass(frozen=True)
class AngleDef:
    name: str
    unit: str
    convention: str


ANGLES: dict[str, AngleDef] = {
    a.name: a
    for a in (
        AngleDef("back_angle", "deg",
                 "trunk (mid-hip -> mid-shoulder) inclination from vertical: 0 standing tall, "
                 "90 horizontal, negative = leaning back"),
        AngleDef("hip_angle", "deg",
                 "shoulder-hip-knee interior angle: 180 standing straight, smaller = more hip flexion"),
        AngleDef("knee_flexion", "deg", "180 minus the hip-knee-ankle angle: 0 = straight leg"),
        AngleDef("hip_shift", "leg lengths",
                 "horizontal travel of the mid-hip behind the mid-ankle, in (thigh + shin) "
                 "lengths: 0 = hips over the ankles, + = behind (a hinge pushes this up); the judge "
                 "reports it from the set's standing posture, which cancels stance width"),
        AngleDef("wrist_height", "trunk lengths",
                 "height of the wrists above the shoulders in standing trunk lengths: 0 = "
                 "shoulder level, about -0.3 = chest level, -1 = hip level"),
        AngleDef("hand_reach", "trunk lengths",
                 "depth of the wrists below the knees in standing trunk lengths: 0 = knee "
                 "level, + = lower (reaching for the floor), - = higher"),
        AngleDef("head_flexion", "deg",
                 "angle of mid-shoulder -> head (ears, else nose) against the trunk line: + = "
                 "head dropped forward; rising from standing is a proxy for a rounding back"),
        AngleDef("hip_share", "ratio",
                 "the mid-hip's drop below standing over the mid-shoulder's, both image heights: "
                 "~0.1 a hinge (the trunk tips over still hips), ~0.5 a deadlift, 0.8+ a squat"),
        AngleDef("back_bulge", "trunk lengths",
                 "mean outward offset of the back's outline (person mask) over 20-80 % of the "
                 "trunk from the line through it at 10 % and 90 %, + = rounded out; side views"),
        AngleDef("thigh_incline", "deg", "knee -> hip inclination from vertical, + = hip behind the knee"),
        AngleDef("shin_incline", "deg", "ankle -> knee inclination from vertical, + = knee ahead of the ankle"),
    )
}  # fmt: skip


def inclination(lower: np.ndarray, upper: np.ndarray, facing: float | None = None) -> float:
    """Angle of lower->upper from image vertical-up. Signed + toward `facing` when given,
    else unsigned (0..180)."""
    v = np.asarray(upper, float) - np.asarray(lower, float)
    if facing is None:
        return float(np.degrees(np.arctan2(abs(v[0]), -v[1])))
    return float(np.degrees(np.arctan2(v[0] * facing, -v[1])))


def joint_angle(a: np.ndarray, b: np.ndarray, c: np.ndarray) -> float:
    """Interior angle a-b-c at b, 0..180."""
    u, w = np.asarray(a, float) - b, np.asarray(c, float) - b
    cos = np.dot(u, w) / (np.linalg.norm(u) * np.linalg.norm(w) + 1e-9)
    return float(np.degrees(np.arccos(np.clip(cos, -1.0, 1.0))))


def back_angle(hip: np.ndarray, shoulder: np.ndarray, facing: float | None = None) -> float:
    return inclination(hip, shoulder, facing)


def hip_angle(shoulder: np.ndarray, hip: np.ndarray, knee: np.ndarray) -> float:
    return joint_angle(shoulder, hip, knee)


def knee_flexion(hip: np.ndarray, knee: np.ndarray, ankle: np.ndarray) -> float:
    return 180.0 - joint_angle(hip, knee, ankle)


def hip_shift(hip: np.ndarray, ankle: np.ndarray, leg_length: float, facing: float) -> float:
    return float((ankle[0] - hip[0]) * facing / max(leg_length, 1e-6))


def wrist_height(wrist: np.ndarray, shoulder: np.ndarray, trunk_length: float) -> float:
    return float((shoulder[1] - wrist[1]) / max(trunk_length, 1e-6))


def hand_reach(wrist: np.ndarray, knee: np.ndarray, trunk_length: float) -> float:
    return float((wrist[1] - knee[1]) / max(trunk_length, 1e-6))


def head_flexion(hip: np.ndarray, shoulder: np.ndarray, head: np.ndarray, facing: float) -> float:
    return inclination(shoulder, head, facing) - inclination(hip, shoulder, facing)


# --- the same angles from segment inclinations (any view) ------------------------------
def hip_angle_from(trunk: float, thigh: float) -> float:
    a = 180.0 - trunk - thigh
    return abs((a + 180.0) % 360.0 - 180.0)  # interior angle, 0..180 (past either end it folds)


def knee_flexion_from(thigh: float, shin: float) -> float:
    return thigh + shin


def hip_shift_from(thigh: float, shin: float, thigh_len: float, shin_len: float) -> float:
    back = thigh_len * math.sin(math.radians(thigh)) - shin_len * math.sin(math.radians(shin))
    return float(back / max(thigh_len + shin_len, 1e-6))
