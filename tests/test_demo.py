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
