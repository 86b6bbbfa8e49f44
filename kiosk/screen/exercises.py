"""What the screens say about each exercise: the judge's rules give the name, the one-line
how-to and the target band (kiosk.judge.rules, overridable from the config); the screens
only add what the animated figure holds."""

from __future__ import annotations

from kiosk.screen.model import ExerciseInfo

GEAR = {"hinge": "none", "hello": "band", "deadlift": "bar", "skier-swing": "dumbbells"}


def exercise_infos(overrides: dict | None = None) -> dict[str, ExerciseInfo]:
    """id -> ExerciseInfo, in the rules' order (the choose screen's order)."""
    from kiosk.judge.rules import EXERCISES, rules_for

    out = {}
    for ex in EXERCISES:
        r = rules_for(ex, (overrides or {}).get(ex))
        out[ex] = ExerciseInfo(ex, r.name, r.how_to, tuple(map(float, r.band_deg)), GEAR.get(ex, "none"))
    return out
