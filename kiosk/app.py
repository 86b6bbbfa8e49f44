"""The kiosk's render loop (its parts are chosen and wired in kiosk/startup.py).

    feed (camera or generated athlete) -> PoseWorker thread -> judge -> coach -> screens
    keyboard / GPIO buttons (pygame events) -> flow (the screen state machine)

Collaborators the Pi adds are optional constructor arguments, each with a tiny interface:
  history   kiosk.history.History: start_session(), start_set(exercise) -> id,
            add_rep(id, RepReport), end_set(id), set_view(id, view),
            end_session(), recent_sets(limit)
  notifier  kiosk.pi.sdnotify.Notifier: ready(), watchdog(), stopping()
  presence  kiosk.pi.presence.Presence: update(t, person, busy) -> "sleep"|"wake"|None, wake(t),
            frame_interval(fps)
Buttons post actions with `post_action` from their own thread (pygame.event.post is
thread-safe); the render loop is the only code that touches the screen.
"""

from __future__ import annotations

import logging
import signal
import threading
import time
from typing import Callable

import pygame

from kiosk.pi import heap
from kiosk.coach.coach import Coach, Cue
from kiosk.screen.flow import Action, Effect, Flow, Screen
from kiosk.coach.framing import someone_else
from kiosk.judge.reports import JudgeState, View
from kiosk.screen import Canvas, ViewModel, render
from kiosk.screen.model import ExerciseInfo, SetRecord
from kiosk.screen.widgets import FollowCrop
from kiosk.worker import LULL_WAIT_S

log = logging.getLogger(__name__)

ACTION_EVENT = pygame.event.custom_type()
KEYS = {
    pygame.K_RIGHT: Action.NEXT, pygame.K_DOWN: Action.NEXT, pygame.K_SPACE: Action.NEXT,
    pygame.K_LEFT: Action.NEXT, pygame.K_UP: Action.NEXT,
    pygame.K_RETURN: Action.SELECT, pygame.K_KP_ENTER: Action.SELECT,
    pygame.K_ESCAPE: Action.BACK, pygame.K_BACKSPACE: Action.BACK,
    pygame.K_END: Action.LONG_PRESS, pygame.K_DELETE: Action.LONG_PRESS,
}  # fmt: skip
HISTORY_SETS = 12  # sets on the History screen
KEYBOARD_HELP = "arrows/Space = next, Enter = select, Esc/Backspace = back, End = long press, Ctrl+Q = quit"


def post_action(action: Action) -> None:
    """Hand a button press to the render loop (safe from any thread)."""
    pygame.event.post(pygame.event.Event(ACTION_EVENT, action=Action(action)))


class App:
    def __init__(self, *, display, worker, judge_factory: Callable[[str], object],
                 info: dict[str, ExerciseInfo], sound=None, clock: Callable[[], float] = time.monotonic,
                 fps: float = 30.0, threaded: bool = True, ghost: bool = False, one_button: bool = False,
                 history=None, notifier=None, presence=None, errors: list[str] | None = None,
                 pip: bool = False, on_frame: Callable[["App", ViewModel], None] | None = None,
                 brightness: float = 1.0, back_shape_off: str = "") -> None:  # fmt: skip
        self._trim, self._trimmed_at = heap.trimmer(), -1e9
        self.display, self.worker, self.judge_factory = display, worker, judge_factory
        self.info, self.sound, self.clock, self.fps = info, sound, clock, fps
        self.threaded, self.ghost, self.one_button = threaded, ghost, one_button
        self.history, self.notifier, self.presence = history, notifier, presence
        self.static_errors = list(errors or [])
        self.back_shape_off = back_shape_off  # why the back-shape check is off ("" = on)
        self.on_frame = on_frame  # after each frame is drawn: the demo's script and screenshots
        self.pip = pip  # draw the pose picture-in-picture (the demo's athlete)
        self.keyboard_hints = False  # no GPIO buttons: name the keys on the glass
        self.flow = Flow(tuple(info))
        self.coach = Coach()
        self.judge = None
        self.canvas = Canvas(display.surface, brightness=brightness)  # [display] brightness
        self.sets: list[SetRecord] = []  # this run's last sets (the history screen without a DB)
        self._history_shown: tuple[float, list[SetRecord]] | None = None  # (screen entered, rows)
        self.latest_pose = None
        self.latest_t = 0.0  # the newest result's frame time (the clock of others_seen)
        self.crop = FollowCrop()  # keeps the ghost / picture-in-picture framed on the person
        self.set_id: int | None = None
        self.idle_since = clock()
        self.last_view = View.UNKNOWN  # this session's camera view, for the next Get set
        self.running = True
        # A video source (`run --source FILE`): leave the render loop this many seconds after
        # the file ends, its set ended and the summary drawn. None: stay up (a camera).
        self.quit_after_feed: float | None = None
        self._quit_at: float | None = None
        self.frames = 0
        self.frame_times: list[float] = []

    # ---- inputs ----------------------------------------------------------------------
    def act(self, action: Action) -> None:
        t = self.clock()
        if self.presence is not None:
            self.presence.wake(t)
        if self.judge is not None and self.flow.ends_set(action):
            # Stop pressed right after the last rep's lockout, before the judge had seen it
            # held: that rep is whole, and belongs in this set's count and history.
            final = self.judge.finish()
            if final is not None:
                self._on_state(final, t)
        self.apply(self.flow.act(action, t), t)

    def start_exercise(self, exercise: str) -> None:
        """Start a set of `exercise` at once, by the presses a person would make: wake the
        mirror, step through the choices to it, select it (`run --exercise`)."""
        if exercise not in self.flow.exercises:
            from kiosk.errors import UserError

            raise UserError(f"unknown exercise {exercise!r}: choose one of {', '.join(self.flow.exercises)}")
        if self.flow.screen is Screen.IDLE:
            self.act(Action.NEXT)  # any press wakes it to the choices
        if self.flow.screen is not Screen.CHOOSE:
            raise RuntimeError(f"start_exercise from the {self.flow.screen.value} screen")
        for _ in self.flow.items:
            if self.flow.selected == exercise:
                break
            self.act(Action.NEXT)
        self.act(Action.SELECT)

    def end_set(self) -> None:
        """End the set being coached, if any, as a stop press does: a rep just locked out is
        kept (exit, SIGTERM, a video that ran out)."""
        if self.flow.screen is Screen.COACHING:
            self.act(Action.LONG_PRESS)

    def handle_events(self) -> None:
        for ev in pygame.event.get():
            if ev.type == pygame.QUIT:
                self.running = False
            elif ev.type == ACTION_EVENT:
                self.act(ev.action)
            elif ev.type == pygame.KEYDOWN:
                if ev.key == pygame.K_q and ev.mod & pygame.KMOD_CTRL:
                    self.running = False
                elif ev.key in KEYS:
                    self.act(KEYS[ev.key])

    def feed_poses(self, t: float) -> None:
        if self.worker is None:
            return
        # Read before taking: the worker marks the end only after publishing its last pose.
        ended = self.worker.finished
        if self.threaded:
            fresh, latest = self.worker.take()
        else:  # simulated clock: run the feed on this thread until nothing more is due
            fresh = []
            while self.worker.step_once():
                got, _ = self.worker.take()
                if not got:
                    break
                fresh.extend(got)
            latest = fresh[-1] if fresh else None
        if latest is not None:
            self.latest_pose, self.latest_t = latest
        self._judge_all(fresh, t)
        if ended:
            # A video played to its end (`run --source FILE`): no more of the set is coming,
            # so end it now, not after the 20 s nobody-in-view timeout.
            self.end_set()
            if self.quit_after_feed is not None and self._quit_at is None:
                self._quit_at = t + self.quit_after_feed

    def _judge_all(self, fresh, t: float) -> None:
        shapes = self.worker.take_shapes()
        if self.judge is not None:
            for st, bulge in shapes:
                self.judge.back_shape(st, bulge)
        for pose, pt in fresh:
            person = pose is not None
            if self.presence is not None:
                change = self.presence.update(t, person, busy=self.flow.screen is Screen.COACHING)
                if change == "sleep":
                    self.apply(self.flow.sleep(t), t)
                elif change == "wake":  # someone walked up: the idle glass lights up again
                    self.idle_since = t
            if self.judge is None or self.flow.screen not in (Screen.GET_SET, Screen.COACHING):
                continue
            self._on_state(self.judge.update(pose, pt), t)

    def _on_state(self, state: JudgeState, t: float) -> None:
        self.apply(self.flow.on_judge(state, t), t)
        if self.flow.screen is Screen.COACHING or state.new_rep is not None:
            self.on_cue(self.coach.update(state, t), state)

    def on_cue(self, cue: Cue | None, state: JudgeState) -> None:
        rep = state.new_rep
        if rep is not None:
            if self.history is not None and self.set_id is not None:
                self.history.add_rep(self.set_id, rep)
            if self.sound is not None:
                self.sound.play("tick")
        if cue is not None and self.sound is not None:
            if cue.kind == "warning":
                self.sound.play("warning")
            self.sound.say(cue.text)

    def apply(self, effects: list[Effect], t: float) -> None:
        for e in effects:
            if e.kind == "start_set":
                self.judge = self.judge_factory(e.exercise)
                self.coach.reset()
                if self.history is not None:
                    self.set_id = self.history.start_set(e.exercise)
            elif e.kind == "end_set":
                st = self.flow.state
                if st is not None and st.view is not View.UNKNOWN:
                    self.last_view = st.view
                if self.history is not None and self.set_id is not None:
                    self.history.end_set(self.set_id)
                    self.set_id = None
                if e.reports:
                    score = sum(r.score for r in e.reports) / len(e.reports)
                    self.sets.append(SetRecord(time.time(), e.exercise, len(e.reports), score))
                    del self.sets[:-HISTORY_SETS]  # all a screen shows; every set grew the list
                self.judge = None
            elif e.kind == "screen":
                if e.screen is Screen.IDLE:
                    self.idle_since = t
                    self.last_view = View.UNKNOWN  # the next person stands elsewhere
                    if self.history is not None:
                        self.history.end_session()  # the next set starts a new session
                if e.screen is Screen.COACHING:
                    self.coach.say(Cue("Go! Hips back", "info", 40), t)
                    if self.history is not None and self.set_id is not None and self.flow.state:
                        self.history.set_view(self.set_id, self.flow.state.view)

    # ---- output ----------------------------------------------------------------------
    def history_records(self) -> list[SetRecord]:
        if self.history is None:
            return self.sets
        try:
            sets = self.history.recent_sets(limit=HISTORY_SETS)
        except Exception as exc:  # a broken database must not blank the mirror
            log.warning("history unavailable: %s", exc)
            return self.sets
        return [SetRecord(s.started_at, s.exercise, s.reps, s.mean_score or 0.0) for s in sets]

    def shown_history(self) -> list[SetRecord]:
        """The History screen's sets, read once per visit: nothing is recorded while it is
        up, and a query per frame cost a database read 15-30 times a second."""
        if self.flow.screen is not Screen.HISTORY:
            self._history_shown = None
            return []
        if self._history_shown is None or self._history_shown[0] != self.flow.entered_at:
            self._history_shown = (self.flow.entered_at, self.history_records())
        return self._history_shown[1]

    def view_model(self, t: float) -> ViewModel:
        errors = list(self.static_errors)
        status = getattr(self.worker, "status", "") if self.worker is not None else ""
        if status:
            errors[:0] = [status] + ([self.worker.detail] if self.worker.detail else [])
        in_set = self.flow.screen in (Screen.GET_SET, Screen.COACHING)
        seen = getattr(self.worker, "others_seen", ()) if in_set else ()
        # Get set: say it at once. Coaching: only if it persists (seen twice in 5 s).
        coaching = self.flow.screen is Screen.COACHING
        others = someone_else(seen, self.latest_t, *((5.0, 2) if coaching else (3.0, 1)))
        return ViewModel(
            flow=self.flow, t=t, clock_text=time.strftime("%H:%M"), cue=self.coach.current(t),
            info=self.info, history=self.shown_history(),
            errors=errors, ghost=self.latest_pose if self.ghost and in_set else None,
            view_pose=self.latest_pose if self.flow.screen is Screen.GET_SET else None,
            idle_since=self.idle_since, one_button=self.one_button, keyboard=self.keyboard_hints,
            asleep=bool(self.presence is not None and self.presence.asleep),
            pip=self.latest_pose if self.pip and in_set else None,
            pip_label="demo athlete (no camera)" if self.pip else "",
            crop=self.crop.update(self.latest_pose) if (self.pip or self.ghost) else None,
            someone_else=others,
            last_view=self.last_view, back_shape_off=self.back_shape_off,
        )  # fmt: skip

    def frame(self) -> None:
        if self.threaded and self.worker is not None:
            self.worker.wait_lull(LULL_WAIT_S)  # judge and draw beside the model, not the crop
        t = self.clock()
        start = time.perf_counter()
        self.handle_events()
        self.feed_poses(t)
        self.apply(self.flow.tick(t), t)
        model = self.view_model(t)
        if self.presence is not None and self.presence.asleep:
            self.canvas.begin()  # asleep: all black is a plain mirror (and lights nothing)
        else:
            render(self.canvas, model)
        self.display.present(self.canvas.drawn())
        if self.on_frame is not None:
            self.on_frame(self, model)
        self.frame_times.append(time.perf_counter() - start)
        del self.frame_times[:-600]
        self.frames += 1
        if self.notifier is not None:
            self.notifier.watchdog()
        if self.presence is not None and self.worker is not None:
            self.worker.min_interval = self.presence.frame_interval(self.fps)
        if self._trim is not None and t - self._trimmed_at >= heap.TRIM_EVERY_S:
            self._trim(0)
            self._trimmed_at = t

    def stop(self, *_signal) -> None:
        """Leave the render loop after this frame. SIGTERM (systemd stopping the service) lands
        here, so the set in progress is ended and the session saved instead of cut off."""
        self.running = False

    def run(self, seconds: float | None = None, tick: Callable[[], None] | None = None) -> None:
        """The render loop. `tick` paces it (pygame's Clock at display rate by default)."""
        previous = None
        if threading.current_thread() is threading.main_thread():
            previous = signal.signal(signal.SIGTERM, self.stop)
        if self.threaded and self.worker is not None:
            self.worker.start()
        if self.notifier is not None:
            self.notifier.ready("mirror up")
        pace = tick or (lambda c=pygame.time.Clock(): c.tick(self.fps))
        t_end = None if seconds is None else self.clock() + seconds
        try:
            while self.running and (t_end is None or self.clock() < t_end):
                self.frame()
                if self._quit_at is not None and self.clock() >= self._quit_at:
                    break  # the video is over and its summary was shown
                pace()
        finally:
            self.end_set()
            if self.history is not None:
                self.history.end_session()
            if self.notifier is not None:
                self.notifier.stopping()
            if self.threaded and self.worker is not None:
                self.worker.stop()
            if self.sound is not None:
                self.sound.close()
            if previous is not None:
                signal.signal(signal.SIGTERM, previous)
