"""Errors the person can fix. The CLI prints them as one line and exits with `exit_code`.

Also `native_chatter_logged`: what C libraries print straight to the terminal (TFLite's
"INFO: Created TensorFlow Lite XNNPACK delegate for CPU.", ALSA's "cannot find card") goes to
the log instead, so the person's terminal holds only what is meant for them."""

from __future__ import annotations

import contextlib
import logging
import os
import re
import sys
import threading
from typing import Iterator


class UserError(Exception):
    """A problem with input, configuration or hardware, with the fix in the message."""

    exit_code = 2


class ModelError(UserError):
    """The model file is missing, corrupt, or fails its checksum."""


class SourceError(UserError):
    """A camera or video cannot be opened or stops delivering frames."""

    exit_code = 3


class ConfigError(UserError):
    """A configuration value is unknown, of the wrong type, or out of range."""


# Lines C libraries print that say nothing to the person: the TFLite runtime's INFO lines and
# ALSA's complaints on a machine without a sound card (the kiosk logs "no sound" itself).
CHATTER = re.compile(r"^(INFO: |ALSA lib )")


# fd 2 is the process's: one thread at a time may take it over (two at once would each
# restore the other's pipe, and stderr would stay in a pipe nobody reads).
_FD2 = threading.RLock()


@contextlib.contextmanager
def native_chatter_logged(log: logging.Logger) -> Iterator[None]:
    """Run a native call with file descriptor 2 sent to a pipe, then log its chatter (DEBUG:
    `-v` shows it) and pass any other line on to stderr unchanged, so a real error from the
    library is never hidden. Neither end of the pipe blocks: a library that wrote more than
    the pipe holds loses the rest, and what it wrote is read without waiting for an end (a
    child process started meanwhile may hold the pipe open), so the caller never hangs."""
    with _FD2:
        try:
            sys.stderr.flush()
            saved = os.dup(2)
        except (OSError, ValueError, AttributeError):  # no fd 2 to speak of: nothing to quiet
            yield
            return
        read, write = os.pipe()
        os.set_blocking(write, False)
        os.set_blocking(read, False)
        os.dup2(write, 2)
        os.close(write)
        try:
            yield
        finally:
            os.dup2(saved, 2)
            os.close(saved)
            chunks = []
            try:
                while chunk := os.read(read, 65536):
                    chunks.append(chunk)
            except BlockingIOError:  # all that was written is read
                pass
            os.close(read)
            for line in b"".join(chunks).decode(errors="replace").splitlines():
                if CHATTER.match(line):
                    log.debug("%s", line)
                elif line.strip():  # (also when the call failed: its own words on why)
                    print(line, file=sys.stderr)
