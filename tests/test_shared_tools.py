"""What ../shared/tools/arm64-check (the Pi install check CI runs; shared, read-only here)
needs from the project: every `from kiosk... import ...` in it resolves and every `-m kiosk
COMMAND` is a sub-command. A package move that breaks the check fails here in a second,
instead of minutes later under qemu."""

import importlib
import re
import subprocess
import sys
from pathlib import Path

import pytest


@pytest.fixture(scope="module")
def tool_text(arm64_check: Path) -> str:
    """The tool's text (conftest: skipped without ../shared, failed in CI)."""
    return arm64_check.read_text()


def test_every_kiosk_import_in_the_tool_resolves(tool_text):
    found = re.findall(r"^\s*from (kiosk[\w.]*) import ([\w, ]+)$", tool_text, re.M)
    assert found, "the tool imports nothing from kiosk any more: update this test"
    for module, names in found:
        mod = importlib.import_module(module)
        for name in (n.strip() for n in names.split(",")):
            assert hasattr(mod, name), f"the arm64 check imports {name} from {module}"


def test_the_runtime_alias_is_the_pose_runtime():
    import kiosk.pose.runtime
    import kiosk.runtime

    assert kiosk.runtime.load_runtime is kiosk.pose.runtime.load_runtime


def test_every_command_and_option_the_tool_runs_exists(tool_text):
    used: dict[str, set[str]] = {}
    for cmd, rest in re.findall(r"-m kiosk ([a-z][\w-]*)([^\n]*)", tool_text):
        used.setdefault(cmd, set()).update(re.findall(r"(?<![\w-])--[a-z][\w-]*", rest))
    assert set(used) >= {"demo", "pose", "analyze"}
    if "hzargs=(--pose-hz" in tool_text:  # passed to analyze through an array
        used["analyze"].add("--pose-hz")
    for cmd, options in sorted(used.items()):
        r = subprocess.run([sys.executable, "-m", "kiosk", cmd, "--help"], capture_output=True,
                           text=True, timeout=60)  # fmt: skip
        assert r.returncode == 0, f"hinge-mirror {cmd}: {r.stderr[-500:]}"
        missing = [o for o in sorted(options) if o not in r.stdout]
        assert not missing, f"hinge-mirror {cmd} lacks {missing}, which the arm64 check passes"
