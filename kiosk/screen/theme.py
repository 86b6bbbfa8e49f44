"""Colours and layout metrics. Sizes are in units of u = short side / 1080, so a 1080p
monitor in either orientation gets the same type sizes, readable from 2-3 m."""

from __future__ import annotations

from dataclasses import dataclass

BLACK = (0, 0, 0)
WHITE = (240, 240, 240)
GREY = (150, 150, 150)
DIM = (85, 85, 85)
FAINT = (40, 40, 40)
GREEN = (70, 220, 110)
AMBER = (255, 185, 50)
RED = (255, 85, 75)
BLUE = (90, 180, 255)
BAND = (20, 70, 35)  # target band fill: dark, so it never outshines the reflection
GLUTE = (255, 120, 90)
HAMSTRING = (255, 185, 50)

CUE_COLOURS = {"warning": AMBER, "good": GREEN, "info": WHITE}


def score_colour(score: float) -> tuple[int, int, int]:
    if score >= 80:
        return GREEN
    if score >= 55:
        return AMBER
    return RED


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
