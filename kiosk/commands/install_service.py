"""`hinge-mirror install-service`: make this Pi boot into the mirror.

Creates the system user `hinge-mirror` (in the video, render, input, gpio and audio groups
that exist here), installs the unit with ExecStart pointing at this installation's
`hinge-mirror`, copies config.example.toml to /etc/hinge-mirror/config.toml unless one is
there, puts a verified model where the service finds it, and enables the unit. Run it as root
from the venv the kiosk runs from; `--dry-run` prints every step and changes nothing.
"""

from __future__ import annotations

import argparse
import grp
import os
import pwd
import re
import shlex
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Callable

REPO = Path(__file__).resolve().parents[2]  # the checkout, for an editable install
USER = "hinge-mirror"
STATE = Path("/var/lib/hinge-mirror")
CONF = Path("/etc/hinge-mirror/config.toml")
GROUPS = ("video", "render", "input", "gpio", "audio")


def add_parser(subparsers, name):
    p = subparsers.add_parser(name, help="install and enable the systemd service (as root)",
                              description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--dry-run", action="store_true", help="print what would be done, do nothing")
    p.add_argument("--start", action="store_true", help="also start the mirror now")
    p.add_argument("--exec", dest="executable", help="hinge-mirror executable for ExecStart "
                   "(default: the one next to this Python)")  # fmt: skip
    p.add_argument("--source", default=str(REPO), help="the repository checkout holding "
                   "systemd/ and config.example.toml (default: this package's checkout)")
    p.add_argument("--unit-dir", default="/etc/systemd/system",
                   help="where the unit goes (default /etc/systemd/system)")
    p.set_defaults(func=run)


@dataclass
class Step:
    what: str
    command: list[str] | None = None  # a command to run, shown as a shell line
    action: Callable[[], None] | None = None  # or Python that does it

    def show(self) -> str:
        return f"# {self.what}" + (f"\n{shlex.join(self.command)}" if self.command else "")


def existing_groups(names=GROUPS) -> list[str]:
    out = []
    for g in names:
        try:
            grp.getgrnam(g)
            out.append(g)
        except KeyError:
            pass
    return out


def render_unit(template: str, executable: str, groups: list[str]) -> str:
    """The unit for this machine: ExecStart at the real executable, and only groups that
    exist (systemd refuses to start a unit whose SupplementaryGroups= names a missing one)."""
    unit = re.sub(r"^ExecStart=\S+", f"ExecStart={executable}", template, count=1, flags=re.M)
    unit = re.sub(r"^SupplementaryGroups=.*$", "SupplementaryGroups=" + " ".join(groups),
                  unit, count=1, flags=re.M)  # fmt: skip
    if executable.startswith(("/home/", "/root/")):
        # ProtectHome=yes would hide a venv kept in a home directory from the service.
        unit = re.sub(r"^ProtectHome=yes$", "ProtectHome=read-only", unit, count=1, flags=re.M)
    return unit


def _write(path: Path, text: str, mode: int = 0o644) -> Callable[[], None]:
    def go():
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp = path.with_name(path.name + ".tmp")
        tmp.write_text(text)
        tmp.chmod(mode)
        os.replace(tmp, path)

    return go


def _fetch(dest: Path, name: str) -> Callable[[], None]:
    def go():
        from kiosk.pose.model_files import fetch

        fetch(name, dest_dir=dest)

    return go


def _find_model(source: Path, v) -> Path | None:
    """A verified copy of variant `v` this user can see (or one in the checkout's models/)."""
    from kiosk.pose.model_files import check, search_dirs

    candidates = [d / v.file for d in search_dirs()] + [source / "models" / v.file]
    for p in candidates:
        try:
            if p.is_file():
                check(p)
                return p
        except Exception:
            continue
    return None


def plan(args) -> tuple[list[Step], list[str]]:
    """The steps, and warnings to show first."""
    warnings: list[str] = []
    exe = args.executable or str(Path(sys.executable).with_name("hinge-mirror"))
    if not Path(exe).is_file():
        warnings.append(f"{exe} does not exist: install the package into the venv first "
                        "(pip install .) or pass --exec")  # fmt: skip
    groups = existing_groups()
    missing = sorted(set(GROUPS) - set(groups))
    if missing:
        warnings.append(f"groups {', '.join(missing)} do not exist here (not a Pi?); left out")
    unit_path = Path(args.unit_dir) / "hinge-mirror.service"
    source = Path(args.source)
    unit = render_unit((source / "systemd" / "hinge-mirror.service").read_text(), exe, groups)
    example = source / "config.example.toml"

    steps: list[Step] = []
    try:
        pwd.getpwnam(USER)
    except KeyError:
        steps.append(Step(f"create the system user {USER}", [
            "useradd", "--system", "--user-group", "--home-dir", str(STATE), "--no-create-home",
            "--shell", "/usr/sbin/nologin", "--comment", "Hinge Mirror kiosk", USER]))  # fmt: skip
    if groups:
        steps.append(Step(f"let {USER} use the display, camera, input, GPIO and sound",
                          ["usermod", "--append", "--groups", ",".join(groups), USER]))
    steps.append(Step(f"install the unit at {unit_path}", action=_write(unit_path, unit)))
    conf = CONF
    if conf.exists():
        steps.append(Step(f"keep the existing settings in {conf} (check: hinge-mirror doctor)"))
    elif example.exists():
        steps.append(Step(f"install the commented defaults as {conf}",
                          action=_write(conf, example.read_text())))
    models = STATE / "models"
    from kiosk.pose.model_files import defaults

    for v in defaults():  # the pose model, and the back shape's
        model = _find_model(source, v)
        if model is not None:
            steps.append(Step(f"copy the verified model {model} to {models}",
                              ["install", "-D", "-m", "0644", str(model), str(models / model.name)]))
        else:
            steps.append(Step(f"download {v.name} into {models} (checked by SHA-256)",
                              action=_fetch(models, v.name)))
    steps.append(Step(f"give {STATE} to {USER}", ["chown", "-R", f"{USER}:{USER}", str(STATE)]))
    steps.append(Step("reload systemd", ["systemctl", "daemon-reload"]))
    steps.append(Step("start the mirror at every boot", ["systemctl", "enable", "hinge-mirror.service"]))
    if args.start:
        steps.append(Step("start it now", ["systemctl", "restart", "hinge-mirror.service"]))
    return steps, warnings


def run(args) -> int:
    from kiosk.errors import UserError

    unit_src = Path(args.source) / "systemd" / "hinge-mirror.service"
    if not unit_src.exists():
        raise UserError(f"{unit_src} not found: pass --source with the repository checkout "
                        "(systemd/install.sh does this)")  # fmt: skip
    steps, warnings = plan(args)
    for w in warnings:
        print(f"warning: {w}", file=sys.stderr)
    if args.dry_run:
        print("# hinge-mirror install-service --dry-run: nothing is changed")
        for s in steps:
            print(s.show())
        return 0
    if os.geteuid() != 0:
        raise UserError("install-service changes system files: run it with sudo "
                        "(or add --dry-run to see the steps)")  # fmt: skip
    for s in steps:
        print(f"- {s.what}")
        if s.action:
            s.action()
        elif s.command:
            r = subprocess.run(s.command)
            if r.returncode != 0:
                raise UserError(f"step failed ({shlex.join(s.command)} exited {r.returncode}); "
                                "fix it and run install-service again (it is safe to repeat)")
    print("Done. The mirror starts at boot. Check it as the service will run: "
          "sudo hinge-mirror doctor --service; start now: sudo systemctl start hinge-mirror; "
          "logs: journalctl -u hinge-mirror -f")
    return 0

