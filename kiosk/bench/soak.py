"""Soak: the whole kiosk, headless, on generated athletes, accelerated, for a given time.

    python -m kiosk.bench.soak --seconds 3600          # the real check: an hour of wall time
    python -m kiosk.bench.soak --seconds 120 --json    # CI

The real App (render loop at 1920x1080 on SDL's dummy driver, flow, judge, coach, screens,
presence, SQLite history) runs on a simulated clock that advances one display frame per
rendered frame, so an hour of wall time is many hours of kiosk time. The demo's script presses
the buttons: choose an exercise, the athlete (a freshly generated one each set) performs it,
stop, summary, the history screen now and then, round again.

Checked at the end (exit status 1 and the figure that failed if not): no exception; resident
memory after warm-up grows by at most 2 MB; open file descriptors steady; every rep the
athlete did is counted by the judge, and every counted rep is in the history database.
Growth is the least-squares trend through every second after warm-up, times its length: the
heap wanders by ~3 MB over tens of minutes as it is trimmed, so the difference between two
moments says more about where in that wander they fell than about a leak (which is a trend).
That difference is reported too (`rss_end_minus_warm_mb`).
With --trace A,B the run also says where memory goes (kiosk/bench/soak_trace.py; a diagnosis, slower).
With --progress each stored rep is printed as it is committed (`stored set=S rep=N`), which
the kill -9 test uses to know what must survive.
"""

from __future__ import annotations

import argparse
import collections
import json
import os
import sys
import tempfile
import time
from pathlib import Path

from kiosk.bench.proc import status_mb

MAX_RSS_GROWTH_MB = 2.0


def rss_mb() -> float:
    rss = status_mb("VmRSS")
    return float("nan") if rss is None else rss


def open_fds() -> int:
    return len(os.listdir("/proc/self/fd"))


class SetTally:
    """Each set's reps, done by the athlete against counted by its judge, as running totals:
    the soak's own bookkeeping must not grow with every set it watches. Only the newest judge
    is kept alive; a miscounted set is remembered (they are the failures to report)."""

    def __init__(self) -> None:
        self.n = self.done = self.counted = 0
        self.cut = self.cut_counted = 0
        self.missed: list[tuple] = []
        self.current: tuple | None = None  # (exercise, (reps done, seed), judge)

    def start(self, ex: str, truth: tuple[int, int], judge) -> None:
        self.close_current()
        self.current = (ex, truth, judge)

    def close_current(self) -> None:
        if self.current is None:
            return
        ex, (done, seed), judge = self.current
        self.current = None
        self.n += 1
        self.done += done
        self.counted += len(judge.reports)
        if len(judge.reports) != done:
            self.missed.append((ex, seed, done, len(judge.reports)))

    def cut_short(self) -> None:
        """The set the stop cut off: its reps count as stored, not as done."""
        self.cut, self.cut_counted = 1, len(self.current[2].reports)
        self.current = None


class Samples:
    """Resident memory and open files, sampled each wall second, kept as running figures
    (the first few after warm-up, the last few, extremes, ~12 for the trace, one per 10 s
    over the last 10 minutes for the slope) so that sampling itself does not grow."""

    def __init__(self, warmup: float, seconds: float) -> None:
        self.warmup, self.every = warmup, max(1.0, seconds / 12)
        self.first: list[tuple[float, float, int]] = []  # up to 5 after warm-up
        self.tail: collections.deque = collections.deque(maxlen=5)
        self.window: collections.deque = collections.deque(maxlen=61)  # (wall, rss) per 10 s
        self.trace: list[float] = []
        self.n_after = 0
        self.rss_max, self.fds = 0.0, [1 << 30, 0]
        self.next_trace = self.next_window = 0.0
        self.fit = RunningFit()  # every sample after warm-up, in constant memory

    def add(self, wall: float, rss: float, fds: int, last: bool = False) -> None:
        self.rss_max = max(self.rss_max, rss)
        if wall >= self.next_trace or last:
            self.trace.append(round(rss, 1))
            self.next_trace += self.every
        if wall < self.warmup and not (last and self.n_after == 0):
            return  # (a run stopped before warm-up is judged on its last sample)
        self.n_after += 1
        self.fit.add(wall, rss)
        if len(self.first) < 5:
            self.first.append((wall, rss, fds))
        self.tail.append((wall, rss, fds))
        self.fds = [min(self.fds[0], fds), max(self.fds[1], fds)]
        if wall >= self.next_window or last:
            self.window.append((wall, rss))
            self.next_window = wall + 10.0

    def figures(self) -> dict:
        def med(xs):
            return sorted(xs)[len(xs) // 2]

        base = self.first[: max(1, min(5, self.n_after // 4))]
        tail = list(self.tail)
        warm, end = med([s[1] for s in base]), med([s[1] for s in tail])
        return {
            "rss_warm_mb": round(warm, 2), "rss_end_mb": round(end, 2),
            "rss_growth_mb": round(self.fit.growth(), 2), "rss_end_minus_warm_mb": round(end - warm, 2),
            "rss_max_mb": round(self.rss_max, 2),
            "rss_slope_mb_per_min": round(slope(list(self.window)) * 60, 3),
            "fds_warm": med([s[2] for s in base]), "fds_end": tail[-1][2],
            "fds_min": self.fds[0], "fds_max": self.fds[1], "rss_trace_mb": self.trace,
            "steady": self.n_after >= 10,  # enough samples after warm-up to speak of growth
        }  # fmt: skip


class RunningFit:
    """Least-squares line through (t, y) samples as they come, from running sums."""

    def __init__(self) -> None:
        self.n, self.t0, self.t_last = 0, 0.0, 0.0
        self.st = self.sy = self.stt = self.sty = 0.0

    def add(self, t: float, y: float) -> None:
        if self.n == 0:
            self.t0 = t  # sums of t - t0: no cancellation over an hour of seconds
        dt = t - self.t0
        self.n += 1
        self.t_last = t
        self.st, self.sy, self.stt, self.sty = self.st + dt, self.sy + y, self.stt + dt * dt, self.sty + dt * y

    def slope(self) -> float:
        """Per unit of t; 0 for fewer than two distinct times."""
        var = self.n * self.stt - self.st * self.st
        return (self.n * self.sty - self.st * self.sy) / var if self.n >= 2 and var > 0 else 0.0

    def growth(self) -> float:
        """The line's rise from the first sample's time to the last's."""
        return self.slope() * (self.t_last - self.t0)


def slope(points: list[tuple[float, float]]) -> float:
    """Least-squares slope (per second) of (t, y) points; 0 for fewer than two."""
    fit = RunningFit()
    for t, y in points:
        fit.add(t, y)
    return fit.slope()


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
    p = argparse.ArgumentParser(prog="python -m kiosk.bench.soak", description=__doc__.splitlines()[0])
    p.add_argument("--seconds", type=float, default=120.0, help="wall-clock duration (120)")
    p.add_argument("--db", help="history database (default: a temporary file)")
    p.add_argument("--fps", type=float, default=15.0, help="simulated display rate (15)")
    p.add_argument("--warmup", type=float, help="wall seconds before memory is baselined "
                   "(default: a fifth of the run, at least 60 s, at most half the run)")
    p.add_argument("--progress", action="store_true", help="print each rep as it is stored")
    p.add_argument("--json", action="store_true", help="print the figures as one JSON object")
    p.add_argument("--trace", metavar="A,B", help="diagnosis: on stderr, Python memory allocated "
                   "after wall second A still alive at B, and C-level heaps every sample")
    a = p.parse_args(argv)
    os.environ["SDL_VIDEODRIVER"] = "dummy"
    os.environ.setdefault("SDL_AUDIODRIVER", "dummy")
    os.environ.setdefault("PYGAME_HIDE_SUPPORT_PROMPT", "1")

    from kiosk.app import App
    from kiosk.commands.demo import SETS, YAW_DEG, Script, SimClock
    from kiosk.screen.flow import Screen
    from kiosk.history import History
    from kiosk.judge import Judge
    from kiosk.pi.presence import Presence
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
    tally = SetTally()

    def judge_factory(ex: str) -> Judge:
        j = Judge(ex)
        tally.start(ex, truth[ex], j)
        return j

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
    # A minute of wall time is ~50 minutes of kiosk: the heap and the caches fill over it
    # (CI's two-minute runs grew 1.7 MB from 24 s to 60 s, then stayed flat; an hour after 12
    # minutes' warm-up: -1.3 MB).
    warmup = a.warmup if a.warmup is not None else min(max(60.0, a.seconds / 5), a.seconds / 2)
    mem = Samples(warmup, a.seconds)
    next_sample = [0.0]
    tracer = None
    if a.trace:
        from kiosk.bench.soak_trace import Tracer

        tracer = Tracer(a.trace, app)

    def tick() -> None:
        sim.now += 1.0 / a.fps
        wall = time.monotonic() - t0
        if wall >= next_sample[0]:
            rss = rss_mb()
            mem.add(wall, rss, open_fds())
            next_sample[0] = wall + 1.0
            if tracer is not None:
                tracer.sample(wall, rss)
        if wall >= a.seconds:
            app.running = False

    app.run(tick=tick)
    cut_short = state["screen"] in (Screen.GET_SET, Screen.COACHING)
    wall = time.monotonic() - t0
    stopped_early = wall < a.seconds  # SIGTERM (App.run leaves its loop, saving the set)
    mem.add(wall, rss_mb(), open_fds(), last=True)
    if cut_short and tally.current is not None:
        tally.cut_short()
    else:
        tally.close_current()
    counted = tally.counted + tally.cut_counted
    in_db = history._h._rows("SELECT COUNT(*) AS n FROM reps")[0]["n"] - reps_before
    history.close()
    fig = {
        "wall_s": round(wall, 1), "kiosk_s": round(sim.now, 1), "frames": app.frames,
        "sets": tally.n + tally.cut, "sets_complete": tally.n,
        # Done vs counted compares complete sets only; the set cut off by the stop has reps
        # the athlete finished that the judge will count a moment later. Stored compares all.
        "reps_done": tally.done,
        "reps_counted_complete": tally.counted, "reps_counted": counted,
        "reps_stored": history.stored, "reps_in_db": in_db, "sets_miscounted": tally.missed,
        "warmup_s": round(warmup, 1), **mem.figures(),
        "db": a.db if tmp is None else "(temporary)",
    }  # fmt: skip
    fig["stopped_early"] = stopped_early
    failures = []
    if fig["steady"] and fig["rss_growth_mb"] > MAX_RSS_GROWTH_MB:
        failures.append(f"memory grew {fig['rss_growth_mb']} MB after warm-up (max {MAX_RSS_GROWTH_MB})")
    if fig["steady"] and (fig["fds_max"] > fig["fds_warm"] or fig["fds_end"] != fig["fds_warm"]):
        failures.append(f"open files not steady: {fig['fds_warm']} after warm-up, "
                        f"{fig['fds_min']}..{fig['fds_max']} since, {fig['fds_end']} at the end")  # fmt: skip
    if tally.missed:
        failures.append(f"{len(tally.missed)} set(s) miscounted (exercise, generator seed, done, "
                        f"counted): {tally.missed}")  # fmt: skip
    if not (counted == history.stored == in_db):
        failures.append(f"reps counted {counted}, stored {history.stored}, in the database {in_db}")
    if tally.n < 1 and not stopped_early:
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
