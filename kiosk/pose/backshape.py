"""The shape of the back: how far its outline bulges out between shoulder and hip.

MoveNet's 17 keypoints have no point on the spine, so a rounding back is invisible to them.
BlazePose GHUM full (a second LiteRT model) segments the person: on a crop placed from
MoveNet's keypoints and turned so that hip -> shoulder points up, the back's outline is the
mask's edge on the side away from the knees (the face is no guide: lifters tuck or lift the
head). A flat back's outline runs straight or dips in (the lumbar curve, the glutes behind
the hips); a rounded one bulges out.

    shape = BackShape(model_path)          # model_files.find_back_shape(): None if not fetched
    if wanted(pose):                        # bent over, seen from the side enough to tell
        bulge = shape.measure(rgb, pose)    # trunk lengths; None when it cannot be read

Sampler reads it in line for recorded video (each due pose comes back with `back_bulge`);
Reader reads it live on its own thread, so the pose rate does not wait for the second model.
Both read at most `hz` times a second of frame time (Schedule).

`bulge` is the mean outward offset of the outline over the middle 20-80 % of the trunk, from
the straight line through the outline at 10 % and 90 %, in trunk lengths (+ = bulging out).
Its convention is in kiosk.judge.angles.ANGLES ("back_bulge").
"""

from __future__ import annotations

import collections
import logging
import math
import threading
import time
from dataclasses import replace
from pathlib import Path

import cv2
import numpy as np

from kiosk.errors import ModelError
from kiosk.pose import keypoints as K
from kiosk.pose.runtime import Runtime, load_runtime

log = logging.getLogger(__name__)

SIZE = 256  # the model's input side
MIN_SCORE = 0.3  # keypoints placing the crop, telling front from back
# Bent at least this far in the image (hip -> shoulder from vertical): the back's outline is
# worth reading. Straight on from the front a bent trunk still points up in the image, and
# seen from there the outline is the body's side, not the spine: it is not read at all.
WANTED_INCLINE_DEG = 35.0
LEVELS = 21  # outline samples from the shoulder (0) to the hip (1)
CHORD = (0.1, 0.9)  # the straight line through the outline at these levels...
MIDDLE = (0.2, 0.8)  # ...and the bulge averaged over these
HANDS_ON_BACK = 0.1  # wrists less than this (trunk lengths) in front of the trunk's axis
MIN_TRUNK_PX = 24  # the trunk shorter than this in the crop: too coarse to read a bulge


def _mid(kp, left: int, right: int) -> np.ndarray | None:
    a, b = kp[left], kp[right]
    ok_a, ok_b = a[2] >= MIN_SCORE, b[2] >= MIN_SCORE
    if ok_a and ok_b:
        return np.array([(a[0] + b[0]) / 2, (a[1] + b[1]) / 2])
    if ok_a or ok_b:
        p = a if ok_a else b
        return np.array([p[0], p[1]])
    return None


def trunk_incline(kp) -> float | None:
    """Hip -> shoulder from image vertical, degrees (unsigned), or None when unseen."""
    hip, sh = _mid(kp, K.L_HIP, K.R_HIP), _mid(kp, K.L_SHOULDER, K.R_SHOULDER)
    if hip is None or sh is None:
        return None
    v = sh - hip
    return math.degrees(math.atan2(abs(v[0]), -v[1]))


def wanted(pose) -> bool:
    """Is this pose bent far enough, seen from the side enough, for the back to be read?"""
    inc = trunk_incline(pose.keypoints)
    return inc is not None and inc >= WANTED_INCLINE_DEG


def crop_transform(kp) -> np.ndarray | None:
    """2x3 affine from frame pixels to the model's crop: centred on the mid-hip, turned so that
    hip -> shoulder points up, scaled so that every confident keypoint fits with a margin
    (the whole body, as BlazePose's own detector would place it)."""
    hip, sh = _mid(kp, K.L_HIP, K.R_HIP), _mid(kp, K.L_SHOULDER, K.R_SHOULDER)
    if hip is None or sh is None:
        return None
    v = sh - hip
    if not np.hypot(*v) > 1.0:
        return None
    seen = np.array([p[:2] for p in kp if p[2] >= MIN_SCORE])
    radius = float(np.max(np.hypot(*(seen - hip).T)))
    side = 2.5 * max(radius, 1.2 * float(np.hypot(*v)))
    a = math.atan2(v[0], -v[1])  # the trunk's lean from up, + clockwise in the image
    rot = np.array([[math.cos(a), math.sin(a)], [-math.sin(a), math.cos(a)]])
    scale = SIZE / side
    m = np.empty((2, 3))
    m[:, :2] = scale * rot
    m[:, 2] = SIZE / 2 - scale * rot @ hip
    return m


def bulge_of(mask: np.ndarray, kp, m: np.ndarray) -> float | None:
    """The back's bulge (trunk lengths) from the person mask of the crop `m` placed."""
    to_crop = lambda p: m[:, :2] @ p + m[:, 2]  # noqa: E731
    hip, sh = (_mid(kp, *pair) for pair in ((K.L_HIP, K.R_HIP), (K.L_SHOULDER, K.R_SHOULDER)))
    knee = _mid(kp, K.L_KNEE, K.R_KNEE)
    if hip is None or sh is None or knee is None:
        return None
    hip, sh, knee = to_crop(hip), to_crop(sh), to_crop(knee)
    length = hip[1] - sh[1]  # (the crop stands the trunk upright: x is the same at both ends)
    if length < MIN_TRUNK_PX or abs(knee[0] - hip[0]) < 0.1 * length:
        return None  # too small, or the knees straight under the hips: no side to call "back"
    front = 1.0 if knee[0] > hip[0] else -1.0  # the knees are in front of the trunk
    for w in (K.L_WRIST, K.R_WRIST):
        # Hands on the back (a good morning with them clasped behind) hide its outline. Seen
        # from the side, MoveNet puts such wrists on the trunk's axis or just behind it.
        if kp[w][2] >= MIN_SCORE:
            p = to_crop(np.array(kp[w][:2]))
            if ((p[0] - hip[0]) * front < HANDS_ON_BACK * length
                    and sh[1] - 0.1 * length <= p[1] <= hip[1] + 0.2 * length):  # fmt: skip
                return None
    body = _trunk_component(mask, (sh + hip) / 2)
    if body is None:
        return None
    levels = np.linspace(0.0, 1.0, LEVELS)
    out = np.full(LEVELS, np.nan)
    for i, f in enumerate(levels):
        y = int(round(sh[1] + f * length))
        if 0 <= y < SIZE:
            xs = np.flatnonzero(body[y])
            if xs.size:
                edge = xs.min() if front > 0 else xs.max()
                out[i] = (sh[0] - edge) * front / length  # outward from the trunk's axis
    lo, hi = (int(round(c * (LEVELS - 1))) for c in CHORD)
    a, b = (int(round(c * (LEVELS - 1))) for c in MIDDLE)
    if not np.isfinite(out[lo:hi + 1]).all():
        return None
    chord = out[lo] + (out[hi] - out[lo]) * (levels[a:b + 1] - levels[lo]) / (levels[hi] - levels[lo])
    return float(np.mean(out[a:b + 1] - chord))


def _trunk_component(mask: np.ndarray, centre: np.ndarray) -> np.ndarray | None:
    """The mask's connected region holding the trunk (not a bystander or a poster behind)."""
    n, labels = cv2.connectedComponents(mask.astype(np.uint8), connectivity=4)
    if n <= 1:
        return None
    cx, cy = (int(np.clip(round(v), 0, SIZE - 1)) for v in centre)
    k = labels[cy, cx]
    if k == 0:
        return None
    return labels == k


class BackShape:
    """BlazePose GHUM full's person mask, read for the back's outline."""

    def __init__(self, model_path: str | Path, threads: int = 1, runtime: Runtime | None = None):
        self.runtime = runtime or load_runtime()
        self.model_path = Path(model_path)
        self.interpreter = self.runtime.interpreter(str(model_path), threads)
        inp = self.interpreter.get_input_details()[0]
        if tuple(inp["shape"]) != (1, SIZE, SIZE, 3) or inp["dtype"] != np.float32:
            raise ModelError(f"{model_path} takes {tuple(inp['shape'])} {inp['dtype'].__name__}, "
                             f"not (1, {SIZE}, {SIZE}, 3) float32: is it BlazePose GHUM full?")
        masks = [d for d in self.interpreter.get_output_details()
                 if tuple(d["shape"]) == (1, SIZE, SIZE, 1)]  # fmt: skip
        if len(masks) != 1:
            raise ModelError(f"{model_path} has no {SIZE}x{SIZE} segmentation output: "
                             "is it BlazePose GHUM full (pose_landmark_full.tflite)?")
        self._in, self._mask = inp["index"], masks[0]["index"]

    @property
    def runtime_name(self) -> str:
        return self.runtime.name

    def mask(self, rgb: np.ndarray, m: np.ndarray) -> np.ndarray:
        """The person mask (bool, SIZE x SIZE) of the crop `m` of an RGB frame."""
        # INTER_LINEAR's fixed-point warp gives the same pixels on every CPU.
        crop = cv2.warpAffine(rgb, m, (SIZE, SIZE), flags=cv2.INTER_LINEAR,
                              borderMode=cv2.BORDER_CONSTANT, borderValue=(0, 0, 0))
        x = crop.astype(np.float32)
        x *= 1.0 / 255.0
        self.interpreter.set_tensor(self._in, x[None])
        self.interpreter.invoke()
        return self.interpreter.get_tensor(self._mask)[0, :, :, 0] > 0.0  # logits

    def measure(self, rgb: np.ndarray, pose) -> float | None:
        """The back's bulge in trunk lengths (+ = rounded out), or None when unreadable."""
        kp = pose.keypoints.tolist()
        m = crop_transform(kp)
        if m is None:
            return None
        return bulge_of(self.mask(rgb, m), kp, m)


class Schedule:
    """Which poses to read the back of: bent far enough (`wanted`), at most `hz` a second of
    frame time. The same rule offline (analyze, evaluate) and live, so a recorded set is
    judged as the mirror would judge it."""

    def __init__(self, hz: float = 5.0) -> None:
        self.period = 1.0 / hz
        self.next_t = -math.inf

    def due(self, pose) -> bool:
        if pose is None or pose.t < self.next_t or not wanted(pose):
            return False
        self.next_t = pose.t + self.period
        return True


class Sampler:
    """The back's shape read in line, for recorded video: the pose comes back with its
    `back_bulge` when one was due and could be read."""

    def __init__(self, shape: BackShape, hz: float = 5.0) -> None:
        self.shape, self.schedule = shape, Schedule(hz)

    def __call__(self, rgb: np.ndarray, pose):
        if not self.schedule.due(pose):
            return pose
        bulge = self.shape.measure(rgb, pose)
        return pose if bulge is None else replace(pose, back_bulge=bulge)


def sampler(path: str | Path | None = None, hz: float = 5.0) -> Sampler | None:
    """An in-line reader of the fetched back-shape model (or `path`), None when it was never
    fetched; a bad file raises ModelError."""
    from kiosk.pose.model_files import find_back_shape

    found = find_back_shape(path)
    return None if found is None else Sampler(BackShape(found), hz)


class Reader:
    """The back's shape read on its own thread, live: the pose worker offers every frame and
    never waits (an offer while a reading is under way is passed over), and the render loop
    takes the readings, (frame time, bulge), for the judge."""

    def __init__(self, shape: BackShape, hz: float = 5.0) -> None:
        self.shape, self.schedule = shape, Schedule(hz)
        self._job = None
        self._cv = threading.Condition()
        self._out: collections.deque[tuple[float, float]] = collections.deque(maxlen=64)
        self._stop = False
        self.read_s = 0.0  # the last reading's duration (bench, doctor)
        self.readings = 0
        self._thread = threading.Thread(target=self._run, name="back-shape", daemon=True)
        self._thread.start()

    def offer(self, rgb: np.ndarray, pose) -> None:
        if self._job is not None or not self.schedule.due(pose):
            return
        with self._cv:
            self._job = (rgb, pose)  # (the sources hand over a fresh array every frame)
            self._cv.notify()

    def take(self) -> list[tuple[float, float]]:
        out = []
        while self._out:
            out.append(self._out.popleft())
        return out

    def _run(self) -> None:
        while True:
            with self._cv:
                while self._job is None and not self._stop:
                    self._cv.wait()
                if self._stop:
                    return
                rgb, pose = self._job
            t0 = time.perf_counter()
            try:
                bulge = self.shape.measure(rgb, pose)
            except Exception:  # a reading that fails is a reading lost, not a mirror down
                log.exception("back-shape reading failed")
                bulge = None
            self.read_s = time.perf_counter() - t0
            self.readings += 1
            if bulge is not None:
                self._out.append((pose.t, bulge))
            self._job = None

    def close(self) -> None:
        with self._cv:
            self._stop = True
            self._cv.notify()
        self._thread.join(1.0)
