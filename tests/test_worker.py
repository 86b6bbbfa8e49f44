"""The pose worker: the render loop never waits on inference, gets every pose for the judge
and the newest for the screen; late file frames are dropped; a lost camera is retried."""

from __future__ import annotations

import threading
import time

import numpy as np
import pytest

from kiosk.errors import SourceError
from kiosk.pose.keypoints import Pose
from kiosk.sources import Frame, FrameSource
from kiosk.worker import CameraFeed, EndOfFeed, Lull, PoseWorker, ScriptedFeed


def pose(t):
    return Pose(np.zeros((17, 3)), t, (64, 48))


class BlockingFeed:
    def __init__(self):
        self.go = threading.Event()
        self.n = 0

    def step(self):
        self.go.wait(5)
        self.go.clear()
        self.n += 1
        return pose(self.n), float(self.n)


def test_take_never_waits_for_inference():
    feed = BlockingFeed()
    w = PoseWorker(feed).start()
    try:
        t0 = time.perf_counter()
        fresh, latest = w.take()
        assert time.perf_counter() - t0 < 0.05
        assert fresh == [] and latest is None
        feed.go.set()
        for _ in range(200):
            fresh, latest = w.take()
            if fresh:
                break
            time.sleep(0.005)
        assert [t for _, t in fresh] == [1.0] and latest[1] == 1.0
    finally:
        feed.go.set()
        w.stop()


def test_every_pose_for_the_judge_and_the_newest_for_the_screen():
    w = PoseWorker(feed=None)
    for t in (1.0, 2.0, 3.0):
        w.publish(pose(t), t)
    fresh, latest = w.take()
    assert [t for _, t in fresh] == [1.0, 2.0, 3.0] and latest[1] == 3.0
    fresh, latest = w.take()
    assert fresh == [] and latest[1] == 3.0


class FileSource(FrameSource):
    def __init__(self, n=30, fps=30.0):
        self.frames = [Frame(np.zeros((48, 64, 3), np.uint8), i / fps) for i in range(n)]

    def read(self):
        return self.frames.pop(0) if self.frames else None

    def close(self):
        pass


class CountingEstimator:
    def __init__(self):
        self.calls = []

    def estimate(self, rgb, t):
        self.calls.append(t)
        return pose(t)


def test_video_file_drops_frames_that_are_already_late():
    now = [100.0]
    est = CountingEstimator()
    feed = CameraFeed(lambda: FileSource(), est, realtime=True, clock=lambda: now[0], sleep=lambda s: None)
    assert feed.step()[1] == 0.0  # the first frame sets the file's clock
    now[0] += 0.5  # inference took half a second: frames more than 50 ms late are stale
    # All 13 stale frames are skipped in this one step: never estimated, no step of their own.
    assert feed.step()[1] == pytest.approx(14 / 30)
    assert est.calls == [0.0, pytest.approx(14 / 30)]
    with pytest.raises(EndOfFeed):
        for _ in range(40):
            feed.step()


class SleepyEstimator(CountingEstimator):
    def __init__(self, seconds):
        super().__init__()
        self.seconds = seconds

    def estimate(self, rgb, t):
        time.sleep(self.seconds)
        return super().estimate(rgb, t)


@pytest.mark.parametrize("fps, inference_s", [(60.0, 0.005), (30.0, 0.06)])
def test_a_paced_worker_keeps_up_with_a_file_played_at_its_pace(fps, inference_s):
    # The kiosk paces the worker 1/30 s apart. When each late frame took a step of its own,
    # a 60 fps clip (or a 30 fps one behind a Pi-speed model) fell behind for good: 3-4
    # frames estimated in the whole clip.
    est = SleepyEstimator(inference_s)
    feed = CameraFeed(lambda: FileSource(n=int(2 * fps), fps=fps), est, realtime=True)
    worker = PoseWorker(feed)
    worker.min_interval = 1 / 30
    worker.start()
    time.sleep(1.5)
    worker.stop()
    assert len(est.calls) >= 0.3 * 1.5 / max(inference_s, 1 / 30), est.calls
    assert est.calls[-1] >= 1.0  # the file's time kept up with the wall clock's
    assert max(b - a for a, b in zip(est.calls, est.calls[1:])) < 0.5


class FlakyCamera:
    def __init__(self, fail_reads):
        self.fail_reads = fail_reads

    def read(self):
        if self.fail_reads:
            self.fail_reads -= 1
            raise SourceError("camera unplugged")
        return Frame(np.zeros((48, 64, 3), np.uint8), 1.0)

    def close(self):
        pass


def test_lost_camera_is_retried_and_said_on_the_glass():
    opened, waits = [], []
    cams = iter([FlakyCamera(1), FlakyCamera(0)])

    def opener():
        opened.append(1)
        return next(cams)

    feed = CameraFeed(opener, CountingEstimator(), sleep=waits.append)
    assert feed.step() is None
    assert feed.status == "Camera lost: retrying" and waits == [0.5]
    assert feed.detail == "camera unplugged"
    assert feed.step()[1] == 1.0
    assert feed.status == "" and len(opened) == 2


def test_scripted_feed_releases_poses_by_the_clock():
    now = [10.0]
    feed = ScriptedFeed(lambda: now[0], realtime=False)
    feed.play([pose(0.0), pose(0.5), pose(1.0)], start=10.0)
    assert feed.step()[1] == 10.0
    assert feed.step() is None
    now[0] = 11.0
    assert [feed.step()[1], feed.step()[1]] == [10.5, 11.0]


def test_a_lull_is_the_model_or_a_wait_for_the_camera_never_the_workers_python():
    lull = Lull()
    lull.enter(Lull.PYTHON)
    t0 = time.perf_counter()
    assert not lull.wait(0.02)  # the worker's own Python: the caller gives up, late
    assert time.perf_counter() - t0 >= 0.02
    lull.enter(Lull.MODEL)
    assert lull.wait(0.0)
    lull.enter(Lull.CAMERA)
    assert not lull.wait(0.0)  # a read just begun may be a frame copy, back in a moment
    t0 = time.perf_counter()
    assert lull.wait(1.0)  # ... but one still waiting is a wait for the camera
    assert Lull.CAMERA_WAIT_S <= time.perf_counter() - t0 < 0.5
    lull.enter(Lull.PYTHON)
    threading.Timer(0.03, lull.enter, (Lull.MODEL,)).start()
    t0 = time.perf_counter()
    assert lull.wait(5.0)  # woken when the model starts, not at the timeout
    assert 0.02 <= time.perf_counter() - t0 < 2.0


def test_a_camera_feed_tells_its_lull_where_the_worker_is():
    seen = []

    class Detector:
        lull = None

        def run_model(self):
            seen.append(("model", self.lull.state))
            self.lull.enter(Lull.MODEL)
            seen.append(("in model", self.lull.state))
            self.lull.enter(Lull.PYTHON)

    class Estimator:
        detector = Detector()

        def estimate(self, rgb, t):
            seen.append(("estimate", self.detector.lull.state))
            self.detector.run_model()
            return pose(t)

    class Source:
        def read(self):
            seen.append(("read", feed.lull.state))
            return Frame(np.zeros((48, 64, 3), np.uint8), 0.5)

    feed = CameraFeed(Source, Estimator())
    assert Estimator.detector.lull is feed.lull
    worker = PoseWorker(feed)
    assert worker.step_once()
    assert seen == [("read", Lull.CAMERA), ("estimate", Lull.PYTHON), ("model", Lull.PYTHON),
                    ("in model", Lull.MODEL)]  # fmt: skip
    assert feed.lull.state == Lull.CAMERA  # back to waiting for the next frame
    assert worker.wait_lull(1.0)


def test_a_render_frame_waits_for_a_lull_before_it_judges():
    from kiosk.app import App
    from kiosk.judge import Judge
    from kiosk.screen.display import Display
    from kiosk.screen.exercises import exercise_infos
    from kiosk.worker import LULL_WAIT_S

    calls = []

    class Worker(PoseWorker):
        def wait_lull(self, timeout):
            calls.append(("wait", timeout))
            return True

        def take(self):
            calls.append(("take",))
            return super().take()

    app = App(display=Display("headless", "landscape", size=(320, 180)), worker=Worker(BlockingFeed()),
              judge_factory=Judge, info=exercise_infos())  # fmt: skip
    app.frame()
    assert calls == [("wait", LULL_WAIT_S), ("take",)]
    # A worker stuck in its Python holds a frame back by at most LULL_WAIT_S.
    app.worker = PoseWorker(BlockingFeed())
    app.worker.feed.lull = Lull()
    app.worker.feed.lull.enter(Lull.PYTHON)
    t0 = time.perf_counter()
    app.frame()
    assert LULL_WAIT_S <= time.perf_counter() - t0 < LULL_WAIT_S + 0.5
