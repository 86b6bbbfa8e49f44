"""The layout keeps itself: one package per step of the one-way flow, camera -> pose -> judge
-> coach -> screen, and each package imports only what its docstring allows.

Every module under kiosk/ is parsed with `ast`, imports inside functions included (a lazy
import is still a dependency). A new package or top-level module fails here until it is given
a rule below and a docstring that says what comes in, what goes out and what it must not
import. docs/design.md draws the flow.
"""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

import pytest

KIOSK = Path(__file__).resolve().parents[1] / "kiosk"

# What may sit at the top of kiosk/: start-up, the render loop, the pose thread, config, CLI;
# and runtime, an alias of kiosk.pose.runtime that ../shared/tools/arm64-check imports.
TOP_LEVEL = {"__init__", "__main__", "cli", "config", "errors", "startup", "app", "worker",
             "doctor", "history", "runtime"}  # fmt: skip
NOT_CODE = {"data", "__pycache__"}  # data/ holds links to the model manifest and the fonts

HARDWARE = ("gpiozero", "lgpio", "RPi", "picamera2", "libcamera")
CLOCKS = ("time", "datetime")
IO = ("os", "pathlib", "socket", "sqlite3", "subprocess", "threading", "random")
# The live kiosk's wiring and the tools around it: no step of the flow reaches up into these.
WIRING = ("kiosk.app", "kiosk.worker", "kiosk.startup", "kiosk.cli", "kiosk.doctor",
          "kiosk.commands", "kiosk.bench")  # fmt: skip

# (package, forbidden prefixes, allowed exceptions to them). A prefix covers the module and
# everything under it; `from a.b import c` counts as importing a.b.c.
RULES: list[tuple[str, tuple[str, ...], tuple[str, ...]]] = [
    ("kiosk.sources",
     ("pygame", "kiosk.pose", "kiosk.judge", "kiosk.coach", "kiosk.screen", "kiosk.pi",
      "kiosk.review", "kiosk.synth", "kiosk.history", *WIRING),
     ()),
    ("kiosk.pose",
     ("pygame", *HARDWARE, "kiosk.judge", "kiosk.coach", "kiosk.screen", "kiosk.pi",
      "kiosk.review", "kiosk.synth", "kiosk.history", *WIRING),
     ()),
    ("kiosk.judge",
     ("pygame", *HARDWARE, "cv2", "av", *CLOCKS, *IO, "kiosk.sources", "kiosk.pose",
      "kiosk.coach", "kiosk.screen", "kiosk.pi", "kiosk.review", "kiosk.synth", "kiosk.config",
      "kiosk.history", *WIRING),
     ("kiosk.pose.keypoints",)),
    ("kiosk.coach",
     ("pygame", *HARDWARE, "cv2", "av", "kiosk.sources", "kiosk.pose", "kiosk.judge",
      "kiosk.screen", "kiosk.pi", "kiosk.review", "kiosk.synth", "kiosk.history", *WIRING),
     ("kiosk.pose.keypoints", "kiosk.judge.reports")),
    ("kiosk.screen",
     (*HARDWARE, "cv2", "av", "kiosk.sources", "kiosk.pose", "kiosk.judge", "kiosk.pi",
      "kiosk.review", "kiosk.synth", "kiosk.history", *WIRING),
     ("kiosk.pose.keypoints", "kiosk.judge.reports", "kiosk.judge.rules")),
    ("kiosk.pi",
     ("kiosk.sources", "kiosk.pose", "kiosk.judge", "kiosk.coach", "kiosk.screen",
      "kiosk.review", "kiosk.synth", *WIRING),
     ("kiosk.screen.flow",)),
    ("kiosk.review",
     (*HARDWARE, "kiosk.pi", "kiosk.history", *WIRING),
     ()),
    ("kiosk.synth",
     ("pygame", *HARDWARE, "kiosk.sources", "kiosk.pose", "kiosk.judge", "kiosk.coach",
      "kiosk.screen", "kiosk.pi", "kiosk.review", "kiosk.history", *WIRING),
     ("kiosk.pose.keypoints",)),
    # The tools: measuring may use anything; a command imports kiosk only inside its functions
    # (test_commands_import_the_kiosk_only_when_run).
    ("kiosk.bench", (), ()),
    ("kiosk.commands", ("kiosk.bench",), ("kiosk.bench.pipeline", "kiosk.bench.render")),
]
# The top-level modules: the wiring may use every step, never the measuring tools.
TOP_RULE = (("kiosk.bench", "kiosk.commands"), ())


def under(name: str, prefix: str) -> bool:
    return name == prefix or name.startswith(prefix + ".")


def module_name(path: Path) -> str:
    parts = path.relative_to(KIOSK.parent).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def modules() -> list[Path]:
    return sorted(p for p in KIOSK.rglob("*.py") if "__pycache__" not in p.parts)


def imports(path: Path) -> list[tuple[int, str]]:
    """(line, dotted name) of every import in the file, at any depth; `from a import b` gives
    a.b, relative imports resolved, importlib.import_module("x") with a literal counts too."""
    tree = ast.parse(path.read_text(), str(path))
    package = module_name(path) if path.name == "__init__.py" else module_name(path).rpartition(".")[0]
    found = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found += [(node.lineno, a.name) for a in node.names]
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                anchor = package.split(".")[: len(package.split(".")) - node.level + 1]
                base = ".".join(anchor + ([base] if base else []))
            found += [(node.lineno, f"{base}.{a.name}") for a in node.names]
        elif (isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute)
              and node.func.attr == "import_module" and node.args
              and isinstance(node.args[0], ast.Constant) and isinstance(node.args[0].value, str)):
            found.append((node.lineno, node.args[0].value))
    return found


def rule_for(name: str) -> tuple[tuple[str, ...], tuple[str, ...]]:
    for package, forbidden, allowed in RULES:
        if under(name, package):
            return forbidden, allowed
    assert name == "kiosk" or name.removeprefix("kiosk.") in TOP_LEVEL, f"{name}: no rule"
    return TOP_RULE


def violations(path: Path) -> list[str]:
    name = module_name(path)
    forbidden, allowed = rule_for(name)
    bad = []
    for line, imported in imports(path):
        if any(under(imported, p) for p in forbidden) and not any(under(imported, a) for a in allowed):
            bad.append(f"{path.relative_to(KIOSK.parent)}:{line}: {name} imports {imported}")
    return bad


def test_the_top_of_kiosk_holds_only_the_wiring():
    top = {p.stem for p in KIOSK.glob("*.py")}
    assert top - TOP_LEVEL == set(), "new top-level modules: give them a package"


def test_every_package_has_a_rule_and_says_what_comes_in_and_goes_out():
    packages = {p.name for p in KIOSK.iterdir() if p.is_dir() and p.name not in NOT_CODE}
    assert {f"kiosk.{p}" for p in packages} == {r[0] for r in RULES}
    for p in packages:
        init = KIOSK / p / "__init__.py"
        assert init.exists(), f"kiosk/{p}/ has no __init__.py (setuptools would not ship it)"
        doc = ast.get_docstring(ast.parse(init.read_text())) or ""
        lines = [line.strip() for line in doc.splitlines()]
        for start in ("In:", "Out:", "Must not"):
            assert any(line.startswith(start) for line in lines), f"kiosk/{p}/__init__.py: no {start!r} line"


@pytest.mark.parametrize("path", modules(), ids=lambda p: str(p.relative_to(KIOSK)))
def test_imports_follow_the_flow(path):
    assert violations(path) == []


def test_commands_import_the_kiosk_only_when_run():
    """`hinge-mirror --help` imports every command module: none may load a kiosk part at
    import time (kiosk.errors aside), or --help would pull in pygame and the model runtime."""
    for path in sorted((KIOSK / "commands").glob("*.py")):
        for node in ast.parse(path.read_text()).body:
            names = ([a.name for a in node.names] if isinstance(node, ast.Import) else
                     [node.module or ""] if isinstance(node, ast.ImportFrom) else [])  # fmt: skip
            assert not [n for n in names if under(n, "kiosk") and n != "kiosk.errors"], path.name


def test_the_check_catches_a_forbidden_import(tmp_path, monkeypatch):
    """The rules bite: a clock or the pose estimator in the judge, pygame in the coach."""
    judge = tmp_path / "kiosk" / "judge"
    judge.mkdir(parents=True)
    (judge / "x.py").write_text("from kiosk.pose.keypoints import Pose\n"
                                "def f():\n    import time\n"
                                "    from kiosk.pose import PoseEstimator\n")  # fmt: skip
    coach = tmp_path / "kiosk" / "coach"
    coach.mkdir()
    (coach / "y.py").write_text("from . import cues\nfrom pygame import Rect\n")
    monkeypatch.setattr(sys.modules[__name__], "KIOSK", tmp_path / "kiosk")
    assert [v.split(" imports ")[1] for v in violations(judge / "x.py")] == [
        "time", "kiosk.pose.PoseEstimator"]
    assert [v.split(" imports ")[1] for v in violations(coach / "y.py")] == ["pygame.Rect"]


def test_the_judge_and_the_coach_load_without_the_pose_runtime_or_pygame():
    """kiosk.pose's __init__ stays light: the Pose type comes without the model's runtime."""
    code = ("import sys, kiosk.judge, kiosk.coach, kiosk.coach.framing\n"
            "heavy = ('kiosk.pose.estimator', 'kiosk.pose.runtime', 'kiosk.pose.movenet', "
            "'kiosk.pose.imaging', 'cv2', 'pygame', 'ai_edge_litert', 'tflite_runtime', "
            "'tensorflow', 'kiosk.sources', 'kiosk.screen')\n"
            "print([m for m in heavy if m in sys.modules])\n")  # fmt: skip
    r = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60)
    assert r.returncode == 0, r.stderr
    assert r.stdout.strip() == "[]"
