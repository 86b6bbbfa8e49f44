"""The `hinge-mirror` command: one sub-command per module of kiosk.commands.

Each sub-command lives in its own module so that importing the CLI never drags in
pygame, the TFLite runtime or hardware libraries that the chosen command does not use.
"""

from __future__ import annotations

import argparse
import importlib
import logging
import os
import signal
import sys

from kiosk import __version__
from kiosk.errors import UserError

# Sub-command name -> module under kiosk.commands. Order is the order shown in --help.
COMMANDS = {
    "run": "run",
    "demo": "demo",
    "pose": "pose",
    "analyze": "analyze",
    "evaluate": "evaluate",
    "models": "models",
    "history": "history",
    "doctor": "doctor",
    "bench": "bench",
    "install-service": "install_service",
}


DESCRIPTION = """\
Hinge Mirror: a smart mirror that watches you through a camera and coaches hip-hinge
exercises (hip hinge, good morning, deadlift, skier swing) on the glass: reps, back angle
and faults, with every set kept in a history.

Start with `hinge-mirror demo` (no camera or model needed), `hinge-mirror doctor` (is this
machine ready?) and `hinge-mirror run` (the mirror). `hinge-mirror COMMAND --help` says more."""

EPILOG = """\
exit status: 0 done; 1 a check failed (doctor, models verify); 2 bad input, configuration or
model (the message says how to fix it); 3 a camera, video or image could not be read."""


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="hinge-mirror", description=DESCRIPTION, epilog=EPILOG,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--version", action="version", version=f"hinge-mirror {__version__}")
    parser.add_argument("-v", "--verbose", action="store_true", help="debug logging")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    for name, module in COMMANDS.items():
        try:
            mod = importlib.import_module(f"kiosk.commands.{module}")
        except ModuleNotFoundError as exc:
            if exc.name == f"kiosk.commands.{module}":
                continue  # not built yet
            raise
        mod.add_parser(sub, name)
    return parser


def main(argv: list[str] | None = None) -> int:
    # Before anything imports pygame: its banner would land on stdout (and in --json output).
    os.environ.setdefault("PYGAME_HIDE_SUPPORT_PROMPT", "1")
    parser = build_parser()
    args = parser.parse_args(argv)
    logging.basicConfig(
        level=logging.DEBUG if args.verbose else logging.INFO,
        format="%(asctime)s %(levelname)s %(name)s: %(message)s",
    )
    if not getattr(args, "func", None):
        parser.print_help()
        return 2
    try:
        code = int(args.func(args) or 0)
        sys.stdout.flush()  # here, not at exit: a reader that went away is handled below
        return code
    except UserError as exc:
        # Bad input the person can fix: one clear message, no traceback.
        print(f"hinge-mirror: {exc}", file=sys.stderr)
        return exc.exit_code
    except KeyboardInterrupt:
        return 130
    except BrokenPipeError:
        if not _stdout_gone():
            raise  # some other pipe: a real error, with its traceback
        # `hinge-mirror history --csv | head`: the reader has all it wanted. Exit quietly, as
        # a tool killed by SIGPIPE does, and point stdout at /dev/null so that Python's own
        # flush at exit has nowhere to fail.
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return 128 + signal.SIGPIPE


def _stdout_gone() -> bool:
    """Is stdout a pipe whose reader has closed it?"""
    import select

    try:
        poll = select.poll()
        poll.register(sys.stdout.fileno(), select.POLLOUT)
        return any(ev & select.POLLERR for _, ev in poll.poll(0))
    except (OSError, ValueError, AttributeError):  # no fileno (a test's capture): assume so
        return True
