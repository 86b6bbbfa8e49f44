"""Shared fixtures: the real model and footage from ../shared, and a record of which
fixture-backed tests ran, so CI can fail when they were skipped."""

from __future__ import annotations

import json
import os
from collections import defaultdict
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
SHARED = ROOT.parent / "shared"
REQUIRE = os.environ.get("HINGE_MIRROR_REQUIRE_FIXTURES") == "1"

os.environ.setdefault("SDL_VIDEODRIVER", "dummy")
os.environ.setdefault("SDL_AUDIODRIVER", "dummy")
os.environ.setdefault("PYGAME_HIDE_SUPPORT_PROMPT", "1")


def _dir(env: str, fallback: Path) -> Path:
    return Path(os.environ.get(env) or fallback)


# CI explores the same examples every run (a red CI must mean a regression, not a lucky
# draw); local runs keep exploring new random examples, which is how the fuzz tests find bugs.
if REQUIRE or os.environ.get("CI"):
    from hypothesis import settings as _hyp_settings

    _hyp_settings.register_profile("ci", derandomize=True, print_blob=True)
    _hyp_settings.load_profile("ci")

MODEL_DIR = _dir("HINGE_MIRROR_MODEL_DIR", SHARED / "models")
FOOTAGE_DIR = _dir("HINGE_MIRROR_FOOTAGE_DIR", SHARED / "footage")
MODEL_PATH = MODEL_DIR / "movenet_singlepose_lightning_int8_v4.tflite"
TESTDATA = MODEL_DIR / "testdata"
ARTIFACTS = ROOT / "artifacts"


def _need(path: Path, what: str) -> Path:
    # Never a skip: a suite that quietly passes without the real model and footage proves
    # nothing about the product, so a missing fixture is a failure that says how to fix it.
    if not path.exists():
        pytest.fail(f"{what} not found at {path}: put ../shared beside the checkout, or set "
                    "HINGE_MIRROR_MODEL_DIR / HINGE_MIRROR_FOOTAGE_DIR", pytrace=False)
    return path


@pytest.fixture(scope="session")
def model_path() -> Path:
    return _need(MODEL_PATH, "MoveNet Lightning int8 model")


@pytest.fixture(scope="session")
def testdata_dir() -> Path:
    return _need(TESTDATA, "model test photos")


@pytest.fixture(scope="session")
def footage_dir() -> Path:
    return _need(FOOTAGE_DIR / "dev-labels.json", "footage labels").parent


@pytest.fixture(scope="session")
def artifacts_dir() -> Path:
    ARTIFACTS.mkdir(exist_ok=True)
    return ARTIFACTS


_outcomes: dict[str, dict[str, int]] = defaultdict(lambda: defaultdict(int))


def pytest_runtest_logreport(report):
    if report.when == "call" or (report.when == "setup" and report.outcome != "passed"):
        for marker in ("model", "footage"):
            if marker in report.keywords:
                _outcomes[marker][report.outcome] += 1


def pytest_sessionfinish(session, exitstatus):
    ARTIFACTS.mkdir(exist_ok=True)
    (ARTIFACTS / "fixture-tests.json").write_text(json.dumps(_outcomes, indent=1))
