"""Motion scripts: each exercise as keyframed postures, faults as edits to a rep's keyframes.

A script is a list of (time, posture fields) keyframes, eased with a half cosine between
them. Reps record their truth (times, intended faults, whether the judge should count them).
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace

import numpy as np

from kiosk.synth.body import Posture

PARTIAL = "partial"  # a pseudo-fault for generate(): a too-shallow attempt, not a rep


@dataclass(frozen=True)
class Style:
    top: dict
    bottom: dict
    down_s: float
    hold_s: float  # at the bottom
    up_s: float
    top_s: float  # at the top, between reps
    from_floor: bool = False  # deadlift: reps go floor -> lockout -> floor


_STAND = dict(shin=2.0, knee=4.0, trunk=2.0, rounding=0.0, head=5.0)
STYLES: dict[str, Style] = {
    "hinge": Style(
        top=dict(_STAND, arm_l=5, arm_r=5, elbow_l=10, elbow_r=10),
        bottom=dict(shin=2.0, knee=22.0, trunk=72.0, head=-8.0, arm_l=8, arm_r=8),
        down_s=1.5, hold_s=0.3, up_s=1.2, top_s=1.0),
    "hello": Style(
        top=dict(_STAND, arm_l=25, arm_r=25, elbow_l=135, elbow_r=135, arm_on_trunk=True),
        bottom=dict(shin=3.0, knee=18.0, trunk=75.0, head=-10.0, arm_l=25, arm_r=25),
        down_s=2.0, hold_s=0.5, up_s=1.6, top_s=1.0),
    "deadlift": Style(
        top=dict(_STAND, arm_l=3, arm_r=3, elbow_l=5, elbow_r=5),
        bottom=dict(shin=20.0, knee=80.0, trunk=55.0, head=-15.0, arm_l=-5, arm_r=-5),
        down_s=1.2, hold_s=0.5, up_s=1.1, top_s=0.6, from_floor=True),
    "skier-swing": Style(
        top=dict(_STAND, arm_l=85, arm_r=85, elbow_l=8, elbow_r=8),
        bottom=dict(shin=6.0, knee=32.0, trunk=62.0, head=-12.0, arm_l=-40, arm_r=-40),
        down_s=0.5, hold_s=0.05, up_s=0.45, top_s=0.1),
    "squat": Style(
        top=dict(_STAND, arm_l=80, arm_r=80, elbow_l=20, elbow_r=20),
        bottom=dict(shin=32.0, knee=110.0, trunk=38.0, head=-10.0, arm_l=60, arm_r=60),
        down_s=1.4, hold_s=0.3, up_s=1.2, top_s=1.0),
}


@dataclass
class RepTruth:
    index: int  # 1-based among counted reps; 0 for a partial attempt
    start_s: float
    bottom_s: float
    end_s: float
    faults: tuple[str, ...] = ()
    counted: bool = True


@dataclass
class Script:
    keys: list[tuple[float, dict]] = field(default_factory=list)
    reps: list[RepTruth] = field(default_factory=list)

    @property
    def t(self) -> float:
        return self.keys[-1][0] if self.keys else 0.0

    def last(self) -> dict:
        return dict(self.keys[-1][1])

    def to(self, dt: float, **fields) -> None:
        """Move to `fields` (others stay) over dt seconds."""
        self.keys.append((self.t + dt, {**self.last(), **fields}))

    def posture(self, t: float) -> Posture:
        times = [k[0] for k in self.keys]
        i = int(np.clip(np.searchsorted(times, t, side="right") - 1, 0, len(times) - 1))
        a = self.keys[i][1]
        if i + 1 >= len(self.keys):
            return Posture(**a)
        (t0, _), (t1, b) = self.keys[i], self.keys[i + 1]
        u = 0.5 - 0.5 * np.cos(np.pi * np.clip((t - t0) / max(t1 - t0, 1e-9), 0, 1))
        mixed = {k: (a[k] + (b[k] - a[k]) * u if isinstance(a[k], float | int) and not isinstance(a[k], bool)
                     else a[k]) for k in a}  # fmt: skip
        return Posture(**mixed)


def _with_faults(style: Style, faults: tuple[str, ...]) -> tuple[dict, dict, Style]:
    """The bottom and top of a faulty rep, and its tempo."""
    bottom, top, st = dict(style.bottom), dict(style.top), style
    for f in faults:
        if f == "forward_bend":  # hips stay over the ankles, the trunk just tips
            bottom.update(shin=9.0, knee=11.0)
        elif f == "rounded_back":
            bottom.update(rounding=17.0, head=bottom.get("head", 0) + 35.0)
        elif f == "squatting":
            bottom.update(shin=35.0, knee=115.0, trunk=min(bottom["trunk"], 30.0))
        elif f == "hips_rise_first" and style.from_floor:  # a stiff-legged pull: hips start high
            bottom.update(shin=5.0, knee=32.0, trunk=72.0)
        elif f == "locked_knees":
            bottom.update(shin=-7.0, knee=0.0)
            top.update(shin=-1.0, knee=0.0)
        elif f == "incomplete_lockout":
            top.update(trunk=20.0, knee=16.0, shin=4.0)
        elif f == "over_extension":
            top.update(trunk=-19.0, shin=-3.0, knee=0.0, head=-5.0)
        elif f == "too_shallow":
            bottom.update(trunk=style.bottom["trunk"] * 0.5, knee=bottom["knee"] * 0.8)
        elif f == PARTIAL:
            bottom.update(trunk=27.0, knee=bottom["knee"] * 0.3, arm_l=top.get("arm_l", 5), arm_r=top.get("arm_r", 5))
        elif f == "too_deep":
            bottom.update(trunk=108.0)
        elif f == "too_fast":
            st = replace(st, down_s=min(st.down_s, 0.22), up_s=min(st.up_s, 0.3))
        elif f == "arms_low":
            top.update(arm_l=35.0, arm_r=35.0)
    return bottom, top, st


def floor_bottom(style: Style, faults: tuple[str, ...], rng: np.random.Generator) -> dict:
    """Where a from-the-floor rep starts: its faults show in how the lifter sets up."""
    bottom = _with_faults(style, faults)[0]
    bottom["trunk"] += float(rng.uniform(-4, 4))
    return bottom


def lower_to(sc: Script, style: Style, bottom: dict, faults: tuple[str, ...], rng) -> None:
    """Go down to `bottom` (the next rep's set-up); a forward bend tips the trunk first."""
    jit = lambda s: s * float(rng.uniform(0.85, 1.15))  # noqa: E731
    if "forward_bend" in faults:
        sc.to(jit(style.down_s) * 0.5, trunk=bottom["trunk"] * 0.6)
    sc.to(jit(style.down_s) * (0.5 if "forward_bend" in faults else 1.0), **bottom)


def add_rep(sc: Script, style: Style, faults: tuple[str, ...], index: int, rng: np.random.Generator,
            next_faults: tuple[str, ...] = ()) -> None:  # fmt: skip
    """Append one rep (or a partial attempt) to the script, with its truth. A deadlift rep
    (from the floor) lifts from where the lifter is, and lowers into the set-up of the next
    rep (`next_faults`)."""
    bottom, top, st = _with_faults(style, faults)
    jit = lambda s: s * float(rng.uniform(0.85, 1.15))  # noqa: E731  tempo varies rep to rep
    trunk_b = bottom["trunk"] + float(rng.uniform(-4, 4))
    bottom["trunk"] = trunk_b
    legs_top = {k: top[k] for k in ("shin", "knee")}
    if style.from_floor:
        start = sc.t
        trunk_now = sc.last()["trunk"]
        if "hips_rise_first" in faults:  # the legs straighten while the trunk stays down
            sc.to(jit(st.up_s) * 0.45, **dict(legs_top, trunk=trunk_now - 4))
            sc.to(jit(st.up_s) * 0.6, **top)
        else:
            sc.to(jit(st.up_s), **top)
        sc.to(jit(st.top_s), **top)
        if "over_extension" in faults:
            sc.to(0.25, **style.top)
        lower_to(sc, st, floor_bottom(style, next_faults, rng), next_faults, rng)
        end = sc.t
        sc.to(jit(st.hold_s))
        sc.reps.append(RepTruth(index, start, start, end, faults, PARTIAL not in faults))
        return
    start = sc.t
    if "forward_bend" in faults:  # the trunk leads, the legs barely move
        sc.to(jit(st.down_s) * 0.5, trunk=trunk_b * 0.6)
        sc.to(jit(st.down_s) * 0.5, **bottom)
    else:
        sc.to(jit(st.down_s), **bottom)
    bottom_t = sc.t
    sc.to(jit(st.hold_s))
    if "hips_rise_first" in faults:  # legs straighten while the trunk stays down
        sc.to(jit(st.up_s) * 0.45, **dict(legs_top, trunk=trunk_b - 4))
        sc.to(jit(st.up_s) * 0.6, **top)
    else:
        sc.to(jit(st.up_s), **top)
    end = sc.t
    sc.to(jit(st.top_s))
    if "over_extension" in faults:
        sc.to(0.25, **style.top)  # (an incomplete lockout goes straight into the next rep)
    sc.reps.append(RepTruth(index, start, bottom_t, end, faults, PARTIAL not in faults))


# --- movements that are not reps -------------------------------------------------------
def walk(sc: Script, to_z: float, speed: float = 1.1) -> None:
    """Walk sideways across the camera's view to root_z, facing the direction of travel."""
    z0 = sc.last()["root_z"]
    dist = abs(to_z - z0)
    if dist < 1e-6:
        return
    heading = 90.0 if to_z > z0 else -90.0
    sc.to(0.3, heading=heading)
    steps = max(2, int(dist / 0.35))
    for i in range(steps):
        sc.to(dist / speed / steps, root_z=z0 + (to_z - z0) * (i + 1) / steps,
              stride=0.3 * (1 if i % 2 == 0 else -1), knee=15.0)  # fmt: skip
    sc.to(0.3, stride=0.0, knee=4.0, heading=0.0)


def wave(sc: Script) -> None:
    arm = sc.last()["arm_r"]
    sc.to(0.5, arm_r=160.0, elbow_r=30.0)
    for _ in range(3):
        sc.to(0.25, elbow_r=60.0)
        sc.to(0.25, elbow_r=10.0)
    sc.to(0.5, arm_r=arm, elbow_r=10.0)


# Down to a load on the floor: the hands at ~0.25 m, a kettlebell's or dumbbell's handle.
_AT_THE_FLOOR = dict(shin=30.0, knee=110.0, trunk=50.0, arm_l=10.0, arm_r=10.0, elbow_l=5,
                     elbow_r=5, arm_on_trunk=False)


def pick_up(sc: Script, style: Style, then: dict, grip_s: float = 2.0) -> None:
    """Squat down to the load on the floor, fiddle with the grip, stand up holding it at
    arm's length, then take the exercise's starting posture (`then`)."""
    sc.to(1.3, **_AT_THE_FLOOR)
    sc.to(0.8 * grip_s, arm_l=15.0, arm_r=0.0)
    sc.to(0.2 * grip_s)
    sc.to(1.4, **dict(then, arm_l=5.0, arm_r=5.0, elbow_l=10.0, elbow_r=10.0))
    sc.to(0.3)
    sc.to(0.8, **then)


def park(sc: Script, style: Style, grip_s: float = 2.0) -> None:
    """Put the load down (squatting to it) and stand up empty-handed."""
    sc.to(1.4, **_AT_THE_FLOOR)
    sc.to(0.9 * grip_s, arm_l=0.0, arm_r=15.0)
    sc.to(1.4, **dict(_STAND, arm_l=5.0, arm_r=5.0, elbow_l=10.0, elbow_r=10.0))
