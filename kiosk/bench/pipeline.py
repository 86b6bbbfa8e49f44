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

The second model (the back's shape, kiosk.pose.backshape): its bare invoke() and its whole
reading on the bent-over frames, then MoveNet's pose rate as run, flat out, with its Reader on
its own thread and without (`measure_back_shape`); the kiosk run measures the render rate
with the Reader and without.
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


# The second model's cost. Its reading times: this many readings of bent-over frames (after
# READ_WARMUP), each followed by its bare invoke() on the same input.
READINGS, READ_WARMUP = 40, 3
# MoveNet's pose rate with and without the back-shape Reader: PASSES pairs of passes this long,
# each pair back to back (the order alternating) so both halves see the same stretch of a
# shared machine; the pair with the median ratio is reported, every pair's ratio beside it.
RATE_PASS_S = 3.0
# The pairs' ratios should agree: a wider spread means something else took the CPU in some
# passes and not in others (quiet here: 0.993-1.005; a CPU hog beside it: 0.89-0.95; the
# test suite running: 0.52-0.91).
RATE_STEADY_SPREAD = 0.05


def measure_back_shape(estimator, exercise: str, frames, shape, hz: float,
                       captured: bool = True, seconds: float = RATE_PASS_S) -> dict:  # fmt: skip
    """What the second model costs: its bare invoke() and its whole reading
    (BackShape.measure: crop warp, invoke, outline) on the bent-over frames; then MoveNet's
    pose rate as the kiosk runs it (the judge on a render stand-in, `_as_run`) with the
    back-shape Reader on its own thread at `hz` and without it.

    The passes run MoveNet flat out, so that the model and not the camera sets the pose rate:
    what the Reader takes from MoveNet shows (behind a 30 fps camera a fast machine hides it;
    the kiosk run reports that rate too). They run on the bent-over frames only, looped, so
    the Reader reads at its full rate; each frame is stamped with the clock when the worker
    takes it, as a camera stamps it, so the Reader's `hz` is per second of real time."""
    from kiosk.pose.backshape import wanted

    bent, found = [], []  # (frame index, rgb, pose): the frames a reading is timed on
    estimator.reset()
    for i, (convert, t) in enumerate(frames):
        rgb = convert()
        pose = estimator.estimate(rgb, t)
        if pose is not None and wanted(pose):
            bent.append((i, rgb, pose))
        elif pose is not None and len(found) < READINGS:
            found.append((i, rgb, pose))  # (only read if the athlete is never bent over)
    out = {"model": shape.model_path.name, "runtime": shape.runtime_name, "hz": hz,
           "bent_frames": len(bent), "frames": len(frames),
           "bent_share": round(len(bent) / len(frames), 3)}  # fmt: skip
    use = bent or found
    if not use:
        return dict(out, _error="no person found in the frames: nothing for the second model to read")
    reading, floor, outside = [], [], []
    for k in range(READ_WARMUP + READINGS):
        _, rgb, pose = use[k % len(use)]
        t0 = time.perf_counter()
        shape.measure(rgb, pose)
        t1 = time.perf_counter()
        shape.interpreter.invoke()
        t2 = time.perf_counter()
        if k >= READ_WARMUP:
            reading.append(t1 - t0)
            floor.append(t2 - t1)
            outside.append(t1 - t0 - (t2 - t1))
    # (outside the invoke: the crop warp, the input and output copies, the outline; the
    # Reader's share of the GIL, bar the cv2 calls, which let it go)
    out.update(invoke=stats(floor), reading=stats(reading), outside_invoke=stats(outside))
    if not bent:
        return dict(out, _error="the athlete is never bent over in these frames: the Reader "
                                "would never read, so its cost to the pose rate is not measured")
    bent_frames = [frames[i] for i, _, _ in bent]
    del bent, found, use
    out["pose_rate"] = _pose_rates(estimator, exercise, bent_frames, shape, hz, captured, seconds)
    estimator.reset()
    return out


class _Looped:
    """A camera stand-in for the rate passes: the given frames in a loop, each stamped with
    the monotonic clock when the worker takes it (a camera stamps capture time), so a pass can
    run as long as asked and the Reader's schedule runs on real time."""

    def __init__(self, frames, captured: bool):
        self.captured = captured
        self._items = [convert() for convert, _ in frames] if captured else [c for c, _ in frames]
        self.k = 0

    def read(self):
        from kiosk.sources import Frame

        item = self._items[self.k % len(self._items)]
        self.k += 1
        return Frame(item if self.captured else item(), time.monotonic())

    def close(self) -> None:
        pass


def _pose_rates(estimator, exercise: str, frames, shape, hz: float, captured: bool,
                seconds: float) -> dict:  # fmt: skip
    """PASSES pairs of rate passes, without and with the Reader (the order alternating)."""
    pairs = []
    for k in range(PASSES):
        order = (False, True) if k % 2 == 0 else (True, False)
        runs = {with_reader: _rate_pass(estimator, exercise, frames, shape if with_reader else None,
                                        hz, captured, seconds)
                for with_reader in order}  # fmt: skip
        pairs.append((runs[False], runs[True]))
    ratios = [w["poses_per_s"] / wo["poses_per_s"] for wo, w in pairs]
    without, with_reader = pairs[sorted(range(PASSES), key=ratios.__getitem__)[PASSES // 2]]
    spread = max(ratios) - min(ratios)
    return {"without": without, "with_reader": with_reader,
            "kept": round(with_reader["poses_per_s"] / without["poses_per_s"], 3),
            "kept_by_pass": [round(r, 3) for r in ratios], "seconds": seconds,
            "kept_spread": round(spread, 3), "steady": spread <= RATE_STEADY_SPREAD}  # fmt: skip


def _rate_pass(estimator, exercise: str, frames, shape, hz: float, captured: bool,
               seconds: float) -> dict:  # fmt: skip
    """`_as_run`'s arrangement for `seconds` after WARMUP frames, with the back-shape Reader
    offered every pose (`shape` given) or not: MoveNet's poses a second, and the Reader's."""
    import threading

    from kiosk.judge import Judge
    from kiosk.pose.backshape import Reader, wanted
    from kiosk.worker import LULL_WAIT_S, CameraFeed, PoseWorker

    estimator.reset()
    reader = Reader(shape, hz) if shape is not None else None
    source = _Looped(frames, captured)
    feed = CameraFeed(lambda: source, estimator, shape_reader=reader)
    worker, judge, done = PoseWorker(feed), Judge(exercise), threading.Event()
    seen, shapes = [], [0]

    def render_loop() -> None:  # as in _as_run, and the readings handed to the judge as App does
        while True:
            stopping = done.wait(1 / 30)
            worker.wait_lull(LULL_WAIT_S)
            for st, bulge in worker.take_shapes():
                judge.back_shape(st, bulge)
                shapes[0] += 1
            for pose, t in worker.take()[0]:
                judge.update(pose, t)
                seen.append(pose)  # (whether it was bent over: counted after the pass)
            if stopping:
                return

    thread = threading.Thread(target=render_loop, name="bench-render", daemon=True)
    thread.start()
    try:
        for _ in range(WARMUP):
            worker.step_once()
        del seen[:]
        read0 = reader.readings if reader else 0
        t0 = time.perf_counter()
        n = 0
        while True:
            worker.step_once()
            n += 1
            elapsed = time.perf_counter() - t0
            if elapsed >= seconds:
                break
        readings = (reader.readings - read0) if reader else 0
    finally:
        done.set()
        thread.join()
        estimator.detector.lull = None
        if reader is not None:
            reader.close()
    posed = [p for p in seen if p is not None]
    out = {"poses": n, "s": round(elapsed, 3), "poses_per_s": round(n / elapsed, 2),
           "bent_share": round(sum(map(wanted, posed)) / len(posed), 3) if posed else 0.0}  # fmt: skip
    if reader is not None:
        out.update(readings=readings, readings_per_s=round(readings / elapsed, 2),
                   shapes_read=shapes[0], last_reading_ms=round(1000 * reader.read_s, 2))  # fmt: skip
    return out


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


def live(args, model_path, back_shape=None) -> dict:
    """The kiosk itself in a child process (so its peak RSS and start-up are its own); with the
    back-shape model's path, its Reader too (built at start-up, measured on and off)."""
    cmd = [sys.executable, "-m", "kiosk.bench.live", "--model", str(model_path),
           "--threads", str(args.threads), "--exercise", args.exercise,
           "--seconds", str(args.render_seconds), "--spawned", repr(time.monotonic())]  # fmt: skip
    if args.runtime:
        cmd += ["--runtime", args.runtime]
    if back_shape is not None:
        cmd += ["--back-shape", str(back_shape), "--back-shape-hz", str(args.back_shape_hz)]
    if args.video:
        cmd += ["--video", args.video]
    elif getattr(args, "size", None):
        cmd += ["--size", "%dx%d" % args.size]
    env = dict(os.environ, SDL_VIDEODRIVER="dummy", SDL_AUDIODRIVER="dummy",
               PYTHONPATH=str(Path(__file__).parents[2]))  # fmt: skip
    out = subprocess.run(cmd, capture_output=True, text=True, env=env,
                         timeout=120 + 6 * args.render_seconds)  # fmt: skip
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
