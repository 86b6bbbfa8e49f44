"""This process's memory, as Linux's /proc/self/status reports it (for bench and soak)."""

from __future__ import annotations


def status_mb(key: str) -> float | None:
    """A memory line of /proc/self/status ("VmRSS", "VmHWM", ...) in MB; None where there is
    no /proc or no such line."""
    try:
        with open("/proc/self/status") as fh:
            for line in fh:
                if line.startswith(key + ":"):
                    return int(line.split()[1]) / 1024.0
    except OSError:
        pass
    return None
