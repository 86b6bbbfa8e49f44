"""The judge on real footage, scored as `hinge-mirror evaluate` scores it: every labelled clip
of ../shared/footage/dev-labels.json through the real MoveNet and back-shape models and the
judge, each fault's threshold chosen without the clip's lifter (leave one lifter out).

The targets (issue 21): rep counts exact (or within reps_acceptable) on every clip; every
rounded-back, squatting and hips-first clip shows its fault on 80 % of its reps or more; no
good clip carries a major fault on more than 20 % of its reps. Labels the labeller marked low
confidence (two guesses at an undocumented class) are scored and reported, not asserted.
"""

from __future__ import annotations

import json

import numpy as np
import pytest

from kiosk.pose.backshape import BackShape, Sampler
from kiosk.pose.estimator import PoseEstimator
from kiosk.review import evaluate as E
from kiosk.review import labels as L
from kiosk.review import lolo

pytestmark = [pytest.mark.model, pytest.mark.footage]

# A Pi finds fewer poses a second than this machine (10-30, by model, runtime and board): the
# kiosk there judges every few frames of a 60 fps clip.
PI_POSE_HZ = 15.0


def _evaluate(footage_dir, model_path, pose_hz=None):
    labels = L.load(footage_dir / "dev-labels.json")
    blazepose = model_path.parent / "pose_landmark_full.tflite"

    def make():
        est = PoseEstimator(model_path=model_path)
        est.back_shape = Sampler(BackShape(blazepose))
        return est

    results = E.run(labels, footage_dir, make, pose_hz=pose_hz)
    held = lolo.leave_one_out(results)
    return results, held, E.clip_rows(results, lolo.lolo_verdicts(results, held))


@pytest.fixture(scope="session")
def evaluated(footage_dir, model_path, artifacts_dir):
    results, held, rows = _evaluate(footage_dir, model_path)
    (artifacts_dir / "footage-evaluate.json").write_text(json.dumps(rows, indent=1))
    return results, held, {r["file"]: r for r in rows}


@pytest.fixture(scope="session")
def evaluated_at_pi_rate(footage_dir, model_path):
    results, held, rows = _evaluate(footage_dir, model_path, PI_POSE_HZ)
    return results, {r["file"]: r for r in rows}


def sure(rows):
    return {f: r for f, r in rows.items() if r["confidence"] != "low"}


def test_every_labelled_clip_is_judged(evaluated, footage_dir):
    results, _, rows = evaluated
    assert len(rows) == len(json.loads((footage_dir / "dev-labels.json").read_text())) >= 22
    assert [r["file"] for r in rows.values() if r["error"]] == []


def test_rep_counts_are_exact_on_every_clip(evaluated):
    wrong = {f: (r["counted"], r["labelled"]) for f, r in evaluated[2].items() if not r["count_ok"]}
    assert not wrong, f"counted vs labelled: {wrong}"


def test_every_faulty_clip_shows_its_fault_on_80_percent_of_its_reps(evaluated):
    rows = sure(evaluated[2])
    faulty = {f: r["hits"] for f, r in rows.items() if r["expected"]}
    assert len(faulty) >= 8  # rounded backs from three lifters, squats, a stiff-legged pull
    assert [f for f, r in rows.items() if r["expected"] and not r["faults_ok"]] == [], faulty


def test_no_good_clip_carries_a_major_fault_on_more_than_20_percent_of_its_reps(evaluated):
    rows = sure(evaluated[2])
    good = {f: (r["major_on_good"], r["counted"]) for f, r in rows.items() if r["form"] == "good"}
    assert len(good) >= 10
    assert [f for f, r in rows.items() if r["form"] == "good" and not r["faults_ok"]] == [], good


def test_a_rounded_back_is_told_from_the_same_lifters_flat_one_by_the_backs_shape(evaluated):
    # bichraix-a's rounded and flat pulls: the head stays up in both, so only the back's
    # outline tells them apart.
    _, _, rows = evaluated
    for f in ("barbell-deadlift_side_07.mp4", "barbell-deadlift_side_10.mp4", "barbell-deadlift_side_15.mp4"):
        assert rows[f]["reps"] == [["rounded_back"]], f
    for f in ("barbell-deadlift_side_09.mp4", "barbell-deadlift_side_14.mp4", "barbell-deadlift_side_19.mp4"):
        assert "rounded_back" not in rows[f]["reps"][0], f


def test_thresholds_chosen_without_each_lifter_are_the_judges_own(evaluated):
    # What leave-one-lifter-out found: no lifter's clips move a threshold the others chose.
    _, held, _ = evaluated
    moved = {lifter: {k: v for k, v in h["factors"].items() if v != 1.0} for lifter, h in held.items()}
    assert {k: v for k, v in moved.items() if v} == {}


def test_two_cameras_on_one_set_read_the_same_back_angle_within_5_degrees(evaluated):
    # kb-deadlift_side_05 and _front-oblique_06 film one set at once: issue 21's target is a
    # mean difference of at most 5 deg at the bottom of each rep (measured 4.4; 6.1 before the
    # trunk fit knew that MoveNet's hip-to-shoulder chord shortens as one bends).
    results, _, _ = evaluated
    by = {r.label.file: [e.metrics.back for e in r.evidence] for r in results}
    side, oblique = by["kb-deadlift_side_05.mp4"], by["kb-deadlift_front-oblique_06.mp4"]
    assert len(side) == len(oblique) == 10
    assert float(np.mean(np.abs(np.array(side) - oblique))) <= 5.0


def test_at_a_pi_pose_rate_every_rep_is_still_counted(evaluated_at_pi_rate):
    _, rows = evaluated_at_pi_rate
    assert {f: (r["counted"], r["labelled"]) for f, r in rows.items() if not r["count_ok"]} == {}


def test_at_a_pi_pose_rate_faults_still_meet_the_targets(evaluated_at_pi_rate):
    _, rows = evaluated_at_pi_rate
    assert [f for f, r in sure(rows).items() if not r["faults_ok"]] == []


# The clips whose verdicts sat nearest a threshold (kiosk.review.perturb): a good morning's
# depth and tempo, a rounded back's head drop, a knee-dominant pull's hips.
SHAKY = ("kb-good-morning_front-oblique_01.mp4", "kb-deadlift_side_02.mp4", "kb-deadlift_side_05.mp4")


def test_invisible_pixel_changes_leave_95_percent_of_verdicts_as_they_were(evaluated, footage_dir, model_path):
    from kiosk.review.perturb import PERTURBATIONS, agreement

    results, _, _ = evaluated
    labels = [r.label for r in results if r.label.file in SHAKY]
    blazepose = model_path.parent / "pose_landmark_full.tflite"

    def make():
        est = PoseEstimator(model_path=model_path)
        est.back_shape = Sampler(BackShape(blazepose))
        return est

    runs = [E.run(labels, footage_dir, make, perturb=p) for p in PERTURBATIONS]
    base = {r.label.file: r for r in results}
    for i, lab in enumerate(labels):
        b = base[lab.file]
        a = agreement(b.faults(), b.starts, [(run[i].faults(), run[i].starts) for run in runs])
        assert a["same"] >= 0.95 * a["pairs"], (lab.file, a)
