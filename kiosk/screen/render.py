"""One frame: pick the screen for the flow's state and draw it, then the errors on top."""

from __future__ import annotations

import pygame

from kiosk.screen.flow import Screen
from kiosk.screen import screens_rest, screens_set
from kiosk.screen.canvas import Canvas
from kiosk.screen.model import ViewModel
from kiosk.screen.theme import AMBER, GREY

DRAW = {
    Screen.IDLE: screens_rest.idle,
    Screen.CHOOSE: screens_rest.choose,
    Screen.HISTORY: screens_rest.history,
    Screen.GET_SET: screens_set.get_set,
    Screen.COACHING: screens_set.coaching,
    Screen.SUMMARY: screens_set.summary,
}


def render(cv: Canvas, model: ViewModel) -> None:
    cv.begin()
    if model.asleep and model.flow.screen is Screen.IDLE and not model.errors:
        return  # a black screen is a plain mirror
    DRAW[model.flow.screen](cv, model)
    errors(cv, model)


def errors(cv: Canvas, model: ViewModel) -> None:
    """Problems in words, across the bottom, where a glance finds them on every screen.
    The first is the headline (amber); the rest say how to fix it (grey, wrapped)."""
    if not model.errors:
        return
    L = cv.layout
    width = L.w - 2 * L.margin
    blocks = []
    for i, msg in enumerate(model.errors[:3]):
        size = L.s(48) if i == 0 else L.s(36)
        lines = cv.wrap(msg, size, width, bold=i == 0)[:2]
        blocks.append((lines, size, AMBER if i == 0 else GREY, i == 0))
    height = sum(cv.line_height(size, bold) * len(lines) for lines, size, _, bold in blocks)
    # Keep clear of the bottom hint line; black behind, so the error reads over anything.
    y = L.h - L.margin - cv.line_height(L.s(34)) - L.s(24) - height
    cover = pygame.draw.rect(cv.surface, (0, 0, 0), (0, y - L.s(16), L.w, height + L.s(16)))
    cv.covers.append((len(cv.texts), cover))
    for lines, size, colour, bold in blocks:
        for line in lines:
            cv.text(line, size, colour, "midtop", (L.w // 2, y), bold=bold)
            y += cv.line_height(size, bold)
