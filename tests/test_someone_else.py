""""Someone else is in view" on the get-set screen: the pose estimator notes when single-pose
MoveNet shows a second person (a refused jump, two different people at the start of a track,
a person beside the tracked one's crop); the worker hands the times to the render loop.

Unit level with a scripted detector; then real MoveNet on two real test photos placed side by
side in memory (never saved)."""

from __future__ import annotations

import numpy as np
import pytest

from kiosk.pose import keypoints as K
from kiosk.coach.framing import someone_else
from kiosk.pose.estimator import PoseEstimator
from tests.test_crop import standing

FPS = 30.0
NOBODY = np.zeros((17, 3))
FRAME = np.zeros((720, 1280, 3), np.uint8)


class Scene:
    """Stands in for MoveNet: a crop shows whoever has their hips inside it (the first such
    person); the whole frame shows `whole` (MoveNet's pick)."""

    def __init__(self, people, whole=0):
        self.people, self.whole = people, whole
        self.calls = 0

    def detect(self, frame, box=None):
        self.calls += 1
        if box is None:
            return self.people[self.whole] if self.people else NOBODY
        for p in self.people:
            if box.x0 <= p[K.L_HIP, 0] <= box.x0 + box.size:
                return p
        return NOBODY

    def detect_rows(self, frame, box=None):  # the estimator's per-frame call: 17 lists
        return np.asarray(self.detect(frame, box), dtype=float).tolist()


class Always(Scene):
    """MoveNet returning one body whatever the crop (it flicked to someone in the crop)."""

    def detect(self, frame, box=None):
        self.calls += 1
        return self.people[0]


def run(est, scene, seconds, start=0.0):
    return [est.estimate(FRAME, start + i / FPS) for i in range(int(seconds * FPS))]


def test_alone_nobody_else_is_seen_and_the_look_aside_costs_one_inference_a_second():
    scene = Scene([standing(cx=400)])
    est = PoseEstimator(detector=scene)
    poses = run(est, scene, 3.0)
    assert all(p is not None for p in poses)
    assert list(est.others_seen) == [] and est.others_seen_at is None
    frames = len(poses)
    assert frames + 1 + 2 <= scene.calls <= frames + 1 + 3  # + the start look + ~1 per second


def test_a_bystander_beside_the_athlete_is_seen_about_once_a_second():
    athlete, bystander = standing(cx=400), standing(cx=1050)
    scene = Scene([athlete, bystander])
    est = PoseEstimator(detector=scene)
    poses = run(est, scene, 3.0)
    # The track stays on the athlete all along...
    assert all(p is not None and abs(p.xy(K.L_HIP)[0] - athlete[K.L_HIP, 0]) < 5 for p in poses)
    # ...while the bystander is noticed within a little over a second, and again each second.
    seen = list(est.others_seen)
    assert 2 <= len(seen) <= 3 and seen[0] <= 1.1
    assert someone_else(seen, now=poses[-1].t)


def test_without_the_look_aside_a_quiet_bystander_goes_unseen():
    # The reason for the extra inference: a crop on the athlete never shows the bystander.
    scene = Scene([standing(cx=400), standing(cx=1050)])
    est = PoseEstimator(detector=scene, look_aside_s=None)
    run(est, scene, 3.0)
    assert list(est.others_seen) == []


def test_a_refused_jump_counts_once_the_track_has_settled():
    athlete, bystander = standing(cx=500), standing(cx=1000)
    est = PoseEstimator(detector=Scene([athlete]), look_aside_s=None)
    run(est, None, 1.0)
    est.detector = Always([bystander])  # MoveNet flicks to the bystander inside the crop
    assert run(est, None, 0.1, start=1.0) == [None, None, None]  # refused...
    assert len(est.others_seen) == 3  # ...and each refusal is a sighting


def test_refusals_in_a_tracks_first_moments_are_only_the_track_settling():
    athlete, shifted = standing(cx=500), standing(cx=700)
    est = PoseEstimator(detector=Scene([athlete]), look_aside_s=None)
    run(est, None, 0.1)
    est.detector = Always([shifted])
    assert run(est, None, 0.1, start=0.1) == [None, None, None]
    assert list(est.others_seen) == []


def test_two_different_people_at_the_start_of_a_track_are_a_sighting():
    # The whole frame shows a bystander at the edge; the centre square the athlete.
    athlete, bystander = standing(cx=640, torso=130), standing(cx=1150, hip_y=380, torso=110)
    est = PoseEstimator(detector=Scene([athlete, bystander], whole=1), look_aside_s=None)
    first = est.estimate(FRAME, 0.0)
    assert abs(first.xy(K.L_HIP)[0] - athlete[K.L_HIP, 0]) < 1  # started on the athlete
    assert list(est.others_seen) == [0.0]


def test_one_person_cut_by_the_centre_square_is_not_two_people():
    # A person across the centre square's edge: the square shows a made-up partial body. It
    # is no second person, and no better start than the whole-frame view.
    whole = standing(cx=1000)
    partial = standing(cx=900, torso=200)
    partial[:, 0] = np.minimum(partial[:, 0], 995)  # reaches the square's right side (1000)

    class CutScene(Scene):
        def detect(self, frame, box=None):
            self.calls += 1
            return whole if box is None or box.x0 > 300 else partial

    est = PoseEstimator(detector=CutScene([]), look_aside_s=None)
    first = est.estimate(FRAME, 0.0)
    assert abs(first.xy(K.L_HIP)[0] - whole[K.L_HIP, 0]) < 1
    assert list(est.others_seen) == []


def test_someone_else_reads_a_time_window():
    seen = [1.0, 4.0, 4.5]
    assert someone_else(seen, now=5.0)  # 4.0 and 4.5 within 3 s
    assert not someone_else(seen, now=9.0)
    assert someone_else(seen, now=5.0, window_s=5.0, times=3)
    assert not someone_else(seen, now=5.0, window_s=3.0, times=3)
    assert not someone_else([], now=0.0)


def test_the_worker_hands_the_sightings_to_the_render_loop():
    from kiosk.sources import Frame
    from kiosk.worker import CameraFeed, PoseWorker

    class Source:
        def __init__(self):
            self.i = 0

        def read(self):
            self.i += 1
            return Frame(FRAME, self.i / FPS)

        def close(self):
            pass

    est = PoseEstimator(detector=Scene([standing(cx=400), standing(cx=1050)]))
    worker = PoseWorker(CameraFeed(Source, est))
    for _ in range(40):
        worker.step_once()
    _, latest = worker.take()
    assert worker.others_seen and someone_else(worker.others_seen, latest[1])
    assert isinstance(worker.others_seen, tuple)  # a copy: safe to read from another thread


# ---- real MoveNet on real photos -------------------------------------------------------------
def _photos(testdata_dir):
    import pygame

    out = []
    for name in ("image1.png", "image2.jpeg", "image3.jpeg"):
        surf = pygame.image.load(str(testdata_dir / name))
        out.append(pygame.surfarray.array3d(surf).transpose(1, 0, 2).copy())
    return out


def _side_by_side(left, right, gap):
    h = max(left.shape[0], right.shape[0])
    frame = np.zeros((h, left.shape[1] + gap + right.shape[1], 3), np.uint8)
    frame[: left.shape[0], : left.shape[1]] = left
    frame[: right.shape[0], left.shape[1] + gap :] = right
    return frame


@pytest.mark.model
def test_real_photos_two_people_are_seen_and_one_person_never(model_path, testdata_dir):
    """Every ordered pair of the three test photos, touching and 300 px apart: a second
    person is seen within 1.5 s of frames. Each photo alone in the same frame (the other's
    place black): never."""
    photos = _photos(testdata_dir)
    est = PoseEstimator(model_path)
    missed, false = [], []
    for i, left in enumerate(photos):
        for j, right in enumerate(photos):
            if i == j:
                continue
            for gap in (0, 300):
                scenes = {
                    "both": _side_by_side(left, right, gap),
                    "left alone": _side_by_side(left, np.zeros_like(right), gap),
                    "right alone": _side_by_side(np.zeros_like(left), right, gap),
                }
                for what, frame in scenes.items():
                    est.reset()
                    est.others_seen.clear()
                    for k in range(45):
                        est.estimate(frame, 100.0 * (i * 3 + j) + gap + k / FPS)
                    case = (i + 1, j + 1, gap, what)
                    if what == "both" and not est.others_seen:
                        missed.append(case)
                    if what != "both" and est.others_seen:
                        false.append(case)
    assert missed == [] and false == []


def test_the_app_says_it_at_once_on_get_set_and_only_when_it_persists_while_coaching():
    from kiosk.app import App
    from kiosk.screen.flow import Screen
    from kiosk.judge import Judge
    from kiosk.screen.display import Display
    from kiosk.screen.exercises import exercise_infos
    from kiosk.worker import PoseWorker, ScriptedFeed

    now = [0.0]
    worker = PoseWorker(ScriptedFeed(lambda: now[0], realtime=False))
    app = App(display=Display("headless", "landscape", size=(640, 360)), worker=worker,
              info=exercise_infos(), judge_factory=Judge, clock=lambda: now[0], threaded=False)
    app.latest_t = 10.0
    worker.others_seen = (9.0,)  # once, a second ago
    app.flow.screen = Screen.IDLE
    assert not app.view_model(10.0).someone_else  # not in a set: nobody is told anything
    app.flow.screen = Screen.GET_SET
    assert app.view_model(10.0).someone_else
    app.flow.screen = Screen.COACHING
    assert not app.view_model(10.0).someone_else  # once is not enough mid-set
    worker.others_seen = (7.0, 9.0)
    assert app.view_model(10.0).someone_else
    app.latest_t = 20.0  # long gone
    assert not app.view_model(20.0).someone_else
