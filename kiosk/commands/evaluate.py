"""`hinge-mirror evaluate LABELS.json`: how well the mirror judges labelled recordings.

Every labelled clip goes through the real pose model (and the back-shape model, when fetched)
and the judge. Printed: per clip, the reps counted against the label and the faults found; per
fault, its recall on the reps labelled with it and its false-alarm rate on good reps; the same
by camera view; and leave one lifter out: every fault's threshold chosen again without the
lifter, then judged on them (the clip and fault tables use those verdicts). --perturb also
runs each clip with invisible changes to its pixels and says how often a rep's verdict changed.
"""

from __future__ import annotations

import json
from pathlib import Path

TARGET_RECALL, TARGET_FALSE = 0.8, 0.2  # per clip: its fault on 80 % of reps; majors on 20 %


def add_parser(subparsers, name):
    p = subparsers.add_parser(name, help="judge labelled clips and score the judge against the labels",
                              description=__doc__.splitlines()[0])
    p.add_argument("labels", metavar="LABELS.json", nargs="?",
                   help="labels, e.g. ../shared/footage/dev-labels.json")
    p.add_argument("--footage", metavar="DIR", help="where the clips are (default: beside the labels)")
    p.add_argument("--json", action="store_true", help="one JSON object on stdout")
    p.add_argument("--pose-hz", type=float, metavar="HZ",
                   help="judge only the frames a machine finding HZ poses a second would take (a Pi: 15)")
    p.add_argument("--perturb", action="store_true",
                   help="also judge each clip with +-2 grey levels of noise, shifted 1 px and with the "
                        "default YUV->RGB conversion, and report how often a rep's verdict changed")
    p.add_argument("--no-back-shape", action="store_true", help="judge without the back-shape model")
    p.add_argument("--generated", action="store_true",
                   help="also judge generated athletes at camera yaws 0-90: forward bends, good reps, "
                        "squats judged as deadlifts (no footage needed)")
    p.add_argument("--seeds", type=int, default=4, metavar="N",
                   help="with --generated: generated lifters per exercise and yaw (default 4)")
    p.add_argument("--model", help="MoveNet .tflite file (default: look it up)")
    p.set_defaults(func=run)
    return p


def run(args) -> int:
    from kiosk.errors import UserError
    from kiosk.review import evaluate as E
    from kiosk.review import generated as G
    from kiosk.review import labels as L
    from kiosk.review import lolo

    if args.pose_hz is not None and not args.pose_hz > 0:
        raise UserError(f"--pose-hz {args.pose_hz:g}: give poses a second above 0, e.g. 15")
    if args.seeds < 1:
        raise UserError(f"--seeds {args.seeds}: give 1 or more")
    if not args.labels and not args.generated:
        raise UserError("evaluate needs LABELS.json, or --generated (or both)")
    generated = G.table(args.seeds) if args.generated else None
    if generated is not None and not args.labels:
        print(json.dumps({"generated": generated}) if args.json else G.text(generated))
        return 0
    labels = L.load(args.labels)
    footage = Path(args.footage) if args.footage else Path(args.labels).parent
    missing = [lab.file for lab in labels if not (footage / lab.file).is_file()]
    if missing:
        raise UserError(f"{len(missing)} labelled clip(s) not found in {footage} (e.g. {missing[0]}); "
                        "give the folder with --footage")
    make = estimator_factory(args)
    results = E.run(labels, footage, make, pose_hz=args.pose_hz)
    held = lolo.leave_one_out(results)
    verdicts = lolo.lolo_verdicts(results, held)
    report = {
        "labels": str(args.labels), "clips": len(labels), "lifters": len(held),
        "pose_hz": args.pose_hz, "back_shape": make.back_shape,
        "clip_rows": E.clip_rows(results, verdicts),
        "fault_rows": E.fault_rows(results, verdicts, sure_only=True),
        "fault_rows_all": E.fault_rows(results, verdicts),
        "view_rows": E.fault_rows(results, verdicts, key=lambda r: r.label.view, sure_only=True),
        "own_thresholds": E.clip_rows(results),
        "lolo": {lifter: h["factors"] for lifter, h in held.items()},
    }
    if args.perturb:
        report["stability"] = stability(labels, footage, make, results, args.pose_hz)
    report["targets_met"] = targets_met(report)
    if generated is not None:
        report["generated"] = generated
    if args.json:
        print(json.dumps(report))
    else:
        print(text(report))
        if generated is not None:
            print("\n" + G.text(generated))
    return 0


def estimator_factory(args):
    """New estimators for the clips (one per clip: each keeps its own crop and track)."""
    from kiosk.commands.analyze import back_shape_from_args
    from kiosk.pose.backshape import sampler
    from kiosk.pose.estimator import PoseEstimator

    shaped = back_shape_from_args(args) is not None  # (says so once when it is not fetched)

    def make():
        est = PoseEstimator(model_path=args.model)
        est.back_shape = sampler() if shaped else None
        return est

    make.back_shape = shaped
    return make


def stability(labels, footage, make, base, pose_hz) -> dict:
    """Each perturbation's run against the plain one: per clip and per fault."""
    from kiosk.review import evaluate as E
    from kiosk.review.perturb import PERTURBATIONS, agreement

    runs = [E.run(labels, footage, make, pose_hz=pose_hz, perturb=p) for p in PERTURBATIONS]
    clips, per_fault = [], {}
    for i, res in enumerate(base):
        other = [(run[i].faults(), run[i].starts) for run in runs]
        a = agreement(res.faults(), res.starts, other)
        clips.append({"file": res.label.file, "reps": res.counted, "pairs": a["pairs"], "same": a["same"],
                      "agreement": a["same"] / a["pairs"] if a["pairs"] else 1.0,
                      "counts": [run[i].counted for run in runs]})  # fmt: skip
        for f, (same, n) in a["per_fault"].items():
            row = per_fault.setdefault(f, [0, 0])
            row[0] += same
            row[1] += n
    pairs = sum(c["pairs"] for c in clips)
    return {"perturbations": [p.name for p in PERTURBATIONS], "clips": clips,
            "per_fault": {f: {"same": s, "involved": n} for f, (s, n) in sorted(per_fault.items())},
            "agreement": sum(c["same"] for c in clips) / pairs if pairs else 1.0}  # fmt: skip


def targets_met(report: dict) -> dict:
    rows = report["clip_rows"]
    out = {"rep_counts": all(r["count_ok"] for r in rows),
           "faults_sure_labels": all(r["faults_ok"] for r in rows if r["confidence"] != "low"),
           "faults_all_labels": all(r["faults_ok"] for r in rows)}
    if "stability" in report:
        out["stability_95_every_clip"] = all(c["agreement"] >= 0.95 for c in report["stability"]["clips"])
    return out


def _pct(x) -> str:
    return "-" if x is None else f"{100 * x:.0f}%"


def text(report: dict) -> str:
    hz = report["pose_hz"]
    lines = [f"{report['clips']} labelled clips, {report['lifters']} lifters; back shape "
             f"{'on' if report['back_shape'] else 'off'}; {f'{hz:g} poses/s' if hz else 'every frame'}",
             "", "Per clip, faults judged with thresholds chosen without the clip's lifter "
             "(a rep's faults: r=rounded_back s=squatting h=hips_rise_first f=forward_bend, others -):"]
    short = {"rounded_back": "r", "squatting": "s", "hips_rise_first": "h", "forward_bend": "f"}
    lines.append(f"{'clip':40s} {'lifter':14s} {'form':16s} {'view':13s} {'seen as':8s} "
                 f"{'reps':>6s}  {'expected found':16s} ok  reps' faults")
    for r in report["clip_rows"]:
        exp = " ".join(f"{f[:8]} {h}/{r['counted']}" for f, h in r["hits"].items()) or \
            f"majors {r['major_on_good']}/{r['counted']}"
        reps = " ".join("".join(short[f] for f in rep if f in short) or "-" for rep in r["reps"])
        ok = "yes" if r["count_ok"] and r["faults_ok"] else "NO"
        lines.append(f"{r['file'][:-4][:40]:40s} {r['lifter'][:14]:14s} {r['form'][:16]:16s} {r['view'][:13]:13s} "
                     f"{r['judged_view'][:8]:8s} {r['counted']:>2d}/{r['labelled']:<3d}  {exp:16s} {ok:3s} {reps}"
                     + (f"  ({r['confidence']} confidence)" if r["confidence"] == "low" else "")
                     + (f"  ERROR {r['error']}" if r["error"] else ""))  # fmt: skip
    lines += ["", "Per fault (leave one lifter out): recall on reps labelled with it, false alarms on good reps;",
              "labels marked high or medium confidence (with the low-confidence ones in brackets):",
              f"{'fault':16s} {'recall':>16s} {'false alarms':>16s}"]
    every = {r["fault"]: r for r in report["fault_rows_all"]}
    for r in report["fault_rows"]:
        a = every[r["fault"]]
        lines.append(f"{r['fault']:16s} {r['found']:>5d}/{r['labelled']:<4d} {_pct(r['recall']):>5s} "
                     f"{r['false_alarms']:>5d}/{r['good']:<4d} {_pct(r['false_alarm_rate']):>5s}"
                     f"   ({a['found']}/{a['labelled']} {_pct(a['recall'])})")
    lines += ["", "By labelled view (high and medium confidence):",
              f"{'view':14s} {'fault':16s} {'recall':>16s} {'false alarms':>16s}"]
    for r in sorted(report["view_rows"], key=lambda r: (r["group"], r["fault"])):
        if r["labelled"] or r["false_alarms"]:
            lines.append(f"{r['group']:14s} {r['fault']:16s} {r['found']:>5d}/{r['labelled']:<4d} "
                         f"{_pct(r['recall']):>5s} {r['false_alarms']:>5d}/{r['good']:<4d} {_pct(r['false_alarm_rate']):>5s}")
    goods = {g["group"]: g["good"] for g in report["view_rows"]}
    lines.append("good reps by view: " + ", ".join(f"{k} {v}" for k, v in sorted(goods.items())))
    lines += ["", "Leave one lifter out: thresholds chosen without each lifter (factor on the judge's own; "
              "1 = the same):"]
    for lifter, factors in report["lolo"].items():
        moved = {k: v for k, v in factors.items() if v != 1.0}
        lines.append(f"  {lifter:24s} " + (", ".join(f"{k} x{v:g}" for k, v in moved.items()) or "all 1"))
    own = [r for r in report["own_thresholds"] if r["reps"] != next(
        x["reps"] for x in report["clip_rows"] if x["file"] == r["file"])]
    lines.append(f"  clips whose verdicts differ under the judge's own thresholds: {len(own)}")
    if "stability" in report:
        s = report["stability"]
        lines += ["", f"Stability: each rep's faults under {', '.join(s['perturbations'])}:",
                  f"{'clip':40s} {'reps':>4s} {'same verdict':>14s}   reps counted per run"]
        for c in s["clips"]:
            lines.append(f"{c['file'][:-4][:40]:40s} {c['reps']:>4d} {c['same']:>5d}/{c['pairs']:<4d} "
                         f"{_pct(c['agreement']):>4s}   {' '.join(map(str, c['counts']))}")
        lines.append(f"{'all':40s} {'':>4s} {_pct(s['agreement']):>14s}")
        lines.append("per fault (pairs where the fault was found in either run, same both times): " + ", ".join(
            f"{f} {v['same']}/{v['involved']}" for f, v in s["per_fault"].items()))
    met = report["targets_met"]
    lines += ["", "Targets: " + ", ".join(f"{k} {'met' if v else 'MISSED'}" for k, v in met.items())]
    return "\n".join(lines)
