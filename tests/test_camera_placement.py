"""[camera] height_m / distance_m reach the judge the kiosk builds, as the elevation that
corrects a high camera's over-reading of front-view back angles."""

import math

import pytest

from kiosk import config as C


@pytest.mark.parametrize("height, distance, expect", [(1.1, 2.5, 0.0), (1.7, 2.5, 13.5),
                                                     (1.4, 3.0, 5.7), (0.5, 2.0, -16.7)])  # fmt: skip
def test_elevation_from_height_and_distance(height, distance, expect):
    cam = C.Camera(height_m=height, distance_m=distance)
    assert C.camera_elevation_deg(cam) == pytest.approx(expect, abs=0.05)


def test_the_kiosk_judge_gets_the_camera_elevation(tmp_path, monkeypatch):
    from kiosk.startup import build

    # No model anywhere: build keeps the mirror up without a worker (fast, no inference).
    monkeypatch.setenv("HINGE_MIRROR_MODEL_DIR", str(tmp_path))
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    monkeypatch.chdir(tmp_path)
    cfg = C.parse("[camera]\nheight_m = 1.7\ndistance_m = 2.5\n[exercises.deadlift]\n"
                  "band_deg = [30.0, 80.0]\n")  # fmt: skip
    app = build(cfg, "headless")
    judge = app.judge_factory("deadlift")
    assert judge.elevation == pytest.approx(math.degrees(math.atan(0.6 / 2.5)))  # ~13.5 deg
    assert judge.elevation == pytest.approx(13.5, abs=0.05)
    assert tuple(judge.rules.band_deg) == (30.0, 80.0)  # the thresholds still come through
    assert build(C.parse(""), "headless").judge_factory("hinge").elevation == 0.0


def test_a_set_judged_from_the_front_asks_for_a_turn_at_the_next_get_set():
    # The judge learns the view as it calibrates, which ends Get set: so the app carries the
    # last set's view to the next Get set of the session, and forgets it when the session ends.
    from kiosk.app import App
    from kiosk.screen.flow import Action, Screen
    from kiosk.judge.reports import JudgeState, Phase, RepReport, View
    from kiosk.screen.display import Display
    from kiosk.screen.exercises import exercise_infos

    now = [0.0]
    app = App(display=Display("headless", "landscape", size=(640, 360)), worker=None,
              info=exercise_infos(), judge_factory=lambda ex: None, clock=lambda: now[0],
              fps=15, threaded=False)  # fmt: skip
    app.apply(app.flow.act(Action.NEXT, 0.0), 0.0)  # idle -> choose
    app.apply(app.flow.act(Action.SELECT, 0.1), 0.1)  # -> get set
    assert app.flow.screen is Screen.GET_SET and app.view_model(0.2).last_view is View.UNKNOWN
    app.apply(app.flow.on_judge(JudgeState(1.0, Phase.STANDING, View.FRONT, True, 2.0, 0.9), 1.0), 1.0)
    assert app.flow.screen is Screen.COACHING
    app.apply(app.flow.act(Action.SELECT, 5.0), 5.0)  # stop the set (no reps: back to idle)
    assert app.view_model(5.1).last_view is View.UNKNOWN  # session over: the next person differs
    app.apply(app.flow.act(Action.NEXT, 6.0), 6.0)
    app.apply(app.flow.act(Action.SELECT, 6.1), 6.1)
    app.apply(app.flow.on_judge(JudgeState(7.0, Phase.STANDING, View.FRONT, True, 2.0, 0.9), 7.0), 7.0)
    rep = RepReport(1, 7.5, 8.5, 60.0, 110.0, 20.0, 0.2, 0.5, 0.5, [], 90)
    app.flow.reports.append(rep)  # a rep was done: the set ends on its summary
    app.apply(app.flow.act(Action.SELECT, 9.0), 9.0)
    assert app.flow.screen is Screen.SUMMARY
    app.apply(app.flow.act(Action.SELECT, 9.5), 9.5)  # another set
    app.apply(app.flow.act(Action.SELECT, 9.6), 9.6)
    assert app.flow.screen is Screen.GET_SET and app.view_model(9.7).last_view is View.FRONT


def test_analyze_takes_the_camera_placement(tmp_path):
    """`analyze --camera-height/--camera-distance` corrects a high front camera like the kiosk;
    an out-of-range height is refused by name (exit 2)."""
    import json
    import os
    import subprocess
    import sys

    import numpy as np

    from kiosk.synth import Camera, generate

    s = generate("hinge", reps=3, seed=2, camera=Camera(yaw_deg=0, height_m=1.7, distance_m=3.0))
    kp = tmp_path / "kp.jsonl"
    kp.write_text("".join(json.dumps(p.to_json()) + "\n" for p in s.poses))
    ts = np.array([p.t for p in s.poses])
    truth = float(np.mean([s.back_angle[np.argmin(abs(ts - r.bottom_s))] for r in s.counted]))

    def backs(*extra):
        r = subprocess.run([sys.executable, "-m", "kiosk", "analyze", "--exercise", "hinge", "--json",
                            "--keypoints-in", str(kp), *extra], capture_output=True, text=True,
                           env=dict(os.environ, SDL_VIDEODRIVER="dummy"))  # fmt: skip
        assert r.returncode == 0, r.stderr
        return [rep["back_angle_deg"] for rep in json.loads(r.stdout)["rep_list"]]

    plain, told = backs(), backs("--camera-height", "1.7", "--camera-distance", "3.0")
    assert len(plain) == len(told) == 3
    assert np.mean(plain) - np.mean(told) > 5.0  # the over-reading comes off
    assert abs(np.mean(told) - truth) < abs(np.mean(plain) - truth)
    r = subprocess.run([sys.executable, "-m", "kiosk", "analyze", "--exercise", "hinge",
                        "--keypoints-in", str(kp), "--camera-height", "3"], capture_output=True, text=True)  # fmt: skip
    assert r.returncode == 2 and "height_m = 3.0" in r.stderr and "0.3 to 2.5" in r.stderr
