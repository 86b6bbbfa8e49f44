"""No stale frames: when inference is slower than the camera, old frames are dropped, never
queued, so the glass never falls further and further behind the person.

End to end through the real parts: PiCameraSource (on a fake picamera2 that delivers frames
at 200 fps stamped with the monotonic clock) -> CameraFeed -> PoseWorker thread, with an
estimator that takes 40 ms a frame. A control with a FIFO camera shows the same measurement
does catch queueing.
"""

from __future__ import annotations

import collections
import sys
import threading
import time
import types

import numpy as np

from kiosk.pose.keypoints import Pose
from kiosk.sources import Frame
from kiosk.sources.picamera import PiCameraSource
from kiosk.worker import CameraFeed, PoseWorker

CAMERA_FPS = 200.0
INFERENCE_S = 0.04
RUN_S = 1.2


class Transform:
    def __init__(self, hflip=0, vflip=0, transpose=0):
        self.hflip, self.vflip = hflip, vflip


class FastPicamera2:
    """picamera2's signatures (as in tests/test_picamera.py), 200 frames a second, each
    stamped with the monotonic clock at capture so a frame's age can be measured."""

    made = 0

    @staticmethod
    def global_camera_info():
        return [{"Model": "imx708"}]

    def __init__(self, camera_num=0):
        self.config = None

    sensor_modes = [{"bit_depth": 10, "size": (2304, 1296), "fps": 56.0,
                     "crop_limits": (0, 0, 4608, 2592)}]  # fmt: skip

    def create_video_configuration(self, main={}, lores=None, raw={}, transform=None,
                                   colour_space=None, buffer_count=6, controls={},
                                   display="main", encode="main", queue=True, sensor={},
                                   use_case="video"):  # fmt: skip
        return {"main": dict(main), "transform": transform}

    def configure(self, camera_config="preview"):
        self.config = camera_config

    def start(self, config=None, show_preview=False):
        self._next = time.monotonic()

    def capture_request(self, wait=None, flush=None):
        self._next += 1.0 / CAMERA_FPS
        time.sleep(max(0.0, self._next - time.monotonic()))
        FastPicamera2.made += 1
        stamp = time.monotonic_ns()
        w, h = self.config["main"]["size"]

        class Request:
            def make_array(self, name):
                return np.zeros((h, w, 3), np.uint8)

            def get_metadata(self):
                return {"SensorTimestamp": stamp}

            def release(self):
                pass

        return Request()

    def stop(self):
        pass

    def close(self):
        pass


class SlowEstimator:
    """Stands in for MoveNet on a slow Pi: 40 ms a frame. Records each frame's age."""

    def __init__(self):
        self.ages, self.stamps = [], []

    def estimate(self, rgb, t):
        self.ages.append(time.monotonic() - t)
        self.stamps.append(t)
        time.sleep(INFERENCE_S)
        return Pose(np.zeros((17, 3)), t, (rgb.shape[1], rgb.shape[0]))


def run_worker(open_source) -> SlowEstimator:
    est = SlowEstimator()
    worker = PoseWorker(CameraFeed(open_source, est)).start()
    try:
        time.sleep(RUN_S)
    finally:
        worker.stop()
    return est


def test_slow_inference_gets_the_newest_frame_and_the_rest_are_dropped(monkeypatch):
    monkeypatch.setitem(sys.modules, "picamera2", types.SimpleNamespace(Picamera2=FastPicamera2))
    monkeypatch.setitem(sys.modules, "libcamera", types.SimpleNamespace(Transform=Transform))
    FastPicamera2.made = 0
    est = run_worker(lambda: PiCameraSource(fps=CAMERA_FPS))
    n = len(est.ages)
    assert 8 <= n <= RUN_S / INFERENCE_S + 2, n
    # The camera made far more frames than inference took: the rest were dropped.
    assert FastPicamera2.made > 3 * n
    # Every frame was fresh when inference took it. Queued frames would age by about one
    # inference (35 ms) per frame taken: about a second by the end of this run.
    assert max(est.ages) < 0.25, est.ages
    assert np.median(est.ages) < 0.02
    # Consecutive inferences are one inference apart in camera time, not one camera frame.
    gaps = np.diff(est.stamps)
    assert np.median(gaps) > 0.8 * INFERENCE_S


class FifoCamera:
    """The mistake this guards against: a camera whose frames queue up (the control)."""

    def __init__(self):
        self.q: collections.deque = collections.deque()
        self.stop = threading.Event()
        threading.Thread(target=self._run, daemon=True).start()

    def _run(self):
        while not self.stop.is_set():
            time.sleep(1.0 / CAMERA_FPS)
            self.q.append(Frame(np.zeros((48, 64, 3), np.uint8), time.monotonic()))

    def read(self):
        while not self.q:
            time.sleep(0.001)
        return self.q.popleft()

    def close(self):
        self.stop.set()


def test_the_age_check_does_catch_a_queueing_camera():
    est = run_worker(FifoCamera)
    assert max(est.ages) > 0.5  # the backlog grows with every slow inference
