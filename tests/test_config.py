"""Configuration: the example documents every default, and each kind of bad value is refused
by name (key, value, what was expected), with exit status 2 through the CLI."""

import re
import subprocess
import sys
from dataclasses import FrozenInstanceError, fields
from pathlib import Path

import pytest

from kiosk import config
from kiosk.errors import ConfigError

EXAMPLE = Path(__file__).resolve().parents[1] / "config.example.toml"


def test_example_parses_to_exactly_the_defaults():
    cfg = config.load(EXAMPLE)
    assert cfg == config.Config(source_path=str(EXAMPLE))


def test_example_shows_every_setting():
    text = EXAMPLE.read_text()
    for section, cls in config.SECTIONS.items():
        assert re.search(rf"^\[{section}\]$", text, re.M), section
        for f in fields(cls):
            assert re.search(rf"^{f.name} = ", text, re.M), f"[{section}] {f.name} missing"
    assert "[exercises." in text  # the per-exercise overrides are shown (commented)


def test_no_file_gives_defaults(monkeypatch, tmp_path):
    monkeypatch.delenv("HINGE_MIRROR_CONFIG", raising=False)
    monkeypatch.setattr(config, "SYSTEM_PATH", tmp_path / "absent.toml")
    assert config.load() == config.Config()


def test_values_are_read_and_typed():
    cfg = config.parse(
        '[buttons]\nmode = "one"\nnext_pin = 5\nlong_press_s = 2\n'
        '[camera]\nsource = "/videos/clip.mp4"\nrotation = 90\nsensor_mode = "2304x1296"\n'
        "height_m = 2\ndistance_m = 3.5\n"
        '[display]\norientation = "portrait"\n[presence]\ncec = true\n'
    )
    assert cfg.buttons.mode == "one" and cfg.buttons.next_pin == 5
    assert cfg.buttons.long_press_s == 2.0 and isinstance(cfg.buttons.long_press_s, float)
    assert cfg.camera.source == "/videos/clip.mp4" and cfg.camera.rotation == 90
    assert cfg.display.orientation == "portrait" and cfg.presence.cec
    assert cfg.camera.height_m == 2.0 and isinstance(cfg.camera.height_m, float)
    assert cfg.camera.distance_m == 3.5
    assert config.parse("[display]\nbrightness = 2\n").display.brightness == 2.0
    assert config.Config().display.brightness == 1.0
    with pytest.raises(FrozenInstanceError):
        cfg.buttons.mode = "three"  # type: ignore[misc]


@pytest.mark.parametrize(
    "toml, expect",
    [
        ("[camera]\nfps = 500", r"\[camera\] fps = 500 .*whole number from 1 to 120"),
        ('[camera]\nfps = "30"', r'\[camera\] fps = "30" .*whole number'),
        ("[camera]\nwidth = 640.5", r"\[camera\] width = 640.5 .*whole number"),
        ("[camera]\nhflip = 1", r"\[camera\] hflip = 1 .*true or false"),
        ("[camera]\nrotation = 45", r"\[camera\] rotation = 45 .*one of 0, 90, 180, 270"),
        ('[camera]\nsensor_mode = "huge"', r'sensor_mode = "huge" .*"2304x1296"'),
        ("[camera]\nframerate = 30", r"unknown setting \[camera\] framerate = 30.*fps"),
        ('[model]\nvariant = "thunder"', r'\[model\] variant = "thunder" .*"lightning_int8"'),
        ("[model]\nthreads = 0", r"\[model\] threads = 0 .*from 1 to 8"),
        ("[buttons]\nnext_pin = 40", r"\[buttons\] next_pin = 40 .*from 0 to 27"),
        ("[buttons]\ndebounce_ms = true", r"debounce_ms = true .*whole number"),
        ("[buttons]\nselect_pin = 17", r"three different BCM pins"),
        ("[buttons]\nvery_long_press_s = 1.0", r"very_long_press_s = 1.0 must be longer"),
        ("[audio]\nvolume = 1.5", r"\[audio\] volume = 1.5 .*from 0.0 to 1.0"),
        ("[presence]\ntimeout_s = -1", r"\[presence\] timeout_s = -1 .*from 5.0"),
        ("[camera]\nheight_m = 3.0", r"\[camera\] height_m = 3.0 .*number from 0.3 to 2.5"),
        ('[camera]\nheight_m = "1.7"', r'\[camera\] height_m = "1.7" .*number'),
        ("[camera]\ndistance_m = 0.5", r"\[camera\] distance_m = 0.5 .*number from 1.0 to 6.0"),
        ("[camera]\ndistance_m = true", r"\[camera\] distance_m = true .*number"),
        ('[display]\norientation = "sideways"', r'orientation = "sideways" .*"portrait"'),
        ("[display]\nbrightness = 2.5", r"\[display\] brightness = 2.5 .*number from 1.0 to 2.0"),
        ("[display]\nbrightness = 0.5", r"\[display\] brightness = 0.5 .*number from 1.0 to 2.0"),
        ('[display]\nbrightness = "high"', r'\[display\] brightness = "high" .*number'),
        ("[display]\nbrightness = true", r"\[display\] brightness = true .*number"),
        ("[display]\ncontrast = 1.5", r"unknown setting \[display\] contrast = 1.5.*brightness"),
        ("[screen]\nx = 1", r"unknown section \[screen\]"),
        ("camera = 3", r"\[camera\] must be a table"),
        ("[exercises.squat]\nx = 1", r"unknown exercise \[exercises.squat\]"),
        ('[exercises.hinge]\nmax_back = "a lot"', r"\[exercises.hinge\] .*unknown rule 'max_back'"),
        ("[camera\nfps = 3", r"not valid TOML"),
    ],
)
def test_bad_values_are_refused_by_name(toml, expect):
    with pytest.raises(ConfigError, match=expect) as err:
        config.parse(toml, origin="/etc/hinge-mirror/config.toml")
    assert str(err.value).startswith("/etc/hinge-mirror/config.toml")
    assert err.value.exit_code == 2


def test_missing_explicit_file_is_an_error(tmp_path):
    with pytest.raises(ConfigError, match="not found"):
        config.load(tmp_path / "nope.toml")


def test_env_variable_names_the_file(monkeypatch, tmp_path):
    p = tmp_path / "c.toml"
    p.write_text("[model]\nthreads = 2\n")
    monkeypatch.setenv("HINGE_MIRROR_CONFIG", str(p))
    assert config.load().model.threads == 2


def test_bad_config_exits_2_through_the_cli(tmp_path):
    bad = tmp_path / "config.toml"
    bad.write_text("[camera]\nfps = 500\n")
    r = subprocess.run(
        [sys.executable, "-m", "kiosk", "history", "--config", str(bad)],
        capture_output=True, text=True, timeout=60,
    )  # fmt: skip
    assert r.returncode == 2
    assert f"{bad}: [camera] fps = 500" in r.stderr
    assert "Traceback" not in r.stderr and len(r.stderr.strip().splitlines()) == 1


def test_exercise_overrides_are_checked_by_the_judge_rules():
    from kiosk.judge.rules import rules_for

    cfg = config.parse("[exercises.deadlift]\nsquat_knee_deg = 85\nband_deg = [35.0, 80.0]\n")
    rules = rules_for("deadlift", cfg.rules_overrides("deadlift"))
    assert rules.squat_knee_deg == 85.0 and rules.band_deg == (35.0, 80.0)
    assert cfg.rules_overrides("hello") is None
    with pytest.raises(ConfigError, match=r"\[exercises.deadlift\] .*squat_knees"):
        config.parse("[exercises.deadlift]\nsquat_knees = 85\n")
    with pytest.raises(ConfigError, match=r"\[exercises.hinge\] .*must be a number"):
        config.parse('[exercises.hinge]\nshallow_deg = "deep"\n')
    with pytest.raises(ConfigError, match=r"\[exercises.hello\] .*band_deg"):
        config.parse("[exercises.hello]\nband_deg = [90, 40]\n")


def test_example_override_block_is_valid():
    text = EXAMPLE.read_text()
    block = text[text.index("# [exercises.deadlift]"):]
    uncommented = "\n".join(l[2:] for l in block.splitlines() if l.startswith("# "))
    cfg = config.parse(uncommented)  # the judge's rules_for accepts every key and value
    assert set(cfg.rules_overrides("deadlift")) == {"band_deg", "squat_knee_deg"}
