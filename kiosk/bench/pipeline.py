"""`hinge-mirror bench`: what the pose pipeline costs beyond the model, measured in one run.

On the same frames, one after the other so both see the same machine load:
  floor     the bare `interpreter.invoke()` on the exact tensor the pipeline fed the model
  pipeline  frame -> RGB, crop and resize, invoke, decode, person check, tracking, smoothing,
            next crop, judge: everything the kiosk does per camera frame before the screen,
            arranged as the kiosk runs it (the judge on the render thread, beside the model)
overhead ratio = median(pipeline) / median(floor), from the median of PASSES passes, with the
serial sum (all of it in line on one thread) beside it. Then every TFLite runtime that imports
here invokes the same tensors, interleaved; and a child process runs the kiosk itself
(kiosk/bench/live.py) for start-up time, render frame time at 1080p with inference on its
worker, latency from camera timestamp to glass, and peak resident memory.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

WARMUP = 15  # frames not counted: XNNPACK's first invokes, the tracker settling
# The as-run pass is run this many times and the pass with the median ratio reported (every
# pass's ratio beside it). On a shared host one 300-frame pass (~3 s) can land in a busy
# stretch: the worker's Python, run cold after each invoke, then costs up to twice as much
# (0.24-0.55 ms a frame between passes seconds apart, same code). Each pass compares
# pipeline and floor in the same stretch; pooling passes would mix stretches.
PASSES = 3


def stats(values_s) -> dict:
    """Median and spread in milliseconds."""
    v = np.asarray(values_s, dtype=float) * 1000.0
    if v.size == 0:
        return {"n": 0}
    p5, p25, p50, p75, p95 = np.percentile(v, [5, 25, 50, 75, 95])
    r = lambda x: round(float(x), 3)  # noqa: E731  (plain floats: JSON, and bools not np.bool_)
    return {"n": int(v.size), "median": r(p50), "p5": r(p5), "p95": r(p95), "iqr": r(p75 - p25),
            "mean": r(v.mean())}  # fmt: skip


class _Stages:
    """Wraps methods of one estimator instance to time them: a breakdown of the pipeline
    without a second copy of its logic."""

    def __init__(self):
        self.times: dict[str, float] = {}
        self.tensor = None

    def wrap(self, obj, attr: str, name: str, before=None) -> None:
        inner = getattr(obj, attr)

        def timed(*args, **kw):
            if before is not None:
                before()
            t0 = time.perf_counter()
            out = inner(*args, **kw)
            self.times[name] = self.times.get(name, 0.0) + time.perf_counter() - t0
            return out

        setattr(obj, attr, timed)

    def wrap_callable(self, obj, attr: str, name: str) -> None:
        """Time calls of a callable object attribute, keeping its other methods (reset)."""
        inner, stages = getattr(obj, attr), self

        class Timed:
            _inner = inner

            def __getattr__(self, item):
                return getattr(inner, item)

            def __call__(self, *args, **kw):
                t0 = time.perf_counter()
                out = inner(*args, **kw)
                stages.times[name] = stages.times.get(name, 0.0) + time.perf_counter() - t0
                return out

        setattr(obj, attr, Timed())


# The kiosk asks the Pi camera's ISP for a main stream of twice the model input on its long
# side (kiosk/sources/picamera.py), so that is the frame the pipeline crops from. A 4:3
# sensor (Camera Module 2, HQ) gives the larger frame of the official cameras; Module 3's
# 16:9 gives 384x216, a cheaper crop.
SENSOR_4_3 = (4056, 3040)


def camera_size(model_input: int) -> tuple[int, int]:
    """The frame size the Pi camera source delivers for this model."""
    from kiosk.sources.picamera import main_size

    return main_size(SENSOR_4_3, model_input)


def _frames(video: str | None, n: int, exercise: str, size=(640, 480)):
    """[(convert() -> rgb, t)]: the conversion is part of the pipeline, as it is live."""
    from kiosk.bench.frames import generated_frames, video_frames

    if video:
        from kiosk.sources.video import ToRGB

        to_rgb = ToRGB()  # the conversion VideoSource makes
        items = [(lambda f=f: to_rgb(f), t) for f, t in video_frames(video, n)]
        if not items:
            from kiosk.errors import SourceError

            raise SourceError(f"no frames could be decoded from {video}")
        return items, f"video {Path(video).name}"
    frames = generated_frames(n, exercise, size=size)
    # A camera hands over RGB already (the ISP converts); the copy stands for its buffer.
    return [(lambda f=f: np.array(f.rgb), f.t) for f in frames], "generated athlete %dx%d" % size


def measure_pipeline(estimator, exercise: str, frames, captured: bool = True) -> dict:
    """Per-frame pipeline and floor on the same frames, twice: as the kiosk runs it (the
    ratio), and with the judge in line on the one thread (the serial sum). Then a third pass
    for the breakdown by stage. `captured`: the frames stand for a camera's, copied by its
    capture thread (False: a video file's, converted by the reader). Returns stats and the
    tensors the model actually saw (for the runtime comparison).

    Neither timed pass carries stage timers: wrapping three methods in timers cost ~0.06 ms a
    frame here, more than a tenth of what they measure."""
    # The floor needs no copy of the tensor: the model's input still holds what the pipeline
    # set (tests/test_bench.py checks), so the bare invoke() runs on exactly that.
    passes = []
    for _ in range(PASSES):
        estimator.reset()
        passes.append(_as_run(estimator, exercise, frames, captured))
    ratios = [float(np.median(p) / np.median(f)) for p, f, _ in passes]
    pipe, floor, judged = passes[sorted(range(PASSES), key=ratios.__getitem__)[PASSES // 2]]
    estimator.reset()
    serial, serial_floor, rgb = _serial(estimator, exercise, frames)
    stages, tensors = _stage_breakdown(estimator, exercise, frames)
    return {
        "invoke": stats(floor), "pipeline": stats(pipe),
        "ratio_by_pass": [round(r, 3) for r in ratios],
        "serial": {"invoke": stats(serial_floor), "pipeline": stats(serial)}, "stages": stages,
        "frames": len(frames), "frame_size": [int(v) for v in rgb.shape[1::-1]],
        "poses_found": judged["found"], "reps_counted": judged["reps"], "tensors": tensors,
    }  # fmt: skip


class _Prepared:
    """A camera whose frames are the bench's. `captured`: the kiosk's camera sources copy each
    frame on their capture thread (kiosk/sources/latest.py) and the worker only takes it, so
    the frames are copied before the pass. (A thread handing over each frame here would cost
    the worker a cross-CPU wake-up a frame, ~50 us on this VM, that the kiosk does not pay:
    there the camera runs at its own pace.) Otherwise the reader converts, as VideoSource
    does for a file."""

    def __init__(self, frames, captured: bool):
        from kiosk.sources import Frame

        self.captured = captured
        if captured:
            frames = [Frame(convert(), t) for convert, t in frames]
        self._frames = iter(frames)

    def read(self):
        if self.captured:
            return next(self._frames)
        from kiosk.sources import Frame

        convert, t = next(self._frames)
        return Frame(convert(), t)

    def close(self) -> None:
        pass


def _as_run(estimator, exercise: str, frames, captured: bool) -> tuple[list, list, dict]:
    """The kiosk's arrangement: this thread steps a PoseWorker over a CameraFeed, as the
    worker thread does; a second thread stands in for the render loop, waking 30 times a
    second, waiting for a lull in the worker's Python as App.frame does, and judging every new
    pose. Per frame: the worker's step, including any wait for the other thread's Python.
    The floor runs after it, marked as Python, so the judge never starts beside it."""
    import threading

    from kiosk.judge import Judge
    from kiosk.worker import LULL_WAIT_S, CameraFeed, PoseWorker

    source = _Prepared(frames, captured)
    feed = CameraFeed(lambda: source, estimator)
    worker, judge, done = PoseWorker(feed), Judge(exercise), threading.Event()
    judged = {"found": 0, "reps": 0}

    def render_loop() -> None:
        while True:
            stopping = done.wait(1 / 30)
            worker.wait_lull(LULL_WAIT_S)
            for pose, t in worker.take()[0]:
                judge.update(pose, t)
                judged["found"] += pose is not None
            if stopping:
                return

    det = estimator.detector
    interp, lull = det.interpreter, feed.lull
    thread = threading.Thread(target=render_loop, name="bench-render", daemon=True)
    thread.start()
    try:
        # The floor is marked as Python: not a lull (the kiosk has no floor to run).
        pipe, floor = _with_floor(len(frames), lambda i: worker.step_once(), interp,
                                  before_floor=lambda: lull.enter(lull.PYTHON))
    finally:
        done.set()
        thread.join()
        det.lull = None
    judged["reps"] = len(judge.reports)
    return pipe, floor, judged


def _serial(estimator, exercise: str, frames) -> tuple[list, list, object]:
    """Everything on one thread, the judge in line: the sum of the parts."""
    from kiosk.judge import Judge

    interp = estimator.detector.interpreter
    judge, last = Judge(exercise), [None]

    def step(i: int) -> None:
        convert, t = frames[i]
        last[0] = rgb = convert()
        judge.update(estimator.estimate(rgb, t), t)

    pipe, floor = _with_floor(len(frames), step, interp)
    return pipe, floor, last[0]


def _with_floor(n: int, step, interp, before_floor=None) -> tuple[list, list]:
    """Seconds of step(i) for each frame, each followed by the floor: a bare invoke() on the
    input the step left (the model keeps it). The first WARMUP frames are not kept."""
    pipe, floor = [], []
    for i in range(n):
        t0 = time.perf_counter()
        step(i)
        t1 = time.perf_counter()
        if before_floor is not None:
            before_floor()
        f0 = time.perf_counter()
        interp.invoke()
        f1 = time.perf_counter()
        if i >= WARMUP:
            pipe.append(t1 - t0)
            floor.append(f1 - f0)
    return pipe, floor


def _stage_breakdown(estimator, exercise: str, frames) -> tuple[dict, list]:
    """Where the pipeline's time goes, stage by stage (medians include the timers' own cost),
    and the tensors the model saw. (Kept here, not in the timed pass: holding every frame's
    tensor makes each new one land in fresh memory, page faults inside the crop.)"""
    from kiosk.judge import Judge

    det = estimator.detector
    estimator.reset()
    stages = _Stages()
    stages.wrap_callable(det, "_resize", "crop_resize")

    def keep_tensor() -> None:  # what the model is about to run on (a copy)
        stages.tensor = det.interpreter.get_tensor(det._in_index)

    stages.wrap(det, "run", "invoke_call", before=keep_tensor)
    if estimator.smoother is not None:
        stages.wrap_callable(estimator, "smoother", "smoothing")
    judge = Judge(exercise)
    parts: dict[str, list[float]] = {}
    tensors = []
    for i, (convert, t) in enumerate(frames):
        stages.times.clear()
        t0 = time.perf_counter()
        rgb = convert()
        t1 = time.perf_counter()
        pose = estimator.estimate(rgb, t)
        t2 = time.perf_counter()
        judge.update(pose, t)
        t3 = time.perf_counter()
        if i < WARMUP:
            continue
        tensors.append(stages.tensor)  # (a new array each frame: nothing reuses it)
        st = stages.times
        times = {"convert": t1 - t0, "crop_resize": st["crop_resize"], "invoke_call": st["invoke_call"],
                 "decode_track_smooth_crop": (t2 - t1) - st["crop_resize"] - st["invoke_call"],
                 "smoothing": st.get("smoothing", 0.0), "judge": t3 - t2}  # (in pipeline order)
        for name, dt in times.items():
            parts.setdefault(name, []).append(dt)
    delattr(det, "run")
    det._resize = det._resize._inner
    if estimator.smoother is not None:
        estimator.smoother = estimator.smoother._inner
    return {k: stats(v) for k, v in parts.items()}, tensors


def measure_runtimes(model_path, threads: int, tensors, rounds: int = 2) -> dict:
    """Bare invoke for each runtime importable here, interleaved frame by frame."""
    from kiosk.pose import runtime as R
    from kiosk.pose.movenet import MoveNet

    nets = {name: MoveNet(model_path, threads, R.load_runtime(name)) for name in R.available()}
    times: dict[str, list[float]] = {n: [] for n in nets}
    for _ in range(rounds):
        for i, x in enumerate(tensors):
            for name, net in nets.items():
                interp = net.interpreter
                interp.set_tensor(net._in_index, x)
                t0 = time.perf_counter()
                interp.invoke()
                dt = time.perf_counter() - t0
                if i >= 3:  # each interpreter's own first invokes
                    times[name].append(dt)
    return {n: dict(stats(v), python=sys.executable, version=_version(n)) for n, v in times.items()}


def _version(name: str) -> str:
    import importlib.metadata as md

    dist = {"ai_edge_litert": "ai-edge-litert", "tflite_runtime": "tflite-runtime",
            "tensorflow": "tensorflow"}[name]  # fmt: skip
    try:
        return md.version(dist)
    except md.PackageNotFoundError:
        return "?"


def runtimes_elsewhere(python: str, model_path, threads: int, tensors) -> dict:
    """The same invoke timing under another interpreter (e.g. a venv with tflite-runtime,
    which needs numpy<2), on the same tensors."""
    with tempfile.TemporaryDirectory() as tmp:
        data = Path(tmp) / "tensors.npy"
        np.save(data, np.stack(tensors))
        cmd = [python, "-m", "kiosk.bench.pipeline", "--invoke-only", str(data), str(model_path), str(threads)]
        out = subprocess.run(cmd, capture_output=True, text=True, timeout=600,
                             env=dict(os.environ, PYTHONPATH=str(Path(__file__).parents[2])))  # fmt: skip
    if out.returncode != 0:
        tail = (out.stderr.strip().splitlines() or ["no output"])[-1]
        return {"_error": f"{python}: {tail}"}
    return json.loads(out.stdout.strip().splitlines()[-1])


def live(args, model_path) -> dict:
    """The kiosk itself in a child process (so its peak RSS and start-up are its own)."""
    cmd = [sys.executable, "-m", "kiosk.bench.live", "--model", str(model_path),
           "--threads", str(args.threads), "--exercise", args.exercise,
           "--seconds", str(args.render_seconds), "--spawned", repr(time.monotonic())]  # fmt: skip
    if args.runtime:
        cmd += ["--runtime", args.runtime]
    if args.video:
        cmd += ["--video", args.video]
    elif getattr(args, "size", None):
        cmd += ["--size", "%dx%d" % args.size]
    env = dict(os.environ, SDL_VIDEODRIVER="dummy", SDL_AUDIODRIVER="dummy",
               PYTHONPATH=str(Path(__file__).parents[2]))  # fmt: skip
    out = subprocess.run(cmd, capture_output=True, text=True, env=env,
                         timeout=120 + 4 * args.render_seconds)  # fmt: skip
    if out.returncode != 0:
        tail = (out.stderr.strip().splitlines() or ["no output"])[-1]
        return {"_error": f"the kiosk run failed: {tail}"}
    return json.loads(out.stdout.strip().splitlines()[-1])


def _invoke_only(argv: list[str]) -> int:
    data, model, threads = argv
    tensors = list(np.load(data))
    print(json.dumps(measure_runtimes(model, int(threads), tensors)))
    return 0


if __name__ == "__main__":
    if sys.argv[1:2] == ["--invoke-only"]:
        sys.exit(_invoke_only(sys.argv[2:]))
    sys.exit("usage: hinge-mirror bench (this module is its engine)")
