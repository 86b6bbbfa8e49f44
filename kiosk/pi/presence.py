"""Sleep when nobody is there: a black screen is a plain mirror, and a slower camera and model
save power and heat. A person in view or any button wakes the mirror.

`Presence` is pure (timestamps in, decisions out; no clock reads, no I/O), so the app owns
the timing and the tests own the clock. `Cec` is the one piece of I/O: optional HDMI-CEC
standby through `cec-ctl` (v4l-utils), called by the app on the transitions.
"""

from __future__ import annotations

import logging
import shutil
import subprocess
from dataclasses import dataclass, field
from typing import Callable

log = logging.getLogger(__name__)

SLEEP, WAKE = "sleep", "wake"


@dataclass
class Presence:
    timeout_s: float = 90.0
    low_power_fps: float = 2.0
    wake_after: int = 2  # consecutive sightings needed to wake (one noisy frame is not a person)
    asleep: bool = False
    last_seen: float | None = None
    # Told of every SLEEP/WAKE (e.g. Cec.apply): the caller's choice of side effect.
    on_change: Callable[[str], object] | None = field(default=None, repr=False, compare=False)
    _sightings: int = 0

    def _changed(self, transition: str) -> str:
        if self.on_change is not None:
            self.on_change(transition)
        return transition

    def update(self, t: float, person: bool, busy: bool = False) -> str | None:
        """Feed one camera result. `busy` (a set in progress) never sleeps.
        Returns SLEEP or WAKE on the update that changes state, else None."""
        if self.last_seen is None:
            self.last_seen = t  # the timeout counts from start-up
        if person:
            self._sightings += 1
            if self.asleep and self._sightings < self.wake_after:
                return None
            self.last_seen = t
            if self.asleep:
                self.asleep = False
                return self._changed(WAKE)
            return None
        self._sightings = 0
        if busy:
            self.last_seen = t
            return None
        if not self.asleep and t - self.last_seen >= self.timeout_s:
            self.asleep = True
            return self._changed(SLEEP)
        return None

    def wake(self, t: float) -> str | None:
        """A button was pressed: wake now and restart the timeout."""
        self.last_seen = t
        self._sightings = 0
        if self.asleep:
            self.asleep = False
            return self._changed(WAKE)
        return None

    def frame_interval(self, normal_fps: float) -> float:
        """Seconds between camera frames / inferences in the current state."""
        return 1.0 / (self.low_power_fps if self.asleep else normal_fps)


class Cec:
    """HDMI-CEC display standby/wake via cec-ctl. Failures are logged, never raised: a monitor
    without CEC must not stop the mirror."""

    def __init__(self, enabled: bool, device: str = "/dev/cec0", run=subprocess.run):
        self.device = device
        self._run = run
        self.enabled = enabled and shutil.which("cec-ctl") is not None
        if enabled and not self.enabled:
            log.warning("[presence] cec = true but cec-ctl is not installed "
                        "(sudo apt install v4l-utils); display standby disabled")  # fmt: skip

    def command(self, transition: str) -> list[str]:
        # --playback claims a logical address first; the TV is logical address 0.
        op = "--standby" if transition == SLEEP else "--image-view-on"
        return ["cec-ctl", "-d", self.device, "--playback", "--to", "0", op]

    def apply(self, transition: str | None) -> bool:
        if not (self.enabled and transition):
            return False
        try:
            r = self._run(self.command(transition), capture_output=True, text=True, timeout=5)
        except (OSError, subprocess.TimeoutExpired) as exc:
            log.warning("cec-ctl failed (%s); display standby disabled", exc)
            self.enabled = False
            return False
        if r.returncode != 0:
            log.warning("cec-ctl %s failed: %s", transition, (r.stderr or r.stdout).strip()[:200])
            return False
        return True
