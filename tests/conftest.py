"""Shared fixtures: the real model and footage from ../shared, and a record of which
fixture-backed tests ran, so CI can fail when they were skipped.

Without ../shared a local run (`scripts/test`) runs every other test and skips the ones that
need it, all under one line that says how to get it. CI sets HINGE_MIRROR_REQUIRE_FIXTURES=1:
there a missing fixture fails the test instead, since a suite that quietly passes without the
real model and footage proves nothing about the product (and `.ci/run` also fails when
fixture tests did not run and pass)."""

from __future__ import annotations

import json
import os
from collections import Counter, defaultdict
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
ARM64_CHECK = SHARED / "tools" / "arm64-check"
ARTIFACTS = ROOT / "artifacts"


HOW_TO_GET = ("put ../shared (the models, the footage, the arm64 check) beside the checkout, "
              "or set HINGE_MIRROR_MODEL_DIR / HINGE_MIRROR_FOOTAGE_DIR")
MOVENET = (MODEL_PATH, "MoveNet Lightning int8 model")
BLAZEPOSE = (MODEL_DIR / "pose_landmark_full.tflite", "BlazePose back-shape model")
LABELS = (FOOTAGE_DIR / "dev-labels.json", "footage labels")
# What each marker and fixture needs. (A test may use the fixture without the marker.) The
# model tests find BlazePose beside MoveNet, so they need both.
NEEDS = {"model": (MOVENET, BLAZEPOSE), "model_path": (MOVENET, BLAZEPOSE),
         "testdata_dir": ((TESTDATA, "model test photos"),),
         "footage": (LABELS,), "footage_dir": (LABELS,),
         "arm64_check": ((ARM64_CHECK, "the arm64 check tool"),)}  # fmt: skip
_skipped_for_fixtures: Counter = Counter()  # reason -> tests skipped for it


def _reason(path: Path, what: str) -> str:
    return f"{what} not found at {path}: {HOW_TO_GET}"


def _missing(path: Path, what: str) -> None:
    """CI: a failure naming the file. Locally: a skip naming it, always raised from this one
    line, so pytest's summary (-rs) folds the skips for each missing file into one line."""
    if REQUIRE:
        pytest.fail(_reason(path, what), pytrace=False)
    _skipped_for_fixtures[_reason(path, what)] += 1
    pytest.skip(_reason(path, what))


def _need(path: Path, what: str) -> Path:
    if not path.exists():
        _missing(path, what)
    return path


def pytest_runtest_setup(item):
    """A test marked model/footage, or using their fixtures, is skipped (CI: failed) before it
    starts when what it needs is missing, not half-way through with a confusing error."""
    names = {m.name for m in item.iter_markers()} | set(getattr(item, "fixturenames", ()))
    for name in sorted(names & NEEDS.keys()):
        for path, what in NEEDS[name]:
            _need(path, what)


def pytest_terminal_summary(terminalreporter, exitstatus, config):
    # `pytest -rs` (scripts/test) already printed the folded skip line; a bare run gets it here.
    chars = config.getoption("reportchars") or ""
    if not set(chars) & set("saA"):
        for reason, n in _skipped_for_fixtures.items():
            terminalreporter.write_line(f"{n} tests skipped: {reason}")


@pytest.fixture(scope="session")
def model_path() -> Path:
    return _need(*MOVENET)


@pytest.fixture(scope="session")
def testdata_dir() -> Path:
    return _need(TESTDATA, "model test photos")


@pytest.fixture(scope="session")
def footage_dir() -> Path:
    return _need(*LABELS).parent


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


@pytest.fixture(scope="session")
def arm64_check() -> Path:
    return _need(ARM64_CHECK, "the arm64 check tool")
