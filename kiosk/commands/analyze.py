"""`hinge-mirror analyze VIDEO`: find the pose in every frame of a recorded set and, with
--exercise, judge it as the mirror would (reps, back angle, faults), with no camera.

Without --exercise: how many frames show a person, and how fast (on stderr);
--keypoints-out FILE.jsonl keeps them, one line per frame: Pose.to_json() when a person was
found, or {"t": ..., "frame_size": [w, h], "keypoints": null} when nobody was.

With --exercise: a table, one line per rep, or with --json one object on stdout:
  {"exercise", "view", "fps", "frames", "reps", "rep_list": [{"index", "start_s", "end_s",
  "back_angle_deg", "hip_angle_deg", "knee_flexion_deg", "hip_shift", "down_s", "up_s",
  "faults", "score"}]}
Units: angles in degrees (back from vertical, hip, knee bend: at the bottom of the rep), times
in seconds, hip_shift in leg lengths (hips behind the ankles), score 0-100.
--overlay OUT.mp4 writes an annotated copy; --keypoints-in FILE.jsonl judges cached
keypoints instead of running the model (VIDEO unused). Nothing is written unless asked.

When the video cannot be used (missing, not a video, no frames): one line on stderr, exit
status 3, and no result. A video damaged part-way is judged up to the damage: the result is
printed marked PARTIAL (the JSON gets "partial": true and "error"), the files asked for hold
the good frames, and the exit status is still 3. An interrupted run (Ctrl+C, an error) leaves
no incomplete file behind: files are written beside their name and moved into place at the
end, so an existing OUT.mp4 is only replaced by a finished one.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import time
from pathlib import Path

EXERCISE_IDS = ("hinge", "hello", "deadlift", "skier-swing")
OVERLAY_SUFFIXES = (".mp4", ".mkv", ".mov")  # containers PyAV writes H.264 into


def add_parser(subparsers, name):
    p = subparsers.add_parser(name, help="run pose estimation (and the judge) over a video file",
                              description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
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
    p.add_argument("--no-back-shape", action="store_true",
                   help="judge without the second model (BlazePose) that reads the back's shape")
    p.add_argument("--threads", type=int, default=1, help="interpreter threads (default 1)")
    p.set_defaults(func=run)
    return p


def estimator_from_args(args):
    from kiosk.pose.estimator import PoseEstimator

    est = PoseEstimator(model_path=args.model, threads=args.threads)
    if getattr(args, "exercise", None) is not None or getattr(args, "keypoints_out", None):
        est.back_shape = back_shape_from_args(args)
    return est


def back_shape_from_args(args):
    """The in-line back-shape reader, unless --no-back-shape; a note when it is not fetched."""
    if getattr(args, "no_back_shape", False):
        return None
    from kiosk.pose.backshape import sampler

    found = sampler()
    if found is None:
        print("note: the back-shape model is not fetched, so a rounded back is judged only "
              "from the head (fetch it with: hinge-mirror models fetch)", file=sys.stderr)
    return found


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


def camera_placement(args) -> dict:
    """--camera-height/--camera-distance, checked like [camera] height_m/distance_m, as the
    judge's camera_elevation_deg and camera_distance_m."""
    from kiosk import config

    toml = "[camera]\n" + "".join(f"{k} = {v!r}\n" for k, v in (
        ("height_m", args.camera_height), ("distance_m", args.camera_distance)) if v is not None)  # fmt: skip
    cam = config.parse(toml, origin="--camera-height/--camera-distance").camera
    return {"camera_elevation_deg": config.camera_elevation_deg(cam), "camera_distance_m": cam.distance_m}


class Pending:
    """A file this run writes: to a hidden name beside it (same suffix, so the format is
    still known), moved into place by `keep()`, or removed by `drop()`. An interrupted run
    leaves no half-written file, and a failed one does not replace a good one."""

    def __init__(self, path: str, what: str):
        from kiosk.errors import UserError

        self.path, self.what = Path(path), what
        parent = self.path.parent
        if self.path.is_dir():
            raise UserError(f"{what} {self.path} is a directory: give a file name in it")
        if not parent.is_dir():
            raise UserError(f"cannot write {what} {self.path}: the directory {parent} does not "
                            "exist (create it, or write somewhere else)")
        if not os.access(parent, os.W_OK | os.X_OK):
            raise UserError(f"cannot write {what} {self.path}: no permission to write in {parent}")
        self.tmp = parent / f".{self.path.stem}.partial{self.path.suffix}"

    def keep(self) -> None:
        if self.tmp.exists():
            self.tmp.replace(self.path)

    def drop(self) -> None:
        self.tmp.unlink(missing_ok=True)


def check_video(video) -> None:
    """Refuse a missing file, a directory or a file that is not a video before the model
    loads and before any output is opened."""
    from kiosk.sources.video import VideoSource

    VideoSource(video).open().close()


def _outputs(args) -> list[Pending]:
    from kiosk.errors import UserError

    outs = []
    if getattr(args, "overlay", None):
        if Path(args.overlay).suffix.lower() not in OVERLAY_SUFFIXES:
            raise UserError(f"--overlay {args.overlay}: write the overlay as a video file ending "
                            f"in {', '.join(OVERLAY_SUFFIXES)}, e.g. {Path(args.overlay).stem}.mp4")
        outs.append(Pending(args.overlay, "overlay video"))
    if args.keypoints_out:
        outs.append(Pending(args.keypoints_out, "keypoints file"))
    return outs


def _written(outs: list[Pending]) -> str:
    return " and ".join(str(o.path) for o in outs)


def _dropped(outs: list[Pending], exc: BaseException) -> None:
    """The run stopped early: remove its incomplete files. Ctrl+C has no message of its own,
    so say it here; any other error prints its own line."""
    for o in outs:
        o.drop()
    if outs and isinstance(exc, KeyboardInterrupt):
        print(f"hinge-mirror: interrupted: {_written(outs)} not written (incomplete)", file=sys.stderr)


def run_judge(args) -> int:
    from kiosk.review import analysis
    from kiosk.errors import SourceError, UserError

    placement = camera_placement(args)
    if args.keypoints_in:
        if args.overlay:
            raise UserError("--overlay needs the video, not --keypoints-in")
        poses = analysis.read_keypoints(args.keypoints_in)
        if not poses:
            raise SourceError(f"keypoints file {args.keypoints_in} holds no frames; write it with "
                              "`hinge-mirror analyze VIDEO --keypoints-out FILE`")
        poses = analysis.at_rate(poses, args.pose_hz)
        result = analysis.judge_poses(args.exercise, poses, **placement)
        return _print(result, args)
    if not args.video:
        raise UserError("analyze needs a VIDEO file (or --keypoints-in FILE.jsonl)")
    if args.overlay and args.pose_hz:
        raise UserError("--overlay draws every frame: leave out --pose-hz")
    outs = _outputs(args)
    check_video(args.video)
    est = estimator_from_args(args)
    overlay = next((o for o in outs if o.what == "overlay video"), None)
    kp = next((o for o in outs if o.what == "keypoints file"), None)
    out = open(kp.tmp, "w") if kp else None

    def keep(t, pose):
        if out:
            size = pose.frame_size if pose is not None else (0, 0)
            out.write(json.dumps(frame_record(t, pose, size)) + "\n")

    try:
        try:
            result = analysis.analyze_video(args.video, args.exercise, est,
                                            overlay=overlay.tmp if overlay else None, on_pose=keep,
                                            **placement,
                                            pose_hz=args.pose_hz)  # fmt: skip
        finally:
            if out:
                out.close()
    except SourceError as exc:
        partial = getattr(exc, "analysis", None)
        if partial is None or partial.frames == 0:
            for o in outs:
                o.drop()
            raise
        # Damaged part-way: the good frames' result is real, but it is not the whole set.
        for o in outs:
            o.keep()
        _print(partial, args, error=str(exc))
        also = f"; {_written(outs)} hold those frames only" if outs else ""
        raise SourceError(f"{exc}, so the result printed is PARTIAL{also}") from None
    except BaseException as exc:
        _dropped(outs, exc)
        raise
    if result.frames == 0:
        for o in outs:
            o.drop()
        raise SourceError(f"no frames could be read from video {args.video}")
    for o in outs:
        o.keep()
    return _print(result, args)


def _print(result, args, error: str = "") -> int:
    """The result on stdout. `error`: the video broke off; the result is marked partial."""
    if args.json:
        obj = result.to_json()
        if error:
            obj.update(partial=True, error=error)
        print(json.dumps(obj))
    else:
        if error:
            print(f"PARTIAL RESULT: the video broke off after {result.frames} frames "
                  "(see the error below)")  # fmt: skip
        print(result.table())
    return 0


def run_pose(args) -> int:
    from kiosk.errors import SourceError

    outs = _outputs(args)
    check_video(args.video)
    est = estimator_from_args(args)
    out = open(outs[0].tmp, "w") if outs else None
    n = found = 0
    start = time.perf_counter()
    try:
        try:
            for t, pose, size in analyze_poses(args.video, est):
                n += 1
                found += pose is not None
                if out:
                    out.write(json.dumps(frame_record(t, pose, size)) + "\n")
        finally:
            if out:
                out.close()
    except SourceError as exc:
        if n == 0:
            for o in outs:
                o.drop()
            raise
        for o in outs:  # whatever decoded before the damage is kept on disk
            o.keep()
        also = f"; {_written(outs)} holds those frames only" if outs else ""
        raise SourceError(f"{exc}{also}") from None
    except BaseException as exc:
        _dropped(outs, exc)
        raise
    if n == 0:
        for o in outs:
            o.drop()
        raise SourceError(f"no frames could be read from video {args.video}")
    for o in outs:
        o.keep()
    secs = time.perf_counter() - start
    print(f"{args.video}: {n} frames, person in {found}, {n / max(secs, 1e-9):.1f} fps "
          f"({est.runtime_name}, {est.model_path.name})", file=sys.stderr)
    return 0
