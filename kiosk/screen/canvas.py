"""A drawing surface that caches text renders and remembers where it drew.

Rendering text is the slow part of a frame, and most strings on the glass repeat every frame,
so rendered text surfaces are cached (LRU). Every text (its line box, ink box and colour) and
every shape rect is recorded, so tests can check that no text is clipped, overlapping or too
dim to read through the glass, and that everything else is black.
"""

from __future__ import annotations

import logging
from collections import OrderedDict
from pathlib import Path

import pygame

from kiosk.screen.theme import Layout, lift

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
    """Rendered text, in two kinds of store so memory reaches a steady state and stays there.

    Labels that come back (titles, instructions, units) live in an LRU bounded by pixel
    memory. Values that change as the kiosk runs (the clock, the rep count, the back angle,
    the cue, scores, countdowns) are drawn into a named *slot*: one render per slot, replaced
    when its text changes. Keyed by their text in the LRU they had no end (every clock
    minute, angle and score is a new key): the cache stayed full, evicting and re-rendering
    surfaces of 50-800 KB about 150 times a second in the soak, and that churn of large
    blocks fragmented the C heap so resident memory crept up for as long as the kiosk ran.
    """

    def __init__(self, max_bytes: int = 8 * 1024 * 1024) -> None:
        self.max_bytes = max_bytes
        self.bytes = 0  # in the LRU
        self._cache: OrderedDict[tuple, tuple[pygame.Surface, pygame.Rect]] = OrderedDict()
        self._slots: dict[str, tuple[tuple, pygame.Surface, pygame.Rect]] = {}
        self.hits = self.misses = self.evictions = 0

    @property
    def slot_bytes(self) -> int:
        return sum(_surface_bytes(s) for _, s, _ in self._slots.values())

    def get(self, text: str, size: int, colour: tuple, bold: bool,
            slot: str | None = None) -> tuple[pygame.Surface, pygame.Rect]:  # fmt: skip
        """The rendered text and its ink box (the lit pixels, inside the line box)."""
        key = (text, size, colour, bold)
        if slot is not None:
            held = self._slots.get(slot)
            if held is not None and held[0] == key:
                self.hits += 1
                return held[1], held[2]
            surf, ink = self._render(key)
            self._slots[slot] = (key, surf, ink)
            return surf, ink
        hit = self._cache.get(key)
        if hit is not None:
            self._cache.move_to_end(key)
            self.hits += 1
            return hit
        hit = self._render(key)
        self._cache[key] = hit
        self.bytes += _surface_bytes(hit[0])
        while self.bytes > self.max_bytes and len(self._cache) > 1:
            old, _ = self._cache.popitem(last=False)[1]
            self.bytes -= _surface_bytes(old)
            self.evictions += 1
        return hit

    def _render(self, key: tuple) -> tuple[pygame.Surface, pygame.Rect]:
        self.misses += 1
        text, size, colour, bold = key
        surf = font(size, bold).render(text, True, colour)
        return surf, surf.get_bounding_rect()


def _surface_bytes(surf: pygame.Surface) -> int:
    return surf.get_pitch() * surf.get_height()


# Strings of only these are numbers: drawn glyph by glyph, so every value reuses ~a dozen
# cached glyphs instead of adding a render of its own.
NUMERIC = frozenset("0123456789-:.%\u00b0")
_ANCHORS = ("topleft", "midtop", "topright", "midleft", "center", "midright",
            "bottomleft", "midbottom", "bottomright")  # fmt: skip


class Canvas:
    def __init__(self, surface: pygame.Surface, cache: TextCache | None = None,
                 brightness: float = 1.0) -> None:  # fmt: skip
        """`brightness`: the [display] setting; every colour drawn through here is lifted by
        it (theme.lift), so the screens keep naming their colours from the theme."""
        self.surface = surface
        self.layout = Layout(*surface.get_size())
        self.cache = cache or TextCache()
        self.brightness = brightness
        self.texts: list[tuple[str, pygame.Rect]] = []  # (text, line box)
        self.inks: list[pygame.Rect] = []  # the lit part of each text, same order
        self.colours: list[tuple] = []  # the colour each text was drawn in, same order
        self.shapes: list[pygame.Rect] = []
        self.covers: list[tuple[int, pygame.Rect]] = []  # (texts drawn before, black box over them)

    def begin(self) -> None:
        self.surface.fill((0, 0, 0))
        self.texts.clear()
        self.inks.clear()
        self.colours.clear()
        self.covers.clear()
        self.shapes.clear()

    def drawn(self) -> list[pygame.Rect]:
        """Every region lit this frame (the display turns only these on a rotated screen)."""
        return [r for _, r in self.texts] + self.shapes

    # ---- text ------------------------------------------------------------------------
    def measure(self, text: str, size: int, bold: bool = False) -> tuple[int, int]:
        return font(size, bold).size(text)

    def tone(self, colour) -> tuple:
        """The colour as drawn at this canvas's brightness."""
        return tuple(colour) if self.brightness == 1.0 else lift(tuple(colour), self.brightness)

    def text(self, text: str, size: int, colour: tuple, anchor: str = "topleft",
             pos: tuple[int, int] = (0, 0), bold: bool = False, slot: str | None = None) -> pygame.Rect:
        """Draw one line. Text whose value changes as the kiosk runs (numbers, the clock, the
        cue) names a `slot`, one per place on the glass (see TextCache)."""
        if not text:
            return pygame.Rect(pos, (0, 0))
        assert anchor in _ANCHORS, anchor
        colour = self.tone(colour)
        if len(text) > 1 and NUMERIC.issuperset(text):
            return self._number(text, size, colour, anchor, pos, bold)
        surf, ink = self.cache.get(text, size, colour, bold, slot)
        rect = surf.get_rect(**{anchor: pos})
        self.surface.blit(surf, rect)
        self.texts.append((text, rect))
        self.inks.append(ink.move(rect.topleft))
        self.colours.append(tuple(colour))
        return rect

    def _number(self, text: str, size: int, colour: tuple, anchor: str, pos, bold: bool) -> pygame.Rect:
        """A number (angle, clock, count, score) set from cached glyphs, each placed where the
        whole string's layout puts it: the back angle alone changed ~15 times a second, and
        rendering every value anew churned 50 KB surfaces through the heap."""
        f = font(size, bold)
        rect = pygame.Rect((0, 0), f.size(text))
        setattr(rect, anchor, pos)
        ink = None
        for i, ch in enumerate(text):
            x = rect.x + (f.size(text[:i])[0] if i else 0)
            surf, glyph_ink = self.cache.get(ch, size, colour, bold)
            self.surface.blit(surf, (x, rect.y))
            if glyph_ink.width and glyph_ink.height:
                g = glyph_ink.move(x, rect.y)
                ink = g if ink is None else ink.union(g)
        self.texts.append((text, rect))
        self.inks.append(ink if ink is not None else pygame.Rect(rect.topleft, (0, 0)))
        self.colours.append(colour)
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
                  align: str = "left", bold: bool = False, max_lines: int = 6,
                  slot: str | None = None) -> pygame.Rect:
        """Word-wrapped text; returns the rect of all its lines."""
        x, y = pos
        step = font(size, bold).get_linesize()
        lines = [ln for part in text.split("\n") for ln in self.wrap(part, size, width, bold)][:max_lines]
        rects = []
        for i, line in enumerate(lines):
            anchor, px = {"left": ("topleft", x), "center": ("midtop", x),
                          "right": ("topright", x)}[align]  # fmt: skip
            rects.append(self.text(line, size, colour, anchor, (px, y + i * step), bold,
                                   None if slot is None else f"{slot}:{i}"))  # fmt: skip
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
        return self.mark(pygame.draw.rect(self.surface, self.tone(colour), rect, width, radius))

    def line(self, colour, a, b, width: int = 1) -> pygame.Rect:
        return self.mark(pygame.draw.line(self.surface, self.tone(colour), a, b, width))

    def lines(self, colour, closed: bool, points, width: int = 1) -> pygame.Rect:
        return self.mark(pygame.draw.lines(self.surface, self.tone(colour), closed, points, width))

    def circle(self, colour, centre, radius: int, width: int = 0) -> pygame.Rect:
        return self.mark(pygame.draw.circle(self.surface, self.tone(colour), centre, radius, width))

    def polygon(self, colour, points, width: int = 0) -> pygame.Rect:
        return self.mark(pygame.draw.polygon(self.surface, self.tone(colour), points, width))

    def ellipse(self, colour, rect, width: int = 0) -> pygame.Rect:
        return self.mark(pygame.draw.ellipse(self.surface, self.tone(colour), rect, width))

    def arc(self, colour, rect, start: float, stop: float, width: int = 1) -> pygame.Rect:
        return self.mark(pygame.draw.arc(self.surface, self.tone(colour), rect, start, stop, width))

    def blit(self, surf: pygame.Surface, pos) -> pygame.Rect:
        """A ready-made surface, drawn as it is (brightness does not reach inside it)."""
        return self.mark(self.surface.blit(surf, pos))
