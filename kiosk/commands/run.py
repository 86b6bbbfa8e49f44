"""`hinge-mirror run`: the mirror itself - camera, MoveNet, judge, coach, on the glass.

Off a Pi, `--source FILE` plays a recorded set through the whole kiosk at its own pace, and
`--exercise ID` starts that set at once, as pressing Select on it would: the set is coached on
the screen, its reps land in the history, and the command exits when the file ends (status 0;
3 if the file broke off part-way: the reps before the damage are kept). A source file that is
missing or not a video, and a missing or broken model, stop the start with one line and exit
status 2. A camera that goes away while the mirror runs is retried, with the glass saying so.
"""

from __future__ import annotations

import argparse
import logging

log = logging.getLogger(__name__)

EXERCISE_IDS = ("hinge", "hello", "deadlift", "skier-swing")  # kiosk.judge.rules' ids
SUMMARY_S = 5.0  # on a screen, the summary stays up this long after a video ends


def add_parser(subparsers, name):
    p = subparsers.add_parser(name, help="run the mirror (fullscreen; --windowed on a desktop)",
                              description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--config", help="settings file (default /etc/hinge-mirror/config.toml)")
    mode = p.add_mutually_exclusive_group()
    mode.add_argument("--windowed", action="store_true", help="a window instead of fullscreen")
    mode.add_argument("--headless", action="store_true", help="no screen (SDL dummy driver)")
    p.add_argument("--source", help="camera | webcam | a video FILE (default: the config's)")
    p.add_argument("--exercise", choices=EXERCISE_IDS,
                   help="start a set of this exercise at once, as a button press would")
    p.add_argument("--seconds", type=float, help="stop after this many seconds")
    p.set_defaults(func=run)


def run(args) -> int:
    from kiosk import config as C
    from kiosk.app import KEYBOARD_HELP, post_action
    from kiosk.startup import build, is_file_source
    from kiosk.pi.buttons import start_buttons
    from kiosk.errors import SourceError, UserError
    from kiosk.history import History
    from kiosk.pi.presence import Cec, Presence
    from kiosk.pi.sdnotify import Notifier

    if args.seconds is not None and not args.seconds > 0:
        raise UserError(f"--seconds {args.seconds:g}: give a time above 0, or leave it out to run on")
    cfg = C.load(args.config)
    source = args.source or cfg.camera.source
    if is_file_source(source):
        # Before the screen and the model: a file that is not there will not appear by
        # retrying, so the start stops here with the reason (a camera is waited for).
        from kiosk.sources.video import VideoSource

        try:
            VideoSource(source).open().close()
        except SourceError as exc:
            raise UserError(f"{exc} (the video source, from "
                            f"{'--source' if args.source else 'the config'})") from None
    mode = "headless" if args.headless else "windowed" if args.windowed or not cfg.display.fullscreen \
        else "fullscreen"  # fmt: skip
    try:
        history = History.open(cfg.data.directory, rules=cfg.exercises)
    except UserError as exc:  # coach anyway; a restart loop would only blank the mirror
        log.error("%s", exc)
        history, history_error = None, ["History is off: " + str(exc)]
    else:
        history_error = []
    cec = Cec(cfg.presence.cec)
    presence = Presence(cfg.presence.timeout_s, cfg.presence.low_power_fps, on_change=cec.apply)
    try:
        app = build(cfg, mode, source, history=history, notifier=Notifier(), presence=presence,
                    require_model=True)  # fmt: skip
    except UserError:
        if history is not None:
            history.close()
        raise
    app.static_errors += history_error
    if is_file_source(source):
        app.quit_after_feed = 0.0 if mode == "headless" else SUMMARY_S
    buttons = start_buttons(cfg.buttons, post_action)
    app.keyboard_hints = not buttons.available
    if mode != "headless":
        log.info("keyboard: %s", KEYBOARD_HELP)
    try:
        if args.exercise:
            app.start_exercise(args.exercise)
        app.run(seconds=args.seconds)
    finally:
        buttons.close()
        if history is not None:
            history.close()
    if app.worker is not None and app.worker.finished:
        sets = ", ".join(f"{s.exercise} {s.reps} reps" for s in app.sets) or "no reps were counted"
        kept = f", in the history {history.path}" if history is not None and app.sets else ""
        if app.worker.failure:
            raise SourceError(f"{app.worker.failure}; the set ended there ({sets}{kept})")
        log.info("the video has ended: %s%s", sets, kept)
    return 0
