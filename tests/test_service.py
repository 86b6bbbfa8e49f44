"""The systemd unit: `systemd-analyze verify` prints nothing (it exits 0 even on unknown keys,
so any output fails), `systemd-analyze security --offline=yes` scores <= 2.0, the contract
settings are present, and install-service --dry-run shows the steps without changing anything."""

import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from kiosk.commands.install_service import GROUPS, render_unit

ROOT = Path(__file__).resolve().parents[1]
UNIT = ROOT / "systemd" / "hinge-mirror.service"
ANALYZE = shutil.which("systemd-analyze")


def analyze(*args, cwd) -> subprocess.CompletedProcess:
    assert ANALYZE, "systemd-analyze is needed (Debian package systemd)"
    return subprocess.run([ANALYZE, *args], capture_output=True, text=True, timeout=120, cwd=cwd)


def installable_copy(tmp_path: Path, text: str | None = None) -> Path:
    """The unit as install-service writes it, pointing ExecStart at an executable that exists
    here (the real one is in /opt/hinge-mirror/venv on the Pi)."""
    unit = render_unit(text or UNIT.read_text(), sys.executable, list(GROUPS))
    p = tmp_path / "hinge-mirror.service"
    p.write_text(unit)
    return p


def settings(text: str) -> dict[str, list[str]]:
    out: dict[str, list[str]] = {}
    for line in text.splitlines():
        if "=" in line and not line.lstrip().startswith(("#", ";", "[")):
            k, v = line.split("=", 1)
            out.setdefault(k.strip(), []).append(v.strip())
    return out


def test_verify_prints_nothing(tmp_path):
    r = analyze("verify", str(installable_copy(tmp_path)), cwd=tmp_path)
    assert r.returncode == 0
    assert r.stdout + r.stderr == ""


def test_verify_catches_a_bad_key(tmp_path):
    """The check above can fail: a misspelt key produces output (while still exiting 0)."""
    bad = UNIT.read_text().replace("NoNewPrivileges=yes", "NoNewPrivilege=yes")
    r = analyze("verify", str(installable_copy(tmp_path, bad)), cwd=tmp_path)
    assert "NoNewPrivilege" in r.stdout + r.stderr


def test_the_shipped_unit_only_lacks_its_executable_here(tmp_path):
    """Verified as shipped, the one complaint allowed is the venv path missing on this machine."""
    r = analyze("verify", str(UNIT), cwd=tmp_path)
    lines = [l for l in (r.stdout + r.stderr).splitlines() if l.strip()]
    if Path("/opt/hinge-mirror/venv/bin/hinge-mirror").exists():
        assert lines == []
    else:
        assert lines and all("/opt/hinge-mirror/venv/bin/hinge-mirror" in l for l in lines)


def test_security_exposure_at_most_2(tmp_path):
    r = analyze("security", "--offline=yes", str(installable_copy(tmp_path)), cwd=tmp_path)
    m = re.search(r"Overall exposure level for hinge-mirror\.service: (\d+\.\d)", r.stdout)
    assert m, r.stdout[-2000:] + r.stderr
    score = float(m.group(1))
    print(f"systemd-analyze security exposure: {score}")
    assert score <= 2.0


def test_contract_settings_are_there():
    s = settings(UNIT.read_text())
    one = lambda k: s[k][-1]  # noqa: E731
    assert one("Type") == "notify" and one("WatchdogSec") and one("Restart") == "on-failure"
    assert one("RestartPreventExitStatus") == "2"  # a start that cannot work is not retried
    assert one("StartLimitBurst") and one("StartLimitIntervalSec")
    assert one("User") == "hinge-mirror"
    assert set(one("SupplementaryGroups").split()) >= {"video", "render", "input", "gpio"}
    assert "getty@tty1.service" in one("Conflicts") and one("TTYPath") == "/dev/tty1"
    assert "SDL_VIDEODRIVER=kmsdrm" in " ".join(s["Environment"])
    assert one("StateDirectory") == "hinge-mirror"
    assert one("ProtectSystem") == "strict" and one("NoNewPrivileges") == "yes"
    assert one("PrivateNetwork") == "yes" and one("DevicePolicy") == "closed"
    assert set(one("RestrictAddressFamilies").split()) == {"AF_UNIX", "AF_NETLINK"}
    allowed = {a.split()[0] for a in s["DeviceAllow"]}
    assert allowed >= {"char-drm", "char-video4linux", "char-media", "char-dma_heap",
                       "char-gpiochip", "char-input", "/dev/tty1", "char-alsa"}  # fmt: skip


def test_render_unit_drops_missing_groups_and_relaxes_home_only_for_home_venvs():
    text = UNIT.read_text()
    u = render_unit(text, "/opt/hinge-mirror/venv/bin/hinge-mirror", ["video", "audio"])
    assert settings(u)["SupplementaryGroups"] == ["video audio"]
    assert settings(u)["ProtectHome"] == ["yes"]
    h = render_unit(text, "/home/pi/mirror/.venv/bin/hinge-mirror", ["video"])
    assert settings(h)["ExecStart"][0].startswith("/home/pi/mirror/.venv/bin/hinge-mirror run")
    assert settings(h)["ProtectHome"] == ["read-only"]


def test_install_service_dry_run_changes_nothing(tmp_path):
    unit_dir = tmp_path / "units"
    r = subprocess.run(
        [sys.executable, "-m", "kiosk", "install-service", "--dry-run", "--unit-dir", str(unit_dir)],
        capture_output=True, text=True, timeout=60,
    )  # fmt: skip
    assert r.returncode == 0, r.stderr
    out = r.stdout
    assert "nothing is changed" in out
    assert f"install the unit at {unit_dir}/hinge-mirror.service" in out
    assert "systemctl enable hinge-mirror.service" in out
    assert "chown -R hinge-mirror:hinge-mirror /var/lib/hinge-mirror" in out
    assert not unit_dir.exists()


def test_install_service_refuses_without_root_or_dry_run(tmp_path):
    import os

    if os.geteuid() == 0:
        # As root (CI) the real run would change this machine: check the plan instead.
        from argparse import Namespace

        from kiosk.commands.install_service import plan

        steps, _ = plan(Namespace(executable=sys.executable, unit_dir=str(tmp_path), start=True, source=str(ROOT)))
        assert [s.command for s in steps if s.command][-1] == ["systemctl", "restart", "hinge-mirror.service"]
    else:
        r = subprocess.run([sys.executable, "-m", "kiosk", "install-service"],
                           capture_output=True, text=True, timeout=60)  # fmt: skip
        assert r.returncode == 2 and "sudo" in r.stderr


@pytest.mark.model
def test_install_service_for_real_with_system_commands_stubbed(tmp_path, monkeypatch, model_path, capsys):
    """The non-dry path: files land where they should with the right content and modes, the
    system commands are the ones shown by --dry-run, and a second run keeps the settings."""
    import argparse
    import os
    import stat

    from kiosk.commands import install_service as inst

    ran = []
    monkeypatch.setattr(inst.subprocess, "run", lambda cmd, **kw: ran.append(cmd) or
                        subprocess.CompletedProcess(cmd, 0))  # fmt: skip
    monkeypatch.setattr(inst.os, "geteuid", lambda: 0)
    monkeypatch.setattr(inst, "STATE", tmp_path / "var-lib")
    monkeypatch.setattr(inst, "CONF", tmp_path / "etc" / "config.toml")
    monkeypatch.setenv("HINGE_MIRROR_MODEL_DIR", str(model_path.parent))
    args = argparse.Namespace(dry_run=False, start=False, executable=sys.executable,
                              unit_dir=str(tmp_path / "units"), source=str(ROOT))  # fmt: skip
    assert inst.run(args) == 0
    unit = tmp_path / "units" / "hinge-mirror.service"
    assert stat.S_IMODE(unit.stat().st_mode) == 0o644
    assert settings(unit.read_text())["ExecStart"][0].startswith(f"{sys.executable} run")
    assert inst.CONF.read_text() == (ROOT / "config.example.toml").read_text()
    copy = ["install", "-D", "-m", "0644", str(model_path), str(tmp_path / "var-lib" / "models" / model_path.name)]
    assert copy in ran
    blazepose = model_path.parent / "pose_landmark_full.tflite"  # the back shape's, beside it
    assert ["install", "-D", "-m", "0644", str(blazepose),
            str(tmp_path / "var-lib" / "models" / blazepose.name)] in ran
    assert ran[-2:] == [["systemctl", "daemon-reload"], ["systemctl", "enable", "hinge-mirror.service"]]
    # Installing again never overwrites the person's settings.
    inst.CONF.write_text("[model]\nthreads = 2\n")
    assert inst.run(args) == 0
    assert inst.CONF.read_text() == "[model]\nthreads = 2\n"
    assert "keep the existing settings" in capsys.readouterr().out
    assert not os.path.exists(str(unit) + ".tmp")


INSTALL_SH = ROOT / "systemd" / "install.sh"


def test_install_sh_dry_run_apt_installs_what_sdl_loads_for_kmsdrm(tmp_path):
    """install.sh --dry-run prints its steps and changes nothing; its apt line carries the
    packages of every library doctor checks for the console display (nothing in the Pi check
    would notice them missing: SDL only dlopens them when KMSDRM starts)."""
    from kiosk.doctor import KMSDRM_LIBS

    venv_there = Path("/opt/hinge-mirror/venv").exists()
    r = subprocess.run(["bash", str(INSTALL_SH), "--dry-run"], capture_output=True, text=True,
                       timeout=60, cwd=tmp_path)  # fmt: skip
    assert r.returncode == 0, r.stderr
    lines = r.stdout.splitlines()
    apt = [l.split() for l in lines if l.startswith("apt-get install")]
    assert len(apt) == 1, r.stdout
    pkgs = set(apt[0][2:])
    assert {"python3-picamera2", "python3-lgpio", "espeak-ng", "v4l-utils"} <= pkgs
    assert {pkg for _so, pkg in KMSDRM_LIBS} <= pkgs
    assert {"libdrm2", "libgbm1", "libegl1", "libgles2"} <= pkgs
    assert lines[-1].endswith("--dry-run") and "install-service" in lines[-1]
    assert Path("/opt/hinge-mirror/venv").exists() == venv_there  # nothing was made
