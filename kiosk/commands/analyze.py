"""`hinge-mirror analyze VIDEO`: run the pose core (and, with --exercise, the judge) over a
video file, camera-free.

--exercise judges the set: a readable table by default, or with --json one object on stdout:
{"exercise", "view", "fps", "frames", "reps", "rep_list": [{"index", "start_s", "end_s",
"back_angle_deg", "hip_angle_deg", "knee_flexion_deg", "hip_shift", "down_s", "up_s",
"faults", "score"}]}. --overlay OUT.mp4 writes an annotated copy. Nothing is written unless
asked.
--keypoints-out FILE.jsonl writes one line per frame: Pose.to_json() when a person was found,
or {"t": ..., "frame_size": [w, h], "keypoints": null} when nobody was.
--keypoints-in FILE.jsonl judges such a file instead of running the model (VIDEO unused).
"""

from __future__ import annotations

import json
import sys
import time

EXERCISE_IDS = ("hinge", "hello", "deadlift", "skier-swing")


def add_parser(subparsers, name):
    p = subparsers.add_parser(name, help="run pose estimation (and the judge) over a video file",
                              description=__doc__.splitlines()[0])
    p.add_argument("video", nargs="?", help="video file (mp4, mov, ...)")
    p.add_argument("--exercise", choices=EXERCISE_IDS,
                   help="judge the set as this exercise (reps, back angle, faults)")
    p.add_argument("--json", action="store_true", help="with --exercise: one JSON object on stdout")
    p.add_argument("--overlay", metavar="OUT.mp4", help="with --exercise: write an annotated video")
    p.add_argument("--keypoints-out", metavar="FILE.jsonl",
                   help="write per-frame timestamped keypoints (JSON lines)")
    p.add_argument("--keypoints-in", metavar="FILE.jsonl",
                   help="with --exercise: judge cached keypoints instead of running the model")
    p.add_argument("--camera-height", type=float, metavar="M",
                   help="camera lens height above the floor in metres (default 1.1: no correction)")
    p.add_argument("--camera-distance", type=float, metavar="M",
                   help="distance from the person to the camera in metres (default 2.5)")
    p.add_argument("--pose-hz", type=float, metavar="HZ",
                   help="with --exercise: judge only the poses a machine finding HZ a second "
                        "would (a Pi's rate: run `hinge-mirror bench` there)")
    p.add_argument("--model", help="MoveNet .tflite file (default: look it up)")
    p.add_argument("--threads", type=int, default=1, help="interpreter threads (default 1)")
    p.set_defaults(func=run)
    return p


def estimator_from_args(args):
    from kiosk.pose.estimator import PoseEstimator

    return PoseEstimator(model_path=args.model, threads=args.threads)


def frame_record(t, pose, frame_size) -> dict:
    if pose is not None:
        return pose.to_json()
    return {"t": round(float(t), 4), "frame_size": list(frame_size), "keypoints": None}


def analyze_poses(video, estimator):
    """(t, Pose or None, frame (w, h)) for every frame of `video`; raises SourceError after
    the good frames of a broken file."""
    from kiosk.sources.video import VideoSource

    estimator.reset()
    with VideoSource(video) as src:
        for frame in src:
            yield frame.t, estimator.estimate(frame.rgb, frame.t), frame.size


def run(args) -> int:
    from kiosk.errors import UserError

    if args.pose_hz is not None and not args.pose_hz > 0:
        raise UserError(f"--pose-hz {args.pose_hz:g}: give poses a second above 0, e.g. 15")
    if args.exercise is None:
        if args.json or args.overlay or args.keypoints_in or args.pose_hz:
            raise UserError("--json, --overlay, --keypoints-in and --pose-hz need --exercise "
                            "(one of: " + ", ".join(EXERCISE_IDS) + ")")
        if not args.video:
            raise UserError("analyze needs a VIDEO file")
        return run_pose(args)
    return run_judge(args)


def camera_elevation(args) -> float:
    """--camera-height/--camera-distance, checked like [camera] height_m/distance_m."""
    from kiosk import config

    toml = "[camera]\n" + "".join(f"{k} = {v!r}\n" for k, v in (
        ("height_m", args.camera_height), ("distance_m", args.camera_distance)) if v is not None)  # fmt: skip
    return config.camera_elevation_deg(config.parse(toml, origin="--camera-height/--camera-distance").camera)


def run_judge(args) -> int:
    from kiosk.review import analysis
    from kiosk.errors import SourceError, UserError

    elevation = camera_elevation(args)
    if args.keypoints_in:
        if args.overlay:
            raise UserError("--overlay needs the video, not --keypoints-in")
        poses = analysis.at_rate(analysis.read_keypoints(args.keypoints_in), args.pose_hz)
        result = analysis.judge_poses(args.exercise, poses, camera_elevation_deg=elevation)
        return _print(result, args)
    if not args.video:
        raise UserError("analyze needs a VIDEO file (or --keypoints-in FILE.jsonl)")
    if args.overlay and args.pose_hz:
        raise UserError("--overlay draws every frame: leave out --pose-hz")
    est = estimator_from_args(args)
    out = open(args.keypoints_out, "w") if args.keypoints_out else None

    def keep(t, pose):
        if out:
            size = pose.frame_size if pose is not None else (0, 0)
            out.write(json.dumps(frame_record(t, pose, size)) + "\n")

    try:
        result = analysis.analyze_video(args.video, args.exercise, est, overlay=args.overlay, on_pose=keep,
                                        camera_elevation_deg=elevation,
                                        pose_hz=args.pose_hz)  # fmt: skip
    except SourceError as exc:
        if getattr(exc, "analysis", None) is not None:
            _print(exc.analysis, args)  # the reps of the good frames are not lost
        raise
    finally:
        if out:
            out.close()
    return _print(result, args)


def _print(result, args) -> int:
    if args.json:
        print(json.dumps(result.to_json()))
    else:
        print(result.table())
    return 0


def run_pose(args) -> int:
    est = estimator_from_args(args)
    out = open(args.keypoints_out, "w") if args.keypoints_out else None
    n = found = 0
    start = time.perf_counter()
    try:
        for t, pose, size in analyze_poses(args.video, est):
            n += 1
            found += pose is not None
            if out:
                out.write(json.dumps(frame_record(t, pose, size)) + "\n")
    finally:
        # Whatever decoded before an error is kept on disk.
        if out:
            out.close()
    secs = time.perf_counter() - start
    print(f"{args.video}: {n} frames, person in {found}, {n / max(secs, 1e-9):.1f} fps "
          f"({est.runtime_name}, {est.model_path.name})", file=sys.stderr)
    return 0
