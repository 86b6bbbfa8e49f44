"""The bad-input matrix (issue 23): every input a person can get wrong ends in one line that
names the problem and the fix, the right exit status, no traceback and no fake result; and
the terminal holds only what is meant for the person (no library chatter).

Run as a person runs them: the installed `hinge-mirror` in a subprocess, stdout and stderr
apart (a broken pipe needs a real pipe)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

_SCRIPT = Path(sys.executable).with_name("hinge-mirror")
HM = [str(_SCRIPT)] if _SCRIPT.exists() else [sys.executable, "-m", "kiosk"]


def hm(*args, env: dict | None = None, timeout: float = 300, **kw) -> subprocess.CompletedProcess:
    full = dict(os.environ, SDL_VIDEODRIVER="dummy", SDL_AUDIODRIVER="dummy", **(env or {}))
    full.pop("PYGAME_HIDE_SUPPORT_PROMPT", None)  # the CLI must hide pygame's banner itself
    return subprocess.run([*HM, *map(str, args)], capture_output=True, text=True, env=full,
                          timeout=timeout, **kw)  # fmt: skip


def one_line(r: subprocess.CompletedProcess) -> str:
    """The error: exactly one line on stderr, no traceback."""
    assert "Traceback" not in r.stderr, r.stderr
    lines = [line for line in r.stderr.splitlines() if line.strip()]
    assert len(lines) == 1, r.stderr
    assert lines[0].startswith("hinge-mirror: "), lines[0]
    return lines[0]


# ---- library chatter ------------------------------------------------------------------
@pytest.mark.model
def test_pose_json_prints_the_object_and_nothing_else(model_path, testdata_dir):
    """No XNNPACK INFO line, no pygame banner: stdout is the object, stderr is empty."""
    r = hm("pose", "--json", testdata_dir / "image1.png", "--model", model_path)
    assert r.returncode == 0, r.stderr
    assert r.stderr == ""
    assert set(json.loads(r.stdout)) == {"runtime", "model", "keypoints"}


def test_native_chatter_goes_to_the_log_and_anything_else_still_shows():
    """What a C library writes to fd 2 is caught: known chatter is logged at debug level, any
    other line (a real error) still reaches stderr."""
    code = (
        "import logging, os, sys\n"
        "logging.basicConfig(level=logging.DEBUG, stream=sys.stdout, format='log: %(message)s')\n"
        "from kiosk.errors import native_chatter_logged\n"
        "with native_chatter_logged(logging.getLogger('t')):\n"
        "    os.write(2, b'INFO: Created TensorFlow Lite XNNPACK delegate for CPU.\\n')\n"
        "    os.write(2, b'ALSA lib confmisc.c:855:(parse_card) cannot find card 0\\n')\n"
        "    os.write(2, b'real trouble\\n')\n"
        "os.write(2, b'after\\n')\n"
    )
    r = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60)
    assert r.returncode == 0, r.stderr
    assert r.stderr.splitlines() == ["real trouble", "after"]
    assert "log: INFO: Created TensorFlow Lite XNNPACK" in r.stdout and "log: ALSA lib" in r.stdout



def test_native_chatter_never_strands_stderr_in_a_pipe():
    """Two threads at once (each would restore the other's pipe), and a child process that
    keeps the pipe open past the call: stderr is the terminal's again after, nobody hangs."""
    code = (
        "import logging, os, subprocess, sys, threading, time\n"
        "from kiosk.errors import native_chatter_logged\n"
        "before = os.fstat(2).st_ino\n"
        "gate = threading.Barrier(2)\n"
        "def work():\n"
        "    gate.wait()\n"
        "    for _ in range(300):\n"
        "        with native_chatter_logged(logging.getLogger('t')):\n"
        "            os.write(2, b'INFO: x\\n')\n"
        "threads = [threading.Thread(target=work, daemon=True) for _ in range(2)]\n"
        "[t.start() for t in threads]\n"
        "[t.join(20) for t in threads]\n"
        "t0 = time.monotonic()\n"
        "with native_chatter_logged(logging.getLogger('t')):\n"
        "    child = subprocess.Popen(['sleep', '10'])\n"
        "took = time.monotonic() - t0\n"
        "child.kill()\n"
        "print(any(t.is_alive() for t in threads), os.fstat(2).st_ino == before, took < 2)\n"
    )
    r = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60)
    assert r.stdout.split() == ["False", "True", "True"], (r.stdout, r.stderr[-2000:])


# ---- help that speaks to the person -----------------------------------------------------
def test_help_texts_are_whole_and_speak_to_users():
    top = hm("--help")
    assert top.returncode == 0
    assert "kiosk.commands" not in top.stdout and "dispatcher" not in top.stdout
    assert "coaches hip-hinge" in top.stdout and "exit status" in top.stdout
    for command in ("history", "doctor", "install-service"):
        r = hm(command, "--help")
        usage, _, rest = r.stdout.partition("\n\n")
        assert rest.split("\n")[0].strip() and not rest.startswith("options:"), (command, r.stdout)
    analyze = hm("analyze", "--help").stdout
    description = analyze.split("\n\n", 1)[1].split("positional arguments:")[0]
    assert description.rstrip().endswith("."), description  # not cut mid-sentence
    assert "degrees" in description and "seconds" in description and "leg lengths" in description
    assert "PARTIAL" in description
    bench = hm("bench", "--help").stdout
    assert "at least 10" in " ".join(bench.split())


# ---- analyze: no fake result ------------------------------------------------------------
@pytest.fixture
def bad_videos(tmp_path):
    (tmp_path / "notvideo.mp4").write_text("not a video\n")
    (tmp_path / "empty.mp4").write_bytes(b"")
    (tmp_path / "folder.mp4").mkdir()
    return tmp_path


@pytest.mark.parametrize("name, says", [("missing.mp4", "does not exist"),
                                        ("notvideo.mp4", "not a video"),
                                        ("empty.mp4", "is empty (0 bytes)"),
                                        ("folder.mp4", "is a directory")])  # fmt: skip
@pytest.mark.parametrize("mode", [[], ["--exercise", "deadlift"], ["--exercise", "deadlift", "--json"]])
def test_analyze_an_unusable_video_prints_an_error_and_no_result(bad_videos, name, says, mode):
    out = bad_videos / "kp.jsonl"
    out.write_text("earlier keypoints\n")
    r = hm("analyze", bad_videos / name, *mode, "--keypoints-out", out)
    assert r.returncode == 3
    assert says in one_line(r)
    assert r.stdout == ""  # no "0 reps", no JSON with "reps": 0
    assert out.read_text() == "earlier keypoints\n"  # a failed run replaces nothing
    assert [p.name for p in bad_videos.glob(".*partial*")] == []


def test_analyze_empty_cached_keypoints_is_an_error_not_zero_reps(tmp_path):
    empty = tmp_path / "kp.jsonl"
    empty.write_text("")
    r = hm("analyze", "--keypoints-in", empty, "--exercise", "hinge", "--json")
    assert r.returncode == 3 and "holds no frames" in one_line(r) and r.stdout == ""


@pytest.mark.parametrize("flag, what", [("--overlay", "overlay video"), ("--keypoints-out", "keypoints file")])
def test_analyze_into_a_missing_directory_says_so_before_any_work(tmp_path, flag, what):
    target = tmp_path / "no-such-dir" / "out.mp4"
    r = hm("analyze", tmp_path / "clip.mp4", "--exercise", "hinge", flag, target)
    assert r.returncode == 2
    line = one_line(r)
    assert f"cannot write {what}" in line and "does not exist" in line and str(target.parent) in line


def test_analyze_overlay_must_be_a_video_name(tmp_path):
    r = hm("analyze", tmp_path / "clip.mp4", "--exercise", "hinge", "--overlay", tmp_path / "o.txt")
    assert r.returncode == 2 and ".mp4" in one_line(r)


@pytest.fixture
def cut_clip(footage_dir, tmp_path):
    """The first quarter of a real clip: its index promises 145 frames, 21 decode."""
    data = (footage_dir / "barbell-deadlift_side_04.mp4").read_bytes()
    cut = tmp_path / "cut.mp4"
    cut.write_bytes(data[:300_000])
    return cut


@pytest.mark.model
@pytest.mark.footage
def test_analyze_a_clip_damaged_part_way_prints_a_partial_result_and_fails(cut_clip, model_path, tmp_path):
    overlay, kp = tmp_path / "o.mp4", tmp_path / "kp.jsonl"
    r = hm("analyze", cut_clip, "--exercise", "deadlift", "--model", model_path)
    assert r.returncode == 3
    assert r.stdout.startswith("PARTIAL RESULT: the video broke off after 21 frames")
    line = one_line(r)
    assert "truncated or corrupt" in line and "PARTIAL" in line
    r = hm("analyze", cut_clip, "--exercise", "deadlift", "--json", "--model", model_path,
           "--overlay", overlay, "--keypoints-out", kp)  # fmt: skip
    assert r.returncode == 3
    obj = json.loads(r.stdout)
    assert obj["partial"] is True and "truncated" in obj["error"] and obj["frames"] == 21
    assert f"{overlay} and {kp} hold those frames only" in one_line(r)
    assert len(kp.read_text().splitlines()) == 21 and overlay.stat().st_size > 0


@pytest.mark.model
@pytest.mark.footage
def test_an_interrupted_overlay_leaves_no_incomplete_file(footage_dir, model_path, tmp_path):
    """Ctrl+C while the overlay is being written: no OUT.mp4 (an earlier one is kept as it
    was), no partial file, and a line that says so."""
    import signal
    import time

    out = tmp_path / "o.mp4"
    out.write_bytes(b"an earlier overlay")
    env = dict(os.environ, SDL_VIDEODRIVER="dummy", SDL_AUDIODRIVER="dummy")
    p = subprocess.Popen([*HM, "analyze", str(footage_dir / "barbell-deadlift_side_01.mp4"),
                          "--exercise", "deadlift", "--model", str(model_path), "--overlay", str(out)],
                         stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env)  # fmt: skip
    partial = tmp_path / ".o.partial.mp4"
    deadline = time.monotonic() + 120
    while not partial.exists() and p.poll() is None and time.monotonic() < deadline:
        time.sleep(0.02)
    assert partial.exists(), "the overlay was never started"
    p.send_signal(signal.SIGINT)
    stdout, stderr = p.communicate(timeout=120)
    assert p.returncode == 130 and stdout == ""
    assert "Traceback" not in stderr and "interrupted" in stderr and "not written" in stderr
    assert out.read_bytes() == b"an earlier overlay" and not partial.exists()


# ---- pose and --model ----------------------------------------------------------------
@pytest.mark.model
def test_model_given_as_a_directory_says_it_is_a_directory(model_path, testdata_dir):
    r = hm("pose", testdata_dir / "image1.png", "--model", model_path.parent)
    assert r.returncode == 2
    line = one_line(r)
    assert "is a directory" in line and "does not exist" not in line and model_path.name in line


@pytest.mark.parametrize("name, says", [("missing.png", "does not exist"), ("folder.mp4", "is a directory")])
def test_pose_an_image_that_is_not_there_says_which(bad_videos, name, says):
    r = hm("pose", bad_videos / name)
    assert r.returncode == 3 and says in one_line(r) and r.stdout == ""


# ---- bench ------------------------------------------------------------------------------
@pytest.mark.parametrize("name, says", [("missing.mp4", "does not exist"), ("notvideo.mp4", "not a video")])
def test_bench_an_unusable_video_is_one_line(bad_videos, name, says):
    r = hm("bench", "--video", bad_videos / name, "--no-live", "--frames", "20")
    assert r.returncode == 3 and says in one_line(r) and r.stdout == ""


@pytest.mark.model
@pytest.mark.footage
def test_bench_a_truncated_clip_is_one_line_and_no_figures(cut_clip, model_path):
    r = hm("bench", "--video", cut_clip, "--no-live", "--frames", "20", "--model", model_path)
    assert r.returncode == 3 and r.stdout == ""
    assert "truncated: it ended after 21 of 145 frames" in one_line(r)


def test_bench_frames_below_the_minimum_says_the_minimum():
    r = hm("bench", "--frames", "5")
    assert r.returncode == 2 and "at least 10" in one_line(r)


def test_bench_warm_up_in_help_is_the_benchs():
    from kiosk.bench import pipeline
    from kiosk.commands import bench

    assert bench.WARMUP == pipeline.WARMUP


@pytest.mark.model
def test_bench_frames_n_measures_n_frames(model_path):
    r = hm("bench", "--json", "--no-live", "--frames", "20", "--model", model_path)
    assert r.returncode == 0, r.stderr
    d = json.loads(r.stdout)
    assert d["pipeline"]["n"] == d["invoke"]["n"] == 20 and d["frames_note"] == ""


@pytest.mark.model
@pytest.mark.footage
def test_bench_a_clip_shorter_than_asked_says_how_many_it_measured(footage_dir, model_path):
    r = hm("bench", "--no-live", "--frames", "200", "--model", model_path,
           "--video", footage_dir / "barbell-deadlift_side_04.mp4")  # 145 frames
    assert r.returncode == 0, r.stderr
    assert "130 frames measured" in r.stdout and "145 frames: 130 measured, not 200" in r.stdout


# ---- a reader that goes away (`... | head`) ---------------------------------------------
def _with_stdout_closed(*args, env=None) -> subprocess.CompletedProcess:
    """Run with stdout a pipe whose reader is gone before anything is written: what
    `hinge-mirror ... | head -1` meets once head has its line."""
    full = dict(os.environ, SDL_VIDEODRIVER="dummy", SDL_AUDIODRIVER="dummy", **(env or {}))
    p = subprocess.Popen([*HM, *map(str, args)], stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                         text=True, env=full)  # fmt: skip
    p.stdout.close()
    err = p.stderr.read()
    return subprocess.CompletedProcess(p.args, p.wait(timeout=300), "", err)


def _history_with_reps(tmp_path) -> Path:
    from kiosk.history import History
    from kiosk.judge.reports import RepReport

    db = tmp_path / "history.sqlite3"
    h = History(db)
    h.start_session()
    for _ in range(100):  # ~150 kB of CSV: more than a pipe holds
        set_id = h.start_set("hinge")
        for i in range(1, 11):
            h.add_rep(set_id, RepReport(index=i, start_s=0.0, end_s=2.0, back_angle_deg=45.0,
                                        hip_angle_deg=80.0, knee_flexion_deg=20.0, hip_shift=0.2,
                                        down_s=1.0, up_s=1.0, faults=[], score=90))  # fmt: skip
        h.end_set(set_id)
    h.end_session()
    h.close()
    return db


def test_history_csv_into_a_closed_pipe_exits_quietly(tmp_path):
    r = _with_stdout_closed("history", "--csv", "--db", _history_with_reps(tmp_path))
    assert r.returncode == 141 and r.stderr == ""  # as a tool killed by SIGPIPE, no traceback


def test_history_csv_piped_into_head(tmp_path):
    db = _history_with_reps(tmp_path)
    r = subprocess.run(f"set -o pipefail; {' '.join(HM)} history --csv --db {db} | head -1",
                       shell=True, executable="/bin/bash", capture_output=True, text=True, timeout=120)  # fmt: skip
    assert r.stdout.startswith("session_id,") and len(r.stdout.splitlines()) == 1
    assert r.returncode in (0, 141) and "Traceback" not in r.stderr and "Exception" not in r.stderr


@pytest.mark.model
def test_pose_json_into_a_closed_pipe_exits_quietly(model_path, testdata_dir):
    r = _with_stdout_closed("pose", "--json", testdata_dir / "image1.png", "--model", model_path)
    assert r.returncode == 141 and r.stderr == ""


def test_a_broken_pipe_that_is_not_stdout_is_still_a_traceback(monkeypatch, capsys):
    """Only the reader of stdout going away is quiet: any other broken pipe is a bug."""
    from kiosk import cli

    def boom(args):
        raise BrokenPipeError("some socket")

    parser = cli.build_parser()
    monkeypatch.setattr(cli, "build_parser", lambda: parser)
    parser.set_defaults(func=boom)
    monkeypatch.setattr(cli, "_stdout_gone", lambda: False)
    with pytest.raises(BrokenPipeError):
        cli.main([])


# ---- run off a Pi: a recorded set through the whole kiosk -------------------------------
def _run_config(tmp_path) -> Path:
    cfg = tmp_path / "config.toml"
    cfg.write_text(f'[data]\ndirectory = "{tmp_path / "state"}"\n')
    return cfg


def _stored_reps(tmp_path) -> list[tuple[str, int]]:
    import sqlite3

    db = tmp_path / "state" / "history.sqlite3"
    if not db.exists():
        return []
    con = sqlite3.connect(db)
    try:
        return con.execute("SELECT sets.exercise, COUNT(reps.id) FROM sets JOIN reps "
                           "ON reps.set_id = sets.id GROUP BY sets.id").fetchall()  # fmt: skip
    finally:
        con.close()


def _small_clip(path: Path, frames: int = 20) -> Path:
    """A real (if featureless) video, made here: for the tests that never reach the model."""
    from fractions import Fraction

    import av
    import numpy as np

    with av.open(str(path), "w") as c:
        s = c.add_stream("mpeg4", rate=30)
        s.width, s.height, s.pix_fmt = 64, 96, "yuv420p"
        s.codec_context.time_base = Fraction(1, 30)
        for i in range(frames):
            f = av.VideoFrame.from_ndarray(np.full((96, 64, 3), 8 * i, np.uint8), format="rgb24")
            f.pts, f.time_base = i, Fraction(1, 30)
            for p in s.encode(f):
                c.mux(p)
        for p in s.encode():
            c.mux(p)
    return path


@pytest.mark.model
@pytest.mark.footage
def test_run_a_recorded_set_with_an_exercise_coaches_it_into_history_and_exits_0(tmp_path, footage_dir,
                                                                                   model_path):  # fmt: skip
    """`run --source CLIP --exercise deadlift --headless`: the set starts at once, is judged
    as it plays at its own pace, lands in the history, and the command exits when the file
    ends. (The clip: five dowel deadlifts from the side, 12 s.)"""
    r = hm("run", "--headless", "--config", _run_config(tmp_path), "--exercise", "deadlift",
           "--source", footage_dir / "dowel-deadlift_side_01.mp4",
           env={"HINGE_MIRROR_MODEL_DIR": str(model_path.parent)}, timeout=120, cwd=tmp_path)  # fmt: skip
    assert r.returncode == 0, r.stderr[-3000:]
    assert r.stdout == "" and "Traceback" not in r.stderr
    assert "XNNPACK" not in r.stderr and "pygame-ce" not in r.stderr
    stored = _stored_reps(tmp_path)
    assert len(stored) == 1 and stored[0][0] == "deadlift" and 3 <= stored[0][1] <= 6, stored
    assert f"the video has ended: deadlift {stored[0][1]} reps, in the history" in r.stderr


@pytest.mark.model
@pytest.mark.footage
def test_run_a_clip_that_breaks_off_keeps_its_reps_and_exits_3(tmp_path, footage_dir, model_path):
    """Damaged part-way: not replayed from the start, not retried forever; the set ends at the
    damage with the reps before it in the history, and the exit status says it broke off."""
    data = (footage_dir / "dowel-deadlift_side_01.mp4").read_bytes()
    cut = tmp_path / "cut.mp4"
    cut.write_bytes(data[: len(data) * 3 // 4])
    r = hm("run", "--headless", "--config", _run_config(tmp_path), "--exercise", "deadlift",
           "--source", cut, env={"HINGE_MIRROR_MODEL_DIR": str(model_path.parent)}, timeout=120,
           cwd=tmp_path)  # fmt: skip
    assert r.returncode == 3 and "Traceback" not in r.stderr, r.stderr[-3000:]
    last = r.stderr.strip().splitlines()[-1]
    assert last.startswith("hinge-mirror: video") and "truncated or corrupt" in last
    stored = _stored_reps(tmp_path)
    assert stored and stored[0][1] >= 1, stored  # the reps before the damage
    assert f"the set ended there (deadlift {stored[0][1]} reps, in the history" in last


@pytest.mark.parametrize("name, says", [("missing.mp4", "does not exist"),
                                        ("notvideo.mp4", "not a video"),
                                        ("empty.mp4", "is empty"),
                                        ("folder.mp4", "is a directory")])  # fmt: skip
def test_run_a_source_file_that_cannot_play_stops_the_start_with_status_2(bad_videos, name, says):
    r = hm("run", "--headless", "--config", _run_config(bad_videos), "--source", bad_videos / name,
           "--exercise", "deadlift", timeout=60)  # fmt: skip
    assert r.returncode == 2
    line = one_line(r)
    assert says in line and "--source" in line
    assert not (bad_videos / "state").exists()  # stopped before anything was opened


@pytest.mark.parametrize("kind, says", [("missing", "not found"), ("broken", "truncated or wrong file")])
def test_run_without_a_usable_model_stops_with_status_2_and_one_line(tmp_path, kind, says):
    models = tmp_path / "models"
    models.mkdir()
    if kind == "broken":
        (models / "movenet_singlepose_lightning_int8_v4.tflite").write_bytes(b"<html>not found</html>")
    clip = _small_clip(tmp_path / "clip.mp4")
    r = hm("run", "--headless", "--config", _run_config(tmp_path), "--source", clip,
           env={"HINGE_MIRROR_MODEL_DIR": str(models), "XDG_CACHE_HOME": str(tmp_path / "cache")},
           timeout=60, cwd=tmp_path)  # fmt: skip
    assert r.returncode == 2
    line = one_line(r)
    assert says in line and "hinge-mirror models fetch" in line


def test_run_exercise_ids_are_the_judges():
    from kiosk.commands import run
    from kiosk.judge.rules import EXERCISES

    assert set(run.EXERCISE_IDS) == set(EXERCISES)


def test_start_exercise_presses_through_to_its_get_set():
    from kiosk.app import App
    from kiosk.errors import UserError
    from kiosk.judge import Judge
    from kiosk.screen.display import Display
    from kiosk.screen.exercises import exercise_infos
    from kiosk.screen.flow import Screen

    app = App(display=Display("headless", "landscape", size=(320, 180)), worker=None,
              judge_factory=Judge, info=exercise_infos())  # fmt: skip
    app.start_exercise("skier-swing")  # the last exercise: three presses of Next
    assert app.flow.screen is Screen.GET_SET and app.flow.exercise == "skier-swing"
    assert app.judge is not None and app.judge.exercise == "skier-swing"
    with pytest.raises(UserError, match="unknown exercise 'squat'"):
        App(display=app.display, worker=None, judge_factory=Judge,
            info=exercise_infos()).start_exercise("squat")  # fmt: skip


def test_a_file_feed_that_breaks_ends_a_camera_that_breaks_is_retried():
    """A video file does not come back by waiting (and reopening it would replay it): its
    error ends the feed and is kept for the exit status. A camera's is retried, as before."""
    from kiosk.errors import SourceError
    from kiosk.worker import CameraFeed, PoseWorker

    class Broken:
        def read(self):
            raise SourceError("video x.mp4 is truncated or corrupt")

        read_from = lambda self, _t: self.read()  # noqa: E731

        def close(self):
            pass

    waits = []
    camera = CameraFeed(Broken, estimator=None, sleep=waits.append)
    assert camera.step() is None and camera.status == "Camera lost: retrying" and waits == [0.5]
    worker = PoseWorker(CameraFeed(Broken, estimator=None, realtime=True, sleep=waits.append))
    assert worker.step_once() is False
    assert worker.finished and worker.failure == "video x.mp4 is truncated or corrupt"
    assert waits == [0.5]  # no back-off: it ended


# ---- and the rest found on the way ------------------------------------------------------
def test_bench_python_that_is_not_there_is_one_line(tmp_path):
    r = hm("bench", "--python", tmp_path / "no-venv" / "bin" / "python", "--no-live")
    assert r.returncode == 2 and "no Python interpreter there" in one_line(r)


def test_history_db_that_is_a_directory_says_so(tmp_path):
    r = hm("history", "--db", tmp_path)
    assert r.returncode == 2 and "is a directory" in one_line(r)


def test_run_seconds_must_be_above_0(tmp_path):
    r = hm("run", "--headless", "--seconds", "0", "--config", _run_config(tmp_path))
    assert r.returncode == 2 and "--seconds 0" in one_line(r)
