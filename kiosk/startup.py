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
    return lambda ex: judge_cls(ex, rules=cfg.rules_overrides(ex), camera_elevation_deg=elevation)


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

    errors, worker = [], None
    try:
        from kiosk.pose.estimator import PoseEstimator

        estimator = PoseEstimator(config_model_path=cfg.model.path or None, variant=cfg.model.variant,
                                  threads=cfg.model.threads)  # fmt: skip
        opener, realtime = open_source_factory(cfg, source or cfg.camera.source)
        worker = PoseWorker(CameraFeed(opener, estimator, realtime=realtime))
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
               brightness=cfg.display.brightness,
               history=history, notifier=notifier, presence=presence, errors=errors)  # fmt: skip
