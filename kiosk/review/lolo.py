"""Leave one lifter out: each fault's threshold chosen on the other lifters' clips, then
judged on the lifter it was not chosen on.

Clips of one lifter are not independent samples: a threshold tuned on a lifter's good and
faulty clips fits that lifter. For each lifter in turn, every threshold in TUNED is chosen
again, as a factor on the judge's own value (every exercise's alike), on the other lifters'
reps: the factor that best separates the reps labelled with the fault from the reps not
labelled with it (clips judged right: the fault on 80 % of a faulty clip's reps, on at most
20 % of another's), and of equally good factors the one nearest 1. The held-out lifter's reps
are then judged with those.
Low-confidence labels are judged but never choose a threshold.
"""

from __future__ import annotations

from dataclasses import replace

from kiosk.judge.rules import Rules
from kiosk.review.evaluate import ClipResult

# fault -> the thresholds that decide it (kiosk.judge.rules); each chosen on its own.
TUNED = {
    "rounded_back": ("back_bulge_max", "head_flexion_deg"),
    "squatting": ("squat_share", "squat_ratio"),
    "hips_rise_first": ("stiff_knee_deg", "hips_first"),
    "forward_bend": ("forward_bend_shift",),
}
FACTORS = tuple(round(0.4 + 0.05 * i, 2) for i in range(25))  # 0.4 .. 1.6 of the judge's value


def scaled(rules: Rules, factors: dict[str, float]) -> Rules:
    """`rules` with each named threshold multiplied (None stays None: not judged there)."""
    change = {k: getattr(rules, k) * f for k, f in factors.items() if getattr(rules, k) is not None}
    return replace(rules, **change)


def _score(train: list[ClipResult], fault: str, key: str, factor: float) -> int:
    """The clips judged right: those labelled with `fault` showing it on 80 % of their reps
    or more, less the others showing it on more than 20 % (the targets, clip by clip: a
    threshold does not buy one more rep of recall with false alarms)."""
    score = 0
    for r in train:
        faults = r.faults(scaled(r.rules, {key: factor}))
        share = sum(fault in f for f in faults) / len(faults)
        score += share >= 0.8 if fault in r.label.expected else -(share > 0.2)
    return score


def choose(train: list[ClipResult]) -> dict[str, float]:
    """The factor of each tuned threshold, chosen on `train` (1.0 where nothing there is
    labelled with its fault: no evidence to move it)."""
    train = [r for r in train if r.label.confidence != "low" and r.evidence]
    out = {}
    for fault, keys in TUNED.items():
        if not any(fault in r.label.expected for r in train):
            out.update({k: 1.0 for k in keys})
            continue
        for key in keys:
            scores = [_score(train, fault, key, f) for f in FACTORS]
            best = max(scores)
            # Of the best, the one nearest the judge's own value: a threshold moves only as
            # far as the other lifters' clips say it must.
            out[key] = min((f for f, sc in zip(FACTORS, scores, strict=True) if sc == best),
                           key=lambda f: abs(f - 1.0))
    return out


def leave_one_out(results: list[ClipResult]) -> dict[str, dict]:
    """Per lifter: the factors chosen without them, and their clips' faults under those."""
    out = {}
    for lifter in sorted({r.label.lifter for r in results}):
        factors = choose([r for r in results if r.label.lifter != lifter])
        mine = [r for r in results if r.label.lifter == lifter]
        out[lifter] = {"factors": factors,
                       "clips": {r.label.file: r.faults(scaled(r.rules, factors)) for r in mine}}  # fmt: skip
    return out


def lolo_verdicts(results: list[ClipResult], held: dict[str, dict]) -> list[list[list[str]]]:
    """Each clip's faults as judged with the thresholds chosen without its lifter."""
    return [held[r.label.lifter]["clips"][r.label.file] for r in results]
