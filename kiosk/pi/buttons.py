"""GPIO push buttons -> the screen's abstract actions (kiosk.screen.flow.Action).

Each button joins a BCM pin to ground and uses the internal pull-up. gpiozero calls us on its
own thread, so the handlers here only classify the press and hand an Action to `post` (the
app passes a function that calls pygame.event.post, which is thread-safe); nothing here ever
touches the screen.

Three-button mode: next / select / back; holding select for long_press_s is LONG_PRESS
(end the session), fired while still held so the person sees it happen.
One-button mode (the button on next_pin): short press NEXT, held past long_press_s SELECT
(on release), held to very_long_press_s LONG_PRESS (fired while held).

No usable pin factory (a PC, a Pi 5 without lgpio, no permission on /dev/gpiochip*): one
log line and the kiosk runs on the keyboard alone. GPIOZERO_PIN_FACTORY is honoured (gpiozero
reads it); lgpio writes a notification pipe into the working directory, so we make sure that
is writable first.
"""

from __future__ import annotations

import logging
import os
import tempfile
import threading
import time
import warnings
from typing import Any, Callable

from kiosk.config import Buttons as ButtonSettings

log = logging.getLogger(__name__)


def action(name: str) -> Any:
    """kiosk.screen.flow.Action[name] when the flow exists, else the name (the agreed vocabulary)."""
    try:
        from kiosk.screen.flow import Action
    except ImportError:
        return name
    return Action[name]


def _make_writable_workdir() -> None:
    """lgpio (the Pi 5 pin factory) creates .lgd-nfy* files in $LG_WD and the current
    directory; under systemd the cwd is / and read-only, so point both at a directory we own."""
    if os.environ.get("LG_WD") or os.access(os.getcwd(), os.W_OK):
        os.environ.setdefault("LG_WD", os.getcwd())
        return
    from kiosk.history import state_dir

    target = os.environ.get("RUNTIME_DIRECTORY", "").split(":")[0] or str(state_dir())
    try:
        os.makedirs(target, exist_ok=True)
    except OSError:
        target = tempfile.gettempdir()
    log.debug("working directory %s is read-only; lgpio needs a writable one: using %s",
              os.getcwd(), target)  # fmt: skip
    os.environ["LG_WD"] = target
    os.chdir(target)


class GpioButtons:
    """Owns the gpiozero Button objects; `start()` returns False when GPIO is unusable."""

    def __init__(self, settings: ButtonSettings, post: Callable[[Any], None],
                 pin_factory=None, clock: Callable[[], float] = time.monotonic):  # fmt: skip
        self.settings = settings
        self._post = post
        self._factory = pin_factory
        self._clock = clock
        self._lock = threading.Lock()
        self._pressed_at: dict[str, float] = {}
        self._hold_fired: dict[str, bool] = {}
        self._devices: list = []
        self.available = False
        self.reason = ""

    def plan(self) -> dict[str, tuple[int, str, str | None, str | None, float | None]]:
        """name -> (pin, short action, middle action (on release), held action, hold time)."""
        s = self.settings
        if s.mode == "one":
            return {"button": (s.next_pin, "NEXT", "SELECT", "LONG_PRESS", s.very_long_press_s)}
        return {
            "next": (s.next_pin, "NEXT", None, None, None),
            "select": (s.select_pin, "SELECT", None, "LONG_PRESS", s.long_press_s),
            "back": (s.back_pin, "BACK", None, None, None),
        }

    def start(self) -> bool:
        try:
            from gpiozero import Button
        except ImportError as exc:  # gpiozero is a dependency, but be kind to odd installs
            return self._unavailable(f"gpiozero is not installed ({exc})")
        if self._factory is None:
            _make_writable_workdir()
        try:
            with warnings.catch_warnings(record=True) as caught:
                warnings.simplefilter("always")
                for name, (pin, *_rest, hold_s) in self.plan().items():
                    b = Button(pin, pull_up=True, bounce_time=self.settings.debounce_ms / 1000,
                               hold_time=hold_s or 1.0, pin_factory=self._factory)  # fmt: skip
                    b.when_pressed = lambda _d, n=name: self._pressed(n)
                    b.when_released = lambda _d, n=name: self._released(n)
                    if hold_s:
                        b.when_held = lambda _d, n=name: self._held(n)
                    self._devices.append(b)
        except Exception as exc:  # BadPinFactory, pin busy, permissions: all mean "no GPIO"
            fallbacks = "; ".join(str(w.message) for w in caught if "Falling back" in str(w.message))
            self.close()
            return self._unavailable(f"{exc}" + (f" ({fallbacks})" if fallbacks else ""))
        self.available = True
        pins = ", ".join(f"{n}=BCM{p[0]}" for n, p in self.plan().items())
        log.info("GPIO buttons ready (%s mode: %s)", self.settings.mode, pins)
        return True

    def _unavailable(self, why: str) -> bool:
        self.available = False
        self.reason = why
        # One short line (gpiozero's reason runs to 300 characters of fallbacks on a PC); the
        # whole of it at debug level (-v) and in `hinge-mirror doctor`, which says the fix.
        short = why.split(" (")[0].rstrip("!. ")
        log.warning("GPIO buttons unavailable (%s). Keyboard only; on a Pi, see "
                    "`hinge-mirror doctor`.", short)
        log.debug("GPIO: %s", why)
        return False

    # -- gpiozero's thread ---------------------------------------------------------------
    def _pressed(self, name: str) -> None:
        with self._lock:
            self._pressed_at[name] = self._clock()
            self._hold_fired[name] = False

    def _held(self, name: str) -> None:
        with self._lock:
            if self._hold_fired.get(name) or name not in self._pressed_at:
                return
            self._hold_fired[name] = True
        self._emit(self.plan()[name][3])

    def _released(self, name: str) -> None:
        with self._lock:
            t0 = self._pressed_at.pop(name, None)
            fired = self._hold_fired.pop(name, False)
        if t0 is None or fired:
            return  # the hold action already went (or a release without a press)
        _pin, short, middle, _held, _hold_s = self.plan()[name]
        held_for = self._clock() - t0
        if middle and held_for >= self.settings.long_press_s:
            self._emit(middle)
        else:
            self._emit(short)

    def _emit(self, name: str | None) -> None:
        if name:
            log.debug("button -> %s", name)
            self._post(action(name))

    def close(self) -> None:
        for b in self._devices:
            try:
                b.close()
            except Exception:  # closing during interpreter shutdown must not raise
                pass
        self._devices.clear()


def start_buttons(settings: ButtonSettings, post: Callable[[Any], None], pin_factory=None) -> GpioButtons:
    """Create and start the buttons; the result's `.available` says whether GPIO works."""
    b = GpioButtons(settings, post, pin_factory=pin_factory)
    b.start()
    return b
