"""systemd's sd_notify protocol with the standard library: READY, WATCHDOG, STOPPING.

The unit is Type=notify with WatchdogSec: the render loop calls `ready()` once its first
frame is on the glass and `watchdog()` every frame (rate-limited here), so a hung loop gets
the service restarted. Outside systemd ($NOTIFY_SOCKET unset) every call does nothing.
"""

from __future__ import annotations

import logging
import os
import socket
import time

log = logging.getLogger(__name__)


class Notifier:
    def __init__(self, address: str | None = None, clock=time.monotonic):
        self._address = address if address is not None else os.environ.get("NOTIFY_SOCKET", "")
        self._clock = clock
        self._sock: socket.socket | None = None
        self._last_ping = float("-inf")
        # systemd asks for pings at least every WATCHDOG_USEC; ping at a quarter of that.
        usec = os.environ.get("WATCHDOG_USEC", "")
        self._ping_every = int(usec) / 4e6 if usec.isdigit() and int(usec) > 0 else 1.0

    @property
    def enabled(self) -> bool:
        return bool(self._address)

    def notify(self, message: str) -> bool:
        """Send one datagram; True if it went. Failures are logged once, never raised."""
        if not self._address:
            return False
        addr = self._address
        if addr.startswith("@"):  # abstract namespace: leading NUL instead of '@'
            addr = "\0" + addr[1:]
        try:
            if self._sock is None:
                self._sock = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM | socket.SOCK_CLOEXEC)
            self._sock.sendto(message.encode(), addr)
            return True
        except OSError as exc:
            log.warning("sd_notify to %s failed (%s); continuing without it", self._address, exc)
            self._address = ""
            return False

    def ready(self, status: str = "") -> bool:
        return self.notify("READY=1" + (f"\nSTATUS={status}" if status else ""))

    def status(self, text: str) -> bool:
        return self.notify(f"STATUS={text}")

    def watchdog(self) -> bool:
        """Ping the watchdog; cheap to call every frame (sends at most a few times per period)."""
        now = self._clock()
        if now - self._last_ping < self._ping_every:
            return False
        self._last_ping = now
        return self.notify("WATCHDOG=1")

    def stopping(self) -> bool:
        return self.notify("STOPPING=1")

    def close(self) -> None:
        if self._sock is not None:
            self._sock.close()
            self._sock = None
