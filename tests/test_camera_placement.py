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
    from kiosk.app import build

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
