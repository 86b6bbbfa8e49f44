"""Soak: the whole kiosk, headless, on generated athletes, accelerated, for a given time.

    python -m kiosk.soak --seconds 3600          # the real check: an hour of wall time
    python -m kiosk.soak --seconds 120 --json    # CI

The real App (render loop at 1920x1080 on SDL's dummy driver, flow, judge, coach, screens,
presence, SQLite history) runs on a simulated clock that advances one display frame per
rendered frame, so an hour of wall time is many hours of kiosk time. The demo's script presses
the buttons: choose an exercise, the athlete (a freshly generated one each set) performs it,
stop, summary, the history screen now and then, round again.

Checked at the end (exit status 1 and the figure that failed if not): no exception; resident
memory after warm-up grows by at most 2 MB; open file descriptors steady; every rep the
athlete did is counted by the judge, and every counted rep is in the history database.
With --progress each stored rep is printed as it is committed (`stored set=S rep=N`), which
the kill -9 test uses to know what must survive.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import tempfile
import time
from pathlib import Path

MAX_RSS_GROWTH_MB = 2.0


def rss_mb() -> float:
    with open("/proc/self/status") as fh:
        for line in fh:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024.0
    return float("nan")


def open_fds() -> int:
    return len(os.listdir("/proc/self/fd"))


class CountingHistory:
    """The real History, with every stored rep counted (and printed with --progress)."""

    def __init__(self, history, progress: bool):
        self._h, self.progress, self.stored = history, progress, 0

    def __getattr__(self, name):
        return getattr(self._h, name)

    def add_rep(self, set_id, rep):
        out = self._h.add_rep(set_id, rep)  # durable when this returns
        self.stored += 1
        if self.progress:
            print(f"stored set={set_id} rep={rep.index}", flush=True)
        return out


def main(argv=None) -> int:
    p = argparse.ArgumentParser(prog="python -m kiosk.soak", description=__doc__.splitlines()[0])
    p.add_argument("--seconds", type=float, default=120.0, help="wall-clock duration (120)")
    p.add_argument("--db", help="history database (default: a temporary file)")
    p.add_argument("--fps", type=float, default=15.0, help="simulated display rate (15)")
    p.add_argument("--warmup", type=float, help="wall seconds before memory is baselined "
                   "(default: a fifth of the run, at least 20 s or the whole run if shorter)")
    p.add_argument("--progress", action="store_true", help="print each rep as it is stored")
    p.add_argument("--json", action="store_true", help="print the figures as one JSON object")
    a = p.parse_args(argv)
    os.environ["SDL_VIDEODRIVER"] = "dummy"
    os.environ.setdefault("SDL_AUDIODRIVER", "dummy")
    os.environ.setdefault("PYGAME_HIDE_SUPPORT_PROMPT", "1")

    from kiosk.app import App
    from kiosk.commands.demo import SETS, YAW_DEG, Script, SimClock
    from kiosk.flow import Screen
    from kiosk.history import History
    from kiosk.judge import Judge
    from kiosk.presence import Presence
    from kiosk.screen.display import Display
    from kiosk.screen.exercises import exercise_infos
    from kiosk.synth import generate
    from kiosk.worker import PoseWorker, ScriptedFeed

    tmp = None
    if a.db is None:
        tmp = tempfile.TemporaryDirectory(prefix="hinge-soak-")
        a.db = str(Path(tmp.name) / "history.sqlite3")
    history = CountingHistory(History(a.db), a.progress)
    reps_before = history._rows("SELECT COUNT(*) AS n FROM reps")[0]["n"]  # a reused database
    sets = {ex: (n, f, YAW_DEG[i]) for i, (ex, n, f) in enumerate(SETS)}
    seed = [100]
    athletes, truth = {}, {}

    def new_athlete(ex: str) -> None:
        n, faults, yaw = sets[ex]
        seed[0] += 1
        s = generate(ex, reps=n, faults=faults, yaw_deg=yaw, fps=30, seed=seed[0],
                     lead_in_s=2.0, tail_s=1.0)  # fmt: skip
        athletes[ex], truth[ex] = s.poses, (len(s.counted), seed[0])

    for ex in sets:
        new_athlete(ex)
    # [exercise, (reps the athlete will do, its seed), the set's judge]; only the newest judge is kept
    # alive (holding them all would be the soak's own leak), earlier ones become their count.
    judged: list[list] = []

    def judge_factory(ex: str) -> Judge:
        if judged:
            judged[-1][2] = len(judged[-1][2].reports) if isinstance(judged[-1][2], Judge) else judged[-1][2]
        j = Judge(ex)
        judged.append([ex, truth[ex], j])
        return j

    def reps_of(entry) -> int:
        return len(entry[2].reports) if isinstance(entry[2], Judge) else entry[2]

    sim = SimClock()
    feed = ScriptedFeed(sim, realtime=False)
    script = Script(feed, athletes, None)
    state = {"screen": None}

    def on_frame(app, model) -> None:
        script(app, model)
        if state["screen"] is Screen.COACHING and app.flow.screen is not Screen.COACHING:
            new_athlete(app.flow.last_set[0] if app.flow.last_set else script.target)
        state["screen"] = app.flow.screen

    app = App(display=Display("headless", "landscape"), worker=PoseWorker(feed, clock=sim),
              info=exercise_infos(), judge_factory=judge_factory, clock=sim, fps=a.fps,
              threaded=False, history=history, presence=Presence(90.0, 2.0), on_frame=on_frame)  # fmt: skip

    t0 = time.monotonic()
    warmup = a.warmup if a.warmup is not None else min(max(20.0, a.seconds / 5), a.seconds / 2)
    samples: list[tuple[float, float, int]] = []  # (wall s, RSS MB, fds)
    next_sample = [0.0]

    def tick() -> None:
        sim.now += 1.0 / a.fps
        wall = time.monotonic() - t0
        if wall >= next_sample[0]:
            samples.append((wall, rss_mb(), open_fds()))
            next_sample[0] = wall + 1.0
        if wall >= a.seconds:
            app.running = False

    app.run(tick=tick)
    cut_short = state["screen"] in (Screen.GET_SET, Screen.COACHING)
    wall = time.monotonic() - t0
    stopped_early = wall < a.seconds  # SIGTERM (App.run leaves its loop, saving the set)
    samples.append((wall, rss_mb(), open_fds()))
    after = [s for s in samples if s[0] >= warmup] or samples[-1:]  # stopped before warm-up
    base = after[: max(1, min(5, len(after) // 4))]
    tail = after[-5:]
    med = lambda xs: sorted(xs)[len(xs) // 2]  # noqa: E731
    complete = judged[:-1] if cut_short else judged
    counted = sum(reps_of(e) for e in judged)
    in_db = history._h._rows("SELECT COUNT(*) AS n FROM reps")[0]["n"] - reps_before
    history.close()
    missed = [(e[0], e[1][1], e[1][0], reps_of(e)) for e in complete if reps_of(e) != e[1][0]]
    fig = {
        "wall_s": round(wall, 1), "kiosk_s": round(sim.now, 1), "frames": app.frames,
        "sets": len(judged), "sets_complete": len(complete),
        # Done vs counted compares complete sets only; the set cut off by the stop has reps
        # the athlete finished that the judge will count a moment later. Stored compares all.
        "reps_done": sum(e[1][0] for e in complete),
        "reps_counted_complete": sum(reps_of(e) for e in complete), "reps_counted": counted,
        "reps_stored": history.stored, "reps_in_db": in_db, "sets_miscounted": missed,
        "warmup_s": round(warmup, 1), "rss_warm_mb": round(med([s[1] for s in base]), 2),
        "rss_end_mb": round(med([s[1] for s in tail]), 2),
        "rss_max_mb": round(max(s[1] for s in samples), 2),
        "fds_warm": med([s[2] for s in base]), "fds_end": tail[-1][2],
        "fds_min": min(s[2] for s in after), "fds_max": max(s[2] for s in after),
        "rss_trace_mb": [round(s[1], 1) for s in samples[:: max(1, len(samples) // 12)]],
        "db": a.db if tmp is None else "(temporary)",
    }  # fmt: skip
    fig["rss_growth_mb"] = round(fig["rss_end_mb"] - fig["rss_warm_mb"], 2)
    fig["stopped_early"] = stopped_early
    failures = []
    steady = len(after) >= 10  # enough samples after warm-up to speak of growth
    if steady and fig["rss_growth_mb"] > MAX_RSS_GROWTH_MB:
        failures.append(f"memory grew {fig['rss_growth_mb']} MB after warm-up (max {MAX_RSS_GROWTH_MB})")
    if steady and (fig["fds_max"] > fig["fds_warm"] or fig["fds_end"] != fig["fds_warm"]):
        failures.append(f"open files not steady: {fig['fds_warm']} after warm-up, "
                        f"{fig['fds_min']}..{fig['fds_max']} since, {fig['fds_end']} at the end")  # fmt: skip
    if missed:
        failures.append(f"{len(missed)} set(s) miscounted (exercise, generator seed, done, counted): {missed}")
    if not (counted == history.stored == in_db):
        failures.append(f"reps counted {counted}, stored {history.stored}, in the database {in_db}")
    if len(complete) < 1 and not stopped_early:
        failures.append("not one set completed: run longer")
    fig["failures"] = failures
    if a.json:
        print(json.dumps(fig))
    else:
        for k, v in fig.items():
            print(f"{k:>16}: {v}")
    if tmp is not None:
        tmp.cleanup()
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
