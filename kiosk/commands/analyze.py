"""`hinge-mirror analyze VIDEO`: run the pose core over a video file.

--keypoints-out FILE.jsonl writes one line per frame: Pose.to_json() when a person was found,
or {"t": ..., "frame_size": [w, h], "keypoints": null} when nobody was.
"""

from __future__ import annotations

import json
import sys
import time


def add_parser(subparsers, name):
    p = subparsers.add_parser(name, help="run pose estimation over a video file",
                              description=__doc__.splitlines()[0])
    p.add_argument("video", help="video file (mp4, mov, ...)")
    p.add_argument("--keypoints-out", metavar="FILE.jsonl",
                   help="write per-frame timestamped keypoints (JSON lines)")
    p.add_argument("--model", help="MoveNet .tflite file (default: look it up)")
    p.add_argument("--threads", type=int, default=1, help="interpreter threads (default 1)")
    p.set_defaults(func=run)
    return p


def estimator_from_args(args):
    from kiosk.pose import PoseEstimator

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
