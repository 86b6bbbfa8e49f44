"""Everything drawn on the glass: display set-up, layouts, text cache, widgets, screens.

Behind a two-way mirror black pixels are plain mirror, so every screen is drawn on pure black
and keeps the middle clear for the person's reflection.
"""

from kiosk.screen.canvas import Canvas
from kiosk.screen.model import ViewModel
from kiosk.screen.render import render

__all__ = ["Canvas", "ViewModel", "render"]
