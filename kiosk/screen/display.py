"""Open the display: fullscreen at the monitor's native size (KMSDRM on a console-only Pi),
a window on a desktop (`--windowed`), or SDL's dummy driver (`--headless`).

Portrait: a monitor turned on its side. The screens are laid out for the configured
orientation; when the display reports the other one (KMSDRM cannot rotate the console), the
frame is drawn upright on an off-screen surface and turned 90 degrees on the way out.
"""

from __future__ import annotations

import logging
import os

import pygame

from kiosk.errors import UserError

log = logging.getLogger(__name__)

WINDOW = {"landscape": (1280, 720), "portrait": (540, 960)}
HEADLESS = {"landscape": (1920, 1080), "portrait": (1080, 1920)}


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
                 size: tuple[int, int] | None = None, rotate_deg: int = 90) -> None:  # fmt: skip
        if mode not in ("fullscreen", "windowed", "headless"):
            raise ValueError(mode)
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
        want_portrait = orientation == "portrait"
        self.rotate = 0
        if want_portrait != (h > w) and w != h:
            self.rotate = rotate_deg  # the monitor is on its side but the console is not
            self.surface = pygame.Surface((h, w))
        else:
            self.surface = self.window
        log.info("display %dx%d via %s%s", w, h, pygame.display.get_driver(),
                 f", drawn rotated {self.rotate} deg" if self.rotate else "")  # fmt: skip

    @property
    def size(self) -> tuple[int, int]:
        return self.surface.get_size()

    def present(self) -> None:
        if self.rotate:
            self.window.blit(pygame.transform.rotate(self.surface, self.rotate), (0, 0))
        pygame.display.flip()

    def close(self) -> None:
        pygame.display.quit()
