"""`hinge-mirror demo`: the complete kiosk with no camera and no model.

The kinematic generator's athlete performs a set of each exercise, faulty reps included,
through the real judge, coach and screens; buttons are pressed by a script. On a desktop the
athlete is drawn picture-in-picture, since there is no reflection to look at. With
--headless the demo runs on a simulated clock (as fast as it renders) and --screenshot DIR
saves one PNG per screen it visits.
"""

from __future__ import annotations

import logging
import os
from pathlib import Path

log = logging.getLogger(__name__)

# (exercise, reps, faults by 0-based rep): each set shows good reps and a typical fault.
SETS = (
    ("hinge", 4, {1: "rounded_back", 3: "forward_bend"}),
    ("hello", 4, {2: "forward_bend"}),
    ("deadlift", 4, {1: "squatting"}),
    ("skier-swing", 5, {2: "arms_low"}),
)
# Where the camera stands around the athlete (0 = straight in front): a camera beside a mirror
# sees people from the front or front-oblique, so the demo does too.
YAW_DEG = (30.0, 35.0, 35.0, 25.0)  # hello at 20 hid its forward bend (hips back is depth)
CYCLE_S = 135.0  # one round: idle, a set of each exercise, the history, back to idle
# How long each screen is shown before the script presses on, and when it is photographed.
STAY_S = {"idle": 3.0, "choose": 2.5, "summary": 5.0, "history": 5.0}
SHOT_AFTER_S = {"idle": 2.0, "choose": 1.2, "get_set": 0.6, "summary": 2.0, "history": 2.0}


def add_parser(subparsers, name):
    p = subparsers.add_parser(name, help="the whole kiosk with a generated athlete (no camera)",
                              description=__doc__)  # fmt: skip
    mode = p.add_mutually_exclusive_group()
    mode.add_argument("--windowed", action="store_true", help="a window (default on a desktop)")
    mode.add_argument("--fullscreen", action="store_true", help="fullscreen (default on a console)")
    mode.add_argument("--headless", action="store_true", help="no screen; simulated clock")
    p.add_argument("--seconds", type=float,
                   help="stop after this many (demo) seconds (headless default: one round, 135 s)")
    p.add_argument("--screenshot", metavar="DIR", help="save one PNG per screen visited")
    p.add_argument("--orientation", choices=("landscape", "portrait"), default="landscape")
    p.add_argument("--fps", type=float, help="frames per second (default 30; 15 headless)")
    p.set_defaults(func=run)


class SimClock:
    """Demo time that advances one frame per rendered frame: deterministic and fast."""

    def __init__(self) -> None:
        self.now = 0.0

    def __call__(self) -> float:
        return self.now


class Script:
    """Presses buttons like a person would and starts the athlete when a set begins."""

    def __init__(self, feed, athletes, shots: Path | None) -> None:
        self.feed, self.athletes, self.shots = feed, athletes, shots
        self.set_no = 0
        self.athlete_end = 0.0
        self.screen = None
        self.last_press = -1e9
        self.shown_history = False
        self.saved: dict[str, Path] = {}

    @property
    def target(self) -> str:
        return SETS[self.set_no % len(SETS)][0]

    def __call__(self, app, model) -> None:
        from kiosk.screen.flow import HISTORY_ITEM, Action, Screen

        flow, t = app.flow, model.t
        if flow.screen is not self.screen:
            self.screen = flow.screen
            if flow.screen is Screen.GET_SET:
                poses = self.athletes[self.target]
                self.feed.play(poses, start=t + 0.3)
                self.athlete_end = t + 0.3 + poses[-1].t - poses[0].t
        self.photograph(app, model)
        on = flow.seconds_on_screen(t)
        if t - self.last_press < 0.8:
            return  # one press at a time, like a person

        def press(action):
            self.last_press = t
            app.act(action)

        s = flow.screen
        if s is Screen.IDLE and on > STAY_S["idle"]:
            press(Action.NEXT)
        elif s is Screen.CHOOSE and on > STAY_S["choose"]:
            want = HISTORY_ITEM if (self.set_no == 1 and not self.shown_history) else self.target
            press(Action.SELECT if flow.selected == want else Action.NEXT)
        elif s is Screen.COACHING and t > self.athlete_end + 0.5:
            press(Action.SELECT)  # stop the set
        elif s is Screen.SUMMARY and on > STAY_S["summary"]:
            self.set_no += 1
            press(Action.NEXT if self.set_no % len(SETS) == 0 else Action.SELECT)
        elif s is Screen.HISTORY and on > STAY_S["history"]:
            self.shown_history = True
            press(Action.SELECT)

    def photograph(self, app, model) -> None:
        """The frame just drawn, once per screen, when that screen has something to show."""
        if self.shots is None:
            return
        import pygame

        from kiosk.screen.flow import Screen

        name = app.flow.screen.value
        if name in self.saved:
            return
        on = app.flow.seconds_on_screen(model.t)
        if app.flow.screen is Screen.COACHING:  # mid-rep, with a cue up
            st = app.flow.state
            ready = (app.flow.reps >= 2 and model.cue is not None and st is not None
                     and st.back_angle_deg is not None and st.back_angle_deg > 35)  # fmt: skip
        else:
            ready = on >= SHOT_AFTER_S.get(name, 1.0)
        if ready:
            path = self.shots / f"{len(self.saved) + 1:02d}-{name}.png"
            pygame.image.save(app.display.surface, str(path))
            self.saved[name] = path
            log.info("saved %s", path)


def run(args) -> int:
    from kiosk.app import App
    from kiosk.judge import Judge
    from kiosk.screen.display import Display
    from kiosk.screen.exercises import exercise_infos
    from kiosk.pi.sound import Sound
    from kiosk.synth import generate
    from kiosk.worker import PoseWorker, ScriptedFeed

    desktop = bool(os.environ.get("DISPLAY") or os.environ.get("WAYLAND_DISPLAY"))
    mode = "headless" if args.headless else "fullscreen" if args.fullscreen or not (
        args.windowed or desktop) else "windowed"  # fmt: skip
    fps = args.fps or (15.0 if mode == "headless" else 30.0)
    shots = Path(args.screenshot) if args.screenshot else None
    if shots is not None:
        shots.mkdir(parents=True, exist_ok=True)
    athletes = {ex: generate(ex, reps=n, faults=f, yaw_deg=YAW_DEG[i], fps=30, seed=i,
                             lead_in_s=2.0, tail_s=1.0).poses
                for i, (ex, n, f) in enumerate(SETS)}  # fmt: skip
    display = Display(mode, args.orientation)
    sim = SimClock() if mode == "headless" else None
    import time

    clock = sim or time.monotonic
    feed = ScriptedFeed(clock, realtime=sim is None)
    script = Script(feed, athletes, shots)
    app = App(display=display, worker=PoseWorker(feed, clock=clock), info=exercise_infos(),
              judge_factory=Judge, clock=clock, fps=fps, threaded=sim is None,
              sound=None if sim else Sound(), on_frame=script, pip=True)  # fmt: skip
    app.keyboard_hints = sim is None  # on a desktop the keys work alongside the script
    tick = (lambda: setattr(sim, "now", sim.now + 1.0 / fps)) if sim else None
    # Headless without --seconds: one round of every exercise (about 135 s of demo time).
    seconds = args.seconds or (CYCLE_S if sim else None)
    app.run(seconds=seconds, tick=tick)
    if shots is not None:
        print(f"saved {len(script.saved)} screenshots in {shots}: "
              + ", ".join(p.name for p in script.saved.values()))  # fmt: skip
    return 0
