"""Judge one finished rep: its numbers at the bottom, its faults and its 0-100 score.

Each rule reads one measurement against a threshold from kiosk.judge.rules (data, per
exercise). The measurements come from kiosk.judge.trunk.Estimate samples over the rep.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from kiosk.judge.phases import Cycle
from kiosk.judge.rules import Rules
from kiosk.judge.trunk import Estimate

PENALTY = {"rounded_back": 35, "forward_bend": 35, "squatting": 30, "hips_rise_first": 25,
           "over_extension": 15, "locked_knees": 15, "incomplete_lockout": 15, "too_shallow": 15,
           "too_deep": 10, "arms_low": 10, "too_fast": 10}  # fmt: skip


@dataclass
class Standing:
    """The set's standing posture, the reference for drops and leans."""

    back: float = 0.0
    head_flexion: float | None = None
    signed: bool = True  # lean direction is observable (not a pure front view)


@dataclass
class RepMetrics:
    back: float
    hip_angle: float
    knee_flexion: float
    hip_shift: float
    down_s: float
    up_s: float
    head_drop: float | None
    hip_drop: float | None
    hips_lead: float | None
    top_back: float
    top_lean_back: float
    wrist_top: float | None


def _med(samples: list[Estimate], attr: str) -> float | None:
    vals = [getattr(s, attr) for s in samples if getattr(s, attr) is not None]
    return float(np.median(vals)) if vals else None


def measure(c: Cycle, samples: list[Estimate], std: Standing) -> RepMetrics:
    """Numbers of one rep from its samples (time order, start_t .. a little past end_t)."""
    t = np.array([s.t for s in samples])
    back = np.array([s.back for s in samples])
    rep = (t >= c.start_t) & (t <= c.end_t + 1e-6)
    # The bottom: a window around the peak, narrower for quick (ballistic) reps.
    half = float(np.clip(0.06 * (c.end_t - c.start_t), 0.04, 0.12))
    # The smoothed depth peaks a little late: re-centre on the raw angles' peak.
    look = np.flatnonzero(rep & (np.abs(t - c.peak_t) <= 0.25))
    if len(look):
        smooth = np.convolve(back, np.ones(3) / 3, mode="same")
        peak_t = float(t[look[np.argmax(smooth[look])]])
    else:
        peak_t = c.peak_t
    near = rep & (np.abs(t - peak_t) <= half)
    if not near.any():
        near = rep
    bottom = [s for s, m in zip(samples, near) if m]
    b = float(np.median(back[near]))
    deep = rep & (back - std.back >= 0.9 * (b - std.back))
    t_deep = t[deep] if deep.any() else np.array([c.peak_t])
    top = (t >= c.end_t - 0.15) & (t > c.peak_t)
    top_back = float(np.min(back[top])) if top.any() else float(back[-1])
    # Lowest back angle after the bottom: below the standing posture = leaning back.
    after = t > c.peak_t
    lean = float(std.back - np.min(back[after])) if after.any() else 0.0
    wr = [s.wrist_height for s, m in zip(samples, after) if m and s.wrist_height is not None]
    return RepMetrics(
        back=b, hip_angle=_med(bottom, "hip_angle") or 180.0 - b,
        knee_flexion=_med(bottom, "knee_flexion") or 0.0, hip_shift=_med(bottom, "hip_shift") or 0.0,
        down_s=float(t_deep[0] - c.start_t), up_s=float(c.end_t - t_deep[-1]),
        head_drop=(None if std.head_flexion is None or _med(bottom, "head_flexion") is None
                   else _med(bottom, "head_flexion") - std.head_flexion),
        hip_drop=_med(bottom, "hip_drop"), hips_lead=_hips_lead(samples, c),
        top_back=top_back, top_lean_back=lean,
        wrist_top=float(np.percentile(wr, 90)) if wr else None,
    )  # fmt: skip


def _hips_lead(samples: list[Estimate], c: Cycle) -> float | None:
    """How far the legs' straightening runs ahead of the trunk's rise on the way up (0..1).

    Legs: knee flexion and hip height, each as the fraction recovered from the bottom toward
    the top; trunk: the back angle's fraction recovered. Rising together gives ~0."""
    up = [s for s in samples if c.peak_t <= s.t <= c.end_t]
    if len(up) < 4:
        return None
    back = np.array([s.back for s in up])
    br = back[0] - back[-1]
    if br < 15:
        return None
    r_trunk = (back[0] - back) / br
    leads = []
    # (measure, smallest useful range): knee flexion in deg, hip height in leg lengths
    for attr, need in (("knee_flexion", 12.0), ("hip_drop", 0.06)):
        v = np.array([getattr(s, attr) if getattr(s, attr) is not None else np.nan for s in up], float)
        if np.isnan(v).mean() > 0.3:
            continue
        v = np.where(np.isnan(v), np.nanmedian(v), v)
        k = max(2, len(v) // 8)
        lo, hi = float(np.median(v[:k])), float(np.median(v[-k:]))
        if lo - hi < need:
            continue
        leads.append(float(np.max((lo - v) / (lo - hi) - r_trunk)))
    return max(leads) if leads else None


def judge(c: Cycle, m: RepMetrics, r: Rules, std: Standing) -> list[str]:
    f = []
    rel = m.back - std.back
    squat = m.knee_flexion > r.squat_knee_deg or (m.knee_flexion > 35 and rel / m.knee_flexion < r.squat_ratio)
    if m.head_drop is not None and m.head_drop > r.head_drop_deg:
        f.append("rounded_back")
    if squat:
        f.append("squatting")
    elif m.hip_shift < r.forward_bend_shift:
        f.append("forward_bend")
    if r.locked_knee_deg is not None and m.knee_flexion < r.locked_knee_deg and "forward_bend" not in f:
        f.append("locked_knees")
    if m.hips_lead is not None and m.hips_lead > r.hips_first:
        f.append("hips_rise_first")
    if not c.full_lockout or m.top_back - std.back > r.lockout_deg:
        f.append("incomplete_lockout")
    if std.signed and m.top_lean_back > r.lean_back_deg:
        f.append("over_extension")
    if m.back < r.shallow_deg:
        f.append("too_shallow")
    if m.back > r.deep_deg:
        f.append("too_deep")
    if r.min_down_s is not None and m.down_s < r.min_down_s:
        f.append("too_fast")
    if r.arms_min is not None and m.wrist_top is not None and m.wrist_top < r.arms_min:
        f.append("arms_low")
    return f


def score(faults: list[str], back: float, r: Rules) -> int:
    lo, hi = r.band_deg
    off = max(0.0, lo - back, back - hi)
    s = 100 - sum(PENALTY.get(x, 10) for x in faults) - min(10.0, off / 2)
    return int(round(max(0.0, min(100.0, s))))
