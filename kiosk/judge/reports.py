"""What the judge says: the live state every frame and a report per finished rep.

This is the contract between the judge (kiosk.judge) and everything downstream: the coach,
the screens and the history. Keep it plain data.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from enum import Enum


class Phase(str, Enum):
    WAITING = "waiting"        # no person, or not yet calibrated
    CALIBRATING = "calibrating"  # person standing still; learning the standing posture
    STANDING = "standing"
    DESCENDING = "descending"
    BOTTOM = "bottom"
    ASCENDING = "ascending"


class View(str, Enum):
    UNKNOWN = "unknown"
    SIDE = "side"
    FRONT = "front"
    OBLIQUE = "oblique"


@dataclass
class RepReport:
    index: int  # 1-based within the set
    start_s: float
    end_s: float
    back_angle_deg: float  # trunk inclination from vertical at the bottom
    hip_angle_deg: float  # shoulder-hip-knee at the bottom
    knee_flexion_deg: float  # 0 = straight, at the bottom
    hip_shift: float  # hips behind ankles over the bottom (its deep moments), in leg lengths
    down_s: float
    up_s: float
    faults: list[str] = field(default_factory=list)  # ids from kiosk.coach.cues.FAULTS
    score: int = 100  # 0..100

    def to_json(self) -> dict:
        d = asdict(self)
        for k, v in d.items():
            if isinstance(v, float):
                # Times and the hip shift (a fraction of leg length) need more than 0.1.
                d[k] = round(v, 3 if k.endswith("_s") or k == "hip_shift" else 1)
        return d


@dataclass
class JudgeState:
    """The judge's live view, produced for every pose (or missing pose)."""

    t: float
    phase: Phase = Phase.WAITING
    view: View = View.UNKNOWN
    person: bool = False  # a usable person is in frame
    back_angle_deg: float | None = None  # live trunk inclination, None when unknown
    angle_confidence: float = 0.0  # 0..1
    reps: int = 0  # reps counted so far in this set
    new_rep: RepReport | None = None  # set on the one update that completes a rep
    live_faults: list[str] = field(default_factory=list)  # faults seen in the rep in progress
    partial: bool = False  # set on the update that rejects a too-shallow attempt
    message: str = ""  # a short status for the get-set screen ("step back", ...)
