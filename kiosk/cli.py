"""The `hinge-mirror` command: a thin dispatcher over kiosk.commands.*.

Each sub-command lives in its own module so that importing the CLI never drags in
pygame, the TFLite runtime or hardware libraries that the chosen command does not use.
"""

from __future__ import annotations

import argparse
import importlib
import logging
import sys

from kiosk import __version__
from kiosk.errors import UserError

# Sub-command name -> module under kiosk.commands. Order is the order shown in --help.
COMMANDS = {
    "run": "run",
    "demo": "demo",
    "pose": "pose",
    "analyze": "analyze",
    "models": "models",
    "history": "history",
    "doctor": "doctor",
    "bench": "bench",
    "install-service": "install_service",
}


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="hinge-mirror", description=__doc__.splitlines()[0])
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
        return int(args.func(args) or 0)
    except UserError as exc:
        # Bad input the person can fix: one clear message, no traceback.
        print(f"hinge-mirror: {exc}", file=sys.stderr)
        return exc.exit_code
    except KeyboardInterrupt:
        return 130
