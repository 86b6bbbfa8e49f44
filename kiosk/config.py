"""The kiosk's settings: one TOML file read once at start-up into frozen dataclasses.

Looked up at `--config PATH`, else `$HINGE_MIRROR_CONFIG`, else /etc/hinge-mirror/config.toml;
with none of them present the defaults apply. Every key is checked before anything starts:
an unknown key, a wrong type or an out-of-range value is a ConfigError (exit 2) naming the
key, the value given and what was expected, so a typo never silently falls back to a default.

The fields below are the schema: their defaults, types and `_spec` metadata drive parsing,
validation, and the test that config.example.toml documents every one of them.
"""

from __future__ import annotations

import math
import os
import re
import tomllib
from dataclasses import MISSING, dataclass, field, fields, replace
from pathlib import Path
from types import MappingProxyType
from typing import Any, Mapping

from kiosk.errors import ConfigError

SYSTEM_PATH = Path("/etc/hinge-mirror/config.toml")
EXERCISE_IDS = ("hinge", "hello", "deadlift", "skier-swing")
MODEL_VARIANTS = ("lightning_int8", "thunder_int8", "thunder_float16")


def _spec(default, *, lo=None, hi=None, choices=None, pattern=None, what=None):
    """A field with its valid range or choices; `what` overrides the generated description."""
    meta = {"lo": lo, "hi": hi, "choices": choices, "pattern": pattern, "what": what}
    return field(default=default, metadata=meta)


@dataclass(frozen=True)
class Buttons:
    mode: str = _spec("three", choices=("three", "one"))
    next_pin: int = _spec(17, lo=0, hi=27)  # BCM numbers; button between pin and ground
    select_pin: int = _spec(27, lo=0, hi=27)
    back_pin: int = _spec(22, lo=0, hi=27)
    debounce_ms: int = _spec(30, lo=5, hi=100)
    long_press_s: float = _spec(1.0, lo=0.3, hi=5.0)
    very_long_press_s: float = _spec(3.0, lo=1.0, hi=10.0)


@dataclass(frozen=True)
class Camera:
    source: str = _spec(
        "picamera",
        what='"picamera", "webcam", or the path of a video file',
        pattern=r".+",
    )
    device: str = _spec("/dev/video0", pattern=r"/dev/.+", what="a /dev/video* device path")
    width: int = _spec(640, lo=96, hi=4608)
    height: int = _spec(480, lo=96, hi=3496)
    fps: int = _spec(30, lo=1, hi=120)
    hflip: bool = _spec(False)
    vflip: bool = _spec(False)
    rotation: int = _spec(0, choices=(0, 90, 180, 270))
    sensor_mode: str = _spec(
        "auto", pattern=r"auto|\d{3,4}x\d{3,4}", what='"auto" or a sensor size like "2304x1296"'
    )
    # Where the camera sits (metres): one mounted high looks down, and a front view then
    # over-reads the back angle; the judge corrects it from these (camera_elevation_deg).
    height_m: float = _spec(1.1, lo=0.3, hi=2.5)  # lens above the floor; 1.1 = chest height
    distance_m: float = _spec(2.5, lo=1.0, hi=6.0)  # from the person to the camera


CHEST_HEIGHT_M = 1.1  # a camera here looks straight at the trunk: no correction


def camera_elevation_deg(cam: Camera) -> float:
    """How far the camera looks down at the person's trunk, for Judge(camera_elevation_deg=).
    Negative for a camera below chest height (it looks up)."""
    return math.degrees(math.atan2(cam.height_m - CHEST_HEIGHT_M, cam.distance_m))


@dataclass(frozen=True)
class Model:
    variant: str = _spec("lightning_int8", choices=MODEL_VARIANTS)
    path: str = _spec("", what="a .tflite file path, or empty for the normal look-up")
    threads: int = _spec(1, lo=1, hi=8)
    # The second model, BlazePose, reading the back's outline for a rounded back (side views).
    back_shape: bool = _spec(True)
    back_shape_path: str = _spec("", what="a .tflite file path, or empty for the normal look-up")
    back_shape_hz: float = _spec(5.0, lo=1.0, hi=15.0)


@dataclass(frozen=True)
class Display:
    orientation: str = _spec("landscape", choices=("landscape", "portrait"))
    # Degrees the monitor was turned clockwise (seen from the front); 0 = automatic (added by
    # the mirror helper: KMSDRM cannot rotate, kiosk.screen.display turns in software).
    rotate: int = _spec(0, choices=(0, 90, 180, 270))
    fullscreen: bool = _spec(True)
    ghost: bool = _spec(False)
    # For a bright room: lifts the dim parts (grey text, the target band, the gauge's scale)
    # toward full brightness; 1.0 = as designed (kiosk.screen.theme.lift).
    brightness: float = _spec(1.0, lo=1.0, hi=2.0)


@dataclass(frozen=True)
class Audio:
    volume: float = _spec(0.7, lo=0.0, hi=1.0)
    mute: bool = _spec(False)
    speech: bool = _spec(True)


@dataclass(frozen=True)
class Presence:
    timeout_s: float = _spec(90.0, lo=5.0, hi=3600.0)
    low_power_fps: float = _spec(2.0, lo=0.5, hi=30.0)
    cec: bool = _spec(False)


@dataclass(frozen=True)
class Data:
    directory: str = _spec("", what="a directory path, or empty for the state directory")


@dataclass(frozen=True)
class Config:
    buttons: Buttons = field(default_factory=Buttons)
    camera: Camera = field(default_factory=Camera)
    model: Model = field(default_factory=Model)
    display: Display = field(default_factory=Display)
    audio: Audio = field(default_factory=Audio)
    presence: Presence = field(default_factory=Presence)
    data: Data = field(default_factory=Data)
    # exercise id -> {threshold name: value}, checked against kiosk.judge.rules.
    exercises: Mapping[str, Mapping[str, Any]] = field(
        default_factory=lambda: MappingProxyType({})
    )
    source_path: str = ""  # the file these settings came from, "" for defaults

    def rules_overrides(self, exercise: str) -> dict | None:
        """The threshold overrides for one exercise, for Judge(exercise, rules=...)."""
        o = self.exercises.get(exercise)
        return dict(o) if o else None


SECTIONS = {f.name: f.default_factory for f in fields(Config) if f.name not in ("exercises", "source_path")}


def _describe(f) -> str:
    m = f.metadata
    if m.get("what"):
        return m["what"]
    if m.get("choices"):
        return "one of " + ", ".join(
            f'"{c}"' if isinstance(c, str) else str(c) for c in m["choices"]
        )
    kind = {int: "a whole number", float: "a number", bool: "true or false", str: "text"}[
        _type(f)
    ]
    if m.get("lo") is not None:
        return f"{kind} from {m['lo']} to {m['hi']}"
    return kind


def _type(f) -> type:
    return {"int": int, "float": float, "bool": bool, "str": str}[str(f.type)]


def _coerce(section: str, f, value, origin: str):
    """Check one value against its field; returns it converted (int -> float for floats)."""
    key = f"[{section}] {f.name}"
    bad = ConfigError(
        f"{origin}: {key} = {_show(value)} is not allowed: expected {_describe(f)}"
    )
    t = _type(f)
    if t is bool:
        if not isinstance(value, bool):
            raise bad
    elif t is int:
        if isinstance(value, bool) or not isinstance(value, int):
            raise bad
    elif t is float:
        if isinstance(value, bool) or not isinstance(value, (int, float)):
            raise bad
        value = float(value)
    elif t is str and not isinstance(value, str):
        raise bad
    m = f.metadata
    if m.get("choices") is not None and value not in m["choices"]:
        raise bad
    if m.get("lo") is not None and not (m["lo"] <= value <= m["hi"]):
        raise bad
    if m.get("pattern") and not re.fullmatch(m["pattern"], value):
        raise bad
    return value


def _show(value) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, str):
        return f'"{value}"'
    if isinstance(value, dict):
        return "{...}"
    return repr(value)


def _section(name: str, table, origin: str):
    cls = SECTIONS[name]
    if not isinstance(table, dict):
        raise ConfigError(f"{origin}: [{name}] must be a table of settings, not {_show(table)}")
    by_name = {f.name: f for f in fields(cls)}
    values = {}
    for key, value in table.items():
        if key not in by_name:
            raise ConfigError(
                f"{origin}: unknown setting [{name}] {key} = {_show(value)}: "
                f"expected one of {', '.join(by_name)}"
            )
        values[key] = _coerce(name, by_name[key], value, origin)
    return cls(**values)


def _exercises(table, origin: str) -> Mapping[str, Mapping[str, Any]]:
    if not isinstance(table, dict):
        raise ConfigError(f"{origin}: [exercises] must hold tables like [exercises.hinge]")
    out = {}
    for ex, overrides in table.items():
        if ex not in _exercise_ids():
            raise ConfigError(
                f"{origin}: unknown exercise [exercises.{ex}]: expected one of "
                + ", ".join(_exercise_ids())
            )
        if not isinstance(overrides, dict):
            raise ConfigError(f"{origin}: [exercises.{ex}] must be a table of thresholds")
        _check_rules(ex, overrides, origin)
        out[ex] = MappingProxyType(dict(overrides))
    return MappingProxyType(out)


def _exercise_ids() -> tuple[str, ...]:
    try:
        from kiosk.judge.rules import EXERCISES
    except ImportError:
        return EXERCISE_IDS
    return tuple(EXERCISES)


def _check_rules(exercise: str, overrides: dict, origin: str) -> None:
    """The judge owns the threshold names, types and ranges (kiosk.judge.rules); ask it, and
    name the file and section on failure."""
    try:
        from kiosk.judge.rules import rules_for
    except ImportError:  # a build without the judge: nothing would read these anyway
        return
    try:
        rules_for(exercise, dict(overrides))
    except ConfigError as exc:
        raise ConfigError(f"{origin}: [exercises.{exercise}] {exc}") from None


def _cross_checks(cfg: Config, origin: str) -> None:
    b = cfg.buttons
    pins = {"next_pin": b.next_pin, "select_pin": b.select_pin, "back_pin": b.back_pin}
    if b.mode == "three" and len(set(pins.values())) < 3:
        raise ConfigError(
            f"{origin}: [buttons] pins {pins} must be three different BCM pins in three-button mode"
        )
    if b.very_long_press_s <= b.long_press_s:
        raise ConfigError(
            f"{origin}: [buttons] very_long_press_s = {b.very_long_press_s} must be longer than "
            f"long_press_s = {b.long_press_s}"
        )


def parse(text: str, origin: str = "config") -> Config:
    """Settings from TOML text; `origin` names the file in error messages."""
    try:
        doc = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"{origin}: not valid TOML ({exc}); compare with config.example.toml")
    values: dict[str, Any] = {}
    for name, table in doc.items():
        if name == "exercises":
            values[name] = _exercises(table, origin)
        elif name in SECTIONS:
            values[name] = _section(name, table, origin)
        else:
            raise ConfigError(
                f"{origin}: unknown section [{name}]: expected one of "
                + ", ".join([*SECTIONS, "exercises"])
            )
    cfg = Config(**values, source_path=origin if origin != "config" else "")
    _cross_checks(cfg, origin)
    return cfg


def default_path() -> Path | None:
    env = os.environ.get("HINGE_MIRROR_CONFIG")
    if env:
        return Path(env)
    return SYSTEM_PATH if SYSTEM_PATH.exists() else None


def load(path: str | os.PathLike | None = None) -> Config:
    """The settings in force: from `path`, else the default location, else the defaults.

    A path that was asked for (argument or $HINGE_MIRROR_CONFIG) must exist.
    """
    p = Path(path) if path else default_path()
    if p is None:
        return Config()
    try:
        text = p.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise ConfigError(
            f"config file {p} not found: copy config.example.toml there or drop --config"
        ) from None
    except (OSError, UnicodeDecodeError) as exc:
        raise ConfigError(f"config file {p} cannot be read ({exc}); check its permissions")
    return parse(text, origin=str(p))


def with_overrides(cfg: Config, section: str, **values) -> Config:
    """A copy with some settings changed (for command-line options that win over the file)."""
    return replace(cfg, **{section: replace(getattr(cfg, section), **values)})


def defaults_of(cls) -> dict:
    return {f.name: f.default for f in fields(cls) if f.default is not MISSING}
