"""The soak in CI: two minutes of the whole kiosk, headless and accelerated (python -m
kiosk.soak; an hour with scripts/soak is the real check). HINGE_MIRROR_SOAK_SECONDS changes
the length."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SECONDS = float(os.environ.get("HINGE_MIRROR_SOAK_SECONDS", "120"))


def test_soak(tmp_path, artifacts_dir):
    env = dict(os.environ, SDL_VIDEODRIVER="dummy", SDL_AUDIODRIVER="dummy", PYTHONPATH=str(ROOT))
    r = subprocess.run([sys.executable, "-m", "kiosk.soak", "--seconds", str(SECONDS), "--json",
                        "--db", str(tmp_path / "history.sqlite3")],
                       capture_output=True, text=True, env=env, cwd=ROOT, timeout=SECONDS + 120)  # fmt: skip
    assert "Traceback" not in r.stderr, r.stderr[-3000:]
    fig = json.loads(r.stdout.strip().splitlines()[-1])
    (artifacts_dir / "soak.json").write_text(json.dumps(fig, indent=1))
    assert fig["failures"] == [] and r.returncode == 0, fig
    assert fig["sets_complete"] >= 8  # it did coach: a couple of rounds of every exercise
    assert fig["reps_done"] == fig["reps_counted_complete"] > 0
    assert fig["reps_counted"] == fig["reps_stored"] == fig["reps_in_db"]
    assert fig["rss_growth_mb"] <= 2.0 and fig["fds_end"] == fig["fds_warm"]
