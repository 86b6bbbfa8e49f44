"""Open the display: fullscreen at the monitor's native size (KMSDRM on a console-only Pi),
a window on a desktop (`--windowed`), or SDL's dummy driver (`--headless`).

Portrait: a monitor turned on its side. The screens are laid out for the configured
orientation; when the display reports the other one (KMSDRM cannot rotate the console), the
frame is drawn upright on an off-screen surface and turned on the way out: `rotate` (the
config's display.rotate) is how far the monitor was turned clockwise, seen from the front -
90 or 270 for portrait (which one depends on the way it was turned), 180 for upside down,
0 = automatic (90 when portrait is wanted and the screen is landscape, or the other way).

Turning a whole 1080x1920 frame costs ~6 ms on a desktop and several times that on a Pi, every
frame. Almost all of a mirror's glass is black, so only the regions drawn this frame or the
last (the canvas reports them) are turned; a full turn is done now and then regardless.
"""

from __future__ import annotations

import logging
import os

import pygame

from kiosk.errors import UserError

log = logging.getLogger(__name__)

WINDOW = {"landscape": (1280, 720), "portrait": (540, 960)}
HEADLESS = {"landscape": (1920, 1080), "portrait": (1080, 1920)}
FULL_TURN_EVERY = 60  # frames: a whole-frame turn now and then, whatever the regions said


class DisplayError(UserError):
    """No display could be opened."""


def choose_driver(mode: str) -> None:
    """Pick the SDL video driver before pygame.display.init() (an explicit env var wins)."""
    if mode == "headless":
        os.environ["SDL_VIDEODRIVER"] = "dummy"
    elif "SDL_VIDEODRIVER" not in os.environ and mode == "fullscreen":
        if not (os.environ.get("DISPLAY") or os.environ.get("WAYLAND_DISPLAY")):
            os.environ["SDL_VIDEODRIVER"] = "kmsdrm"  # a console-only Pi: straight to DRM
    os.environ.setdefault("PYGAME_HIDE_SUPPORT_PROMPT", "1")


class Display:
    def __init__(self, mode: str = "fullscreen", orientation: str = "landscape",
                 size: tuple[int, int] | None = None, rotate: int = 0) -> None:  # fmt: skip
        """`rotate`: 0 (auto), 90, 180, 270. Headless with 90/270 opens a framebuffer of the
        other shape, as a console Pi with a monitor on its side has (tests, benchmarks)."""
        if mode not in ("fullscreen", "windowed", "headless"):
            raise ValueError(mode)
        if rotate not in (0, 90, 180, 270):
            raise ValueError(f"rotate must be 0, 90, 180 or 270, not {rotate}")
        self.mode, self.orientation = mode, orientation
        choose_driver(mode)
        try:
            pygame.display.init()
            pygame.font.init()
            if mode == "fullscreen":
                self.window = pygame.display.set_mode((0, 0), pygame.FULLSCREEN)
                pygame.mouse.set_visible(False)
            else:
                wanted = size or (WINDOW if mode == "windowed" else HEADLESS)[orientation]
                if mode == "headless" and rotate in (90, 270):
                    wanted = wanted[::-1]
                self.window = pygame.display.set_mode(wanted)
        except pygame.error as exc:
            driver = os.environ.get("SDL_VIDEODRIVER", "default")
            raise DisplayError(
                f"cannot open the display with SDL driver {driver!r} ({exc}): on a Pi console "
                "run as a user in the video and render groups; on a desktop use --windowed; "
                "without a screen use --headless"
            ) from None
        pygame.display.set_caption("Hinge Mirror")
        w, h = self.window.get_size()
        self.rotate = rotate if mode != "windowed" else 0  # a desktop turns its own windows
        if not rotate and mode != "windowed" and (orientation == "portrait") != (h > w) and w != h:
            self.rotate = 90  # the monitor is on its side but the console is not
        if self.rotate in (90, 270):
            self.surface = pygame.Surface((h, w))
            if (orientation == "portrait") != (w > h):
                log.warning("display.rotate = %d turns the %dx%d screen to %dx%d, not %s: "
                            "check display.orientation", rotate, w, h, h, w, orientation)
        elif self.rotate == 180:
            self.surface = pygame.Surface((w, h))
        else:
            self.surface = self.window
        self._last_regions: list[pygame.Rect] = []
        self._presents = 0
        log.info("display %dx%d via %s%s", w, h, pygame.display.get_driver(),
                 f", drawn turned {self.rotate} deg" if self.rotate else "")  # fmt: skip

    @property
    def size(self) -> tuple[int, int]:
        return self.surface.get_size()

    def present(self, drawn: list[pygame.Rect] | None = None) -> None:
        """Show the frame. `drawn`: every region lit this frame (None: unknown, turn all)."""
        if self.rotate:
            self._turn(drawn)
        pygame.display.flip()

    def _turn(self, drawn: list[pygame.Rect] | None) -> None:
        self._presents += 1
        if drawn is None or self._presents % FULL_TURN_EVERY == 1:
            self.window.blit(pygame.transform.rotate(self.surface, self.rotate), (0, 0))
        else:
            # What was lit last frame must go black, what is lit now must show.
            for r in merge_rects(drawn + self._last_regions, self.surface.get_rect()):
                part = pygame.transform.rotate(self.surface.subsurface(r), self.rotate)
                self.window.blit(part, turned_rect(r, self.surface.get_size(), self.rotate))
        self._last_regions = [] if drawn is None else list(drawn)

    def close(self) -> None:
        pygame.display.quit()


def turned_rect(r: pygame.Rect, size: tuple[int, int], angle: int) -> pygame.Rect:
    """Where region `r` of a (w, h) surface lands after pygame.transform.rotate(angle)
    (anticlockwise degrees, a multiple of 90)."""
    w, h = size
    if angle == 90:
        return pygame.Rect(r.y, w - r.x - r.width, r.height, r.width)
    if angle == 180:
        return pygame.Rect(w - r.x - r.width, h - r.y - r.height, r.width, r.height)
    if angle == 270:
        return pygame.Rect(h - r.y - r.height, r.x, r.height, r.width)
    return pygame.Rect(r)


def merge_rects(rects: list[pygame.Rect], bounds: pygame.Rect, pad: int = 2) -> list[pygame.Rect]:
    """Clip to `bounds` and merge overlapping (or nearly touching) regions, so each pixel is
    turned once and small pieces of one widget go as one."""
    todo = [r.inflate(2 * pad, 2 * pad).clip(bounds) for r in rects]
    todo = [r for r in todo if r.width and r.height]
    out: list[pygame.Rect] = []
    while todo:
        r = todo.pop()
        hits = r.collidelistall(todo)
        while hits:
            for i in reversed(hits):
                r.union_ip(todo.pop(i))
            hits = r.collidelistall(todo)
        hits = r.collidelistall(out)  # a grown region may now reach one already done
        if hits:
            for i in reversed(hits):
                r.union_ip(out.pop(i))
            todo.append(r)
        else:
            out.append(r)
    return out
