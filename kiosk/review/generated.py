"""The judge on generated athletes (kiosk.synth) by camera yaw: where the footage has no label.

For the bodyweight hinge, the good morning and the deadlift, at each yaw: sets of five forward
bends (the trunk tips, the hips stay over the ankles, the head in line) and sets of five good
reps; and squats judged as deadlifts. Each generated lifter has their own build (seeded).
"""

from __future__ import annotations

from kiosk.judge import Judge
from kiosk.review.labels import MAJOR

YAWS = (0, 15, 30, 45, 60, 75, 90)
EXERCISES = ("hinge", "hello", "deadlift")


def _judge(exercise: str, as_exercise: str, yaw: float, seed: int, faults: dict, reps: int = 5):
    from kiosk.synth import generate

    s = generate(exercise, reps=reps, faults=faults, yaw_deg=yaw, seed=seed)
    j = Judge(as_exercise)
    for p in s.poses:
        j.update(p, p.t)
    j.finish()
    return j.reports


def table(seeds: int = 4, yaws=YAWS) -> list[dict]:
    """One row per exercise and yaw: bends caught, good reps with a major fault, sets whose
    rep count was wrong; and a row per yaw for squats judged as deadlifts."""
    rows = []
    for ex in EXERCISES:
        for yaw in yaws:
            row = {"exercise": ex, "yaw": yaw, "bends": 0, "caught": 0, "sets_4_of_5": 0, "good": 0,
                   "good_major": 0, "miscounted": 0, "sets": seeds}  # fmt: skip
            for k in range(seeds):
                bends = _judge(ex, ex, yaw, 300 + k, {i: "forward_bend" for i in range(5)})
                good = _judge(ex, ex, yaw, 200 + k, {})
                hit = sum("forward_bend" in r.faults for r in bends)
                row["bends"] += 5
                row["caught"] += hit
                row["sets_4_of_5"] += hit >= 4
                row["good"] += len(good)
                row["good_major"] += sum(bool(set(r.faults) & set(MAJOR)) for r in good)
                row["miscounted"] += (len(bends) != 5) + (len(good) != 5)
            rows.append(row)
    for yaw in yaws:
        row = {"exercise": "squat as deadlift", "yaw": yaw, "squats": 0, "flagged": 0, "counted": 0}
        for k in range(seeds):
            reports = _judge("squat", "deadlift", yaw, 400 + k, {}, reps=3)
            row["squats"] += 3
            row["counted"] += len(reports)
            row["flagged"] += sum("squatting" in r.faults for r in reports)
        rows.append(row)
    return rows


def text(rows: list[dict]) -> str:
    out = ["Generated athletes, by camera yaw (0 = straight in front, 90 = side):",
           f"{'exercise':18s} {'yaw':>4s} {'forward bends caught':>21s} {'sets >= 4/5':>11s} "
           f"{'good reps with a major fault':>29s} {'miscounted sets':>15s}"]
    for r in rows:
        if "bends" in r:
            out.append(f"{r['exercise']:18s} {r['yaw']:>4d} {r['caught']:>12d}/{r['bends']:<8d} "
                       f"{r['sets_4_of_5']:>7d}/{r['sets']:<3d} {r['good_major']:>20d}/{r['good']:<8d} "
                       f"{r['miscounted']:>15d}")
    out.append("")
    out.append(f"{'squats judged as deadlifts':26s} {'yaw':>4s} {'counted':>9s} {'flagged squatting':>18s}")
    for r in rows:
        if "squats" in r:
            out.append(f"{'':26s} {r['yaw']:>4d} {r['counted']:>4d}/{r['squats']:<4d} "
                       f"{r['flagged']:>13d}/{r['squats']:<4d}")
    return "\n".join(out)
