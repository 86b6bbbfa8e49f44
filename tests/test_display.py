"""A monitor on its side on a console Pi: the frame is drawn upright and turned in software.
Only the regions drawn this frame or the last are turned; the glass must come out exactly as
if the whole frame had been turned, frame after frame, on every screen."""

from __future__ import annotations

import numpy as np
import pygame
import pytest

from kiosk import config as C
from kiosk.errors import ConfigError
from kiosk.screen.flow import Screen
from kiosk.screen import Canvas, render
from kiosk.screen.display import Display, merge_rects, turned_rect
from tests.test_screens import CASES, model_for, standing_pose


def window_pixels(display) -> np.ndarray:
    return pygame.surfarray.array3d(display.window)


@pytest.mark.parametrize("angle", (90, 180, 270))
def test_turning_only_the_drawn_regions_matches_turning_the_whole_frame(angle):
    display = Display("headless", "portrait", rotate=angle)
    w, h = display.window.get_size()
    assert display.size == ((h, w) if angle != 180 else (w, h))
    cv = Canvas(display.surface)
    # Screens one after another (what was lit before must go black), and the coaching
    # screen with a moving ghost (small changes between frames).
    sequence = [CASES[c]() for c in ("idle", "choose", "get_set", "coaching-ghost", "summary",
                                     "history", "coaching-error")]
    sequence += [model_for(Screen.COACHING, ghost=standing_pose(0, lean)) for lean in (0.2, 0.6, 1.0)]
    sequence.append(model_for(Screen.IDLE, asleep=True))  # all black again
    for i, model in enumerate(sequence):
        render(cv, model)
        display.present(cv.drawn())
        whole = pygame.surfarray.array3d(pygame.transform.rotate(display.surface, angle))
        diff = np.argwhere((window_pixels(display) != whole).any(axis=2))
        assert len(diff) == 0, f"frame {i}: {len(diff)} pixels differ, e.g. at {diff[:3].tolist()}"
    assert window_pixels(display).max() == 0


@pytest.mark.parametrize("angle, corner", [(90, "bottomleft"), (270, "topright"), (180, "bottomright")])
def test_the_turn_goes_the_way_the_monitor_was_turned(angle, corner):
    # Monitor turned 90 clockwise: its bottom-left corner is now the viewer's top-left, so the
    # picture's top-left must be drawn there (270: the top-right; 180: the bottom-right).
    display = Display("headless", "portrait", rotate=angle)
    display.surface.fill((0, 0, 0))
    pygame.draw.rect(display.surface, (255, 0, 0), (0, 0, 10, 10))
    display.present([pygame.Rect(0, 0, 10, 10)])
    ww, wh = display.window.get_size()
    x, y = {"bottomleft": (2, wh - 3), "topright": (ww - 3, 2), "bottomright": (ww - 3, wh - 3)}[corner]
    assert tuple(display.window.get_at((x, y)))[:3] == (255, 0, 0)


def test_auto_turns_a_landscape_screen_for_a_portrait_layout():
    # The headless screen is opened portrait-shaped here, so "auto" must not turn...
    assert Display("headless", "portrait").rotate == 0
    # ...but a landscape framebuffer with a portrait layout is turned 90 by default.
    d = Display("headless", "portrait", size=(1920, 1080))
    assert d.rotate == 90 and d.size == (1080, 1920)


def test_turned_rect_and_merge():
    size = (100, 200)
    r = pygame.Rect(10, 20, 30, 40)
    for angle in (90, 180, 270):
        src = pygame.Surface(size)
        src.fill((0, 0, 0))
        src.fill((255, 255, 255), r)
        turned = pygame.transform.rotate(src, angle)
        lit = np.argwhere(pygame.surfarray.array3d(turned).any(axis=2))  # (x, y) rows
        (x0, y0), (x1, y1) = lit.min(axis=0), lit.max(axis=0)
        assert pygame.Rect(x0, y0, x1 - x0 + 1, y1 - y0 + 1) == turned_rect(r, size, angle)
    merged = merge_rects([pygame.Rect(0, 0, 10, 10), pygame.Rect(11, 0, 10, 10),
                          pygame.Rect(50, 50, 5, 5), pygame.Rect(-5, -5, 3, 3)],
                         pygame.Rect(0, 0, 100, 100))  # fmt: skip
    assert sorted(map(tuple, merged)) == [(0, 0, 23, 12), (48, 48, 9, 9)]


def test_config_takes_the_rotation_and_refuses_other_angles():
    assert C.parse("[display]\nrotate = 270\n").display.rotate == 270
    assert C.Config().display.rotate == 0
    with pytest.raises(ConfigError, match=r"\[display\] rotate = 45"):
        C.parse("[display]\nrotate = 45\n")


def test_brightness_lifts_the_dim_keeps_hue_order_and_black():
    from kiosk.screen import theme as T

    assert T.lift(T.QUIET, 1.0) == T.QUIET and T.lift(T.BLACK, 2.0) == T.BLACK  # black = mirror
    for b in (1.3, 1.6, 2.0):
        up = {name: T.lift(getattr(T, name), b) for name in ("QUIET", "GREY", "DIM", "BAND", "GREEN", "RED")}
        assert up["QUIET"][0] > T.QUIET[0] and up["DIM"][0] > T.DIM[0]  # the dim parts come up
        assert T.luminance(up["BAND"]) > T.luminance(T.BAND)
        assert T.luminance(up["BAND"]) < T.luminance(up["GREEN"])  # the needle still stands out
        assert up["RED"] == T.RED  # a colour already at full stays (no washing to white)
        r, g, bl = up["BAND"]
        assert abs(g / r - T.BAND[1] / T.BAND[0]) < 0.1 and abs(g / bl - T.BAND[1] / T.BAND[2]) < 0.1  # same hue
    # More brightness, more lift; the dimmest gain the most.
    assert T.lift(T.QUIET, 1.3) < T.lift(T.QUIET, 1.6) < T.lift(T.QUIET, 2.0)
    assert T.lift(T.DIM, 1.6)[0] / T.DIM[0] > T.lift(T.GREY, 1.6)[0] / T.GREY[0]


@pytest.mark.parametrize("orient", ("landscape", "portrait"))
def test_brightness_changes_what_is_drawn_but_not_where(orient):
    from kiosk.screen import theme as T

    size = {"landscape": (1920, 1080), "portrait": (1080, 1920)}[orient]
    frames = {}
    for b in (1.0, 1.6):
        cv = Canvas(pygame.Surface(size), brightness=b)
        render(cv, CASES["coaching"]())
        frames[b] = (cv, pygame.surfarray.array3d(cv.surface).astype(int))
    (plain, a), (bright, z) = frames[1.0], frames[1.6]
    assert [t for t, _ in plain.texts] == [t for t, _ in bright.texts]
    assert plain.inks == bright.inks  # the same layout
    assert ((a > 0).any(axis=2) == (z > 0).any(axis=2)).all()  # the same pixels lit: black stays mirror
    assert (z >= a).all() and (z > a).any()
    hint = {t: c for (t, _), c in zip(bright.texts, bright.colours)}["Select or Back: stop the set"]
    assert hint == T.lift(T.QUIET, 1.6) and hint[0] > T.QUIET[0]
    band = (a == T.BAND).all(axis=2)  # the gauge's target band, as the default draws it
    assert band.sum() > 10000 and (z[band] == T.lift(T.BAND, 1.6)).all()


def test_the_brightness_setting_reaches_the_kiosk_canvas(tmp_path, monkeypatch):
    from kiosk.startup import build

    monkeypatch.setenv("HINGE_MIRROR_MODEL_DIR", str(tmp_path))  # no model: no worker, fast
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    monkeypatch.chdir(tmp_path)
    assert build(C.parse("[display]\nbrightness = 1.6\n"), "headless").canvas.brightness == 1.6
    assert build(C.parse(""), "headless").canvas.brightness == 1.0
