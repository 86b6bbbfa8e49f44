"""Presence: sleep after the timeout with nobody in view, wake on a person or a button, never
sleep mid-set, slow the camera while asleep; CEC commands only when enabled."""

import subprocess

from kiosk.pi.presence import SLEEP, WAKE, Cec, Presence


def feed(p: Presence, t0: float, t1: float, person: bool, dt=0.5, busy=False):
    events, t = [], t0
    while t <= t1 + 1e-9:
        e = p.update(t, person, busy=busy)
        if e:
            events.append((round(t, 2), e))
        t += dt
    return events


def test_sleeps_after_timeout_and_wakes_on_a_person():
    p = Presence(timeout_s=10, low_power_fps=2, wake_after=2)
    assert feed(p, 0, 5, person=True) == []
    assert feed(p, 5.5, 15.0, person=False) == [(15.0, SLEEP)]  # last seen at 5.0
    assert p.asleep and p.frame_interval(30) == 0.5
    # One noisy sighting does not wake; two in a row do.
    assert p.update(16.0, True) is None and p.asleep
    assert p.update(16.5, False) is None
    assert p.update(17.0, True) is None
    assert p.update(17.5, True) == WAKE
    assert not p.asleep and abs(p.frame_interval(30) - 1 / 30) < 1e-9


def test_timeout_counts_from_start_with_nobody_ever_seen():
    p = Presence(timeout_s=10)
    assert feed(p, 100, 115, person=False) == [(110.0, SLEEP)]


def test_button_wakes_and_restarts_the_timeout():
    p = Presence(timeout_s=10)
    feed(p, 0, 10, person=False)
    assert p.asleep
    assert p.wake(12.0) == WAKE and not p.asleep
    assert p.wake(12.5) is None  # already awake
    assert feed(p, 13, 25, person=False) == [(22.5, SLEEP)]  # 10 s after the last press


def test_never_sleeps_during_a_set():
    p = Presence(timeout_s=5)
    assert feed(p, 0, 60, person=False, busy=True) == []
    # After the set ends the timeout starts from the last busy frame.
    assert feed(p, 60.5, 70, person=False) == [(65.0, SLEEP)]


def test_cec_commands_only_when_enabled(monkeypatch):
    calls = []

    def fake_run(cmd, **kw):
        calls.append(cmd)
        return subprocess.CompletedProcess(cmd, 0, "", "")

    monkeypatch.setattr("shutil.which", lambda name: "/usr/bin/" + name)
    cec = Cec(True, run=fake_run)
    assert cec.apply(SLEEP) and cec.apply(WAKE) and not cec.apply(None)
    assert calls == [
        ["cec-ctl", "-d", "/dev/cec0", "--playback", "--to", "0", "--standby"],
        ["cec-ctl", "-d", "/dev/cec0", "--playback", "--to", "0", "--image-view-on"],
    ]
    off = Cec(False, run=fake_run)
    assert not off.apply(SLEEP) and len(calls) == 2


def test_cec_missing_tool_or_failure_is_not_fatal(monkeypatch, caplog):
    monkeypatch.setattr("shutil.which", lambda name: None)
    assert not Cec(True).enabled
    assert "v4l-utils" in caplog.text
    monkeypatch.setattr("shutil.which", lambda name: "/usr/bin/" + name)
    failing = Cec(True, run=lambda cmd, **kw: subprocess.CompletedProcess(cmd, 1, "", "No CEC adapter"))
    assert not failing.apply(SLEEP)
    assert "No CEC adapter" in caplog.text


def test_transitions_reach_on_change_once_each():
    seen = []
    p = Presence(timeout_s=5, wake_after=1, on_change=seen.append)
    feed(p, 0, 10, person=False)
    p.update(11, True)
    p.update(11.5, True)
    feed(p, 12, 20, person=False)
    p.wake(21)
    p.wake(22)
    assert seen == [SLEEP, WAKE, SLEEP, WAKE]


def test_the_app_goes_black_when_asleep_and_a_button_wakes_it():
    import pygame

    from kiosk.app import App, post_action
    from kiosk.screen.flow import Action, Screen
    from kiosk.screen.display import Display
    from kiosk.screen.exercises import exercise_infos
    from kiosk.worker import PoseWorker

    now = [0.0]

    class Nobody:  # a camera that sees an empty room, one frame per clock tick
        status, last = "", None

        def step(self):
            if self.last == now[0]:
                return None
            self.last = now[0]
            return None, now[0]

    presence = Presence(timeout_s=5, low_power_fps=2)
    app = App(display=Display("headless", "landscape"), worker=PoseWorker(Nobody(), clock=lambda: now[0]),
              info=exercise_infos(), judge_factory=lambda ex: None, clock=lambda: now[0], fps=15,
              threaded=False, presence=presence)  # fmt: skip
    surface = app.display.surface

    def lit() -> int:  # pixels that are not black
        return pygame.mask.from_threshold(surface, (0, 0, 0), (1, 1, 1, 255)).count() * -1 + (
            surface.get_width() * surface.get_height())

    def run(seconds):
        for _ in range(int(seconds * 15)):
            app.frame()
            now[0] += 1 / 15

    post_action(Action.NEXT)
    run(1)
    assert app.flow.screen is Screen.CHOOSE and lit() > 0
    post_action(Action.BACK)  # back to the idle mirror; then nobody in view for 5 s
    run(1)
    assert app.flow.screen is Screen.IDLE and lit() > 0 and not presence.asleep
    run(5)
    assert presence.asleep and app.flow.screen is Screen.IDLE
    assert lit() == 0  # not even the idle clock: a plain mirror
    assert app.worker.min_interval == 0.5  # camera and model slowed to low_power_fps
    post_action(Action.NEXT)
    run(0.2)
    assert not presence.asleep and app.flow.screen is Screen.CHOOSE and lit() > 0
    assert abs(app.worker.min_interval - 1 / 15) < 1e-9
    pygame.display.quit()
