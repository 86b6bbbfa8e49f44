"""Start-up wiring: every choice of part is made here, once, from the config - which frame
source (Pi camera, webcam or a video file), which model and runtime, which display mode,
the judge's thresholds and camera placement, sound. The render loop (kiosk/app.py) only
receives the parts."""

from __future__ import annotations

import logging
from typing import Callable

from kiosk.app import App

log = logging.getLogger(__name__)


def open_source_factory(cfg, source: str):
    """A function that opens the frame source: "camera" (the Pi camera), "webcam", or a
    video file path. Returns (opener, realtime) - realtime for files, played at their pace."""
    cam = cfg.camera
    if source in ("camera", "picamera"):
        def opener():
            from kiosk.sources.picamera import PiCameraSource

            return PiCameraSource.from_config(cam)
        return opener, False
    if source == "webcam":
        def opener():
            from kiosk.sources.webcam import WebcamSource

            return WebcamSource.from_config(cam)
        return opener, False

    def opener():
        from kiosk.sources.video import VideoSource

        return VideoSource(source)
    return opener, True


def judge_factory(cfg, judge_cls) -> Callable[[str], object]:
    """A new judge per set, with this kiosk's thresholds and camera placement."""
    from kiosk.config import camera_elevation_deg

    elevation = camera_elevation_deg(cfg.camera)
    return lambda ex: judge_cls(ex, rules=cfg.rules_overrides(ex), camera_elevation_deg=elevation,
                                camera_distance_m=cfg.camera.distance_m)


BACK_SHAPE_OFF = "Back-shape check off: models fetch"


def back_shape_reader(cfg):
    """The second model's reader, and "" - or None and why the back-shape check is off, in
    words for the glass. A missing model leaves the mirror running (the head-drop check of a
    rounded back still works); a broken one is named in the log, as doctor names it."""
    if not cfg.model.back_shape:
        return None, "Back-shape check off in the config"
    from kiosk.errors import ModelError
    from kiosk.pose.backshape import BackShape, Reader
    from kiosk.pose.model_files import find_back_shape

    try:
        path = find_back_shape(cfg.model.back_shape_path or None)
        if path is None:
            log.warning("back-shape model not fetched: rounded-back checks from the back's "
                        "shape are off (fetch it with: hinge-mirror models fetch)")
            return None, BACK_SHAPE_OFF
        return Reader(BackShape(path), cfg.model.back_shape_hz), ""
    except ModelError as exc:
        log.error("%s", exc)
        return None, BACK_SHAPE_OFF


def is_file_source(source: str) -> bool:
    """A video file, not the Pi camera or a webcam."""
    return source not in ("camera", "picamera", "webcam")


def build(cfg, mode: str, source: str | None = None, history=None, notifier=None, presence=None,
          buttons=None, require_model: bool = False) -> App:  # fmt: skip
    """The real kiosk: camera -> MoveNet -> judge -> coach -> screens, from the config.
    A missing or broken model is said on the glass, or with `require_model` (`run`) raised."""
    from kiosk.errors import ModelError
    from kiosk.judge import Judge
    from kiosk.screen.display import Display
    from kiosk.screen.exercises import exercise_infos
    from kiosk.pi.sound import Sound
    from kiosk.worker import CameraFeed, PoseWorker

    errors, worker, back_shape_off = [], None, ""
    try:
        from kiosk.pose.estimator import PoseEstimator

        estimator = PoseEstimator(config_model_path=cfg.model.path or None, variant=cfg.model.variant,
                                  threads=cfg.model.threads)  # fmt: skip
        opener, realtime = open_source_factory(cfg, source or cfg.camera.source)
        reader, back_shape_off = back_shape_reader(cfg)
        worker = PoseWorker(CameraFeed(opener, estimator, realtime=realtime, shape_reader=reader))
    except ModelError as exc:
        if require_model:
            raise
        # Keep the mirror up and say it on the glass.
        log.error("%s", exc)
        errors.append("Pose model missing: the mirror cannot see you")
        errors.append(str(exc))
    # After the model: a `run` that cannot see stops before a window flashes up.
    display = Display(mode, cfg.display.orientation, rotate=cfg.display.rotate)
    info = exercise_infos(dict(cfg.exercises))
    sound = Sound(cfg.audio.volume, cfg.audio.mute, cfg.audio.speech) if mode != "headless" else None
    return App(display=display, worker=worker, info=info, sound=sound,
               judge_factory=judge_factory(cfg, Judge),
               ghost=cfg.display.ghost, one_button=cfg.buttons.mode == "one",
               brightness=cfg.display.brightness, back_shape_off=back_shape_off,
               history=history, notifier=notifier, presence=presence, errors=errors)  # fmt: skip
