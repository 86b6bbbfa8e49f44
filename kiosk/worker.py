"""Camera and inference on a worker thread; the render loop takes whatever is newest.

The render loop never waits on inference: it calls `take()` each frame, which returns at once
with the poses produced since the last call (for the judge, which wants every one) and the
newest (for the screen). Frames that went stale while the model was busy are dropped by the
feed, never queued, so the glass lags the person by at most one inference plus one frame.

A feed is anything with `step() -> (pose | None, t) | None` (None: nothing this time) and
`close()`. Camera feeds reopen a lost camera with back-off and say so in `status`.

Only one thread runs Python at a time. The worker runs it in short stretches (crop, decode,
tracking: ~0.4 ms here, a few ms on a Pi) between long ones with the lock free (waiting for
the camera, the model itself). A render frame that starts during a stretch takes the lock
whenever OpenCV lets it go and keeps it for the whole judge and draw, and inference waits
that long. So a camera feed tells its `Lull` what the worker is doing, and the render loop
starts its frame in a lull (`wait_lull`): the judge then runs beside the next frame's model
instead of in front of it.
"""

from __future__ import annotations

import collections
import logging
import threading
import time
from typing import Callable

from kiosk.errors import SourceError
from kiosk.pose.keypoints import Pose

log = logging.getLogger(__name__)

# The longest a render frame waits for the worker to leave a Python stretch: about its longest
# stretch on a Pi 4 (~0.5 ms here, scaled by the Pi's speed), small beside a 33 ms frame.
LULL_WAIT_S = 0.005
# A file frame this far behind the wall clock when its turn comes is skipped, not shown late.
LATE_S = 0.05


class Lull:
    """What the pose worker is doing, for a thread that wants to run Python beside it: in the
    model or waiting for a camera frame (a lull), or in its own Python (not).

    The worker only writes down where it is; the other thread polls. (Waking a waiting thread
    on another CPU cost the waker ~50 us on a 2-vCPU VM, on the worker's path every time.)"""

    MODEL, CAMERA, PYTHON = "model", "camera", "python"
    # A read that has not returned after this long is a wait for the camera, not a frame copy
    # (when inference is the bottleneck, the next frame is always ready and read() is a copy).
    CAMERA_WAIT_S = 0.001
    POLL_S = 0.0002

    def __init__(self, clock: Callable[[], float] = time.perf_counter) -> None:
        self.clock = clock
        self.where = (self.CAMERA, -1e9)  # (state, since): one assignment, read whole

    @property
    def state(self) -> str:
        return self.where[0]

    def enter(self, state: str) -> None:
        self.where = (state, self.clock())

    def wait(self, timeout: float) -> bool:
        """Until a lull, at most `timeout` s. False: none came (the caller goes on anyway)."""
        deadline = self.clock() + timeout
        while True:
            state, since = self.where
            now = self.clock()
            if state == self.MODEL or (state == self.CAMERA and now - since >= self.CAMERA_WAIT_S):
                return True
            if now >= deadline:
                return False
            time.sleep(min(self.POLL_S, deadline - now))


class EndOfFeed(Exception):
    """A video file or scripted feed has nothing more. `error`: it broke off (a damaged file),
    in words; "" when it simply ended."""

    def __init__(self, error: str = "") -> None:
        super().__init__(error)
        self.error = error


class PoseWorker:
    def __init__(self, feed, clock: Callable[[], float] = time.monotonic, keep: int = 64) -> None:
        self.feed = feed
        self.clock = clock
        self._lock = threading.Lock()
        self._pending: collections.deque = collections.deque(maxlen=keep)
        self._latest: tuple[Pose | None, float] | None = None
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self.min_interval = 0.0  # seconds between inferences (presence slows this when asleep)
        self.inference_s = 0.0  # the last step's duration
        self.finished = False
        self.failure = ""  # finished because the feed broke off (a damaged file), in words
        self.error = ""  # what went wrong, in words for the glass ("" = fine)
        self.others_seen: tuple[float, ...] = ()  # frame times someone else was seen

    def start(self) -> "PoseWorker":
        self._thread = threading.Thread(target=self._run, name="pose-worker", daemon=True)
        self._thread.start()
        return self

    def stop(self, timeout: float = 2.0) -> None:
        self._stop.set()
        interrupt = getattr(self.feed, "interrupt", None)
        if interrupt:  # a feed asleep in a back-off would hold up SIGTERM for seconds
            interrupt()
        if self._thread is not None:
            self._thread.join(timeout)
        close = getattr(self.feed, "close", None)
        if close:
            close()

    @property
    def status(self) -> str:
        return self.error or getattr(self.feed, "status", "")

    @property
    def detail(self) -> str:
        return "" if self.error else getattr(self.feed, "detail", "")

    def wait_lull(self, timeout: float) -> bool:
        """Wait, at most `timeout` s, for a lull in the worker's Python (see `Lull`)."""
        lull = getattr(self.feed, "lull", None)
        return True if lull is None else lull.wait(timeout)

    def take(self) -> tuple[list[tuple[Pose | None, float]], tuple[Pose | None, float] | None]:
        """(every result since the last call, the newest result). Never blocks for long."""
        with self._lock:
            fresh = list(self._pending)
            self._pending.clear()
            return fresh, self._latest

    def take_shapes(self) -> list[tuple[float, float]]:
        """The back's shape read since the last call, (frame time, bulge): the second model
        reads on its own thread, so these may belong to poses already taken."""
        take = getattr(self.feed, "take_shapes", None)
        return take() if take is not None else []

    def publish(self, pose: Pose | None, t: float) -> None:
        with self._lock:
            self._pending.append((pose, t))
            self._latest = (pose, t)

    def step_once(self) -> bool:
        """One feed step on the caller's thread (tests, and the demo's simulated clock)."""
        try:
            out = self.feed.step()
        except EndOfFeed as end:
            self.failure = end.error
            self.finished = True
            return False
        if out is not None:
            # Copied here, on the thread that writes it, for the render loop to read.
            self.others_seen = tuple(getattr(self.feed, "others_seen", ()))
            self.publish(*out)
        return True

    def _run(self) -> None:
        while not self._stop.is_set():
            t0 = self.clock()
            try:
                if not self.step_once():
                    return
                self.error = ""
            except Exception as exc:  # keep the mirror up: say it on the glass, retry
                self.error = f"Pose worker error: {exc}"
                log.exception("pose worker step failed")
                self._stop.wait(1.0)
                continue
            self.inference_s = self.clock() - t0
            wait = self.min_interval - self.inference_s
            if wait > 0:
                self._stop.wait(wait)


class CameraFeed:
    """Frames from a source, through the pose estimator. Reopens a lost camera with back-off."""

    def __init__(self, open_source: Callable[[], object], estimator, realtime: bool = False,
                 clock: Callable[[], float] = time.monotonic, loop: bool = False,
                 sleep: Callable[[float], None] | None = None, shape_reader=None) -> None:  # fmt: skip
        self.open_source = open_source
        # The back-shape reader (kiosk.pose.backshape.Reader): offered each pose with its
        # frame, it reads on its own thread; None when the second model is off.
        self.shape_reader = shape_reader
        self._wake = threading.Event()
        self.sleep = sleep or self._wake.wait  # waits that interrupt() cuts short
        self.estimator = estimator
        self.realtime = realtime  # a video file: play at its own pace, drop late frames
        self.loop = loop
        self.clock = clock
        self.source = None
        self.status = ""  # a headline for the glass ("" = fine)
        self.detail = ""  # what exactly, and how to fix it
        self._backoff = 0.5
        self._t0: float | None = None  # wall clock at the file's first frame
        self._offset = 0.0  # added to file timestamps when looping
        self._last_t = 0.0
        self.lull = Lull()  # see the module's docstring
        detector = getattr(estimator, "detector", None)
        if hasattr(detector, "lull"):
            detector.lull = self.lull  # told when the model starts and ends

    def step(self):
        if self.source is None:
            try:
                self.source = self.open_source()
                opener = getattr(self.source, "open", None)
                if opener:
                    self.source = opener() or self.source
            except SourceError as exc:
                self._close()
                self._lost(str(exc))
                return None
        self.lull.enter(Lull.CAMERA)
        try:
            frame = self._next_frame()
        except SourceError as exc:
            self._close()
            self._lost(str(exc))
            return None
        if frame is None:
            self._close()
            if not self.realtime:  # a camera never ends: it was lost
                self._lost("the camera stopped sending frames")
                return None
            if not self.loop:
                self.status = "The video has ended"
                self.detail = "start the mirror again to replay it"
                raise EndOfFeed()
            self._offset = self._last_t + 1 / 30  # play the file again, time running on
            return None
        # A frame, not merely an open: only now is the camera back. (Resetting on open kept a
        # camera that opens but never delivers retrying every 0.5 s, never backing off.)
        self.status, self.detail, self._backoff = "", "", 0.5
        t = frame.t + self._offset
        self._last_t = t
        if self.realtime:
            now = self.clock()
            if self._t0 is None:
                self._t0 = now - t
            ahead = t - (now - self._t0)
            if ahead > 0:
                self.sleep(min(ahead, 0.5))
        self.lull.enter(Lull.PYTHON)
        try:
            pose = self.estimator.estimate(frame.rgb, t)
            if self.shape_reader is not None and pose is not None:
                self.shape_reader.offer(frame.rgb, pose)
            return pose, t
        finally:
            self.lull.enter(Lull.CAMERA)  # (or the worker's own waits: idle either way)

    def _next_frame(self):
        """The next frame to estimate. A file played at its pace skips, within this one step,
        every frame already more than LATE_S behind the wall clock (`read_from`): the worker
        paces its steps (1/30 s apart in the kiosk), so a step per late frame could never
        catch up (a 60 fps clip froze on its first frames)."""
        if not self.realtime or self._t0 is None:
            return self.source.read()
        return self.source.read_from(self.clock() - self._t0 - self._offset - LATE_S)

    def _lost(self, why: str) -> None:
        if self.realtime:
            # A video file that cannot be read (or breaks off part-way, after its good frames)
            # will not come back by waiting, and reopening it would play it again from the
            # start: it ends here, and says why.
            self.status = "The video broke off"
            self.detail = why
            raise EndOfFeed(why)
        self.status = "Camera lost: retrying"
        self.detail = why
        log.warning("%s; retrying in %.1f s", why, self._backoff)
        self.sleep(self._backoff)
        self._backoff = min(self._backoff * 2, 5.0)

    def _close(self) -> None:
        if self.source is not None:
            try:
                self.source.close()
            except Exception:  # closing a broken camera must not take the kiosk down
                pass
            self.source = None

    def close(self) -> None:
        self._close()
        if self.shape_reader is not None:
            self.shape_reader.close()

    def take_shapes(self) -> list[tuple[float, float]]:
        """The back-shape readings (frame time, bulge) since the last call."""
        return self.shape_reader.take() if self.shape_reader is not None else []

    @property
    def others_seen(self):
        """When the estimator saw someone besides the tracked person (frame times)."""
        return getattr(self.estimator, "others_seen", ())

    def interrupt(self) -> None:
        """End any back-off or pacing wait now: the worker is stopping."""
        self._wake.set()


class ScriptedFeed:
    """Poses from a list (the demo's generated athlete), released by the clock's time."""

    def __init__(self, clock: Callable[[], float], realtime: bool = True) -> None:
        self.clock = clock
        self.realtime = realtime
        self._queue: collections.deque = collections.deque()
        self._lock = threading.Lock()
        self.status = ""

    def play(self, poses: list[Pose], start: float) -> None:
        """Queue poses so that pose.t (from 0) lands at clock time start + pose.t."""
        t0 = poses[0].t if poses else 0.0
        with self._lock:
            self._queue.clear()
            self._queue.extend((start + p.t - t0, p) for p in poses)

    def step(self):
        now = self.clock()
        with self._lock:
            due = None
            while self._queue and self._queue[0][0] <= now:
                due = self._queue.popleft()  # older due poses are dropped, like late frames
                if not self.realtime:
                    break
        if due is None:
            if self.realtime:
                time.sleep(0.005)
            return None
        t, pose = due
        return Pose(pose.keypoints, t, pose.frame_size), t
