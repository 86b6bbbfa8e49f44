"""A 3D stick figure for the kinematic generator: body proportions and forward kinematics.

World frame (right-handed): metres, X = the person's forward, Y = up, Z = their right; the ankles stand
at the origin. All the motion happens in the sagittal (X-Y) plane; left and right points are
offset along Z. Angles in degrees, each one's sign documented where it is set (`Posture`).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from kiosk.pose import keypoints as K


@dataclass(frozen=True)
class Body:
    """Segment lengths in metres (anthropometric fractions of height, after Winter)."""

    height: float = 1.75
    shin: float = 0.246 * 1.75  # ankle -> knee
    thigh: float = 0.245 * 1.75  # knee -> hip joint
    trunk: float = 0.290 * 1.75  # mid-hip -> mid-shoulder
    neck: float = 0.105 * 1.75  # mid-shoulder -> head centre (ear level)
    shoulder_width: float = 0.215 * 1.75
    hip_width: float = 0.125 * 1.75
    upper_arm: float = 0.186 * 1.75
    forearm: float = 0.150 * 1.75
    ankle_height: float = 0.039 * 1.75

    @classmethod
    def random(cls, rng: np.random.Generator) -> "Body":
        """A plausible adult: height 1.50-1.95 m, each segment +-6 % around the norm."""
        h = float(rng.uniform(1.50, 1.95))
        base = cls()
        kw = {"height": h}
        for name in ("shin", "thigh", "trunk", "neck", "shoulder_width", "hip_width",
                     "upper_arm", "forearm", "ankle_height"):  # fmt: skip
            kw[name] = getattr(base, name) / base.height * h * float(rng.uniform(0.94, 1.06))
        return cls(**kw)


@dataclass
class Posture:
    """Joint angles of one instant (degrees). Sagittal-plane inclinations from vertical:

    shin: ankle->knee, + = knee ahead of the ankle. knee: knee flexion, 0 = straight (the thigh
    leans back by knee - shin). trunk: mid-hip->mid-shoulder chord, + = forward, 90 = level.
    rounding: spine flexion; lumbar leans trunk-rounding, thoracic trunk+rounding, so the chord
    keeps `trunk` but shortens and the head drops. head: neck flexion relative to the thoracic
    segment (+ = chin down). arm_*: shoulder flexion, 0 = hanging straight down in the world,
    90 = pointing forward, negative = behind; elbow_*: flexion, 0 = straight. arm_on_trunk:
    arm angles are measured from the trunk's down direction instead of the world's.
    root: where the ankles stand (X, Z) in the world; heading: the person's turn about the
    vertical (0 = facing +X, + = toward their right). stride: walking, + = left foot forward (metres).
    """

    shin: float = 2.0
    knee: float = 4.0
    trunk: float = 2.0
    rounding: float = 0.0
    head: float = 5.0
    arm_l: float = 5.0
    arm_r: float = 5.0
    elbow_l: float = 10.0
    elbow_r: float = 10.0
    arm_on_trunk: bool = False
    root_x: float = 0.0
    root_z: float = 0.0
    heading: float = 0.0
    stride: float = 0.0


def _dir(deg: float) -> np.ndarray:
    """Unit vector in the sagittal plane at `deg` from vertical-up toward forward."""
    r = np.radians(deg)
    return np.array([np.sin(r), np.cos(r), 0.0])


def skeleton(body: Body, p: Posture) -> np.ndarray:
    """The 17 COCO keypoints in world coordinates, shape (17, 3)."""
    pts = np.zeros((17, 3))
    side = {"l": -1.0, "r": 1.0}
    leg_z = body.hip_width / 2 * 0.95
    hip_mid = None
    for s, sign in side.items():
        step = p.stride * sign / 2
        ankle = np.array([step, body.ankle_height, sign * leg_z])
        knee = ankle + body.shin * _dir(p.shin)
        hip = knee + body.thigh * _dir(-(p.knee - p.shin))
        pts[K.L_ANKLE if s == "l" else K.R_ANKLE] = ankle
        pts[K.L_KNEE if s == "l" else K.R_KNEE] = knee
        pts[K.L_HIP if s == "l" else K.R_HIP] = hip + np.array([0, 0, sign * (body.hip_width / 2 - leg_z)])
        hip_mid = hip if hip_mid is None else (hip_mid + hip) / 2
    hip_mid = hip_mid * np.array([1, 1, 0])
    # Two equal spine segments; the chord keeps p.trunk and shortens by cos(rounding).
    half = body.trunk / 2
    lumbar = hip_mid + half * _dir(p.trunk - p.rounding)
    sh_mid = lumbar + half * _dir(p.trunk + p.rounding)
    neck_deg = p.trunk + 2 * p.rounding + p.head
    head = sh_mid + body.neck * _dir(neck_deg)
    face = _dir(neck_deg + 90)  # forward out of the face
    up = _dir(neck_deg)
    pts[K.NOSE] = head + 0.10 * face + 0.01 * up
    for s, sign in side.items():
        pts[K.L_EYE if s == "l" else K.R_EYE] = head + 0.075 * face + 0.04 * up + [0, 0, sign * 0.033]
        pts[K.L_EAR if s == "l" else K.R_EAR] = head - 0.01 * face + [0, 0, sign * 0.075]
        sh = sh_mid + np.array([0, 0, sign * body.shoulder_width / 2])
        arm = p.arm_l if s == "l" else p.arm_r
        elbow_flex = p.elbow_l if s == "l" else p.elbow_r
        ref = (p.trunk + 2 * p.rounding + 180) if p.arm_on_trunk else 180.0
        upper = _dir(ref - arm)  # 180 = straight down; flexion swings it forward
        elbow = sh + body.upper_arm * upper
        wrist = elbow + body.forearm * _dir(ref - arm - elbow_flex)
        idx = (K.L_SHOULDER, K.L_ELBOW, K.L_WRIST) if s == "l" else (K.R_SHOULDER, K.R_ELBOW, K.R_WRIST)
        pts[idx[0]], pts[idx[1]], pts[idx[2]] = sh, elbow, wrist
    # Turn the person about the vertical and place them.
    c, s_ = np.cos(np.radians(p.heading)), np.sin(np.radians(p.heading))
    rot = np.array([[c, 0, -s_], [0, 1, 0], [s_, 0, c]])
    return pts @ rot.T + np.array([p.root_x, 0.0, p.root_z])
