"""Camera-free analysis of a recorded set: poses (from a video or cached keypoints) through
the judge, into a summary that prints as a table or as the `analyze --json` object.

Schema of `Analysis.to_json()` (stable, consumed by scripts):
    {"exercise": str, "view": "side"|"front"|"oblique"|"unknown", "fps": float, "frames": int,
     "reps": int, "rep_list": [RepReport.to_json(), ...]}
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path
from statistics import median
from typing import Callable, Iterable, Iterator

from kiosk.errors import SourceError
from kiosk.judge import Judge
from kiosk.pose.keypoints import Pose
from kiosk.judge.reports import JudgeState, RepReport

TimedPose = tuple[float, Pose | None]


@dataclass
class Analysis:
    exercise: str
    view: str
    fps: float
    frames: int
    reports: list[RepReport] = field(default_factory=list)
    partials: int = 0  # too-shallow attempts that were not counted
    # What each report was judged on (kiosk.judge.faults.Evidence), and the camera's yaw as
    # the judge last estimated it: for judging the reps again under other thresholds.
    evidence: list = field(default_factory=list)
    yaw: float | None = None

    def to_json(self) -> dict:
        return {"exercise": self.exercise, "view": self.view, "fps": round(self.fps, 3),
                "frames": self.frames, "reps": len(self.reports),
                "rep_list": [r.to_json() for r in self.reports]}  # fmt: skip

    def table(self) -> str:
        """A readable summary, one line per rep."""
        head = (f"{self.exercise}: {len(self.reports)} reps, {self.view} view, "
                f"{self.frames} frames at {self.fps:.1f} fps")  # fmt: skip
        if self.partials:
            head += f", {self.partials} too-shallow attempt(s) not counted"
        if not self.reports:
            return head + "\n(no reps found)"
        lines = [head, f"{'rep':>3} {'time':>13} {'back':>5} {'hip':>5} {'knee':>5} {'shift':>6} "
                       f"{'down':>5} {'up':>5} {'score':>5}  faults",
                 f"{'':>3} {'s':>13} {'deg':>5} {'deg':>5} {'deg':>5} {'legs':>6} "
                 f"{'s':>5} {'s':>5} {'/100':>5}"]  # fmt: skip
        for r in self.reports:
            lines.append(f"{r.index:>3} {r.start_s:6.2f}-{r.end_s:6.2f} {r.back_angle_deg:5.0f} "
                         f"{r.hip_angle_deg:5.0f} {r.knee_flexion_deg:5.0f} {r.hip_shift:6.2f} "
                         f"{r.down_s:5.2f} {r.up_s:5.2f} {r.score:5d}  {', '.join(r.faults) or '-'}")  # fmt: skip
        lines.append("(at the bottom of each rep: back from vertical, hip angle, knee bend; shift: "
                     "hips behind the ankles, in leg lengths)")  # fmt: skip
        return "\n".join(lines)


def judge_poses(exercise: str, poses: Iterable[TimedPose], rules: dict | None = None,
                on_state: Callable[[float, Pose | None, JudgeState], None] | None = None,
                camera_elevation_deg: float = 0.0, camera_distance_m: float = 2.5) -> Analysis:  # fmt: skip
    """Run the judge over (t, pose) pairs. `on_state` sees every frame's state (overlays)."""
    judge = Judge(exercise, rules, camera_elevation_deg=camera_elevation_deg,
                  camera_distance_m=camera_distance_m)
    n, first, last, partials, view = 0, None, None, 0, "unknown"

    def result(end: JudgeState | None) -> Analysis:
        """`end`: judge.finish(), as the clip may stop just after its last rep's lockout."""
        fps = (n - 1) / (last - first) if n > 1 and last > first else 0.0
        shallow = partials + (end is not None and end.partial)
        return Analysis(exercise, view, fps, n, list(judge.reports), shallow, list(judge.evidence),
                        judge.view.yaw_deg)

    try:
        for t, pose in poses:
            state = judge.update(pose, t)
            partials += state.partial
            view = state.view.value
            if on_state is not None:
                on_state(t, pose, state)
            n += 1
            first = t if first is None else first
            last = t
    except SourceError as exc:
        exc.analysis = result(judge.finish())  # a broken file still yields its good reps
        raise
    return result(judge.finish())


def video_poses(video: str | Path, estimator, frames_out: list | None = None,
                pose_hz: float | None = None, perturb=None) -> Iterator[TimedPose]:  # fmt: skip
    """(t, Pose | None) for every frame of a video, through the pose core. With
    `frames_out`, the current frame's RGB is left in frames_out[0] (for overlays).
    `pose_hz`: only the frames the kiosk would take on a machine finding that many poses a
    second (`PoseRate`); the crop follows the person at that rate too, as it would there.
    `perturb`: a kiosk.review.perturb.Perturbation of the decoded pixels (stability runs)."""
    from kiosk.sources.video import VideoSource

    estimator.reset()
    exact = perturb is None or perturb.exact_rgb
    with VideoSource(video, exact_rgb=exact) as src:
        rate = PoseRate(pose_hz, 1.0 / src.fps if src.fps else 0.0) if pose_hz else None
        due = None
        while (frame := src.read_from(due)) is not None:
            if rate is not None:
                due = rate.next_due(frame.t)
            rgb = frame.rgb if perturb is None else perturb(frame.rgb, frame.t)
            if frames_out is not None:
                frames_out[:] = [rgb]
            yield frame.t, estimator.estimate(rgb, frame.t)


def analyze_video(video: str | Path, exercise: str, estimator, rules: dict | None = None,
                  overlay: str | Path | None = None,
                  on_pose: Callable[[float, Pose | None], None] | None = None,
                  camera_elevation_deg: float = 0.0, camera_distance_m: float = 2.5,
                  pose_hz: float | None = None) -> Analysis:  # fmt: skip
    """Pose core + judge over a video; an annotated copy goes to `overlay` if given.
    `pose_hz`: as a slower machine would judge it (see `video_poses`)."""
    current: list = []
    writer = None
    if overlay is not None:
        from kiosk.review.overlay import OverlayWriter
        from kiosk.sources.video import VideoSource

        with VideoSource(video) as src:
            fps = src.fps or 30.0
        writer = OverlayWriter(overlay, fps)

    def poses() -> Iterator[TimedPose]:
        for t, pose in video_poses(video, estimator, current if writer else None, pose_hz):
            if on_pose is not None:
                on_pose(t, pose)
            yield t, pose

    def draw(t: float, pose: Pose | None, state: JudgeState) -> None:
        writer.write(current[0], pose, state)

    try:
        return judge_poses(exercise, poses(), rules, draw if writer else None, camera_elevation_deg,
                           camera_distance_m)
    finally:
        if writer is not None:
            writer.close()


class PoseRate:
    """Which frames the kiosk takes on a machine finding `hz` poses a second (a Pi finds
    fewer than this machine): each pose takes 1/hz s, then the worker takes the newest frame
    captured meanwhile, or waits for the next. `frame_s`: the time between frames."""

    def __init__(self, hz: float, frame_s: float) -> None:
        self.period, self.frame_s = 1.0 / hz, frame_s
        self.free = float("-inf")  # when the worker is next free

    def next_due(self, t: float) -> float:
        """After the frame at `t`: the earliest time of the next frame taken."""
        self.free = max(t, self.free) + self.period
        return self.free - self.frame_s + 1e-6  # the newest frame at or before `free`


def at_rate(poses: list[TimedPose], pose_hz: float | None) -> list[TimedPose]:
    """Cached poses thinned as `video_poses(pose_hz=...)` thins frames. (Their crop followed
    the person at the rate they were found at.)"""
    if not pose_hz or len(poses) < 2:
        return poses
    times = [t for t, _ in poses]
    rate = PoseRate(pose_hz, median([b - a for a, b in zip(times, times[1:])]))
    out, due = [], None
    for t, pose in poses:
        if due is None or t >= due:
            out.append((t, pose))
            due = rate.next_due(t)
    return out


def read_keypoints(path: str | Path) -> list[TimedPose]:
    """Cached keypoints as written by `analyze --keypoints-out` (JSON lines)."""
    out: list[TimedPose] = []
    try:
        with open(path) as fh:
            for no, line in enumerate(fh, 1):
                if not line.strip():
                    continue
                try:
                    obj = json.loads(line)
                    pose = Pose.from_json(obj) if obj.get("keypoints") else None
                    out.append((float(obj["t"]), pose))
                except (ValueError, KeyError, TypeError) as exc:
                    raise SourceError(f"{path}:{no}: not a keypoints line ({exc}); "
                                      "write it with `hinge-mirror analyze VIDEO --keypoints-out FILE`") from exc  # fmt: skip
    except OSError as exc:
        raise SourceError(f"cannot read keypoints file {path}: {exc.strerror or exc}") from exc
    return out
