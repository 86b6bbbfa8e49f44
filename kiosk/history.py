"""What the judge decided, remembered: sessions, sets and reps in SQLite.

One file, history.sqlite3, in the state directory ($STATE_DIRECTORY under systemd, else
$XDG_STATE_HOME/hinge-mirror, else ~/.local/state/hinge-mirror, or [data] directory). WAL
journal with synchronous=FULL and one transaction per rep: a rep is on disk the moment
`add_rep` returns, so a power cut loses at most the rep in progress. The schema version lives
in PRAGMA user_version and MIGRATIONS bring an older file forward in place.
"""

from __future__ import annotations

import json
import os
import sqlite3
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path

from kiosk.errors import UserError
from kiosk.judge.reports import RepReport

FILENAME = "history.sqlite3"

# Index i holds the script that takes a database from version i to version i + 1.
MIGRATIONS = (
    """
    CREATE TABLE sessions (
        id INTEGER PRIMARY KEY,
        started_at REAL NOT NULL,           -- unix time
        ended_at REAL
    );
    CREATE TABLE sets (
        id INTEGER PRIMARY KEY,
        session_id INTEGER NOT NULL REFERENCES sessions(id),
        exercise TEXT NOT NULL,
        view TEXT NOT NULL,
        started_at REAL NOT NULL,
        ended_at REAL
    );
    CREATE TABLE reps (
        id INTEGER PRIMARY KEY,
        set_id INTEGER NOT NULL REFERENCES sets(id),
        idx INTEGER NOT NULL,
        start_s REAL, end_s REAL,
        back_angle_deg REAL, hip_angle_deg REAL, knee_flexion_deg REAL, hip_shift REAL,
        down_s REAL, up_s REAL,
        faults TEXT NOT NULL DEFAULT '',   -- comma-separated kiosk.faults ids
        score INTEGER NOT NULL
    );
    """,
    # v2: remember the threshold overrides a set was judged with, so trends stay honest
    # when the config changes; indices for the History screen's queries.
    """
    ALTER TABLE sets ADD COLUMN rules TEXT NOT NULL DEFAULT '{}';
    ALTER TABLE reps ADD COLUMN recorded_at REAL;
    CREATE INDEX sets_by_session ON sets(session_id);
    CREATE INDEX reps_by_set ON reps(set_id);
    """,
)
SCHEMA_VERSION = len(MIGRATIONS)
CACHE_KIB = 256  # SQLite page cache per connection (see History.__init__)
REP_FIELDS = ("start_s", "end_s", "back_angle_deg", "hip_angle_deg", "knee_flexion_deg",
              "hip_shift", "down_s", "up_s")  # fmt: skip


def state_dir(configured: str = "") -> Path:
    """Where the kiosk keeps its data (see the module docstring for the order)."""
    if configured:
        return Path(configured).expanduser()
    if os.environ.get("STATE_DIRECTORY"):
        return Path(os.environ["STATE_DIRECTORY"].split(":")[0])
    base = os.environ.get("XDG_STATE_HOME") or Path.home() / ".local" / "state"
    return Path(base) / "hinge-mirror"


@dataclass
class SetSummary:
    id: int
    exercise: str
    view: str
    started_at: float
    reps: int
    mean_score: float | None
    mean_back_angle_deg: float | None
    faults: dict[str, int] = field(default_factory=dict)


@dataclass
class SessionSummary:
    id: int
    started_at: float
    ended_at: float | None
    sets: list[SetSummary]

    @property
    def reps(self) -> int:
        return sum(s.reps for s in self.sets)


class History:
    def __init__(self, path: str | os.PathLike, clock=time.time, rules=None, readonly=False):
        self.path = Path(path)
        self._clock = clock
        self._rules = {ex: dict(r) for ex, r in (rules or {}).items()}  # config overrides
        self._lock = threading.Lock()  # reps may arrive from the inference thread
        self.session_id: int | None = None
        try:
            if readonly:  # `hinge-mirror history` beside the running mirror: never migrate
                self._db = sqlite3.connect(f"{self.path.resolve().as_uri()}?mode=ro", uri=True,
                                           check_same_thread=False)  # fmt: skip
                self._db.execute("SELECT COUNT(*) FROM sets").fetchone()
                return
            self.path.parent.mkdir(parents=True, exist_ok=True)
            # Autocommit: every statement outside an explicit transaction commits at once.
            self._db = sqlite3.connect(self.path, isolation_level=None, check_same_thread=False)
            self._db.execute("PRAGMA journal_mode=WAL")
            self._db.execute("PRAGMA synchronous=FULL")
            self._db.execute("PRAGMA foreign_keys=ON")
            # SQLite's page cache defaults to 2 MB per connection and fills as the file grows
            # (every page written or read stays cached until the cap): a kiosk that records
            # reps all day grew its resident memory with its history. The screens read only
            # the newest sets, so a small cache holds all they need; old pages come from disk.
            self._db.execute(f"PRAGMA cache_size=-{CACHE_KIB}")
            self._migrate()
        except sqlite3.DatabaseError as exc:
            raise UserError(
                f"history database {self.path} cannot be used ({exc}): move it aside "
                "(it is kept, not overwritten) and a new one is started"
            ) from None
        except OSError as exc:
            raise UserError(
                f"cannot create the history directory {self.path.parent} ({exc}): set "
                "[data] directory to a writable place"
            ) from None

    @classmethod
    def open(cls, directory: str = "", **kw) -> "History":
        return cls(state_dir(directory) / FILENAME, **kw)

    def _migrate(self) -> None:
        version = self._db.execute("PRAGMA user_version").fetchone()[0]
        if version > SCHEMA_VERSION:
            raise sqlite3.DatabaseError(
                f"it has schema version {version}, newer than this program's {SCHEMA_VERSION}"
            )
        for v in range(version, SCHEMA_VERSION):
            # executescript commits first; run each step and its version bump as one unit.
            self._db.executescript(
                f"BEGIN; {MIGRATIONS[v]} PRAGMA user_version = {v + 1}; COMMIT;"
            )

    # -- writing -----------------------------------------------------------------------
    def _write(self, sql: str, args: tuple) -> int:
        with self._lock:
            return self._db.execute(sql, args).lastrowid

    def start_session(self) -> int:
        self.session_id = self._write("INSERT INTO sessions(started_at) VALUES (?)", (self._clock(),))
        return self.session_id

    def end_session(self) -> None:
        if self.session_id is not None:
            self._write("UPDATE sessions SET ended_at=? WHERE id=?", (self._clock(), self.session_id))
            self.session_id = None

    def start_set(self, exercise: str, view: str = "unknown", rules: dict | None = None) -> int:
        if self.session_id is None:
            self.start_session()
        view = getattr(view, "value", view)
        return self._write(
            "INSERT INTO sets(session_id, exercise, view, started_at, rules) VALUES (?,?,?,?,?)",
            (self.session_id, exercise, str(view), self._clock(),
             json.dumps(rules if rules is not None else self._rules.get(exercise, {}))),
        )

    def set_view(self, set_id: int, view) -> None:
        """The view is often known only after calibration; record it when it is."""
        self._write("UPDATE sets SET view=? WHERE id=?", (str(getattr(view, "value", view)), set_id))

    def add_rep(self, set_id: int, rep: RepReport) -> int:
        """Store one finished rep; durable on return (its own transaction, fsynced)."""
        cols = ("set_id", "idx", *REP_FIELDS, "faults", "score", "recorded_at")
        vals = (set_id, rep.index, *(float(getattr(rep, f)) for f in REP_FIELDS),
                ",".join(rep.faults), int(rep.score), self._clock())  # fmt: skip
        marks = ",".join("?" * len(cols))
        return self._write(f"INSERT INTO reps({','.join(cols)}) VALUES ({marks})", vals)

    def end_set(self, set_id: int) -> None:
        self._write("UPDATE sets SET ended_at=? WHERE id=?", (self._clock(), set_id))

    def close(self) -> None:
        with self._lock:
            self._db.close()

    # -- reading -----------------------------------------------------------------------
    def _rows(self, sql: str, args: tuple = ()) -> list[sqlite3.Row]:
        with self._lock:
            cur = self._db.execute(sql, args)
            names = [d[0] for d in cur.description]
            return [dict(zip(names, r, strict=True)) for r in cur.fetchall()]

    def reps(self, set_id: int) -> list[RepReport]:
        out = []
        for r in self._rows("SELECT * FROM reps WHERE set_id=? ORDER BY idx, id", (set_id,)):
            out.append(RepReport(index=r["idx"], **{f: r[f] for f in REP_FIELDS},
                                 faults=[f for f in r["faults"].split(",") if f],
                                 score=r["score"]))  # fmt: skip
        return out

    def recent_sessions(self, limit: int = 10) -> list[SessionSummary]:
        """The newest sessions first, each with its sets summarised, for the History screen."""
        sessions = self._rows("SELECT * FROM sessions ORDER BY started_at DESC, id DESC LIMIT ?",
                              (limit,))  # fmt: skip
        out = []
        for s in sessions:
            sets = []
            for st in self._rows(
                "SELECT s.*, COUNT(r.id) AS n, AVG(r.score) AS score, AVG(r.back_angle_deg) AS back,"
                " GROUP_CONCAT(r.faults, ',') AS faults FROM sets s LEFT JOIN reps r"
                " ON r.set_id = s.id WHERE s.session_id=? GROUP BY s.id ORDER BY s.id",
                (s["id"],),
            ):
                counts: dict[str, int] = {}
                for f in (st["faults"] or "").split(","):
                    if f:
                        counts[f] = counts.get(f, 0) + 1
                sets.append(SetSummary(st["id"], st["exercise"], st["view"], st["started_at"],
                                       st["n"], st["score"], st["back"], counts))  # fmt: skip
            out.append(SessionSummary(s["id"], s["started_at"], s["ended_at"], sets))
        return out

    def recent_sets(self, limit: int = 30) -> list[SetSummary]:
        """The last sets that have reps, oldest first (the History screen's bars and trend).
        The newest sets are found by id, newest first, so only they and their reps are read
        (grouping every rep ever stored took time and cache in proportion to the history)."""
        rows = self._rows(
            "SELECT s.id, s.exercise, s.view, s.started_at, COUNT(r.id) AS n, AVG(r.score) AS score,"
            " AVG(r.back_angle_deg) AS back FROM (SELECT * FROM sets WHERE EXISTS"
            " (SELECT 1 FROM reps WHERE reps.set_id = sets.id) ORDER BY id DESC LIMIT ?) s"
            " JOIN reps r ON r.set_id = s.id GROUP BY s.id ORDER BY s.started_at DESC, s.id DESC",
            (limit,),
        )
        return [SetSummary(r["id"], r["exercise"], r["view"], r["started_at"], r["n"], r["score"],
                           r["back"]) for r in reversed(rows)]  # fmt: skip

    def trends(self, exercise: str | None = None, limit: int = 30) -> list[dict]:
        """Per session, oldest first: reps and mean score (optionally for one exercise)."""
        where, args = ("AND st.exercise=?", (exercise,)) if exercise else ("", ())
        rows = self._rows(
            "SELECT se.id AS session_id, se.started_at, COUNT(r.id) AS reps,"
            " AVG(r.score) AS mean_score, AVG(r.back_angle_deg) AS mean_back_angle_deg"
            " FROM sessions se JOIN sets st ON st.session_id = se.id"
            f" JOIN reps r ON r.set_id = st.id WHERE 1=1 {where}"
            " GROUP BY se.id ORDER BY se.started_at DESC, se.id DESC LIMIT ?",
            (*args, limit),
        )
        return rows[::-1]

    def export_rows(self) -> list[dict]:
        """Every rep with its set and session, plus sets that have no reps, oldest first."""
        return self._rows(
            "SELECT se.id AS session_id, se.started_at AS session_started_at,"
            " st.id AS set_id, st.exercise, st.view, st.started_at AS set_started_at,"
            " st.ended_at AS set_ended_at, r.idx AS rep,"
            + ", ".join(f"r.{f}" for f in REP_FIELDS)
            + ", r.faults, r.score FROM sessions se JOIN sets st ON st.session_id = se.id"
            " LEFT JOIN reps r ON r.set_id = st.id ORDER BY se.id, st.id, r.idx, r.id"
        )
