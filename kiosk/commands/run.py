"""`hinge-mirror run`: the kiosk itself - camera, MoveNet, judge, coach, on the glass."""

from __future__ import annotations

import logging

log = logging.getLogger(__name__)


def add_parser(subparsers, name):
    p = subparsers.add_parser(name, help="run the mirror (fullscreen; --windowed on a desktop)",
                              description=__doc__)  # fmt: skip
    p.add_argument("--config", help="settings file (default /etc/hinge-mirror/config.toml)")
    mode = p.add_mutually_exclusive_group()
    mode.add_argument("--windowed", action="store_true", help="a window instead of fullscreen")
    mode.add_argument("--headless", action="store_true", help="no screen (SDL dummy driver)")
    p.add_argument("--source", help="camera | webcam | a video FILE (default: the config's)")
    p.add_argument("--seconds", type=float, help="stop after this many seconds")
    p.set_defaults(func=run)


def run(args) -> int:
    from kiosk import config as C
    from kiosk.app import KEYBOARD_HELP, post_action
    from kiosk.startup import build
    from kiosk.pi.buttons import start_buttons
    from kiosk.errors import UserError
    from kiosk.history import History
    from kiosk.pi.presence import Cec, Presence
    from kiosk.pi.sdnotify import Notifier

    cfg = C.load(args.config)
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
    app = build(cfg, mode, args.source, history=history, notifier=Notifier(), presence=presence)
    app.static_errors += history_error
    buttons = start_buttons(cfg.buttons, post_action)
    app.keyboard_hints = not buttons.available
    log.info("keyboard: %s", KEYBOARD_HELP)
    try:
        app.run(seconds=args.seconds)
    finally:
        buttons.close()
        if history is not None:
            history.close()
    return 0
