"""`hinge-mirror analyze --exercise`: the JSON schema, the table, cached keypoints, bad input."""

from __future__ import annotations

import json

import pytest

from kiosk.review.analysis import at_rate
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
    lines = out.splitlines()
    assert out.startswith("hinge: 3 reps, oblique view") and len(lines) == 1 + 2 + 3 + 1
    assert lines[2].split() == ["s", "deg", "deg", "deg", "legs", "s", "s", "/100"]  # units
    assert "leg lengths" in lines[-1]


def test_bad_input_is_one_clear_line(tmp_path, capsys):
    bad = tmp_path / "bad.jsonl"
    bad.write_text("{not json\n")
    assert main(["analyze", "--keypoints-in", str(bad), "--exercise", "hinge"]) == 3
    assert "bad.jsonl:1" in capsys.readouterr().err
    assert main(["analyze", "--keypoints-in", str(tmp_path / "none.jsonl"), "--exercise", "hinge"]) == 3
    assert main(["analyze", "clip.mp4", "--json"]) == 2
    assert "--exercise" in capsys.readouterr().err


def test_pose_hz_judges_what_a_slower_machine_would(tmp_path, capsys):
    s, f = cached(tmp_path)
    assert main(["analyze", "--keypoints-in", str(f), "--exercise", "hinge", "--pose-hz", "10",
                 "--json"]) == 0  # fmt: skip
    obj = json.loads(capsys.readouterr().out)
    assert abs(obj["fps"] - 10) < 0.5 and obj["frames"] < len(s.poses) / 2.5
    assert obj["reps"] == 3


def test_pose_hz_is_checked(tmp_path, capsys):
    _, f = cached(tmp_path)
    assert main(["analyze", "--keypoints-in", str(f), "--exercise", "hinge", "--pose-hz", "0"]) == 2
    assert "--pose-hz 0" in capsys.readouterr().err
    assert main(["analyze", "clip.mp4", "--pose-hz", "10"]) == 2
    assert "--exercise" in capsys.readouterr().err
    assert main(["analyze", "clip.mp4", "--exercise", "hinge", "--pose-hz", "10",
                 "--overlay", str(tmp_path / "o.mp4")]) == 2  # fmt: skip
    assert "--overlay" in capsys.readouterr().err


def _taken(fps: float, hz: float, seconds: float = 3.0) -> list[float]:
    poses = [(i / fps, None) for i in range(int(seconds * fps))]
    return [t for t, _ in at_rate(poses, hz)]


def test_pose_rate_takes_the_newest_frame_when_the_worker_is_free():
    # 60 fps camera, 15 poses a second: every 4th frame.
    assert _taken(60, 15)[:4] == pytest.approx([0, 4 / 60, 8 / 60, 12 / 60])
    # 24 fps, 20 a second: mostly the next frame, now and then one skipped; 20 a second.
    taken = _taken(24, 20)
    gaps = {round(b - a, 4) for a, b in zip(taken, taken[1:], strict=False)}
    assert gaps == {round(1 / 24, 4), round(2 / 24, 4)}
    assert len(taken) == pytest.approx(3 * 20, abs=2)
    # Faster than the camera: every frame.
    assert len(_taken(30, 100)) == 90


def test_a_clip_cut_just_after_its_last_lockout_counts_that_rep(tmp_path, capsys):
    # Recorded clips often end a moment after the last rep: that rep is whole, though the
    # judge had not yet seen the lockout held for its settle time when the frames ran out.
    from tests.test_judge_loss import settling_top

    s = generate("hinge", reps=3, yaw_deg=60, seed=7, tail_s=1.5)
    cut = settling_top(s, "hinge", 3) + 0.1
    f = tmp_path / "kp.jsonl"
    f.write_text("".join(json.dumps(p.to_json()) + "\n" for p in s.poses if p.t < cut))
    assert main(["analyze", "--keypoints-in", str(f), "--exercise", "hinge", "--json"]) == 0
    obj = json.loads(capsys.readouterr().out)
    assert obj["reps"] == 3 and obj["rep_list"][-1]["end_s"] < cut
