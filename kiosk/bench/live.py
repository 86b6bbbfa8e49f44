"""The kiosk under measurement, run by `hinge-mirror bench` as its own process.

The real App (render loop, PoseWorker, CameraFeed, PoseEstimator, judge, coach, screens) on a
1920x1080 headless display, fed by a stand-in camera: a capture thread that makes frames at
the camera's rate (a video looped, or the drawn athlete), stamps each with the monotonic clock
when it is made, and keeps only the newest, as picamera2's request loop does. Measured:
  start-up     process spawn -> first pose on the glass
  render       frame time and rate of the coaching screen in alternating one-second blocks with
               inference on the worker and with it paused (the camera runs throughout)
  latency      camera timestamp -> the end of the frame that shows that pose's judgement
  stale frames how old each frame is when inference takes it, and how many were dropped
  memory       peak resident set (VmHWM) of this whole process
  back shape   with --back-shape: the second model's Reader built at start-up as the kiosk
               builds it, then the render rate (and MoveNet's) in alternating one-second blocks
               with the Reader on and off, inference on throughout, the drawn athlete bent over
               (its frames the Reader wants) so the Reader reads at its full rate
Prints one JSON object.
"""

from __future__ import annotations

import argparse
import json
import sys
import time

from kiosk.bench.proc import status_mb
from kiosk.sources import Frame, FrameSource
from kiosk.sources.latest import CaptureThread


class LiveCamera(FrameSource):
    """A camera stand-in: frames made at `fps` on the same CaptureThread/LatestFrame hand-over
    the Pi camera and webcam sources use (newest frame only), stamped with the monotonic clock."""

    name = "bench camera"

    def __init__(self, make_rgb, fps: float):
        self.make_rgb, self.fps = make_rgb, fps
        self._capture: CaptureThread | None = None
        self._t0, self._k = 0.0, 0
        self.ages: list[float] = []  # seconds from capture to hand-over, per delivered frame

    def open(self) -> "LiveCamera":
        if self._capture is None:
            self._t0, self._k = time.monotonic(), 0
            self._capture = CaptureThread(self._grab, name="bench-camera").start()
        return self

    def _grab(self) -> Frame:
        now = time.monotonic()
        if now - (self._t0 + self._k / self.fps) > 1.0 / self.fps:
            self._k = int((now - self._t0) * self.fps)  # fell behind: skip ticks, as a sensor would
        due = self._t0 + self._k / self.fps
        if due > now:
            time.sleep(due - now)
        self._k += 1
        return Frame(self.make_rgb(), time.monotonic())

    @property
    def delivered(self) -> int:
        return self._capture.latest.delivered if self._capture else 0

    @property
    def captured(self) -> int:
        return self.delivered + (self._capture.latest.dropped if self._capture else 0)

    def read(self) -> Frame:
        frame = self.open()._capture.read(2.0)
        self.ages.append(time.monotonic() - frame.t)
        return frame

    def close(self) -> None:
        if self._capture is not None:
            self._capture.stop()


class Pausable:
    """A feed whose inference can be switched off while the camera keeps running."""

    def __init__(self, feed):
        self.feed, self.paused = feed, False

    @property
    def status(self) -> str:
        return self.feed.status

    @property
    def lull(self):
        return self.feed.lull

    def step(self):
        if self.paused:
            time.sleep(0.01)
            return None
        return self.feed.step()

    def close(self) -> None:
        self.feed.close()


def peak_rss_mb() -> float:
    peak = status_mb("VmHWM")
    if peak is not None:
        return peak
    import resource

    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024.0  # KiB on Linux


def rss_mb() -> float:
    """The resident set now (VmRSS), MB; 0 where /proc is not there."""
    return status_mb("VmRSS") or 0.0


def main(argv=None) -> int:
    p = argparse.ArgumentParser()
    p.add_argument("--model", required=True)
    p.add_argument("--threads", type=int, default=1)
    p.add_argument("--exercise", default="hinge")
    p.add_argument("--video")
    p.add_argument("--size", default="640x480", help="generated frame size WxH")
    p.add_argument("--runtime")
    p.add_argument("--seconds", type=float, default=10.0)
    p.add_argument("--fps", type=float, default=30.0, help="display rate")
    p.add_argument("--spawned", type=float, help="monotonic time the parent started this")
    p.add_argument("--back-shape", metavar="PATH", help="the back-shape model: measure its Reader")
    p.add_argument("--back-shape-hz", type=float, default=5.0)
    a = p.parse_args(argv)
    spawned = a.spawned if a.spawned is not None else time.monotonic()

    import pygame

    from kiosk.app import App
    from kiosk.bench.pipeline import stats
    from kiosk.bench.frames import DrawnAthlete, VideoLoop
    from kiosk.screen.flow import Action, Screen
    from kiosk.judge import Judge
    from kiosk.pose.estimator import PoseEstimator
    from kiosk.judge.reports import JudgeState, Phase
    from kiosk.screen.display import Display
    from kiosk.screen.exercises import exercise_infos
    from kiosk.worker import CameraFeed, PoseWorker

    display = Display("headless", "landscape")
    estimator = PoseEstimator(a.model, a.threads, runtime=a.runtime)
    reader, reader_mb = None, None
    if a.back_shape:  # built before the first pose, as kiosk.startup.build does
        from kiosk.pose.backshape import BackShape, Reader
        from kiosk.pose.runtime import load_runtime

        before = rss_mb()
        reader = Reader(BackShape(a.back_shape, runtime=load_runtime(a.runtime)), a.back_shape_hz)
        reader_mb = rss_mb() - before
    size = tuple(int(v) for v in a.size.split("x"))
    maker = VideoLoop(a.video) if a.video else DrawnAthlete(a.exercise, size=size)
    camera = LiveCamera(maker.next_rgb, maker.fps)
    feed = Pausable(CameraFeed(lambda: camera, estimator))
    worker = PoseWorker(feed)
    app = App(display=display, worker=worker, judge_factory=Judge, info=exercise_infos(),
              fps=a.fps, threaded=True)  # fmt: skip

    consumed: list[tuple[bool, float]] = []  # (a pose, its camera timestamp) taken this frame
    latencies: list[float] = []
    take = worker.take

    def counting_take():
        fresh, latest = take()
        consumed.extend((pose is not None, t) for pose, t in fresh)
        return fresh, latest

    worker.take = counting_take

    # Into a set the way a person gets there: choose the exercise, start, stand still.
    now = time.monotonic()
    app.act(Action.NEXT)
    while app.flow.selected != a.exercise:
        app.act(Action.NEXT)
    app.act(Action.SELECT)
    clock = pygame.time.Clock()
    worker.start()
    first_pose = first_result = None
    while first_pose is None and time.monotonic() - now < 60:
        app.frame()
        done = time.monotonic()
        if consumed and first_result is None:
            first_result = done
        if any(ok for ok, _ in consumed):
            first_pose = done
        consumed.clear()
        clock.tick(a.fps)
    entered = "judge"
    while app.flow.screen is not Screen.COACHING and time.monotonic() - now < 8:
        app.frame()
        clock.tick(a.fps)
    if app.flow.screen is not Screen.COACHING:  # footage with no standing start: go anyway
        t = time.monotonic()
        app.apply(app.flow.on_judge(JudgeState(t, Phase.STANDING, person=True), t), t)
        entered = "forced"

    # Render with and without inference in alternating one-second blocks, so both see the
    # same background load (this matters on a shared or thermally throttled machine).
    on = {"frames": 0, "s": 0.0, "times": [], "captured": 0, "delivered": 0}
    off = {"frames": 0, "s": 0.0, "times": []}
    camera.ages.clear()
    blocks = max(2, int(round(a.seconds)))
    for b in range(2 * blocks):
        infer = b % 2 == 0
        feed.paused = not infer
        acc = on if infer else off
        consumed.clear()
        c0, d0, t0 = camera.captured, camera.delivered, time.monotonic()
        frames = 0
        while time.monotonic() - t0 < 1.0:
            app.frame()
            shown = time.monotonic()
            if infer:
                latencies.extend(shown - t for _, t in consumed)
            consumed.clear()
            frames += 1
            clock.tick(a.fps)
        acc["s"] += time.monotonic() - t0
        acc["frames"] += frames
        acc["times"] += app.frame_times[-frames:]
        if infer:
            acc["captured"] += camera.captured - c0
            acc["delivered"] += camera.delivered - d0
    ages = list(camera.ages)
    reps = app.flow.reps
    back_shape = None
    if reader is not None:
        back_shape = _with_and_without_reader(app, feed, camera, maker, reader, consumed, blocks,
                                              clock, a.fps)  # fmt: skip
        back_shape["rss_at_build_mb"] = round(reader_mb, 1)
    worker.stop()
    if reader is not None:
        reader.close()
    with_inference = {"frame_ms": stats(on["times"]), "fps": round(on["frames"] / on["s"], 2)}
    without = {"frame_ms": stats(off["times"]), "fps": round(off["frames"] / off["s"], 2)}
    kept = with_inference["fps"] / min(a.fps, without["fps"])
    captured, delivered = on["captured"], on["delivered"]
    print(json.dumps({
        "startup_s": round(first_pose - spawned, 3) if first_pose else None,
        "first_inference_s": round(first_result - spawned, 3) if first_result else None,
        "display": list(display.size), "screen": app.flow.screen.value, "coaching": entered,
        "target_fps": a.fps, "render": with_inference, "render_no_inference": without,
        "render_rate_kept": round(kept, 3), "latency_ms": stats(latencies),
        "camera_fps": round(maker.fps, 2), "camera_frames": captured, "inferred_frames": delivered,
        "dropped_frames": captured - delivered, "frame_age_ms": stats(ages),
        "inference_fps": round(delivered / on["s"], 2), "reps_on_glass": reps,
        "runtime": estimator.runtime_name, "peak_rss_mb": round(peak_rss_mb(), 1),
        **({"back_shape": back_shape} if back_shape is not None else {}),
    }))  # fmt: skip
    return 0


def _with_and_without_reader(app, feed, camera, maker, reader, consumed, blocks, clock, fps) -> dict:
    """The render rate and MoveNet's with the back-shape Reader offered every pose and without
    it, in alternating one-second blocks (inference on in both), on the athlete bent over."""
    from kiosk.bench.pipeline import stats
    from kiosk.pose.backshape import wanted

    bent = getattr(maker, "poses", None)
    if bent is not None:  # the drawn athlete: only the poses the Reader reads
        maker.poses = [p for p in maker.poses if wanted(p)] or maker.poses
        maker.index = 0
    frames_are = "drawn athlete, bent over" if bent is not None else "video, every frame"
    feed.paused = False  # inference on throughout: only the Reader is switched
    acc = {on: {"frames": 0, "s": 0.0, "times": [], "delivered": 0, "posed": 0, "bent": 0,
                "latency": []} for on in (True, False)}  # fmt: skip
    readings = 0
    for b in range(2 * blocks):
        on = b % 2 == 0
        feed.feed.shape_reader = reader if on else None
        a = acc[on]
        consumed.clear()
        d0, r0, t0 = camera.delivered, reader.readings, time.monotonic()
        frames, poses = 0, []
        take = app.worker.take

        def keeping_take():  # the poses themselves, to count the bent ones after the block
            fresh, latest = take()
            poses.extend(p for p, _ in fresh if p is not None)
            return fresh, latest

        app.worker.take = keeping_take
        while time.monotonic() - t0 < 1.0:
            app.frame()
            shown = time.monotonic()
            a["latency"].extend(shown - t for _, t in consumed)
            consumed.clear()
            frames += 1
            clock.tick(fps)
        app.worker.take = take
        a["s"] += time.monotonic() - t0
        a["frames"] += frames
        a["times"] += app.frame_times[-frames:]
        a["delivered"] += camera.delivered - d0
        a["posed"] += len(poses)
        a["bent"] += sum(map(wanted, poses))
        if on:
            readings += reader.readings - r0
    feed.feed.shape_reader = None

    def side(a: dict) -> dict:
        return {"frame_ms": stats(a["times"]), "fps": round(a["frames"] / a["s"], 2),
                "inference_fps": round(a["delivered"] / a["s"], 2), "latency_ms": stats(a["latency"]),
                "bent_share": round(a["bent"] / a["posed"], 3) if a["posed"] else 0.0}  # fmt: skip

    on, off = side(acc[True]), side(acc[False])
    return {"frames": frames_are, "hz": round(1 / reader.schedule.period, 2),
            "with_reader": on, "without": off,
            "render_kept": round(on["fps"] / off["fps"], 3) if off["fps"] else None,
            "inference_kept": round(on["inference_fps"] / off["inference_fps"], 3) if off["inference_fps"] else None,
            "readings": readings, "readings_per_s": round(readings / acc[True]["s"], 2),
            "last_reading_ms": round(1000 * reader.read_s, 2)}  # fmt: skip


if __name__ == "__main__":
    sys.exit(main())
