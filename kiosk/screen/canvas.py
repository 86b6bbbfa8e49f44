"""A drawing surface that caches text renders and remembers where it drew.

Rendering text is the slow part of a frame, and most strings on the glass repeat every frame,
so rendered text surfaces are cached (LRU). Every text and shape rect is recorded, so tests
can check that no text is clipped or overlapping and that everything else is black.
"""

from __future__ import annotations

import logging
from collections import OrderedDict
from pathlib import Path

import pygame

from kiosk.screen.theme import Layout

log = logging.getLogger(__name__)

# kiosk/data/fonts links to assets/fonts, so an installed wheel carries the fonts too.
FONT_DIR = Path(__file__).resolve().parents[1] / "data" / "fonts"
FONT_FILES = {False: "Roboto-Regular.ttf", True: "Roboto-Bold.ttf"}
_fonts: dict[tuple[int, bool], pygame.font.Font] = {}
_warned = False


def font(size: int, bold: bool = False) -> pygame.font.Font:
    """Roboto from assets/fonts (Apache-2.0); pygame's bundled font if it is missing."""
    global _warned
    key = (size, bold)
    if key not in _fonts:
        if not pygame.font.get_init():
            pygame.font.init()
        path = FONT_DIR / FONT_FILES[bold]
        if path.exists():
            _fonts[key] = pygame.font.Font(str(path), size)
        else:
            if not _warned:
                log.warning("font %s not found; using pygame's default font", path)
                _warned = True
            f = pygame.font.Font(None, round(size * 1.3))  # the default font runs small
            f.set_bold(bold)
            _fonts[key] = f
    return _fonts[key]


class TextCache:
    """LRU of rendered text, bounded by pixel memory rather than entry count: one big rep
    count costs as much as hundreds of small labels, and a count bound let a long-running
    kiosk's memory creep up with every new clock minute and angle it ever drew."""

    def __init__(self, max_bytes: int = 8 * 1024 * 1024) -> None:
        self.max_bytes = max_bytes
        self.bytes = 0
        self._cache: OrderedDict[tuple, tuple[pygame.Surface, pygame.Rect]] = OrderedDict()
        self.hits = self.misses = 0

    def get(self, text: str, size: int, colour: tuple, bold: bool) -> tuple[pygame.Surface, pygame.Rect]:
        """The rendered text and its ink box (the lit pixels, inside the line box)."""
        key = (text, size, colour, bold)
        hit = self._cache.get(key)
        if hit is not None:
            self._cache.move_to_end(key)
            self.hits += 1
            return hit
        self.misses += 1
        surf = font(size, bold).render(text, True, colour)
        hit = (surf, surf.get_bounding_rect())
        self._cache[key] = hit
        self.bytes += _surface_bytes(surf)
        while self.bytes > self.max_bytes and len(self._cache) > 1:
            old, _ = self._cache.popitem(last=False)[1]
            self.bytes -= _surface_bytes(old)
        return hit


def _surface_bytes(surf: pygame.Surface) -> int:
    return surf.get_pitch() * surf.get_height()


_ANCHORS = ("topleft", "midtop", "topright", "midleft", "center", "midright",
            "bottomleft", "midbottom", "bottomright")  # fmt: skip


class Canvas:
    def __init__(self, surface: pygame.Surface, cache: TextCache | None = None) -> None:
        self.surface = surface
        self.layout = Layout(*surface.get_size())
        self.cache = cache or TextCache()
        self.texts: list[tuple[str, pygame.Rect]] = []  # (text, line box)
        self.inks: list[pygame.Rect] = []  # the lit part of each text, same order
        self.shapes: list[pygame.Rect] = []
        self.covers: list[tuple[int, pygame.Rect]] = []  # (texts drawn before, black box over them)

    def begin(self) -> None:
        self.surface.fill((0, 0, 0))
        self.texts.clear()
        self.inks.clear()
        self.covers.clear()
        self.shapes.clear()

    def drawn(self) -> list[pygame.Rect]:
        """Every region lit this frame (the display turns only these on a rotated screen)."""
        return [r for _, r in self.texts] + self.shapes

    # ---- text ------------------------------------------------------------------------
    def measure(self, text: str, size: int, bold: bool = False) -> tuple[int, int]:
        return font(size, bold).size(text)

    def text(self, text: str, size: int, colour: tuple, anchor: str = "topleft",
             pos: tuple[int, int] = (0, 0), bold: bool = False) -> pygame.Rect:
        if not text:
            return pygame.Rect(pos, (0, 0))
        assert anchor in _ANCHORS, anchor
        surf, ink = self.cache.get(text, size, tuple(colour), bold)
        rect = surf.get_rect(**{anchor: pos})
        self.surface.blit(surf, rect)
        self.texts.append((text, rect))
        self.inks.append(ink.move(rect.topleft))
        return rect

    def wrap(self, text: str, size: int, width: int, bold: bool = False) -> list[str]:
        words, lines, line = text.split(), [], ""
        for word in words:
            trial = f"{line} {word}".strip()
            if line and self.measure(trial, size, bold)[0] > width:
                lines.append(line)
                line = word
            else:
                line = trial
        if line:
            lines.append(line)
        return lines

    def paragraph(self, text: str, size: int, colour: tuple, width: int, pos: tuple[int, int],
                  align: str = "left", bold: bool = False, max_lines: int = 6) -> pygame.Rect:
        """Word-wrapped text; returns the rect of all its lines."""
        x, y = pos
        step = font(size, bold).get_linesize()
        lines = [ln for part in text.split("\n") for ln in self.wrap(part, size, width, bold)][:max_lines]
        rects = []
        for i, line in enumerate(lines):
            anchor, px = {"left": ("topleft", x), "center": ("midtop", x),
                          "right": ("topright", x)}[align]  # fmt: skip
            rects.append(self.text(line, size, colour, anchor, (px, y + i * step), bold))
        if not rects:
            return pygame.Rect(pos, (0, 0))
        return rects[0].unionall(rects[1:])

    def line_height(self, size: int, bold: bool = False) -> int:
        return font(size, bold).get_linesize()

    # ---- shapes: drawn through here so the black-outside-content check sees them -----
    def mark(self, rect: pygame.Rect | None) -> pygame.Rect | None:
        if rect is not None and rect.width and rect.height:
            self.shapes.append(pygame.Rect(rect))
        return rect

    def rect(self, colour, rect, width: int = 0, radius: int = 0) -> pygame.Rect:
        return self.mark(pygame.draw.rect(self.surface, colour, rect, width, radius))

    def line(self, colour, a, b, width: int = 1) -> pygame.Rect:
        return self.mark(pygame.draw.line(self.surface, colour, a, b, width))

    def lines(self, colour, closed: bool, points, width: int = 1) -> pygame.Rect:
        return self.mark(pygame.draw.lines(self.surface, colour, closed, points, width))

    def circle(self, colour, centre, radius: int, width: int = 0) -> pygame.Rect:
        return self.mark(pygame.draw.circle(self.surface, colour, centre, radius, width))

    def polygon(self, colour, points, width: int = 0) -> pygame.Rect:
        return self.mark(pygame.draw.polygon(self.surface, colour, points, width))

    def ellipse(self, colour, rect, width: int = 0) -> pygame.Rect:
        return self.mark(pygame.draw.ellipse(self.surface, colour, rect, width))

    def arc(self, colour, rect, start: float, stop: float, width: int = 1) -> pygame.Rect:
        return self.mark(pygame.draw.arc(self.surface, colour, rect, start, stop, width))

    def blit(self, surf: pygame.Surface, pos) -> pygame.Rect:
        return self.mark(self.surface.blit(surf, pos))
