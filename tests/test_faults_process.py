"""Fault injection on the process: kill -9 and SIGTERM during a set, and a bad model for
`hinge-mirror run`.

The kiosk under test is the headless soak (`python -m kiosk.bench.soak`): the real App with its
SQLite history, on generated athletes and a simulated clock, printing `stored set=S rep=N`
after each rep is committed.
"""

from __future__ import annotations

import json
import os
import queue
import re
import signal
import sqlite3
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
ENV = dict(os.environ, SDL_VIDEODRIVER="dummy", SDL_AUDIODRIVER="dummy", PYGAME_HIDE_SUPPORT_PROMPT="1",
           PYTHONPATH=str(ROOT))  # fmt: skip
STORED = re.compile(r"stored set=(\d+) rep=(\d+)")


class Kiosk:
    """The headless kiosk in a subprocess, its stored reps read as they are printed."""

    def __init__(self, db: Path, seconds: float):
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "kiosk.bench.soak", "--seconds", str(seconds), "--db", str(db),
             "--progress", "--json"],
            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=ENV, cwd=ROOT)  # fmt: skip
        self.lines: queue.Queue = queue.Queue()
        self.stored: list[tuple[int, int]] = []
        self.out: list[str] = []
        threading.Thread(target=self._pump, daemon=True).start()

    def _pump(self):
        for line in self.proc.stdout:
            self.lines.put(line)
        self.lines.put(None)

    def wait_for_reps(self, n: int, timeout: float = 90.0) -> None:
        end = time.monotonic() + timeout
        while len(self.stored) < n:
            line = self.lines.get(timeout=max(0.1, end - time.monotonic()))
            assert line is not None, f"the kiosk ended early: {self.proc.stderr.read()[-2000:]}"
            self.out.append(line)
            if m := STORED.match(line):
                self.stored.append((int(m[1]), int(m[2])))

    def rest(self) -> list[str]:
        while (line := self.lines.get(timeout=30)) is not None:
            self.out.append(line)
            if m := STORED.match(line):
                self.stored.append((int(m[1]), int(m[2])))
        return self.out


def db_reps(db: Path) -> set[tuple[int, int]]:
    con = sqlite3.connect(db)
    try:
        assert con.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
        return set(con.execute("SELECT set_id, idx FROM reps"))
    finally:
        con.close()


def test_kill_9_mid_set_keeps_every_completed_rep_and_restarts(tmp_path):
    db = tmp_path / "history.sqlite3"
    kiosk = Kiosk(db, seconds=120)
    try:
        kiosk.wait_for_reps(6)
    finally:
        kiosk.proc.kill()  # SIGKILL: no handler, no finally, no flush
        kiosk.proc.wait(10)
    assert kiosk.proc.returncode == -signal.SIGKILL
    before = db_reps(db)
    assert set(kiosk.stored) <= before  # every rep reported stored survived the kill
    # Restarted on the same database: it opens, carries on, and adds to what was there.
    again = Kiosk(db, seconds=12)
    again.rest()
    assert again.proc.wait(30) == 0, again.proc.stderr.read()[-2000:]
    figures = json.loads(again.out[-1])
    after = db_reps(db)
    assert before < after and len(after) == len(before) + figures["reps_stored"]
    assert figures["reps_stored"] >= 1 and set(again.stored) <= after


def test_sigterm_mid_set_exits_within_2_s_with_the_session_saved(tmp_path):
    db = tmp_path / "history.sqlite3"
    kiosk = Kiosk(db, seconds=120)
    try:
        kiosk.wait_for_reps(2)  # a rep just stored: the set is in progress
        t0 = time.monotonic()
        kiosk.proc.send_signal(signal.SIGTERM)
        code = kiosk.proc.wait(10)
        took = time.monotonic() - t0
    finally:
        if kiosk.proc.poll() is None:
            kiosk.proc.kill()
    err = kiosk.proc.stderr.read()
    assert code == 0 and "Traceback" not in err, err[-2000:]
    assert took < 2.0
    kiosk.rest()
    figures = json.loads(kiosk.out[-1])
    assert figures["stopped_early"]
    assert set(kiosk.stored) <= db_reps(db)
    con = sqlite3.connect(db)
    open_sets = con.execute("SELECT COUNT(*) FROM sets WHERE ended_at IS NULL").fetchone()[0]
    open_sessions = con.execute("SELECT COUNT(*) FROM sessions WHERE ended_at IS NULL").fetchone()[0]
    con.close()
    assert open_sets == 0 and open_sessions == 0  # the set was ended and the session saved


# ---- a bad model on the `run` path (the pose/models commands are tested in test_cli_pose) --
@pytest.fixture
def run_config(tmp_path):
    cfg = tmp_path / "config.toml"
    cfg.write_text(f'[data]\ndirectory = "{tmp_path / "state"}"\n')
    return cfg


def bad_model_dir(tmp_path, model_path, kind: str) -> Path:
    d = tmp_path / "models"
    d.mkdir()
    if kind == "truncated":
        (d / model_path.name).write_bytes(model_path.read_bytes()[: 1_000_000])
    elif kind == "wrong checksum":
        data = bytearray(model_path.read_bytes())
        data[-100] ^= 0xFF
        (d / model_path.name).write_bytes(bytes(data))
    return d  # "missing": empty


@pytest.mark.model
@pytest.mark.parametrize("kind", ["missing", "truncated", "wrong checksum"])
def test_run_with_a_bad_model_says_so_and_never_tracebacks(tmp_path, model_path, run_config, kind):
    models = bad_model_dir(tmp_path, model_path, kind)
    env = dict(ENV, HINGE_MIRROR_MODEL_DIR=str(models), XDG_CACHE_HOME=str(tmp_path / "cache"))
    # The repository's models/ is searched too: it must not hold a model for this to mean much.
    assert not list((ROOT / "models").glob("*.tflite"))
    r = subprocess.run([sys.executable, "-m", "kiosk", "run", "--headless", "--seconds", "1",
                        "--config", str(run_config)],
                       capture_output=True, text=True, env=env, cwd=tmp_path, timeout=60)  # fmt: skip
    assert "Traceback" not in r.stderr, r.stderr
    # The start stops with one line that names the problem and the fix, exit status 2 (as a
    # bad config does): a mirror that cannot see would only look as if it worked.
    assert r.returncode == 2, r.stderr
    assert len(r.stderr.strip().splitlines()) == 1 and r.stderr.startswith("hinge-mirror: ")
    assert "models fetch" in r.stderr
    if kind != "missing":
        assert any(w in r.stderr.lower() for w in ("sha-256", "checksum", "truncated", "corrupt")), r.stderr


@pytest.mark.model
def test_run_with_a_bad_model_puts_it_on_the_glass(tmp_path, model_path, monkeypatch):
    from kiosk import config as C
    from kiosk.startup import build

    monkeypatch.setenv("HINGE_MIRROR_MODEL_DIR", str(bad_model_dir(tmp_path, model_path, "truncated")))
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    app = build(C.parse(""), "headless")
    glass = app.view_model(0.0).errors
    assert app.worker is None
    assert any("models fetch" in e for e in glass), glass


@pytest.mark.model
@pytest.mark.footage
@pytest.mark.parametrize("source", ["video", "camera"])
def test_sigterm_stops_hinge_mirror_run_within_2_s(tmp_path, model_path, footage_dir, run_config, source):
    # "camera": there is none here, so the feed is in its back-off when the signal comes.
    src = str(footage_dir / "kb-deadlift_side_01.mp4") if source == "video" else "camera"
    env = dict(ENV, HINGE_MIRROR_MODEL_DIR=str(model_path.parent))
    p = subprocess.Popen([sys.executable, "-m", "kiosk", "run", "--headless", "--source", src,
                          "--config", str(run_config)],
                         stderr=subprocess.PIPE, text=True, env=env, cwd=tmp_path)  # fmt: skip
    try:
        time.sleep(5.0)  # up and running: model loaded, frames flowing or the camera retried
        assert p.poll() is None, p.stderr.read()
        t0 = time.monotonic()
        p.send_signal(signal.SIGTERM)
        code = p.wait(10)
        took = time.monotonic() - t0
    finally:
        if p.poll() is None:
            p.kill()
    err = p.stderr.read()
    assert code == 0 and "Traceback" not in err, err[-2000:]
    assert took < 2.0
