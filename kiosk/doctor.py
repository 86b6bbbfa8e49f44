"""`hinge-mirror doctor`: is this machine ready to be the mirror? One line per check.

Each check returns a Result: pass, warn (works, but something is off or optional is missing)
or fail, with the fix in words. Required checks failing make the command exit 1. Checks that
would grab hardware the running service holds (the display) run in a subprocess with a
timeout, so doctor never hangs or steals the screen.
"""

from __future__ import annotations

import ctypes
import glob
import os
import shutil
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path

from kiosk.config import Config

PASS, WARN, FAIL = "pass", "warn", "fail"
MIN_FREE_MB, LOW_FREE_MB = 100, 1024


@dataclass
class Result:
    name: str
    status: str
    detail: str
    fix: str = ""
    required: bool = True

    def line(self) -> str:
        tag = {PASS: "PASS", WARN: "WARN", FAIL: "FAIL" if self.required else "WARN"}[self.status]
        text = f"{tag:<5} {self.name:<8} {self.detail}"
        return text + (f"  -> fix: {self.fix}" if self.fix and self.status != PASS else "")

    @property
    def failed(self) -> bool:
        return self.status == FAIL and self.required


def check_config(cfg: Config | None, error: Exception | None) -> Result:
    if error is not None:
        return Result("config", FAIL, str(error), "correct that setting (see config.example.toml)")
    where = cfg.source_path or "no config file, defaults in use"
    return Result("config", PASS, where)


def check_model(cfg: Config) -> list[Result]:
    """Path and checksum, runtime, then one timed inference on a blank frame."""
    from kiosk.pose import model_files
    from kiosk.errors import UserError

    try:
        path = model_files.find_model(None, cfg.model.path or None, cfg.model.variant)
        known = model_files.check(path)
    except UserError as exc:
        return [Result("model", FAIL, str(exc), f"hinge-mirror models fetch {cfg.model.variant}")]
    sums = "size and SHA-256 match" if known and known.sha256 else "TFLite file (no published checksum)"
    out = [Result("model", PASS, f"{path} ({sums})")]
    try:
        import numpy as np

        from kiosk.pose.movenet import MoveNet

        net = MoveNet(path, cfg.model.threads)
        blank = np.zeros((480, 640, 3), np.uint8)
        tensor = net.prepare(blank)
        net.invoke(tensor)  # warm-up: first call allocates and packs weights
        times = []
        for _ in range(5):
            t0 = time.perf_counter()
            net.invoke(tensor)
            times.append((time.perf_counter() - t0) * 1000)
        ms = sorted(times)[len(times) // 2]
    except UserError as exc:
        return out + [Result("runtime", FAIL, str(exc), "pip install ai-edge-litert")]
    fps_note = "" if ms < 100 else " (slow: expect a laggy gauge; try threads = 2)"
    out.append(Result("runtime", PASS, f"{net.runtime_name}, {cfg.model.threads} thread(s): "
                                       f"inference {ms:.1f} ms median of 5{fps_note}"))  # fmt: skip
    return out


def check_back_shape(cfg: Config) -> Result:
    """The second model, BlazePose, which reads the back's outline: optional (the mirror runs
    without it, and says so on the Get set screen), so a missing one is a warning."""
    from kiosk.errors import UserError
    from kiosk.pose import model_files

    fetch = f"hinge-mirror models fetch {model_files.back_shape_variant().name}"
    if not cfg.model.back_shape:
        return Result("shape", WARN, "back-shape check off in the config ([model] back_shape = "
                      "false): a rounded back is judged from the head only", required=False)
    try:
        path = model_files.find_back_shape(cfg.model.back_shape_path or None)
        if path is not None:
            from kiosk.pose.backshape import BackShape

            BackShape(path)  # (loads it: a file that checks out but will not run says so here)
    except UserError as exc:
        return Result("shape", FAIL, str(exc), fetch, required=False)
    if path is None:
        return Result("shape", FAIL, "back-shape model not fetched: rounded-back checks from the "
                      "back's shape are off (the head-drop check still runs)", fetch, required=False)
    return Result("shape", PASS, f"{path} (size and SHA-256 match): reads the back's shape",
                  required=False)


def check_camera(cfg: Config) -> Result:
    """Open the configured source exactly as the kiosk does and read one frame."""
    os.environ.setdefault("PYGAME_HIDE_SUPPORT_PROMPT", "1")  # kiosk.app imports pygame
    from kiosk.startup import open_source_factory
    from kiosk.errors import UserError

    src = cfg.camera.source
    what = {"picamera": "Pi camera", "webcam": f"webcam {cfg.camera.device}"}.get(src, src)
    if src not in ("picamera", "webcam") and not Path(src).is_file():
        return Result("camera", FAIL, f"video file {src} not found",
                      'fix [camera] source: "picamera", "webcam" or an existing video file')
    source = None
    try:
        opener, _realtime = open_source_factory(cfg, src)
        source = opener()
        source = getattr(source, "open")() or source
        frame = source.read()
        if frame is None:
            raise UserError("it opened but gave no frame")
    except UserError as exc:
        fix = ("as the message says; a running mirror service holds the camera, so stop it "
               "first (sudo systemctl stop hinge-mirror)" if src in ("picamera", "webcam")
               else "check the file, or choose another source")  # fmt: skip
        return Result("camera", FAIL, f"{what}: {exc}", fix)
    except Exception as exc:  # a driver or decoder failure not wrapped by the source
        return Result("camera", FAIL, f"{what}: {exc.__class__.__name__}: {exc}",
                      "check the cable or file; `hinge-mirror run --windowed` shows more")
    finally:
        if source is not None:
            source.close()
    h, w = frame.rgb.shape[:2]
    return Result("camera", PASS, f"{what}: {w}x{h} frames")


def check_gpio(cfg: Config) -> Result:
    from kiosk.pi.buttons import GpioButtons

    b = GpioButtons(cfg.buttons, lambda _a: None)
    import logging

    logging.getLogger("kiosk.pi.buttons").disabled = True  # doctor prints its own line
    try:
        ok = b.start()
    finally:
        b.close()
        logging.getLogger("kiosk.pi.buttons").disabled = False
    if not ok:
        return Result("gpio", FAIL, f"no GPIO ({b.reason}); the keyboard still works",
                      "on a Pi: sudo apt install python3-lgpio; user in the gpio group",
                      required=False)  # fmt: skip
    from gpiozero import Device

    pins = ", ".join(f"{n} BCM{p[0]}" for n, p in b.plan().items())
    return Result("gpio", PASS, f"{type(Device.pin_factory).__name__}: {pins} ({cfg.buttons.mode}-button)")


DISPLAY_PROBE = (  # prints "driver width height" (width and height absent when SDL knows none)
    "import pygame; pygame.display.init(); "
    "print(pygame.display.get_driver(), *(pygame.display.get_desktop_sizes() or [()])[0])"
)

# What the SDL inside pygame-ce's wheel dlopens for KMSDRM (the Pi's console display), by the
# soname it asks for, with the Debian package (Bookworm and Trixie alike) that ships it.
# systemd/install.sh apt-installs the same packages.
KMSDRM_LIBS = (("libdrm.so.2", "libdrm2"), ("libgbm.so.1", "libgbm1"),
               ("libEGL.so.1", "libegl1"), ("libGLESv2.so.2", "libgles2"))  # fmt: skip


def sdl_driver_wanted(environ=None) -> str:
    """The SDL video driver the kiosk will ask for: kmsdrm on a console (as the service sets),
    else whatever SDL_VIDEODRIVER says, or SDL's own choice on a desktop."""
    env = os.environ if environ is None else environ
    if not (env.get("DISPLAY") or env.get("WAYLAND_DISPLAY")):
        return env.get("SDL_VIDEODRIVER", "kmsdrm")
    return env.get("SDL_VIDEODRIVER", "default")


def library_loads(soname: str) -> bool:
    """Whether dlopen finds this library as SDL will (same name, same search path)."""
    try:
        ctypes.CDLL(soname)
    except OSError:
        return False
    return True


def check_display_libs(cfg: Config) -> Result:
    """The system libraries SDL loads only when it starts KMSDRM: missing, the mirror's
    screen fails at boot with an SDL error that does not say which package to install."""
    missing = [(so, pkg) for so, pkg in KMSDRM_LIBS if not library_loads(so)]
    kms = sdl_driver_wanted() == "kmsdrm"
    if not missing:
        return Result("kmsdrm", PASS, "libdrm, libgbm, libEGL and libGLESv2 load (SDL's console "
                                      "display)", required=kms)  # fmt: skip
    names = ", ".join(f"{so} ({pkg})" for so, pkg in missing)
    why = "the screen cannot start on the console" if kms else "needed only on the console (kmsdrm)"
    return Result("kmsdrm", FAIL, f"missing {names}: {why}",
                  "sudo apt install " + " ".join(pkg for _so, pkg in missing), required=kms)


def check_display(cfg: Config) -> Result:
    env = dict(os.environ)
    if not (env.get("DISPLAY") or env.get("WAYLAND_DISPLAY")):
        env.setdefault("SDL_VIDEODRIVER", "kmsdrm")
    want = env.get("SDL_VIDEODRIVER", "default")
    try:
        r = subprocess.run([sys.executable, "-c", DISPLAY_PROBE], capture_output=True, text=True,
                           env={**env, "PYGAME_HIDE_SUPPORT_PROMPT": "1"}, timeout=20)  # fmt: skip
    except subprocess.TimeoutExpired:
        return Result("display", FAIL, f"{want}: display start-up hung",
                      "is the hinge-mirror service holding the screen? sudo systemctl stop hinge-mirror")
    if r.returncode != 0:
        err = (r.stderr.strip().splitlines() or ["?"])[-1]
        fix = ("stop the service (it owns the screen), check /dev/dri/card* exists and the user "
               "is in the video and render groups" if want == "kmsdrm" else
               "set SDL_VIDEODRIVER=kmsdrm on a console, or run on a desktop")  # fmt: skip
        return Result("display", FAIL, f"{want}: {err}", fix)
    driver, *size = r.stdout.split()
    status = WARN if driver in ("dummy", "offscreen") else PASS
    return Result("display", status, f"SDL driver {driver}, screen {'x'.join(size) or '?'}, "
                                     f"{cfg.display.orientation}",
                  "no real screen: this only works for --headless" if status == WARN else "")


def check_audio(cfg: Config) -> Result:
    if cfg.audio.mute:
        return Result("audio", PASS, "muted in the config", required=False)
    pcms = glob.glob("/dev/snd/pcmC*D*p")
    notes = []
    if cfg.audio.speech and not shutil.which("espeak-ng"):
        notes.append("espeak-ng missing (no spoken cues)")
    if not pcms:
        return Result("audio", FAIL, "no sound output device; ticks and tones are silent",
                      "connect HDMI audio or a speaker; check `aplay -l`", required=False)
    if notes:
        return Result("audio", FAIL, f"{len(pcms)} output(s); " + "; ".join(notes),
                      "sudo apt install espeak-ng", required=False)
    return Result("audio", PASS, f"{len(pcms)} output device(s), volume {cfg.audio.volume}",
                  required=False)


def check_disk(cfg: Config) -> Result:
    from kiosk.history import state_dir

    d = state_dir(cfg.data.directory)
    probe = d
    while not probe.exists() and probe != probe.parent:
        probe = probe.parent
    free_mb = shutil.disk_usage(probe).free / 2**20
    writable = os.access(d if d.exists() else probe, os.W_OK)
    if not writable:
        return Result("disk", FAIL, f"{d} is not writable (history cannot be saved)",
                      "run as the service user, or set [data] directory")
    if free_mb < MIN_FREE_MB:
        return Result("disk", FAIL, f"only {free_mb:.0f} MB free at {probe}",
                      "free some space (journalctl --vacuum-size=50M, apt clean)")
    status = WARN if free_mb < LOW_FREE_MB else PASS
    return Result("disk", status, f"{free_mb:,.0f} MB free for {d}",
                  "free some space soon" if status == WARN else "", required=False)


def check_cec(cfg: Config) -> Result | None:
    if not cfg.presence.cec:
        return None
    if not shutil.which("cec-ctl"):
        return Result("cec", FAIL, "[presence] cec = true but cec-ctl is missing",
                      "sudo apt install v4l-utils", required=False)
    if not glob.glob("/dev/cec*"):
        return Result("cec", FAIL, "no /dev/cec* device", "connect the monitor by HDMI "
                      "(port 0 on a Pi 4/5) and enable CEC in its menu", required=False)
    return Result("cec", PASS, "cec-ctl and " + ", ".join(glob.glob("/dev/cec*")), required=False)


def run_checks(cfg: Config | None, config_error: Exception | None, skip: set[str] = frozenset()):
    """Yield results in order; after a config error the rest run on the defaults."""
    yield check_config(cfg, config_error)
    cfg = cfg or Config()
    steps = [("model", check_model), ("shape", check_back_shape), ("camera", check_camera),
             ("gpio", check_gpio), ("display", check_display_libs), ("display", check_display),
             ("audio", check_audio), ("disk", check_disk), ("cec", check_cec)]  # fmt: skip
    for name, fn in steps:
        if name in skip:
            continue
        res = fn(cfg)
        for r in res if isinstance(res, list) else [res]:
            if r is not None:
                yield r
