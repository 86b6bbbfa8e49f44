"""Labelled clips: what a human saw in each recorded set (../shared/footage/dev-labels.json).

Each label names the clip, its exercise and form in the footage's own words, the rep count
(and what else is acceptable where a last rep is cut off), the camera view, the lifter and how
sure the labeller was. `Label.expected` is the judge's faults the form calls for.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

from kiosk.errors import UserError

# The footage's exercise names -> the exercise the mirror would coach it as.
EXERCISE = {
    "barbell_deadlift": "deadlift", "kettlebell_deadlift": "deadlift", "band_deadlift": "deadlift",
    "deadlift_pattern_pvc_dowel": "deadlift", "barbell_romanian_deadlift": "deadlift",
    "barbell_back_squat": "deadlift",  # a squat judged as a deadlift: it must say "squatting"
    "kettlebell_goblet_squat": "deadlift",
    "kettlebell_good_morning": "hello", "bodyweight_good_morning": "hello",
    "dowel_good_morning": "hello", "banded_good_morning": "hello",
    "kettlebell_swing_american": "skier-swing", "kettlebell_swing_russian": "skier-swing",
    "dumbbell_skier_swing": "skier-swing", "bodyweight_hip_hinge": "hinge",
}  # fmt: skip
# The form labels -> the faults the judge should find on every rep.
EXPECTED = {
    "good": (), "rounded_back": ("rounded_back",),
    "squatting_instead_of_hinging": ("squatting",), "good_squat": ("squatting",),
    "hips_rise_first_stiff_leg": ("hips_rise_first",), "forward_bend": ("forward_bend",),
    "combined_squat_and_rounded_back": ("squatting", "rounded_back"),
}  # fmt: skip
# The faults that say "this was not a hinge": a good rep must not carry one.
MAJOR = ("forward_bend", "rounded_back", "squatting", "hips_rise_first")


@dataclass(frozen=True)
class Label:
    file: str
    exercise: str  # the judge's exercise id
    form: str
    view: str
    lifter: str
    reps: int
    acceptable: tuple[int, ...]  # rep counts that are also right (a last rep cut off)
    confidence: str  # "high", "medium", "low"

    @property
    def expected(self) -> tuple[str, ...]:
        return EXPECTED[self.form]

    @property
    def good(self) -> bool:
        return self.form == "good"

    def count_ok(self, counted: int) -> bool:
        return counted == self.reps or counted in self.acceptable


def load(path: str | Path) -> list[Label]:
    """The labels of a LABELS.json file; a bad file or entry is one UserError naming it."""
    path = Path(path)
    try:
        data = json.loads(path.read_text())
    except OSError as exc:
        raise UserError(f"cannot read labels {path}: {exc.strerror or exc}") from exc
    except ValueError as exc:
        raise UserError(f"labels {path} is not JSON: {exc}") from exc
    if not isinstance(data, list) or not data:
        raise UserError(f"labels {path} must be a non-empty list of clips")
    return [_label(obj, path, i) for i, obj in enumerate(data)]


def _label(obj, path: Path, i: int) -> Label:
    where = f"labels {path}, entry {i + 1}"
    try:
        where = f"labels {path}, {obj['file']}"
        exercise, form = obj["exercise"], obj["form"]
        if exercise not in EXERCISE:
            raise UserError(f"{where}: exercise {exercise!r} is not one the mirror coaches "
                            f"(known: {', '.join(sorted(EXERCISE))})")
        if form not in EXPECTED:
            raise UserError(f"{where}: form {form!r} is unknown (known: {', '.join(EXPECTED)})")
        return Label(file=str(obj["file"]), exercise=EXERCISE[exercise], form=form,
                     view=str(obj.get("view", "?")), lifter=str(obj.get("lifter", obj["file"])),
                     reps=int(obj["reps"]), acceptable=tuple(int(n) for n in obj.get("reps_acceptable") or ()),
                     confidence=str(obj.get("label_confidence", obj.get("confidence", "high"))))  # fmt: skip
    except (KeyError, TypeError, ValueError) as exc:
        raise UserError(f"{where}: missing or bad field ({exc})") from exc
