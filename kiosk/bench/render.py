"""How long one coaching frame takes to draw: for `hinge-mirror bench` and tuning on a Pi.

The coaching screen is the busiest (gauge, ticks, cue, optional ghost) and the one that must
keep up with the person. Each frame changes the live angle, the phase and now and then the
rep count and cue, so the text cache sees the churn it sees in use.
"""

from __future__ import annotations

import math
import os
import statistics
import time

from kiosk.coach.coach import Cue, fault_cue


def coaching_frame_times(size: tuple[int, int] = (1920, 1080), frames: int = 300,
                         ghost: bool = True, warmup: int = 20, rotate: int = 0,
                         whole_turn: bool = False) -> dict:  # fmt: skip
    """Draw and present `frames` coaching frames on SDL's dummy driver (no screen needed).
    `rotate`: turned on the way out, as on a console Pi with a monitor on its side (the
    framebuffer is then the other shape); `whole_turn`: turn the whole frame every time
    instead of only the drawn regions (to compare). Returns {"median_ms", "p95_ms",
    "max_ms", "frames", "size"}."""
    os.environ.setdefault("SDL_VIDEODRIVER", "dummy")
    import numpy as np
    from kiosk.screen.flow import Flow, Screen
    from kiosk.judge.reports import JudgeState, Phase, RepReport, View
    from kiosk.screen import Canvas, ViewModel, render
    from kiosk.screen.exercises import exercise_infos
    from kiosk.screen.widgets import FollowCrop
    from kiosk.synth import generate

    from kiosk.screen.display import Display

    display = Display("headless", "portrait" if size[1] > size[0] else "landscape", size=size,
                      rotate=rotate)  # fmt: skip
    cv = Canvas(display.surface)
    info = exercise_infos()
    flow = Flow(tuple(info))
    flow.screen = Screen.COACHING
    poses = generate("hinge", reps=3, yaw_deg=90, fps=30, seed=0).poses
    crop = FollowCrop()
    cues = [fault_cue("rounded_back"), Cue("Good rep!", "good", 50), None]
    times = []
    for i in range(frames + warmup):
        t = i / 30
        angle = 45 + 40 * math.sin(t * 2)
        reps = i // 60
        if reps > len(flow.reports):
            flow.reports.append(RepReport(reps, t - 2, t, angle, 100, 20, 0.2, 1, 1,
                                          ["too_fast"] if reps % 3 == 0 else [], 70 + reps % 30))  # fmt: skip
        phase = (Phase.DESCENDING, Phase.BOTTOM, Phase.ASCENDING, Phase.STANDING)[(i // 15) % 4]
        flow.state = JudgeState(t, phase, View.SIDE, True, angle, 0.9, reps=reps)
        pose = poses[i % len(poses)]
        model = ViewModel(flow=flow, t=t, info=info, cue=cues[(i // 75) % 3],
                          ghost=pose if ghost else None, crop=crop.update(pose))  # fmt: skip
        start = time.perf_counter()
        render(cv, model)
        display.present(None if whole_turn else cv.drawn())
        if i >= warmup:
            times.append((time.perf_counter() - start) * 1000)
    times.sort()
    return {
        "size": f"{size[0]}x{size[1]}" + (f" turned {rotate}" if rotate else "")
        + (" (whole frame)" if rotate and whole_turn else ""),
        "frames": len(times),
        "median_ms": round(statistics.median(times), 2),
        "p95_ms": round(float(np.percentile(times, 95)), 2),
        "max_ms": round(times[-1], 2),
        "text_cache_hit_rate": round(cv.cache.hits / max(1, cv.cache.hits + cv.cache.misses), 3),
    }


if __name__ == "__main__":
    for sz in ((1920, 1080), (1080, 1920)):
        print(coaching_frame_times(sz))
    for whole in (True, False):  # a portrait monitor on a console Pi: turned in software
        print(coaching_frame_times((1080, 1920), rotate=90, whole_turn=whole))
