"""Privacy: camera frames never leave memory and the process opens no network socket.

The pipeline runs in a fresh interpreter with an audit hook (sys.addaudithook) that records
every file opened for writing, every SQLite database opened, every file rename/removal and
every socket created, bound or connected. HOME, TMPDIR, the XDG directories and the working
directory all point into a sandbox, which is inspected afterwards too (C libraries write
without Python's audit events; anything they wrote would land there). The only file allowed
is the history database in the state directory, and it holds numbers and fault ids only.
"""

import json
import os
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest

CLIP = "dowel-good-morning_front-oblique_01.mp4"

AUDIT = r"""
import json, os, sys
EVENTS = []
WRITE_FLAGS = os.O_WRONLY | os.O_RDWR | os.O_CREAT | os.O_TRUNC | os.O_APPEND

def hook(event, args):
    if event == "open":
        path, mode, flags = args
        if isinstance(path, int):
            return  # an already-open descriptor
        if (flags or 0) & WRITE_FLAGS or (mode and any(c in str(mode) for c in "wax+")):
            EVENTS.append(["write", os.fsdecode(path)])
    elif event == "sqlite3.connect":
        EVENTS.append(["sqlite", os.fsdecode(args[0])])
    elif event == "socket.__new__":
        EVENTS.append(["socket", int(args[1])])
    elif event in ("socket.connect", "socket.bind", "socket.sendto", "socket.getaddrinfo"):
        EVENTS.append([event, repr(args[1:])])
    elif event in ("os.rename", "os.remove", "os.truncate", "shutil.copyfile", "os.link", "os.symlink"):
        EVENTS.append([event, os.fsdecode(args[0])])

sys.addaudithook(hook)
"""

PIPELINE = r"""
import itertools
from kiosk.sources.video import VideoSource
from kiosk.pose.estimator import PoseEstimator
from kiosk.history import History
from kiosk.judge.reports import RepReport

clip, model, frames = sys.argv[1], sys.argv[2], int(sys.argv[3])
est = PoseEstimator(model)
hist = History.open()  # $STATE_DIRECTORY, as under systemd
set_id = hist.start_set("hello", "oblique")
seen = 0
with VideoSource(clip) as src:
    for frame in itertools.islice(src, frames):
        pose = est.estimate(frame.rgb, frame.t)
        seen += pose is not None
judge_reps = []
try:
    from kiosk.judge import Judge  # record what the judge decides, as the app does
except ImportError:
    Judge = None
if Judge is not None:
    j = Judge("hello")
    with VideoSource(clip) as src:
        for frame in itertools.islice(src, frames):
            st = j.update(est.estimate(frame.rgb, frame.t), frame.t)
            if st.new_rep is not None:
                hist.add_rep(set_id, st.new_rep)
                judge_reps.append(st.new_rep.index)
if not judge_reps:  # no judge in this build or no rep in the excerpt: still store one rep
    hist.add_rep(set_id, RepReport(1, 0.0, 2.0, 45.0, 100.0, 15.0, 0.2, 1.0, 1.0, [], 90))
hist.end_set(set_id)
hist.close()
print(json.dumps({"poses": seen, "events": EVENTS}))
"""


def sandboxed_env(sandbox: Path) -> dict:
    home, tmp, state = sandbox / "home", sandbox / "tmp", sandbox / "state"
    for d in (home, tmp, state):
        d.mkdir(parents=True)
    return {
        "PATH": "/usr/bin:/bin", "HOME": str(home), "TMPDIR": str(tmp),
        "XDG_CACHE_HOME": str(home / ".cache"), "XDG_STATE_HOME": str(home / ".state"),
        "XDG_CONFIG_HOME": str(home / ".config"), "XDG_DATA_HOME": str(home / ".data"),
        "STATE_DIRECTORY": str(state), "PYTHONDONTWRITEBYTECODE": "1",
        "SDL_VIDEODRIVER": "dummy", "SDL_AUDIODRIVER": "dummy",
    }  # fmt: skip


def files_under(root: Path) -> list[Path]:
    return sorted(p for p in root.rglob("*") if p.is_file())


@pytest.mark.model
@pytest.mark.footage
def test_pipeline_writes_only_history_and_opens_no_socket(tmp_path, model_path, footage_dir):
    sandbox = tmp_path / "sandbox"
    env = sandboxed_env(sandbox)
    state = Path(env["STATE_DIRECTORY"])
    r = subprocess.run(
        [sys.executable, "-c", AUDIT + PIPELINE, str(footage_dir / CLIP), str(model_path), "150"],
        capture_output=True, text=True, timeout=300, env=env, cwd=sandbox,
    )  # fmt: skip
    assert r.returncode == 0, r.stderr[-3000:]
    out = json.loads(r.stdout.strip().splitlines()[-1])
    assert out["poses"] > 50  # the pipeline really ran on the person in the clip
    events = out["events"]

    sockets = [e for e in events if e[0].startswith("socket")]
    assert sockets == [], f"network/socket activity: {sockets}"

    db = state / "history.sqlite3"
    writes = [e[1] for e in events if e[0] != "sqlite"]
    outside = [w for w in writes if not Path(w).resolve().is_relative_to(state.resolve())
               and w != "/dev/null"]  # fmt: skip
    assert outside == [], f"files written outside the state directory: {outside}"
    assert [e[1] for e in events if e[0] == "sqlite"] == [str(db)]

    # Whatever C code did, nothing but the database (and its WAL/SHM) exists in the sandbox.
    left = [p.relative_to(sandbox) for p in files_under(sandbox)]
    allowed = {Path("state") / n for n in ("history.sqlite3", "history.sqlite3-wal", "history.sqlite3-shm")}
    assert set(left) <= allowed and Path("state/history.sqlite3") in left, left

    # And the database holds judgements, not pictures: no BLOB columns, no large values.
    con = sqlite3.connect(db)
    for (table,) in con.execute("SELECT name FROM sqlite_master WHERE type='table'"):
        for col in con.execute(f"PRAGMA table_info({table})"):
            assert col[2].upper() in ("INTEGER", "REAL", "TEXT"), (table, col)
        for row in con.execute(f"SELECT * FROM {table}"):
            assert all(not isinstance(v, bytes) and len(str(v)) < 200 for v in row)
    assert con.execute("SELECT COUNT(*) FROM reps").fetchone()[0] >= 1


RUN_KIOSK = r"""
from kiosk.cli import main
code = main(["run", "--headless", "--source", sys.argv[1], "--seconds", "6"])
print(json.dumps({"code": code, "events": EVENTS}))
"""


@pytest.mark.model
@pytest.mark.footage
def test_the_real_kiosk_headless_on_a_clip_writes_only_history(tmp_path, model_path, footage_dir):
    """`hinge-mirror run --headless --source CLIP`: the whole kiosk (camera thread, MoveNet,
    presence, flow, screens, history) with the same audit and sandbox checks."""
    sandbox = tmp_path / "sandbox"
    env = sandboxed_env(sandbox)
    env["HINGE_MIRROR_MODEL_DIR"] = str(model_path.parent)
    state = Path(env["STATE_DIRECTORY"])
    r = subprocess.run([sys.executable, "-c", AUDIT + RUN_KIOSK, str(footage_dir / CLIP)],
                       capture_output=True, text=True, timeout=300, env=env, cwd=sandbox)  # fmt: skip
    assert r.returncode == 0, r.stderr[-3000:]
    out = json.loads(r.stdout.strip().splitlines()[-1])
    assert out["code"] == 0
    assert "display 1920x1080 via dummy" in r.stderr and "model missing" not in r.stderr.lower()
    events = out["events"]
    assert [e for e in events if e[0].startswith("socket")] == []
    writes = [e[1] for e in events if e[0] != "sqlite"]
    assert [w for w in writes if not Path(w).resolve().is_relative_to(state.resolve())] == []
    assert {e[1] for e in events if e[0] == "sqlite"} <= {str(state / "history.sqlite3")}
    left = [p.relative_to(sandbox) for p in files_under(sandbox)]
    assert all(p.parts[0] == "state" and p.name.startswith("history.sqlite3") for p in left), left


def test_audit_hook_does_catch_a_write_and_a_socket(tmp_path):
    """The probe above can fail: a stray write and a socket are both recorded."""
    code = AUDIT + (
        "import socket\n"
        "open(os.path.join(os.environ['TMPDIR'], 'frame.raw'), 'wb').write(b'x')\n"
        "s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)\n"
        "try:\n    s.connect(('127.0.0.1', 9))\nexcept OSError:\n    pass\n"
        "print(json.dumps(EVENTS))\n"
    )
    env = sandboxed_env(tmp_path / "sb")
    r = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=env,
                       timeout=60, cwd=tmp_path)  # fmt: skip
    events = json.loads(r.stdout)
    kinds = [e[0] for e in events]
    assert ["write", os.path.join(env["TMPDIR"], "frame.raw")] in events
    assert "socket" in kinds and "socket.connect" in kinds
