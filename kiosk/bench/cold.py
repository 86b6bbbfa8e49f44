"""`python -m kiosk.bench.cold [--model PATH] [--frames N]`: how much slower the judge's
per-frame Python runs right after other work used the core. Explains the bench's overhead
ratio on a fast machine: the pipeline's Python always follows a model run. Numbers only."""

from __future__ import annotations

import argparse
import statistics
import time

import numpy as np


def probe(model_path, frames: int = 300, size=(384, 288)) -> dict[str, float]:
    """Median microseconds of Judge.update on the same recorded poses, after each kind of
    preceding work (about as long as one Lightning invoke here)."""
    from kiosk.bench.frames import generated_frames
    from kiosk.judge import Judge
    from kiosk.pose.estimator import PoseEstimator

    est = PoseEstimator(model_path, 1)
    poses = [(est.estimate(f.rgb, f.t), f.t) for f in generated_frames(frames, "hinge", size=size)]
    invoke = est.detector.interpreter.invoke
    sweep = np.ones(6_000_000 // 8)

    def python_for(seconds: float) -> None:
        end = time.perf_counter() + seconds
        while time.perf_counter() < end:
            pass

    before = {
        "nothing (a warm loop)": None,
        "a 6 MB memory sweep (flushes the data caches)": sweep.sum,
        "4.4 ms of other Python": lambda: python_for(0.0044),
        "MoveNet invoke()": invoke,
        "4.4 ms asleep": lambda: time.sleep(0.0044),
    }
    out = {}
    for name, work in before.items():
        best = float("inf")
        for _ in range(2):
            judge, times = Judge("hinge"), []
            for pose, t in poses:
                if work is not None:
                    work()
                t0 = time.perf_counter()
                judge.update(pose, t)
                times.append(time.perf_counter() - t0)
            best = min(best, statistics.median(times[15:]) * 1e6)
        out[name] = round(best, 1)
    return out


def main(argv=None) -> int:
    from kiosk.pose.model_files import find_model

    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--model")
    p.add_argument("--frames", type=int, default=300)
    a = p.parse_args(argv)
    for name, us in probe(find_model(a.model), max(a.frames, 30)).items():
        print(f"{name:48s} Judge.update median {us:7.1f} us")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
