"""The bad-input matrix (issue 23): every input a person can get wrong ends in one line that
names the problem and the fix, the right exit status, no traceback and no fake result; and
the terminal holds only what is meant for the person (no library chatter).

Run as a person runs them: the installed `hinge-mirror` in a subprocess, stdout and stderr
apart (a broken pipe needs a real pipe)."""

from __future__ import annotations

import json
import logging
import os
import subprocess
import sys
from pathlib import Path

import pytest

_SCRIPT = Path(sys.executable).with_name("hinge-mirror")
HM = [str(_SCRIPT)] if _SCRIPT.exists() else [sys.executable, "-m", "kiosk"]


def hm(*args, env: dict | None = None, timeout: float = 300, **kw) -> subprocess.CompletedProcess:
    full = dict(os.environ, SDL_VIDEODRIVER="dummy", SDL_AUDIODRIVER="dummy", **(env or {}))
    full.pop("PYGAME_HIDE_SUPPORT_PROMPT", None)  # the CLI must hide pygame's banner itself
    return subprocess.run([*HM, *map(str, args)], capture_output=True, text=True, env=full,
                          timeout=timeout, **kw)  # fmt: skip


def one_line(r: subprocess.CompletedProcess) -> str:
    """The error: exactly one line on stderr, no traceback."""
    assert "Traceback" not in r.stderr, r.stderr
    lines = [line for line in r.stderr.splitlines() if line.strip()]
    assert len(lines) == 1, r.stderr
    assert lines[0].startswith("hinge-mirror: "), lines[0]
    return lines[0]


# ---- library chatter ------------------------------------------------------------------
@pytest.mark.model
def test_pose_json_prints_the_object_and_nothing_else(model_path, testdata_dir):
    """No XNNPACK INFO line, no pygame banner: stdout is the object, stderr is empty."""
    r = hm("pose", "--json", testdata_dir / "image1.png", "--model", model_path)
    assert r.returncode == 0, r.stderr
    assert r.stderr == ""
    assert set(json.loads(r.stdout)) == {"runtime", "model", "keypoints"}


def test_native_chatter_goes_to_the_log_and_anything_else_still_shows():
    """What a C library writes to fd 2 is caught: known chatter is logged at debug level, any
    other line (a real error) still reaches stderr."""
    code = (
        "import logging, os, sys\n"
        "logging.basicConfig(level=logging.DEBUG, stream=sys.stdout, format='log: %(message)s')\n"
        "from kiosk.errors import native_chatter_logged\n"
        "with native_chatter_logged(logging.getLogger('t')):\n"
        "    os.write(2, b'INFO: Created TensorFlow Lite XNNPACK delegate for CPU.\\n')\n"
        "    os.write(2, b'ALSA lib confmisc.c:855:(parse_card) cannot find card 0\\n')\n"
        "    os.write(2, b'real trouble\\n')\n"
        "os.write(2, b'after\\n')\n"
    )
    r = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60)
    assert r.returncode == 0, r.stderr
    assert r.stderr.splitlines() == ["real trouble", "after"]
    assert "log: INFO: Created TensorFlow Lite XNNPACK" in r.stdout and "log: ALSA lib" in r.stdout
