"""GPIO buttons on gpiozero's MockFactory: presses become the right actions (short, long,
one-button tiers), and with no pin factory the kiosk runs keyboard-only without crashing."""

import logging
import queue
import subprocess
import sys
import time
from pathlib import Path

import pytest
from gpiozero.pins.mock import MockFactory

from kiosk.pi.buttons import GpioButtons, action
from kiosk.config import Buttons


@pytest.fixture
def factory():
    f = MockFactory()
    yield f
    f.reset()


def names(q: queue.Queue) -> list[str]:
    out = []
    while True:
        try:
            a = q.get_nowait()
        except queue.Empty:
            return out
        out.append(getattr(a, "name", a))


def press(pin, seconds=0.08):
    pin.drive_low()  # the button shorts the pulled-up pin to ground
    time.sleep(seconds)
    pin.drive_high()
    time.sleep(0.08)  # past the debounce window before the next press


def wait_for(q: queue.Queue, n: int, timeout=3.0) -> list[str]:
    got, end = [], time.monotonic() + timeout
    while len(got) < n and time.monotonic() < end:
        got += names(q)
        time.sleep(0.01)
    return got


def test_three_buttons_short_presses(factory):
    q = queue.Queue()
    b = GpioButtons(Buttons(), q.put, pin_factory=factory)
    assert b.start() and b.available
    for pin in (17, 27, 22, 17):
        press(factory.pin(pin))
    assert wait_for(q, 4) == ["NEXT", "SELECT", "BACK", "NEXT"]
    # Internal pull-ups: the pins idle high with nothing wired.
    assert factory.pin(17).pull == "up"
    b.close()


def test_holding_select_is_long_press_fired_while_held(factory):
    q = queue.Queue()
    b = GpioButtons(Buttons(long_press_s=0.3), q.put, pin_factory=factory)
    b.start()
    pin = factory.pin(27)
    pin.drive_low()
    assert wait_for(q, 1, timeout=2.0) == ["LONG_PRESS"]  # before the release
    pin.drive_high()
    time.sleep(0.15)
    assert names(q) == []  # the release after a hold sends nothing more
    press(factory.pin(22))  # other buttons still plain
    assert wait_for(q, 1) == ["BACK"]
    b.close()


def test_one_button_mode_tiers(factory):
    q = queue.Queue()
    s = Buttons(mode="one", next_pin=4, long_press_s=0.3, very_long_press_s=1.0)
    b = GpioButtons(s, q.put, pin_factory=factory)
    b.start()
    pin = factory.pin(4)
    press(pin, 0.05)
    assert wait_for(q, 1) == ["NEXT"]
    press(pin, 0.55)
    assert wait_for(q, 1) == ["SELECT"]
    pin.drive_low()
    assert wait_for(q, 1, timeout=3.0) == ["LONG_PRESS"]
    pin.drive_high()
    time.sleep(0.1)
    assert names(q) == []
    # Only the one pin is claimed in one-button mode.
    assert [d.pin.info.name for d in b._devices] == ["GPIO4"]
    b.close()


def test_tiers_are_classified_by_duration_not_order():
    """The classification alone, with a fake clock: exact boundaries."""
    q, now = [], [0.0]
    b = GpioButtons(Buttons(mode="one", long_press_s=1.0, very_long_press_s=3.0),
                    q.append, clock=lambda: now[0])  # fmt: skip
    for held, expect in [(0.99, "NEXT"), (1.0, "SELECT"), (2.9, "SELECT")]:
        b._pressed("button")
        now[0] += held
        b._released("button")
        assert getattr(q[-1], "name", q[-1]) == expect
    b._pressed("button")
    b._held("button")
    b._held("button")  # a second hold callback must not double-fire
    b._released("button")
    assert [getattr(a, "name", a) for a in q[-2:]] == ["SELECT", "LONG_PRESS"]


def test_debounce_and_hold_time_reach_the_pins(factory):
    """gpiozero's MockPin stores but does not apply bounce (the real backends filter it, lgpio
    in the kernel), so check the configured values arrive at the pin and device."""
    b = GpioButtons(Buttons(debounce_ms=45, long_press_s=1.5), lambda a: None, pin_factory=factory)
    b.start()
    assert factory.pin(17).bounce == pytest.approx(0.045)
    select = next(d for d in b._devices if d.pin.info.name == "GPIO27")
    assert select.hold_time == 1.5 and not select.hold_repeat
    b.close()


def test_actions_are_the_flow_vocabulary():
    a = action("SELECT")
    assert getattr(a, "name", a) == "SELECT"


def test_no_pin_factory_is_keyboard_only_with_one_log_line(caplog, monkeypatch):
    monkeypatch.delenv("GPIOZERO_PIN_FACTORY", raising=False)
    from gpiozero import Device

    monkeypatch.setattr(Device, "pin_factory", None)
    caplog.set_level(logging.INFO, logger="kiosk.pi.buttons")
    q = queue.Queue()
    b = GpioButtons(Buttons(), q.put)
    assert b.start() is False and not b.available
    lines = [r for r in caplog.records if r.name == "kiosk.pi.buttons"]
    assert len(lines) == 1 and "Keyboard only" in lines[0].getMessage()
    assert "pin factory" in lines[0].getMessage().lower()
    # One short line (gpiozero's own reason lists every fallback: ~300 characters here)...
    assert len(lines[0].getMessage()) <= 120 and "Falling back" not in lines[0].getMessage()
    assert "doctor" in lines[0].getMessage()  # ...that says where the fix is
    b.close()


def test_gpiozero_pin_factory_env_is_honoured(tmp_path):
    """In a fresh process, GPIOZERO_PIN_FACTORY=mock gives working buttons with no pin_factory
    argument; an unknown name falls back to keyboard-only instead of crashing."""
    code = (
        "import logging, sys; logging.basicConfig(level=logging.INFO)\n"
        "from kiosk.pi.buttons import GpioButtons\nfrom kiosk.config import Buttons\n"
        "b = GpioButtons(Buttons(), print); print('available', b.start())\n"
    )
    env = {"PATH": "/usr/bin:/bin", "HOME": str(tmp_path), "XDG_STATE_HOME": str(tmp_path)}
    ok = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                        env={**env, "GPIOZERO_PIN_FACTORY": "mock"}, timeout=60, cwd=tmp_path)  # fmt: skip
    assert "available True" in ok.stdout, ok.stderr
    bad = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         env={**env, "GPIOZERO_PIN_FACTORY": "nosuch"}, timeout=60, cwd=tmp_path)  # fmt: skip
    assert bad.returncode == 0 and "available False" in bad.stdout
    assert "Keyboard only" in bad.stderr and "Traceback" not in bad.stderr


# ---- the real app, driven only by mock GPIO pins --------------------------------------
class Rig:
    """The headless kiosk on a simulated clock, the generated athlete as the camera, the
    history in a temp dir, and GPIO buttons on gpiozero's MockFactory posting into pygame."""

    def __init__(self, tmp_path, settings: Buttons):
        from kiosk.app import App, post_action
        from kiosk.history import History
        from kiosk.judge import Judge
        from kiosk.screen.display import Display
        from kiosk.screen.exercises import exercise_infos
        from kiosk.worker import PoseWorker, ScriptedFeed

        self.now = 0.0
        clock = lambda: self.now  # noqa: E731
        self.feed = ScriptedFeed(clock, realtime=False)
        self.history = History(tmp_path / "history.sqlite3", clock=lambda: 1.8e9 + self.now)
        self.app = App(display=Display("headless", "landscape"), worker=PoseWorker(self.feed, clock=clock),
                       info=exercise_infos(), judge_factory=Judge, clock=clock, fps=15.0,
                       threaded=False, history=self.history, one_button=settings.mode == "one")  # fmt: skip
        self.factory = MockFactory()
        self.buttons = GpioButtons(settings, post_action, pin_factory=self.factory)
        assert self.buttons.start()

    def frames(self, seconds: float) -> None:
        for _ in range(int(seconds * 15)):
            self.app.frame()
            self.now += 1 / 15

    def press(self, pin: int, hold_s: float = 0.05) -> None:
        p = self.factory.pin(pin)
        p.drive_low()
        time.sleep(hold_s)  # real time: gpiozero's hold timer runs on the wall clock
        p.drive_high()
        import pygame

        from kiosk.app import ACTION_EVENT

        end = time.monotonic() + 3.0  # gpiozero's hold thread may lag on a busy machine
        while not pygame.event.peek(ACTION_EVENT) and time.monotonic() < end:
            time.sleep(0.01)
        self.frames(0.2)  # the render loop picks the posted action up

    def athlete(self, exercise: str, reps: int) -> float:
        """Start the generated athlete now; returns how long the set lasts."""
        from kiosk.synth import generate

        poses = generate(exercise, reps=reps, yaw_deg=90.0, fps=30, seed=3, lead_in_s=2.0,
                         tail_s=1.0).poses  # fmt: skip
        self.feed.play(poses, start=self.now + 0.2)
        return poses[-1].t - poses[0].t + 0.5

    def close(self):
        self.buttons.close()
        self.factory.reset()
        self.history.close()


def test_three_mock_buttons_drive_the_app_through_a_whole_set(tmp_path):
    from kiosk.screen.flow import Screen

    rig = Rig(tmp_path, Buttons())
    app = rig.app
    rig.frames(1.0)
    assert app.flow.screen is Screen.IDLE
    rig.press(17)  # any button wakes the mirror: the exercise carousel
    assert app.flow.screen is Screen.CHOOSE
    rig.press(17)  # next exercise
    exercise = app.flow.selected
    assert exercise == list(app.info)[1]
    rig.press(27)  # select: get set
    assert app.flow.screen is Screen.GET_SET
    rig.frames(rig.athlete(exercise, reps=4))
    assert app.flow.screen is Screen.COACHING
    counted = app.flow.reps
    assert counted >= 3  # the judge counted the athlete's reps (its accuracy is tested elsewhere)
    rig.press(27)  # select again: stop the set
    assert app.flow.screen is Screen.SUMMARY
    assert len(app.flow.last_set[1]) == counted
    # History recorded exactly what the judge decided, rep by rep.
    [session] = rig.history.recent_sessions()
    [st] = session.sets
    assert st.exercise == exercise and st.reps == counted
    assert [r.score for r in rig.history.reps(st.id)] == [r.score for r in app.flow.last_set[1]]
    rig.press(22)  # back: the plain mirror again
    assert app.flow.screen is Screen.IDLE
    rig.close()


def test_one_mock_button_reaches_a_set_and_ends_it_with_a_very_long_press(tmp_path):
    from kiosk.screen.flow import Screen

    rig = Rig(tmp_path, Buttons(mode="one", next_pin=5, long_press_s=0.3, very_long_press_s=1.0))
    app = rig.app
    rig.press(5)  # short: wake
    assert app.flow.screen is Screen.CHOOSE
    rig.press(5)  # short: next
    rig.press(5)  # short: next
    exercise = app.flow.selected
    assert exercise == list(app.info)[2]
    rig.press(5, hold_s=0.5)  # long: select
    assert app.flow.screen is Screen.GET_SET
    rig.frames(rig.athlete(exercise, reps=3))
    assert app.flow.screen is Screen.COACHING and app.flow.reps >= 2
    rig.press(5, hold_s=1.3)  # very long: the long-press action ends the set
    assert app.flow.screen is Screen.SUMMARY
    assert rig.history.recent_sessions()[0].sets[0].reps == app.flow.reps
    rig.close()


def test_lgpio_gets_a_writable_directory_when_started_in_a_read_only_one(tmp_path):
    """As under systemd (cwd /, ProtectSystem=strict): LG_WD and the cwd move to the runtime dir."""
    code = (
        "import os\nfrom kiosk.pi.buttons import _make_writable_workdir\n"
        "os.access = lambda p, m, _a=os.access: False if p == '/' else _a(p, m)\n"
        "_make_writable_workdir()\nprint(os.environ['LG_WD'], os.getcwd())\n"
    )
    run_dir = tmp_path / "run"
    env = {"PATH": "/usr/bin:/bin", "HOME": str(tmp_path), "RUNTIME_DIRECTORY": str(run_dir),
           "PYTHONPATH": str(Path(__file__).resolve().parents[1])}  # fmt: skip
    r = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=env,
                       cwd="/", timeout=60)  # fmt: skip
    assert r.returncode == 0, r.stderr
    assert r.stdout.split() == [str(run_dir), str(run_dir)]


def _just_after_the_last_lockout(tmp_path) -> Rig:
    """The rig coaching a 3-rep hinge set, stopped where the judge has seen the lifter back
    at the top of rep 3, but not yet the lockout held for its settle time."""
    from kiosk.screen.flow import Screen

    rig = Rig(tmp_path, Buttons())
    app = rig.app
    rig.press(17)  # wake: the carousel, on the hinge drill
    rig.press(27)  # select: get set
    assert app.flow.screen is Screen.GET_SET and app.flow.exercise == "hinge"
    end = rig.now + rig.athlete("hinge", reps=3)
    while rig.now < end and not (app.judge and len(app.judge.reports) == 2
                                 and app.judge.pm.stand_t is not None):  # fmt: skip
        rig.frames(1 / 15)
    assert app.flow.screen is Screen.COACHING and app.flow.reps == 2
    return rig


def test_stop_pressed_just_after_the_last_lockout_keeps_that_rep(tmp_path):
    # The lifter stands up from the last rep and stops the set at once. That rep is whole:
    # on the summary and in the history, with its tick.
    from kiosk.screen.flow import Screen

    rig = _just_after_the_last_lockout(tmp_path)
    app = rig.app
    rig.press(27)  # stop
    assert app.flow.screen is Screen.SUMMARY
    assert len(app.flow.last_set[1]) == 3
    [session] = rig.history.recent_sessions()
    assert session.sets[0].reps == 3 and len(rig.history.reps(session.sets[0].id)) == 3
    rig.close()


def test_the_kiosk_stopped_just_after_the_last_lockout_keeps_that_rep(tmp_path):
    # systemd stops the kiosk (SIGTERM) or Ctrl+Q mid-set: the set is saved as by a stop
    # press, the rep just locked out with it.
    rig = _just_after_the_last_lockout(tmp_path)
    rig.app.run(seconds=0.0, tick=lambda: None)  # the loop's exit path alone
    [session] = rig.history.recent_sessions()
    assert session.sets[0].reps == 3 and len(rig.history.reps(session.sets[0].id)) == 3
    rig.close()
