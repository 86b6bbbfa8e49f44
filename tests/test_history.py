"""History: WAL, durable reps (another connection sees each at once), migrations, export."""

import csv
import io
import sqlite3
import subprocess
import sys

import pytest

from kiosk.errors import UserError
from kiosk.history import FILENAME, MIGRATIONS, SCHEMA_VERSION, History, state_dir
from kiosk.judge.reports import RepReport


def rep(i, score=90, faults=()):
    return RepReport(index=i, start_s=2.0 * i, end_s=2.0 * i + 1.8, back_angle_deg=40.0 + i,
                     hip_angle_deg=95.0, knee_flexion_deg=18.0, hip_shift=0.21, down_s=0.9,
                     up_s=0.9, faults=list(faults), score=score)  # fmt: skip


def test_wal_mode_and_schema_version(tmp_path):
    h = History(tmp_path / FILENAME)
    other = sqlite3.connect(tmp_path / FILENAME)
    assert other.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    assert other.execute("PRAGMA user_version").fetchone()[0] == SCHEMA_VERSION
    h.close()


def test_each_rep_is_visible_to_a_second_connection_immediately(tmp_path):
    h = History(tmp_path / FILENAME)
    set_id = h.start_set("hello", "side")
    spy = sqlite3.connect(tmp_path / FILENAME)  # as if another process read after a power cut
    count = lambda: spy.execute("SELECT COUNT(*) FROM reps").fetchone()[0]  # noqa: E731
    assert count() == 0
    h.add_rep(set_id, rep(1))
    assert count() == 1
    h.add_rep(set_id, rep(2, faults=["rounded_back"]))
    assert count() == 2
    # Nothing is pending in a transaction: the writer is not holding one open.
    assert not h._db.in_transaction
    # The set was never ended (power cut mid-set): its reps are still all there.
    h2 = History(tmp_path / FILENAME)
    assert [r.index for r in h2.reps(set_id)] == [1, 2]
    assert h2.reps(set_id)[1].faults == ["rounded_back"]
    assert h2.reps(set_id)[0] == rep(1)


def test_migrates_a_version_1_database_keeping_its_data(tmp_path):
    path = tmp_path / FILENAME
    old = sqlite3.connect(path)
    old.executescript(MIGRATIONS[0] + "PRAGMA user_version = 1;")
    old.execute("INSERT INTO sessions(id, started_at) VALUES (1, 1000.0)")
    old.execute("INSERT INTO sets(id, session_id, exercise, view, started_at) VALUES (1, 1, 'deadlift', 'side', 1001.0)")
    old.execute("INSERT INTO reps(set_id, idx, back_angle_deg, faults, score) VALUES (1, 1, 50.0, '', 88)")
    old.commit()
    old.close()

    h = History(path)
    assert h._db.execute("PRAGMA user_version").fetchone()[0] == SCHEMA_VERSION == 2
    [s] = h.recent_sessions()
    assert s.sets[0].exercise == "deadlift" and s.sets[0].reps == 1 and s.sets[0].mean_score == 88
    # The v2 columns exist and work on the migrated file.
    new_set = h.start_set("hinge", "front", rules={"max_back_angle_deg": 55})
    h.add_rep(new_set, rep(1))
    row = h._db.execute("SELECT rules FROM sets WHERE id=?", (new_set,)).fetchone()
    assert row[0] == '{"max_back_angle_deg": 55}'


def test_newer_or_corrupt_database_is_a_clear_error_and_is_not_touched(tmp_path):
    newer = tmp_path / "newer.sqlite3"
    c = sqlite3.connect(newer)
    c.execute(f"PRAGMA user_version = {SCHEMA_VERSION + 5}")
    c.close()
    with pytest.raises(UserError, match="newer than this program"):
        History(newer)
    junk = tmp_path / "junk.sqlite3"
    junk.write_bytes(b"this is not a database" * 100)
    with pytest.raises(UserError, match="move it aside"):
        History(junk)
    assert junk.read_bytes() == b"this is not a database" * 100


def test_recent_sessions_and_trends(tmp_path):
    now = [1000.0]
    h = History(tmp_path / FILENAME, clock=lambda: now[0])
    for day, scores in enumerate([[60, 70], [80, 90, 100]]):
        now[0] = 1000.0 + day * 86400
        h.start_session()
        s = h.start_set("skier-swing", "side")
        for i, sc in enumerate(scores, 1):
            h.add_rep(s, rep(i, score=sc, faults=["rounded_back"] if sc < 70 else []))
        h.end_set(s)
        h.end_session()
    recent = h.recent_sessions()
    assert [x.reps for x in recent] == [3, 2]  # newest first
    assert recent[1].sets[0].faults == {"rounded_back": 1}
    t = h.trends("skier-swing")
    assert [p["reps"] for p in t] == [2, 3] and [p["mean_score"] for p in t] == [65, 90]
    assert h.trends("deadlift") == []
    h.start_set("hello", "front")  # no reps: not a set worth showing
    sets = h.recent_sets()
    assert [(x.exercise, x.reps, x.mean_score) for x in sets] == [("skier-swing", 2, 65), ("skier-swing", 3, 90)]
    assert [x.reps for x in h.recent_sets(limit=1)] == [3]


def test_state_dir_order(monkeypatch, tmp_path):
    monkeypatch.setenv("STATE_DIRECTORY", "/var/lib/hinge-mirror:/var/lib/other")
    assert str(state_dir()) == "/var/lib/hinge-mirror"
    assert state_dir(str(tmp_path)) == tmp_path
    monkeypatch.delenv("STATE_DIRECTORY")
    monkeypatch.setenv("XDG_STATE_HOME", str(tmp_path / "xdg"))
    assert state_dir() == tmp_path / "xdg" / "hinge-mirror"


def test_history_command_lists_and_exports_csv(tmp_path):
    db = tmp_path / FILENAME
    h = History(db)
    s = h.start_set("hello", "side")
    h.add_rep(s, rep(1, score=75, faults=["rounded_back"]))
    h.add_rep(s, rep(2, score=95))
    h.end_set(s)
    h.start_set("deadlift", "front")  # a set with no reps still shows
    h.close()
    run = lambda *a: subprocess.run([sys.executable, "-m", "kiosk", "history", "--db", str(db), *a],  # noqa: E731
                                    capture_output=True, text=True, timeout=60)  # fmt: skip
    listing = run()
    assert listing.returncode == 0, listing.stderr
    assert "hello" in listing.stdout and "2 reps" in listing.stdout
    assert "rounded_back x1" in listing.stdout
    exported = run("--csv")
    assert exported.returncode == 0, exported.stderr
    rows = list(csv.DictReader(io.StringIO(exported.stdout)))
    assert [(r["exercise"], r["rep"], r["score"]) for r in rows] == [
        ("hello", "1", "75"), ("hello", "2", "95"), ("deadlift", "", "")]
    assert rows[0]["faults"] == "rounded_back" and float(rows[0]["back_angle_deg"]) == 41.0
    assert rows[0]["session_started_at"][:2] == "20"  # ISO date, not unix seconds


def test_sets_remember_the_config_overrides_they_were_judged_with(tmp_path):
    h = History(tmp_path / FILENAME, rules={"deadlift": {"squat_knee_deg": 85.0}})
    d, g = h.start_set("deadlift"), h.start_set("hello")
    got = dict(h._db.execute("SELECT exercise, rules FROM sets").fetchall())
    assert got == {"deadlift": '{"squat_knee_deg": 85.0}', "hello": "{}"}
    assert d != g


def test_the_history_command_reads_without_writing(tmp_path):
    h = History(tmp_path / FILENAME)
    h.add_rep(h.start_set("hinge"), rep(1))
    h.close()
    ro = History(tmp_path / FILENAME, readonly=True)
    assert ro.recent_sessions()[0].reps == 1
    with pytest.raises(sqlite3.OperationalError, match="readonly"):
        ro._db.execute("DELETE FROM reps")
    missing = subprocess.run([sys.executable, "-m", "kiosk", "history", "--db", str(tmp_path / "none.db")],
                             capture_output=True, text=True, timeout=60)  # fmt: skip
    assert missing.returncode == 0 and "No history at" in missing.stderr
    assert not (tmp_path / "none.db").exists()
