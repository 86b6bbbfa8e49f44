"""Everything drawn on the glass: display set-up, layouts, text cache, widgets, screens.

In: the flow's actions, the judge's live state and reports, the coach's cue, the pose to draw.
Out: pixels on the glass (pygame-ce), and which screen shows next (flow.py, the state machine).
Must not import: the sources, the pose runtime, the pi, or the judge beyond reports and rules.

Behind a two-way mirror black pixels are plain mirror, so every screen is drawn on pure black
and keeps the middle clear for the person's reflection.
"""

from kiosk.screen.canvas import Canvas
from kiosk.screen.model import ViewModel
from kiosk.screen.render import render

__all__ = ["Canvas", "ViewModel", "render"]
