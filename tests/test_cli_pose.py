"""The pose-side commands end to end: clear one-line errors with non-zero exits, and the
documented outputs."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys

import pytest

from kiosk.cli import main
from kiosk.pose.keypoints import NAMES, Pose

NAME = "movenet_singlepose_lightning_int8_v4.tflite"


@pytest.fixture
def empty_lookup(tmp_path, monkeypatch):
    """No model anywhere the look-up searches."""
    from kiosk.pose import model_files as mf

    env = tmp_path / "models"
    env.mkdir()
    monkeypatch.setenv(mf.ENV_DIR, str(env))
    monkeypatch.setattr(mf, "REPO_MODELS", tmp_path / "repo-models")
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    return env


def _one_line_error(capsys):
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and err[0].startswith("hinge-mirror: "), err
    return err[0]


def test_missing_model(empty_lookup, testdata_dir, capsys):
    assert main(["pose", str(testdata_dir / "image1.png")]) == 2
    assert "hinge-mirror models fetch lightning_int8" in _one_line_error(capsys)


@pytest.mark.model
def test_checksum_mismatch(empty_lookup, model_path, testdata_dir, capsys):
    data = bytearray(model_path.read_bytes())
    data[5000] ^= 0x55
    (empty_lookup / NAME).write_bytes(bytes(data))
    assert main(["pose", str(testdata_dir / "image1.png")]) == 2
    assert "fails its SHA-256 check" in _one_line_error(capsys)


@pytest.mark.model
def test_truncated_model_file(empty_lookup, model_path, testdata_dir, capsys, tmp_path):
    (empty_lookup / NAME).write_bytes(model_path.read_bytes()[:1_000_000])
    assert main(["pose", str(testdata_dir / "image1.png")]) == 2
    assert "truncated" in _one_line_error(capsys)
    # Under a name the manifest does not know (no size to compare), the flatbuffer walk
    # still finds weights past the end: refused before tflite_runtime could segfault on it.
    odd = tmp_path / "odd.tflite"
    odd.write_bytes(model_path.read_bytes()[:1_000_000])
    assert main(["analyze", str(testdata_dir / "image1.png"), "--model", str(odd)]) == 2
    assert "truncated or damaged" in _one_line_error(capsys)
    # Cut in the last few hundred bytes (strings, not weights), the runtime's own refusal
    # is still one clear line.
    odd.write_bytes(model_path.read_bytes()[:-100])
    assert main(["analyze", str(testdata_dir / "image1.png"), "--model", str(odd)]) == 2
    assert "could not load" in _one_line_error(capsys)


@pytest.mark.model
def test_unreadable_video(model_path, tmp_path, capsys):
    bad = tmp_path / "clip.mp4"
    bad.write_bytes(b"\x00\x00\x00\x18ftypmp42" + os.urandom(4000))
    assert main(["analyze", str(bad), "--model", str(model_path)]) == 3
    assert "cannot read video" in _one_line_error(capsys)


@pytest.mark.model
def test_unreadable_image(model_path, tmp_path, capsys):
    bad = tmp_path / "photo.png"
    bad.write_text("not a png")
    assert main(["pose", str(bad), "--model", str(model_path)]) == 3
    assert "cannot read image" in _one_line_error(capsys)


@pytest.mark.model
def test_pose_json_is_exactly_the_documented_object(model_path, testdata_dir):
    env = dict(os.environ, HINGE_MIRROR_MODEL_DIR=str(model_path.parent))
    out = subprocess.run([sys.executable, "-m", "kiosk", "pose", "--json",
                          str(testdata_dir / "image1.png")],
                         capture_output=True, text=True, env=env, check=True).stdout
    obj = json.loads(out)  # stdout holds the JSON object and nothing else
    assert set(obj) == {"runtime", "model", "keypoints"}
    assert obj["model"] == NAME and obj["runtime"]
    assert [k["name"] for k in obj["keypoints"]] == list(NAMES)
    assert all(set(k) == {"name", "x", "y", "score"} for k in obj["keypoints"])
    nose = obj["keypoints"][0]
    assert abs(nose["x"] - 186) < 21 and abs(nose["y"] - 89) < 21  # the Pi example's truth


@pytest.mark.model
@pytest.mark.footage
def test_analyze_writes_one_line_per_frame(model_path, footage_dir, tmp_path):
    import av

    clip = footage_dir / "barbell-deadlift_side_04.mp4"
    out = tmp_path / "kp.jsonl"
    assert main(["analyze", str(clip), "--model", str(model_path),
                 "--keypoints-out", str(out)]) == 0
    lines = [json.loads(line) for line in out.read_text().splitlines()]
    with av.open(str(clip)) as c:
        assert len(lines) == c.streams.video[0].frames
    poses = [Pose.from_json(o) for o in lines if o["keypoints"] is not None]
    assert len(poses) > 0.9 * len(lines)
    assert all(p.frame_size == (1280, 720) for p in poses)
    ts = [o["t"] for o in lines]
    assert ts == sorted(ts) and ts[0] == 0.0
    xs = [p.keypoints[:, 0] for p in poses]
    assert all(((x > -50) & (x < 1330)).all() for x in xs)


@pytest.mark.model
@pytest.mark.footage
def test_analyze_keeps_the_good_frames_of_a_truncated_clip(model_path, footage_dir, tmp_path,
                                                           capsys):
    data = (footage_dir / "barbell-deadlift_side_04.mp4").read_bytes()
    cut = tmp_path / "cut.mp4"
    cut.write_bytes(data[: len(data) // 2])
    out = tmp_path / "kp.jsonl"
    assert main(["analyze", str(cut), "--model", str(model_path),
                 "--keypoints-out", str(out)]) == 3
    assert "truncated or corrupt" in capsys.readouterr().err
    assert len(out.read_text().splitlines()) > 20


@pytest.mark.model
def test_models_list_and_verify(empty_lookup, model_path, capsys):
    assert main(["models", "verify"]) == 2  # nothing to verify: say how to fetch
    assert "hinge-mirror models fetch" in capsys.readouterr().err
    shutil.copy(model_path, empty_lookup / NAME)
    assert main(["models", "list"]) == 0
    out = capsys.readouterr().out
    assert "lightning_int8" in out and "[ok]" in out and "thunder_int8" in out
    assert main(["models", "verify"]) == 0
    (empty_lookup / NAME).write_bytes(model_path.read_bytes()[:-1] + b"\0")
    assert main(["models", "verify"]) == 1
    assert "fails its SHA-256 check" in capsys.readouterr().out


@pytest.mark.model
def test_models_fetch_from_a_given_url(empty_lookup, model_path, tmp_path, capsys):
    dest = tmp_path / "fetched"
    assert main(["models", "fetch", "lightning_int8", "--dir", str(dest),
                 "--url", model_path.as_uri()]) == 0
    assert (dest / NAME).read_bytes() == model_path.read_bytes()
    assert "verified" in capsys.readouterr().out
