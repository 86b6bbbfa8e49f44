"""Measurements of the pose core, as plain functions (for `hinge-mirror bench` and for
`python -m kiosk.bench.pose`). Numbers only, never pass/fail: timings on a shared machine
are noise, and belong in a report, not in a test.
"""

from __future__ import annotations

import argparse
import statistics
import time
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np


@dataclass
class Timing:
    """Per-frame seconds of each stage, and the derived figures people ask for."""

    invoke: list[float] = field(default_factory=list)
    estimate: list[float] = field(default_factory=list)  # the whole PoseEstimator.estimate
    decode: list[float] = field(default_factory=list)  # reading the frame from the source
    wall: float = 0.0  # end to end, decode included
    frames: int = 0

    @staticmethod
    def ms(values) -> float:
        return statistics.median(values) * 1e3 if values else float("nan")

    @property
    def overhead_ratio(self) -> float:
        """estimate / invoke over all frames: what the crop, decode of keypoints, tracking and
        smoothing cost on top of the model itself."""
        return sum(self.estimate) / max(sum(self.invoke), 1e-12)

    @property
    def fps(self) -> float:
        return self.frames / self.wall if self.wall else float("nan")


def invoke_times(model_path, runtime: str | None = None, threads: int = 1, n: int = 200,
                 warmup: int = 10, seed: int = 0) -> tuple[str, list[float]]:
    """(runtime name, seconds per invoke()) on a fixed random input, after warm-up."""
    from kiosk.pose.movenet import MoveNet
    from kiosk.pose.runtime import load_runtime

    net = MoveNet(model_path, threads, load_runtime(runtime))
    frame = np.random.default_rng(seed).integers(0, 256, (480, 640, 3), dtype=np.uint8)
    tensor = net.prepare(frame)
    for _ in range(warmup):
        net.invoke(tensor)
    out = []
    for _ in range(n):
        t0 = time.perf_counter()
        net.invoke(tensor)
        out.append(time.perf_counter() - t0)
    return net.runtime_name, out


def time_video(video, estimator, limit: int | None = None) -> Timing:
    """Run `estimator` over a video, timing decode, estimate() and the invoke() inside it."""
    from kiosk.sources.video import VideoSource

    timing = Timing()
    net = estimator.detector
    original = net.invoke

    def timed_invoke(tensor):
        t0 = time.perf_counter()
        try:
            return original(tensor)
        finally:
            timing.invoke.append(time.perf_counter() - t0)

    net.invoke = timed_invoke
    estimator.reset()
    start = time.perf_counter()
    try:
        with VideoSource(video) as src:
            while limit is None or timing.frames < limit:
                t0 = time.perf_counter()
                frame = src.read()
                timing.decode.append(time.perf_counter() - t0)
                if frame is None:
                    break
                t0 = time.perf_counter()
                estimator.estimate(frame.rgb, frame.t)
                timing.estimate.append(time.perf_counter() - t0)
                timing.frames += 1
    finally:
        timing.wall = time.perf_counter() - start
        net.invoke = original
    return timing


def report(model_path, video, runtime=None, threads=1, n=200, limit=None) -> dict:
    """Everything the bench prints, as a dict."""
    from kiosk.pose.estimator import PoseEstimator

    name, inv = invoke_times(model_path, runtime, threads, n)
    est = PoseEstimator(model_path, threads, runtime=runtime)
    est.estimate(np.zeros((64, 64, 3), np.uint8), 0.0)  # warm-up
    t = time_video(video, est, limit)
    return {
        "runtime": name, "threads": threads, "model": Path(model_path).name,
        "invoke_median_ms": round(Timing.ms(inv), 2),
        "invoke_p90_ms": round(float(np.percentile(inv, 90)) * 1e3, 2),
        "video": Path(video).name, "frames": t.frames,
        "video_invoke_median_ms": round(Timing.ms(t.invoke), 2),
        "estimate_median_ms": round(Timing.ms(t.estimate), 2),
        "decode_median_ms": round(Timing.ms(t.decode), 2),
        "estimate_over_invoke": round(t.overhead_ratio, 3),
        "analyze_fps": round(t.fps, 1),
    }


def main(argv=None) -> int:
    from kiosk.pose.model_files import find_model

    p = argparse.ArgumentParser(description="measure MoveNet invoke() and end-to-end analyze")
    p.add_argument("video")
    p.add_argument("--model")
    p.add_argument("--runtime", help="ai_edge_litert | tflite_runtime | tensorflow")
    p.add_argument("--threads", type=int, default=1)
    p.add_argument("-n", type=int, default=200, help="invoke() repetitions")
    p.add_argument("--limit", type=int, help="stop the video after this many frames")
    args = p.parse_args(argv)
    r = report(find_model(args.model), args.video, args.runtime, args.threads, args.n, args.limit)
    for k, v in r.items():
        print(f"{k:24s} {v}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
