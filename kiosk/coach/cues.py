"""Form faults: stable ids, what each means, and one short positive cue for the glass.

The judge reports ids; the coach picks cues from here. Priority: lower is more urgent
(safety first: the back, then the hinge pattern, then range and tempo).
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Fault:
    id: str
    priority: int
    cue: str  # positive instruction, fits on the glass at 2-3 m
    meaning: str


FAULTS: dict[str, Fault] = {
    f.id: f
    for f in (
        Fault("rounded_back", 1, "Keep your back long",
              "the spine flexes under load: chest and head drop toward the hips"),
        Fault("forward_bend", 2, "Push your hips back",
              "the movement starts at the lower back: the trunk tips before or without the hips moving back"),
        Fault("squatting", 3, "Hips back, shins stay tall",
              "knee-dominant: a squat pattern instead of a hinge"),
        Fault("hips_rise_first", 4, "Chest and hips rise together",
              "the hips shoot up first and the back does the lifting"),
        Fault("over_extension", 5, "Finish tall, ribs down",
              "leaning back at the top instead of standing straight"),
        Fault("locked_knees", 6, "Soften your knees",
              "knees straight through the hinge, loading the hamstrings and lower back"),
        Fault("incomplete_lockout", 7, "Stand tall \u2014 squeeze your glutes",
              "the rep ends before hips and knees are fully extended"),
        Fault("too_deep", 8, "Stop at the hamstring stretch",
              "the trunk goes well below parallel"),
        Fault("too_shallow", 9, "Hinge further \u2014 chest toward parallel",
              "not enough hinge to count as a rep"),
        Fault("arms_low", 10, "Snap the hips \u2014 weights to chest height",
              "the swing does not reach chest level"),
        Fault("too_fast", 11, "Slow down \u2014 control the way down",
              "the rep is faster than this exercise should be"),
    )
}  # fmt: skip

GOOD_REP_CUES = ("Good rep!", "Nice hinge!", "Strong \u2014 keep it up", "Great hips!")
