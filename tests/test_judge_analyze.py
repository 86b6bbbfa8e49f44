"""`hinge-mirror analyze --exercise`: the JSON schema, the table, cached keypoints, bad input."""

from __future__ import annotations

import json

from kiosk.cli import main
from kiosk.synth import generate

REP_KEYS = {"index", "start_s", "end_s", "back_angle_deg", "hip_angle_deg", "knee_flexion_deg",
            "hip_shift", "down_s", "up_s", "faults", "score"}  # fmt: skip


def cached(tmp_path, **kw):
    s = generate("hinge", reps=3, yaw_deg=60, seed=7, **kw)
    f = tmp_path / "kp.jsonl"
    lines = [json.dumps(p.to_json()) for p in s.poses]
    lines.insert(5, json.dumps({"t": 0.1667, "frame_size": [640, 480], "keypoints": None}))
    f.write_text("\n".join(lines) + "\n")
    return s, f


def test_json_has_the_documented_schema(tmp_path, capsys):
    s, f = cached(tmp_path, faults={1: "squatting"})
    assert main(["analyze", "--keypoints-in", str(f), "--exercise", "hinge", "--json"]) == 0
    obj = json.loads(capsys.readouterr().out)
    assert set(obj) == {"exercise", "view", "fps", "frames", "reps", "rep_list"}
    assert obj["exercise"] == "hinge" and obj["view"] == "oblique" and obj["reps"] == 3
    assert obj["frames"] == len(s.poses) + 1 and abs(obj["fps"] - 30) < 1
    assert all(set(r) == REP_KEYS for r in obj["rep_list"])
    assert "squatting" in obj["rep_list"][1]["faults"] and 0 <= obj["rep_list"][1]["score"] < 100


def test_table_by_default(tmp_path, capsys):
    _, f = cached(tmp_path)
    assert main(["analyze", "--keypoints-in", str(f), "--exercise", "hinge"]) == 0
    out = capsys.readouterr().out
    assert out.startswith("hinge: 3 reps, oblique view") and len(out.splitlines()) == 5


def test_bad_input_is_one_clear_line(tmp_path, capsys):
    bad = tmp_path / "bad.jsonl"
    bad.write_text("{not json\n")
    assert main(["analyze", "--keypoints-in", str(bad), "--exercise", "hinge"]) == 3
    assert "bad.jsonl:1" in capsys.readouterr().err
    assert main(["analyze", "--keypoints-in", str(tmp_path / "none.jsonl"), "--exercise", "hinge"]) == 3
    assert main(["analyze", "clip.mp4", "--json"]) == 2
    assert "--exercise" in capsys.readouterr().err
