"""`hinge-mirror history [--csv]`: the sessions, sets and reps the mirror remembers."""

from __future__ import annotations

import csv
import sys
from datetime import datetime
from pathlib import Path


def add_parser(subparsers, name):
    p = subparsers.add_parser(name, help="list or export (--csv) past sessions, sets and reps")
    p.add_argument("--csv", action="store_true", help="one row per rep as CSV on stdout")
    p.add_argument("--limit", type=int, default=20, help="sessions to list (default 20)")
    p.add_argument("--config", help="settings file (default /etc/hinge-mirror/config.toml)")
    p.add_argument("--db", help="history database file (default: in the state directory)")
    p.set_defaults(func=run)


def _when(t: float | None) -> str:
    return datetime.fromtimestamp(t).strftime("%Y-%m-%d %H:%M") if t else "-"


def run(args) -> int:
    from kiosk import config
    from kiosk.history import FILENAME, History, state_dir

    cfg = config.load(args.config)
    path = args.db or state_dir(cfg.data.directory) / FILENAME
    if not Path(path).exists():
        print(f"No history yet ({path} does not exist): finish a set on the mirror first.",
              file=sys.stderr)  # fmt: skip
        return 0
    hist = History(path)
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
