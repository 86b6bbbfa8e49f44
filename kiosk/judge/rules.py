"""Per-exercise rules as data: what counts as a rep, where each fault starts, the gauge band.

Angles are degrees of back angle (trunk inclination from vertical, see kiosk.judge.angles) above
the person's own standing posture. The config can override any field per exercise:

    [judge.deadlift]
    squat_knee_deg = 85

`rules_for(exercise, overrides)` applies them and raises ConfigError naming a bad key/value.
"""

from __future__ import annotations

from dataclasses import dataclass, fields, replace

from kiosk.errors import ConfigError


@dataclass(frozen=True)
class Rules:
    id: str
    name: str  # for the screen
    how_to: str  # one line for the get-set screen
    band_deg: tuple[float, float]  # target back angle at the bottom (the UI gauge's green zone)
    # rep counting
    count_min_deg: float  # a rep must reach this back angle
    partial_min_deg: float  # below count_min but above this: a partial (too shallow) attempt
    stand_max_deg: float  # at or below this the person is standing (rep done)
    max_bottom_s: float  # a longer stay at the bottom is picking up/parking a load, not a rep
    first_rep_from_floor: bool  # the set starts by gripping a load on the floor (rep 1 pauses there)
    min_rep_s: float  # faster "reps" are noise
    # A movement whose hands reach this far below the knees (standing trunk lengths) went
    # for the floor: a pick-up or put-down of the load, not a rep (faults.carried). None:
    # not judged (the deadlift lifts from the floor; the hinge drill has no load).
    carry_reach: float | None
    hands_top_min: float | None  # ...unless the hands then rise above this (wrist height)
    # A swing moves the hands: travel up and down against the knees (standing trunk lengths)
    # short of this is a hinge with the weights hanging, or the trunk's length misread while
    # standing still, not a swing (faults.hands_still). None: not judged.
    hands_travel_min: float | None
    # faults (None = not judged for this exercise)
    shallow_deg: float  # counted rep below this: too_shallow
    deep_deg: float  # above this: too_deep
    min_down_s: float | None  # descent faster than this: too_fast
    squat_knee_deg: float  # knee flexion at the bottom above this...
    squat_ratio: float  # ...with back angle / knee flexion below this: squatting (knee-dominant)
    squat_drop: float  # ...or the hips sink more than this (leg lengths): squatting
    squat_share: float  # ...or the hips make more than this share of the shoulders' drop
    hands_up_max: float | None  # ...or the hands stay above this (wrist height) as the hips sink
    locked_knee_deg: float | None  # knee flexion at the bottom below this: locked_knees
    forward_bend_shift: float  # hips behind ankles at the bottom below this (leg lengths)
    head_flexion_deg: float  # neck bent down against the trunk at the bottom by more: rounded_back
    back_bulge_max: float | None  # ...or the back's outline bulging out by more (trunk lengths)
    hips_first: float | None  # hips' share of their rise done before the trunk's starts (0..1)
    stiff_knee_deg: float | None  # from the floor with knees this straight...
    stiff_ratio: float  # ...and back angle / knee flexion above this: hips_rise_first (stiff legs)
    lockout_deg: float  # top of the rep still inclined by more: incomplete_lockout
    lean_back_deg: float  # leaning back at the top by more: over_extension
    arms_min: float | None  # wrist height at the top, trunk lengths below shoulders: arms_low


_BASE = dict(count_min_deg=30.0, partial_min_deg=20.0, stand_max_deg=16.0, max_bottom_s=3.5,
             first_rep_from_floor=False, min_rep_s=0.6, carry_reach=None,
             hands_top_min=None, hands_travel_min=None, shallow_deg=45.0, deep_deg=102.0,
             min_down_s=0.35, squat_knee_deg=60.0, squat_ratio=0.5, squat_drop=0.4, squat_share=0.72, hands_up_max=None,
             locked_knee_deg=8.0, forward_bend_shift=0.03, head_flexion_deg=15.0, back_bulge_max=0.03,
             hips_first=0.85,
             stiff_knee_deg=None, stiff_ratio=1.3, lockout_deg=11.0, lean_back_deg=15.0,
             arms_min=None)  # fmt: skip

EXERCISES: dict[str, Rules] = {
    r.id: r
    for r in (
        Rules(id="hinge", name="Hip hinge",
              how_to="Soft knees, push your hips back, chest toward parallel, then squeeze up.",
              band_deg=(50.0, 95.0), **_BASE),
        Rules(id="hello", name="Good morning",
              how_to="Band at your chest, push hips back until your chest is near parallel.",
              # A good morning keeps the knees softer and the hips travel less: generated ones
              # seen 30 deg off the front read 0.01 (1st percentile) against bends' -0.01 (95th).
              band_deg=(50.0, 95.0), **dict(_BASE, min_down_s=0.35, carry_reach=0.2,
                                           forward_bend_shift=0.005)),
        Rules(id="deadlift", name="Deadlift",
              how_to="Load close, hips back, lift with hips and chest rising together, stand tall.",
              band_deg=(35.0, 85.0), **dict(_BASE, count_min_deg=25.0, shallow_deg=30.0,
                                           deep_deg=100.0, min_down_s=0.2, squat_knee_deg=60.0,
                                           squat_ratio=0.4, squat_drop=0.45, squat_share=0.61, hands_up_max=-0.5, locked_knee_deg=None,
                                           stiff_knee_deg=46.0, first_rep_from_floor=True,
                                           max_bottom_s=4.5)),
        Rules(id="skier-swing", name="Skier swing",
              how_to="Swing the dumbbells back by your hips, snap the hips to bring them to chest height.",
              band_deg=(40.0, 85.0), **dict(_BASE, count_min_deg=25.0, shallow_deg=35.0,
                                           min_down_s=None, min_rep_s=0.45, max_bottom_s=1.2,
                                           squat_ratio=0.5, hips_first=None, arms_min=-0.5,
                                           carry_reach=0.2, hands_top_min=-0.8,
                                           hands_travel_min=0.3)),
    )
}  # fmt: skip


def rules_for(exercise: str, overrides: dict | None = None) -> Rules:
    """The rules of `exercise`, with `overrides` (a dict of field -> value) applied."""
    if exercise not in EXERCISES:
        raise ConfigError(f"unknown exercise {exercise!r}: choose one of {', '.join(EXERCISES)}")
    base = EXERCISES[exercise]
    if not overrides:
        return base
    known = {f.name: f for f in fields(Rules) if f.name not in ("id",)}
    clean = {}
    for key, value in overrides.items():
        if key not in known:
            raise ConfigError(f"judge.{exercise}: unknown rule {key!r}; known: {', '.join(sorted(known))}")
        current = getattr(base, key)
        clean[key] = _check(exercise, key, value, current)
    return replace(base, **clean)


def _check(exercise: str, key: str, value, current):
    where = f"judge.{exercise}.{key} = {value!r}"
    if isinstance(current, bool):
        if not isinstance(value, bool):
            raise ConfigError(f"{where}: must be true or false")
        return value
    if isinstance(current, str):
        if not isinstance(value, str) or not value.strip():
            raise ConfigError(f"{where}: must be a non-empty string")
        return value
    if isinstance(current, tuple):
        if (not isinstance(value, list | tuple) or len(value) != 2
                or not all(isinstance(v, int | float) and not isinstance(v, bool) for v in value)
                or not 0 <= value[0] < value[1] <= 180):  # fmt: skip
            raise ConfigError(f"{where}: must be [low, high] degrees with 0 <= low < high <= 180")
        return (float(value[0]), float(value[1]))
    if value is None and current is None:
        return None
    if value is None or isinstance(value, bool) or not isinstance(value, int | float):
        raise ConfigError(f"{where}: must be a number")
    if key not in ("arms_min", "carry_reach", "hands_top_min", "back_bulge_max", "hands_up_max") and value < 0:
        raise ConfigError(f"{where}: must not be negative")
    if key.endswith("_deg") and value > 180:
        raise ConfigError(f"{where}: degrees must be at most 180")
    return float(value)
