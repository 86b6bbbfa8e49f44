"""What the screens read: one plain snapshot per frame, built by the app."""

from __future__ import annotations

from dataclasses import dataclass, field

from kiosk.coach.coach import Cue
from kiosk.screen.flow import Flow
from kiosk.pose.keypoints import Pose
from kiosk.judge.reports import View


@dataclass(frozen=True)
class ExerciseInfo:
    id: str
    name: str
    how_to: str
    band: tuple[float, float]  # target back angle at the bottom, degrees from vertical
    gear: str = "none"  # what the animated figure holds: none | band | bar | dumbbells


@dataclass(frozen=True)
class SetRecord:
    """One finished set, as the history screen shows it."""

    started: float  # epoch seconds
    exercise: str
    reps: int
    score: float  # mean rep score 0..100


@dataclass
class ViewModel:
    flow: Flow
    t: float  # the app's clock, seconds (drives animation, holds and timeouts)
    clock_text: str = ""  # wall-clock time for the idle screen, e.g. "21:45"
    cue: Cue | None = None
    info: dict[str, ExerciseInfo] = field(default_factory=dict)
    history: list[SetRecord] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)  # shown on the glass in words
    ghost: Pose | None = None  # the live pose for the small mirrored skeleton (None = off)
    pip: Pose | None = None  # the demo athlete, drawn picture-in-picture
    pip_label: str = ""
    crop: tuple[float, float, float, float] | None = None  # camera-frame window for ghost/pip
    idle_since: float = 0.0  # when the idle screen came up (drift and dimming)
    asleep: bool = False  # nobody around: the glass is all black (a plain mirror)
    hints: bool = True  # show which button does what
    one_button: bool = False  # hints say "press / hold" instead of naming three buttons
    keyboard: bool = False  # no GPIO buttons: hints name the keys (Space, Enter, Esc)
    view_pose: Pose | None = None  # the latest pose, for the get-set "what the camera sees"
    someone_else: bool = False  # the camera sees a second person (get set says so)
    # The camera view the judge found this session (Get set only knows it from an earlier set:
    # the judge learns the view as it calibrates, which ends Get set).
    last_view: View = View.UNKNOWN
    back_shape_off: str = ""  # why the back-shape (rounded back) check is off, for Get set

    def exercise_info(self, exercise: str) -> ExerciseInfo:
        return self.info.get(exercise) or ExerciseInfo(exercise, exercise, "", (45.0, 80.0))
