"""`hinge-mirror demo --headless --seconds N --screenshot DIR`: the whole kiosk with the
generated athlete, no camera, no model; one PNG per screen visited."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys

import pygame
import pytest

SCREENS = ("idle", "choose", "get_set", "coaching", "summary", "history")


@pytest.mark.parametrize("orientation,size", [("landscape", (1920, 1080)), ("portrait", (1080, 1920))])
def test_demo_saves_one_png_per_screen(tmp_path, artifacts_dir, orientation, size):
    env = dict(os.environ, SDL_VIDEODRIVER="dummy", SDL_AUDIODRIVER="dummy")
    out = subprocess.run(
        [sys.executable, "-m", "kiosk", "demo", "--headless", "--seconds", "45",
         "--orientation", orientation, "--screenshot", str(tmp_path)],
        capture_output=True, text=True, timeout=300, env=env,
    )  # fmt: skip
    assert out.returncode == 0, out.stderr[-2000:]
    pngs = sorted(p.name for p in tmp_path.glob("*.png"))
    assert [n.split("-", 1)[1][:-4] for n in pngs] == list(SCREENS), pngs
    keep = artifacts_dir / "demo" / orientation
    keep.mkdir(parents=True, exist_ok=True)
    pygame.init()
    for name in pngs:
        img = pygame.image.load(str(tmp_path / name))
        assert img.get_size() == size
        # Mostly black (a mirror), but something is on it.
        lit = pygame.mask.from_threshold(img, (0, 0, 0), (1, 1, 1, 255)).count()
        total = size[0] * size[1]
        assert 0.5 * total < lit < total, f"{name}: {lit / total:.0%} black"
        shutil.copy(tmp_path / name, keep / name)


def test_a_round_of_the_demo_coaches_a_set_of_every_exercise_with_faulty_and_clean_reps(monkeypatch):
    """In process, on the simulated clock: each exercise of the script gets its set, the judge
    flags the planned fault on some rep and passes others, and the picture-in-picture shows
    the athlete throughout each set."""
    import argparse

    monkeypatch.setenv("SDL_VIDEODRIVER", "dummy")
    monkeypatch.delenv("DISPLAY", raising=False)
    monkeypatch.delenv("WAYLAND_DISPLAY", raising=False)
    from kiosk.app import App
    from kiosk.commands import demo
    from kiosk.screen.flow import Screen

    ended, pip = [], {}
    apply, view_model = App.apply, App.view_model

    def spy_apply(self, effects, t):
        ended.extend((e.exercise, list(e.reports)) for e in effects if e.kind == "end_set")
        return apply(self, effects, t)

    def spy_view_model(self, t):
        m = view_model(self, t)
        if self.flow.screen is Screen.COACHING:
            seen = pip.setdefault(self.flow.exercise, [0, 0])
            seen[0] += 1
            seen[1] += m.pip is not None
        return m

    monkeypatch.setattr(App, "apply", spy_apply)
    monkeypatch.setattr(App, "view_model", spy_view_model)
    args = argparse.Namespace(headless=True, fullscreen=False, windowed=False, seconds=None,
                              screenshot=None, orientation="landscape", fps=None)  # fmt: skip
    assert demo.run(args) == 0
    assert [ex for ex, _ in ended] == [ex for ex, _, _ in demo.SETS]
    for (exercise, n, planned), (_, reports) in zip(demo.SETS, ended, strict=True):
        assert len(reports) == n, exercise
        faults = {f for r in reports for f in r.faults}
        assert set(planned.values()) & faults, f"{exercise}: no planned fault flagged: {faults}"
        assert any(not r.faults for r in reports), f"{exercise}: no clean rep"
        frames, with_pip = pip[exercise]
        assert frames > 100 and with_pip > 0.9 * frames, (exercise, frames, with_pip)
