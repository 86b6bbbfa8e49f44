"""A pinhole camera around the person, and MoveNet-like keypoint noise.

yaw_deg: where the camera stands around the person, 0 = straight in front, 90 = at the
person's left side (they face image-left), -90 = at their right side (they face image-right).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from kiosk.pose import keypoints as K


@dataclass(frozen=True)
class Camera:
    yaw_deg: float = 0.0
    height_m: float = 1.1  # lens height above the floor
    distance_m: float = 3.0  # horizontal, lens to ankles
    aim_height_m: float = 0.95  # the point it looks at, above the ankles
    frame_size: tuple[int, int] = (640, 480)
    vfov_deg: float = 50.0

    def project(self, pts: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """World points (N,3) -> pixel xy (N,2) and depth (N,) along the optical axis."""
        yaw = np.radians(self.yaw_deg)
        # Person faces +X with +Z on their right; yaw swings the camera toward their left (-Z).
        pos = np.array([self.distance_m * np.cos(yaw), self.height_m, -self.distance_m * np.sin(yaw)])
        fwd = np.array([0.0, self.aim_height_m, 0.0]) - pos
        fwd /= np.linalg.norm(fwd)
        right = np.cross(fwd, [0.0, 1.0, 0.0])
        right /= np.linalg.norm(right)
        up = np.cross(right, fwd)
        rel = pts - pos
        x, y, z = rel @ right, rel @ up, rel @ fwd
        w, h = self.frame_size
        f = h / 2 / np.tan(np.radians(self.vfov_deg) / 2)
        z = np.maximum(z, 1e-3)
        return np.stack([w / 2 + f * x / z, h / 2 - f * y / z], axis=1), z


@dataclass(frozen=True)
class Noise:
    """MoveNet-like errors; scale-free (fractions of the person's height in pixels)."""

    jitter: float = 0.006  # sd of per-frame position noise, x person height
    drift: float = 0.008  # sd of slowly varying bias per keypoint
    drop_p: float = 0.02  # chance a keypoint is lost in a frame (score near 0)
    swap_p: float = 0.01  # chance per frame that a left/right swap burst starts
    score: float = 0.6  # typical score of a clearly visible keypoint

    @classmethod
    def none(cls) -> "Noise":
        return cls(jitter=0.0, drift=0.0, drop_p=0.0, swap_p=0.0, score=0.9)


class NoiseModel:
    """Stateful per set: drift and swap bursts persist across frames."""

    def __init__(self, noise: Noise, rng: np.random.Generator, fps: float):
        self.n, self.rng, self.fps = noise, rng, fps
        self.bias = np.zeros((17, 2))
        self.swap_left = 0

    def apply(self, xy: np.ndarray, depth: np.ndarray, person_px: float) -> np.ndarray:
        n, rng = self.n, self.rng
        # Slow drift: an AR(1) walk with ~0.5 s memory, independent of fps.
        a = np.exp(-1.0 / (0.5 * self.fps))
        self.bias = a * self.bias + np.sqrt(1 - a * a) * rng.normal(0, n.drift * person_px, (17, 2))
        sd = np.full(17, n.jitter * person_px)
        sd[[K.L_WRIST, K.R_WRIST, K.L_ANKLE, K.R_ANKLE]] *= 1.6
        # The side of the body turned away from the camera is seen worse (occluded).
        far = np.zeros(17, bool)
        for li in range(1, 17, 2):
            ri = li + 1
            if abs(depth[li] - depth[ri]) > 0.06:
                far[li if depth[li] > depth[ri] else ri] = True
        sd = np.where(far, sd * 2.0, sd)
        out = np.zeros((17, 3))
        out[:, :2] = xy + self.bias + rng.normal(0, 1, (17, 2)) * sd[:, None]
        out[:, 2] = np.clip(rng.normal(n.score, 0.1, 17) - far * 0.25, 0.02, 0.99)
        drop = rng.random(17) < n.drop_p
        out[drop, 2] = rng.uniform(0.02, 0.15, drop.sum())
        out[drop, :2] += rng.normal(0, 0.08 * person_px, (drop.sum(), 2))
        if self.swap_left == 0 and rng.random() < n.swap_p:
            self.swap_left = int(rng.integers(2, max(3, int(0.3 * self.fps))))
        if self.swap_left > 0:
            self.swap_left -= 1
            out = out[list(K.MIRROR)]
        return out
