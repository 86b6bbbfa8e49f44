"""The coach: where a cue is chosen and worded.

In: the judge's live state and rep reports (kiosk.judge.reports), and poses for framing advice.
Out: one cue at a time (coach.Cue, worded in cues.py) and placement advice (framing.py).
Must not import: pygame, the screen, the sources, the pose runtime, the pi or any hardware.
"""

from kiosk.coach.coach import Coach, Cue

__all__ = ["Coach", "Cue"]
