"""GPIO buttons on gpiozero's MockFactory: presses become the right actions (short, long,
one-button tiers), and with no pin factory the kiosk runs keyboard-only without crashing."""

import logging
import queue
import subprocess
import sys
import time

import pytest
from gpiozero.pins.mock import MockFactory

from kiosk.buttons import GpioButtons, action
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
    caplog.set_level(logging.INFO, logger="kiosk.buttons")
    q = queue.Queue()
    b = GpioButtons(Buttons(), q.put)
    assert b.start() is False and not b.available
    lines = [r for r in caplog.records if r.name == "kiosk.buttons"]
    assert len(lines) == 1 and "Keyboard only" in lines[0].getMessage()
    assert "pin factory" in lines[0].getMessage().lower()
    b.close()


def test_gpiozero_pin_factory_env_is_honoured(tmp_path):
    """In a fresh process, GPIOZERO_PIN_FACTORY=mock gives working buttons with no pin_factory
    argument; an unknown name falls back to keyboard-only instead of crashing."""
    code = (
        "import logging, sys; logging.basicConfig(level=logging.INFO)\n"
        "from kiosk.buttons import GpioButtons\nfrom kiosk.config import Buttons\n"
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
