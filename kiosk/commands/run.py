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
    from kiosk.app import KEYBOARD_HELP, build, post_action
    from kiosk.buttons import start_buttons
    from kiosk.history import History
    from kiosk.presence import Presence
    from kiosk.sdnotify import Notifier

    cfg = C.load(args.config)
    mode = "headless" if args.headless else "windowed" if args.windowed or not cfg.display.fullscreen \
        else "fullscreen"  # fmt: skip
    history = History.open(cfg.data.directory)
    presence = Presence(cfg.presence.timeout_s, cfg.presence.low_power_fps)
    app = build(cfg, mode, args.source, history=history, notifier=Notifier(), presence=presence)
    buttons = start_buttons(cfg.buttons, post_action)
    log.info("keyboard: %s", KEYBOARD_HELP)
    try:
        app.run(seconds=args.seconds)
    finally:
        buttons.close()
        history.close()
    return 0
