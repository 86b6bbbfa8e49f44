"""`hinge-mirror history [--csv]`: the sessions, sets and reps the mirror remembers."""

from __future__ import annotations

import csv
import os
import sys
from datetime import datetime
from pathlib import Path


DESCRIPTION = ("The sessions, sets and reps the mirror remembers: each set with its reps, "
               "mean score, back angle and faults, newest first; or with --csv one row per rep "
               "for a spreadsheet. Reads the database the mirror writes (sudo for the installed "
               "service's); it never changes it.")


def add_parser(subparsers, name):
    p = subparsers.add_parser(name, help="list or export (--csv) past sessions, sets and reps",
                              description=DESCRIPTION)
    p.add_argument("--csv", action="store_true", help="one row per rep as CSV on stdout")
    p.add_argument("--limit", type=int, default=20, help="sessions to list (default 20)")
    p.add_argument("--config", help="settings file (default /etc/hinge-mirror/config.toml)")
    p.add_argument("--db", help="history database file (default: in the state directory)")
    p.set_defaults(func=run)


SERVICE_DB = Path("/var/lib/hinge-mirror/history.sqlite3")


def _as_owner_of(path: Path) -> None:
    """Run as root, read as the database's owner: SQLite may create its -shm file, and one
    owned by root would lock the mirror service out of its own history."""
    st = path.stat()
    if os.geteuid() == 0 and st.st_uid != 0:
        os.setegid(st.st_gid)
        os.seteuid(st.st_uid)


def _when(t: float | None) -> str:
    return datetime.fromtimestamp(t).strftime("%Y-%m-%d %H:%M") if t else "-"


def run(args) -> int:
    from kiosk import config
    from kiosk.history import FILENAME, History, state_dir

    cfg = config.load(args.config)
    if args.db:
        path = Path(args.db)
    elif cfg.data.directory or os.environ.get("STATE_DIRECTORY") or not SERVICE_DB.exists():
        path = state_dir(cfg.data.directory) / FILENAME
    else:
        path = SERVICE_DB  # the mirror service's history (sudo hinge-mirror history)
    if path.is_dir():
        from kiosk.errors import UserError

        raise UserError(f"history database {path} is a directory: give the database file in it "
                        f"({FILENAME})")
    if not path.exists():
        locked = SERVICE_DB.parent.exists() and not os.access(SERVICE_DB.parent, os.X_OK)
        hint = (f"the mirror service keeps its history in {SERVICE_DB.parent}: use sudo"
                if locked else "finish a set on the mirror first")
        print(f"No history at {path}: {hint}.", file=sys.stderr)
        return 0
    _as_owner_of(path)
    hist = History(path, readonly=True)
    try:
        if args.csv:
            rows = hist.export_rows()
            for r in rows:  # ISO times read better in a spreadsheet than unix seconds
                for k in ("session_started_at", "set_started_at", "set_ended_at"):
                    r[k] = datetime.fromtimestamp(r[k]).isoformat(timespec="seconds") if r[k] else ""
            cols = list(rows[0]) if rows else ["session_id"]
            w = csv.DictWriter(sys.stdout, fieldnames=cols, lineterminator="\n")
            w.writeheader()
            w.writerows(rows)
            return 0
        sessions = hist.recent_sessions(args.limit)
        if not sessions:
            print("No sessions recorded yet.")
        for s in sessions:
            print(f"Session {s.id}  {_when(s.started_at)}  {s.reps} reps")
            for st in s.sets:
                score = f"{st.mean_score:.0f}" if st.mean_score is not None else "-"
                back = f"{st.mean_back_angle_deg:.0f}°" if st.mean_back_angle_deg is not None else "-"
                faults = ", ".join(f"{k} x{v}" for k, v in sorted(st.faults.items())) or "no faults"
                print(f"  set {st.id}  {st.exercise:<12} {st.view:<8} {st.reps:>3} reps  "
                      f"score {score:>3}  back {back:>4}  {faults}")  # fmt: skip
        return 0
    finally:
        hist.close()
