"""`hinge-mirror doctor`: check the camera, model, GPIO, display, audio, config and disk."""

from __future__ import annotations

CHECKS = ("model", "shape", "camera", "gpio", "display", "audio", "disk", "cec")
DESCRIPTION = ("Check that this machine is ready to be the mirror: the model, the camera, the "
               "GPIO buttons, the display, sound, the config, the disk and HDMI-CEC. One line "
               "per check, with the fix for any that fails; exit status 1 if a required check "
               "failed. With --service, check as the installed service will run.")


def add_parser(subparsers, name):
    p = subparsers.add_parser(name, help="check that this machine is ready to be the mirror",
                              description=DESCRIPTION)
    p.add_argument("--config", help="settings file (default /etc/hinge-mirror/config.toml)")
    p.add_argument("--service", action="store_true",
                   help="check as the installed service runs: its user, groups and directories "
                        "(run with sudo)")  # fmt: skip
    p.add_argument("--skip", action="append", default=[], choices=CHECKS,
                   help="leave a check out (repeatable)")  # fmt: skip
    p.set_defaults(func=run)


SERVICE_ENV = {  # what systemd/hinge-mirror.service sets
    "STATE_DIRECTORY": "/var/lib/hinge-mirror",
    "HINGE_MIRROR_MODEL_DIR": "/var/lib/hinge-mirror/models",
    "SDL_VIDEODRIVER": "kmsdrm",
    "SDL_AUDIODRIVER": "alsa",
}


def become_service() -> None:
    """Take on the service's user, groups and environment, so that device permissions, the
    model and the state directory are checked exactly as the mirror will meet them."""
    import os
    import pwd

    from kiosk.errors import UserError

    try:
        pw = pwd.getpwnam("hinge-mirror")
    except KeyError:
        raise UserError("user hinge-mirror does not exist: run `sudo hinge-mirror "
                        "install-service` first (or drop --service)") from None
    os.environ.update(SERVICE_ENV, HOME=pw.pw_dir)
    if os.geteuid() != pw.pw_uid:
        if os.geteuid() != 0:
            raise UserError("--service needs sudo to switch to the hinge-mirror user")
        os.initgroups(pw.pw_name, pw.pw_gid)
        os.setgid(pw.pw_gid)
        os.setuid(pw.pw_uid)
    os.chdir(pw.pw_dir)


def run(args) -> int:
    from kiosk import config
    from kiosk.doctor import run_checks
    from kiosk.errors import ConfigError

    if args.service:
        become_service()
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
