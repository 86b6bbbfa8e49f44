"""Every labelled clip through the real pose model and the judge, scored against its label.

    results = run(labels, footage_dir, estimator_factory)   # one ClipResult per clip
    clip_rows(results), fault_rows(results), view_rows(results)

A clip is judged as the mirror would judge it (the back's shape read in line at the kiosk's
rate; `pose_hz` as a slower machine takes frames). Each rep keeps the evidence its faults were
judged on, so kiosk.review.lolo can judge it again under other thresholds.
"""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable

from kiosk.judge.faults import Evidence
from kiosk.judge.rules import Rules, rules_for
from kiosk.review import analysis
from kiosk.review.analysis import video_poses
from kiosk.review.labels import MAJOR, Label


@dataclass
class ClipResult:
    label: Label
    view: str  # as the judge saw it
    yaw: float | None
    evidence: list[Evidence] = field(default_factory=list)
    starts: list[float] = field(default_factory=list)  # each rep's start, s
    rules: Rules | None = None
    error: str = ""  # the clip could not be read

    @property
    def counted(self) -> int:
        return len(self.evidence)

    def faults(self, rules: Rules | None = None) -> list[list[str]]:
        """Each rep's faults, under the judge's rules or others (leave-one-lifter-out)."""
        return [e.faults(rules or self.rules) for e in self.evidence]


def judge_poses(label: Label, poses, rules: dict | None = None) -> ClipResult:
    a = analysis.judge_poses(label.exercise, poses, rules)
    return ClipResult(label, a.view, a.yaw, a.evidence, [r.start_s for r in a.reports],
                      rules_for(label.exercise, rules))


def clip_poses(path: Path, estimator, pose_hz: float | None = None, perturb=None) -> list:
    """(t, Pose) of a clip; `perturb`: a kiosk.review.perturb.Perturbation of its frames."""
    return list(video_poses(path, estimator, pose_hz=pose_hz, perturb=perturb))


def run(labels: list[Label], footage: Path, estimator_factory: Callable[[], object],
        pose_hz: float | None = None, workers: int = 2, perturb=None,
        poses_cache: dict | None = None) -> list[ClipResult]:  # fmt: skip
    """Judge every clip (two at a time: the interpreters release the GIL). `poses_cache`, if
    given, keeps each clip's poses by file name (the perturbation runs reuse nothing else)."""
    from kiosk.errors import SourceError

    def one(label: Label) -> ClipResult:
        try:
            poses = clip_poses(footage / label.file, estimator_factory(), pose_hz, perturb)
        except SourceError as exc:
            return ClipResult(label, "unknown", None, error=str(exc))
        if poses_cache is not None:
            poses_cache[label.file] = poses
        return judge_poses(label, poses)

    with ThreadPoolExecutor(max_workers=workers) as pool:
        return list(pool.map(one, labels))


# --- scoring -------------------------------------------------------------------------------
def verdicts(results: list[ClipResult], rules_of: Callable[[ClipResult], Rules | None] = lambda r: None):
    """Each clip's reps' faults, the rules chosen per clip (None: the judge's own)."""
    return [r.faults(rules_of(r)) for r in results]


def clip_rows(results: list[ClipResult], faults: list[list[list[str]]] | None = None) -> list[dict]:
    """Per clip: counted vs labelled reps, the expected faults' share of reps, the share of
    good reps carrying a major fault, and every rep's faults."""
    faults = faults if faults is not None else verdicts(results)
    rows = []
    for r, reps in zip(results, faults, strict=True):
        lab = r.label
        n = len(reps)
        hits = {f: sum(f in rep for rep in reps) for f in lab.expected}
        major = sum(bool(set(rep) & set(MAJOR)) for rep in reps)
        ok_faults = (all(h >= 0.8 * n for h in hits.values()) and n > 0) if lab.expected else major <= 0.2 * n
        rows.append({"file": lab.file, "lifter": lab.lifter, "form": lab.form, "view": lab.view,
                     "judged_view": r.view, "confidence": lab.confidence, "labelled": lab.reps,
                     "counted": n, "count_ok": lab.count_ok(n), "expected": list(lab.expected),
                     "hits": hits, "major_on_good": major if lab.good else None,
                     "faults_ok": ok_faults, "reps": reps, "error": r.error})  # fmt: skip
    return rows


def fault_rows(results: list[ClipResult], faults: list[list[list[str]]] | None = None,
               key: Callable[[ClipResult], str] = lambda r: "all",
               sure_only: bool = False) -> list[dict]:  # fmt: skip
    """Per fault (and group, e.g. view): recall on the reps labelled with it, and its
    false-alarm rate on good reps; `sure_only`: leave out low-confidence labels."""
    faults = faults if faults is not None else verdicts(results)
    out: dict[tuple[str, str], dict] = {}
    for r, reps in zip(results, faults, strict=True):
        if sure_only and r.label.confidence == "low":
            continue
        for f in MAJOR:
            row = out.setdefault((key(r), f), {"group": key(r), "fault": f, "labelled": 0, "found": 0,
                                                "good": 0, "false_alarms": 0})
            if f in r.label.expected:
                row["labelled"] += len(reps)
                row["found"] += sum(f in rep for rep in reps)
            elif r.label.good:
                row["good"] += len(reps)
                row["false_alarms"] += sum(f in rep for rep in reps)
    for row in out.values():
        row["recall"] = row["found"] / row["labelled"] if row["labelled"] else None
        row["false_alarm_rate"] = row["false_alarms"] / row["good"] if row["good"] else None
    return list(out.values())
