"""One frame: pick the screen for the flow's state and draw it, then the errors on top."""

from __future__ import annotations

from kiosk.flow import Screen
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
    DRAW[model.flow.screen](cv, model)
    errors(cv, model)


def errors(cv: Canvas, model: ViewModel) -> None:
    """Problems in words, across the bottom, where a glance finds them on every screen."""
    if not model.errors:
        return
    L = cv.layout
    size = L.s(44)
    step = cv.line_height(size)
    # Keep clear of the bottom hint line.
    y = L.h - L.margin - cv.line_height(L.s(34)) - L.s(24) - step * len(model.errors)
    cv.rect((0, 0, 0), (0, y - L.s(16), L.w, L.h - y))  # black under the text
    cv.shapes.pop()  # black is background, not content
    for i, msg in enumerate(model.errors[:3]):
        cv.text(msg, size, AMBER if i == 0 else GREY, "midtop", (L.w // 2, y + i * step), bold=i == 0)
