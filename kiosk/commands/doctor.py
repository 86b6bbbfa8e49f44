"""`hinge-mirror doctor`: check the camera, model, GPIO, display, audio, config and disk."""

from __future__ import annotations

CHECKS = ("model", "camera", "gpio", "display", "audio", "disk", "cec")


def add_parser(subparsers, name):
    p = subparsers.add_parser(name, help="check that this machine is ready to be the mirror")
    p.add_argument("--config", help="settings file (default /etc/hinge-mirror/config.toml)")
    p.add_argument("--skip", action="append", default=[], choices=CHECKS,
                   help="leave a check out (repeatable)")  # fmt: skip
    p.set_defaults(func=run)


def run(args) -> int:
    from kiosk import config
    from kiosk.doctor import run_checks
    from kiosk.errors import ConfigError

    cfg, error = None, None
    try:
        cfg = config.load(args.config)
    except ConfigError as exc:
        error = exc
    failed = 0
    for result in run_checks(cfg, error, set(args.skip)):
        print(result.line(), flush=True)
        failed += result.failed
    print(f"{failed} required check(s) failed." if failed else "Ready.")
    return 1 if failed else 0
