"""Colours and layout metrics. Sizes are in units of u = short side / 1080, so a 1080p
monitor in either orientation gets the same type sizes, readable from 2-3 m."""

from __future__ import annotations

import functools
from dataclasses import dataclass


def luminance(colour) -> float:
    """Relative luminance (0 black .. 1 white) of an sRGB colour: each channel linearised,
    then weighted 0.2126 R + 0.7152 G + 0.0722 B (Rec. 709 / WCAG). The eye's weighting,
    so a pure red (0.21) counts for much less than a grey of the same channel maximum."""
    lin = [(c / 255 / 12.92) if c <= 10 else ((c / 255 + 0.055) / 1.055) ** 2.4 for c in colour[:3]]
    return 0.2126 * lin[0] + 0.7152 * lin[1] + 0.0722 * lin[2]


# Behind a two-way mirror only bright pixels show, and a lit room washes out the dim ones. So:
# every text meant to be read is at least as luminous as #B4B4B4 (TEXT_FLOOR; the test renders
# every screen and checks each text drawn), and so is every colour a text may take - the
# greys and the signal colours alike. Only DIM, FAINT and the BAND fill, never used for text,
# are darker: decoration and fills. ([display] brightness lifts them all at draw time: lift().)
BLACK = (0, 0, 0)
WHITE = (240, 240, 240)  # primary text: what to do, the counts
GREY = (200, 200, 200)  # secondary text: titles, units, labels, explanations
QUIET = (180, 180, 180)  # the least text: button hints, unselected items, captions (= the floor)
DIM = (110, 110, 110)  # decoration only: the gauge's scale, outlines, the trend's bars
FAINT = (40, 40, 40)  # decoration only: frames and grid lines
GREEN = (70, 220, 110)
AMBER = (255, 185, 50)
RED = (255, 155, 145)  # a light red: a pure red is too dark to the eye to read through glass
BLUE = (120, 195, 255)
# Target band fill: lit enough to see through the glass in a lit room, dark enough that the
# needle and the bars drawn over it stand out (and it never outshines the reflection).
BAND = (40, 130, 65)
GLUTE = (255, 150, 210)
HAMSTRING = AMBER
TEXT_FLOOR = QUIET

MIN_TEXT_LUMINANCE = luminance(TEXT_FLOOR)  # about 0.456

CUE_COLOURS = {"warning": AMBER, "good": GREEN, "info": WHITE}


def score_colour(score: float) -> tuple[int, int, int]:
    if score >= 80:
        return GREEN
    if score >= 55:
        return AMBER
    return RED


@functools.lru_cache(maxsize=4096)
def lift(colour: tuple, brightness: float) -> tuple:
    """A colour as drawn at the [display] brightness setting (1.0 = as designed).

    Above 1 the dim parts are lifted toward full brightness, the dimmest the most: the
    colour's brightest channel v (0-255) becomes 255 * (v / 255) ** (1 / brightness) and the
    others follow in proportion, so a hue stays that hue, the order of brightness stays (the
    target band under the needle, decoration under text) and black stays black (plain
    mirror). At 1.6, for instance, the hint grey goes 180 -> 205, the band's green 130 -> 167,
    the scale 110 -> 151, while white goes 240 -> 246 and colours already at full stay.
    (A dark room wants the monitor's own brightness turned down, not this.)"""
    top = max(colour[:3])
    if brightness == 1.0 or top == 0:
        return tuple(colour[:3])
    k = 255 * (top / 255) ** (1 / brightness) / top
    return tuple(min(255, round(c * k)) for c in colour[:3])


def dim(colour: tuple[int, int, int], factor: float) -> tuple[int, int, int]:
    return tuple(max(0, min(255, round(c * factor))) for c in colour)  # type: ignore[return-value]


@dataclass(frozen=True)
class Layout:
    w: int
    h: int

    @property
    def portrait(self) -> bool:
        return self.h > self.w

    @property
    def u(self) -> float:
        return min(self.w, self.h) / 1080

    def s(self, v: float) -> int:
        """A size in layout units, as pixels."""
        return max(1, round(v * self.u))

    @property
    def margin(self) -> int:
        return self.s(56)
