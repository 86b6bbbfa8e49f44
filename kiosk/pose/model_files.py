"""Where the models live (MoveNet, and BlazePose for the back's shape), and proof that each
is the file we think it is.

Look-up order: an explicit path (`--model`), the config file's path, the directory in
$HINGE_MIRROR_MODEL_DIR, the repository's models/ folder, then the user cache
($XDG_CACHE_HOME/hinge-mirror/models). A file is verified before it is ever handed to the
interpreter: a known name must match the manifest's size and SHA-256, and every file must be
a TFLite flatbuffer (identifier "TFL3" at bytes 4..8), so a truncated download or an HTML
error page is refused by name instead of crashing the runtime.
"""

from __future__ import annotations

import hashlib
import os
import shutil
import struct
import tarfile
import tempfile
import tomllib
import urllib.request
from dataclasses import dataclass
from pathlib import Path

from kiosk.errors import ModelError
from kiosk.pose.tflite_file import OutOfBounds, weights_extent

ENV_DIR = "HINGE_MIRROR_MODEL_DIR"
REPO_MODELS = Path(__file__).resolve().parents[2] / "models"
MANIFEST = Path(__file__).resolve().parents[1] / "data" / "model-manifest.toml"
TFLITE_ID = b"TFL3"


@dataclass(frozen=True)
class Variant:
    name: str
    file: str
    input_size: int
    url: str
    size: int | None = None
    sha256: str | None = None
    role: str = "pose"  # "pose" (MoveNet, the keypoints) or "back shape" (kiosk.pose.backshape)


def load_manifest(path: Path = MANIFEST) -> tuple[dict[str, Variant], str]:
    """The variants by name, and the default (pose) variant's name."""
    data = _manifest(path)
    variants = {name: Variant(name=name, **v) for name, v in data["variants"].items()}
    return variants, data["default"]


def _manifest(path: Path = MANIFEST) -> dict:
    with open(path, "rb") as fh:
        return tomllib.load(fh)


def variant(name: str | None = None) -> Variant:
    """A variant by name (default: the default pose model); any role."""
    variants, default = load_manifest()
    name = name or default
    if name not in variants:
        raise ModelError(f"unknown model variant {name!r}; choose one of: {', '.join(variants)}")
    return variants[name]


def back_shape_variant() -> Variant:
    """The second model's variant (the manifest's `back_shape`)."""
    return variant(_manifest()["back_shape"])


def defaults() -> list[Variant]:
    """What `models fetch` gets when no variant is named: the pose model and the back shape's."""
    return [variant(), back_shape_variant()]


def user_cache_dir() -> Path:
    base = os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache"
    return Path(base) / "hinge-mirror" / "models"


def search_dirs() -> list[Path]:
    """Directories searched for a model by file name, in order."""
    dirs = []
    if os.environ.get(ENV_DIR):
        dirs.append(Path(os.environ[ENV_DIR]).expanduser())
    dirs += [REPO_MODELS, user_cache_dir()]
    return dirs


def fetch_hint(v: Variant) -> str:
    return f"hinge-mirror models fetch {v.name}"


def sha256_of(path: Path) -> str:
    h = hashlib.sha256()
    with open(path, "rb") as fh:
        for block in iter(lambda: fh.read(1 << 20), b""):
            h.update(block)
    return h.hexdigest()


def check(path: Path) -> Variant | None:
    """Raise ModelError unless `path` is a sound TFLite file (and, for a known file name, the
    exact file in the manifest). Returns the matching variant, if any."""
    path = Path(path)
    known = {v.file: v for v in load_manifest()[0].values()}.get(path.name)
    hint = fetch_hint(known) if known else "hinge-mirror models fetch"
    try:
        size = path.stat().st_size
        with open(path, "rb") as fh:
            head = fh.read(8)
    except OSError as exc:
        raise ModelError(f"cannot read model file {path}: {exc.strerror}") from exc
    if known and known.size is not None and size != known.size:
        raise ModelError(f"model file {path} is {size:,} bytes, expected {known.size:,} "
                         f"(truncated or wrong file); delete it and run: {hint}")
    if head[4:8] != TFLITE_ID:
        raise ModelError(f"{path} is not a TFLite model (no 'TFL3' flatbuffer identifier); "
                         f"delete it and run: {hint}")
    if known and known.sha256:
        if sha256_of(path) != known.sha256:
            raise ModelError(f"model file {path} fails its SHA-256 check (corrupt or not the "
                             f"official {known.name} model); delete it and run: {hint}")
        return known
    try:
        reach = weights_extent(path.read_bytes())
    except (OutOfBounds, struct.error):
        reach = size + 1
    if reach > size:
        raise ModelError(f"model file {path} is truncated or damaged (its weights run past "
                         f"the end of the file); replace it or run: {hint}")
    return known


def find_model(path: str | os.PathLike | None = None, config_path: str | os.PathLike | None = None,
               variant_name: str | None = None) -> Path:
    """The verified model file to load. An explicit path (then the config's) wins outright; a
    missing or bad explicit file is an error, never a silent fallback."""
    for explicit in (path, config_path):
        if explicit:
            p = Path(explicit).expanduser()
            if p.is_dir():
                raise ModelError(f"model file {p} is a directory: give the .tflite file in it "
                                 f"(e.g. {p / variant(variant_name).file}), or set "
                                 f"{ENV_DIR}={p} to look there")
            if not p.is_file():
                raise ModelError(f"model file {p} does not exist; fetch the default with: "
                                 f"hinge-mirror models fetch (or fix the path)")
            check(p)
            return p
    v = variant(variant_name)
    if v.role != "pose":
        raise ModelError(f"{v.name} is the {v.role} model, not a pose model: choose a MoveNet "
                         f"variant ({', '.join(n for n, x in load_manifest()[0].items() if x.role == 'pose')})")
    found = _look_up(v)
    if found is None:
        raise ModelError(f"MoveNet model {v.file} not found (looked in "
                         f"{', '.join(map(str, search_dirs()))}). Fetch it with: {fetch_hint(v)}")
    return found


def find_back_shape(config_path: str | os.PathLike | None = None) -> Path | None:
    """The verified back-shape model (BlazePose), or None when it was never fetched: the
    mirror runs without it. A path given in the config must exist; a bad file is an error."""
    if config_path:
        p = Path(config_path).expanduser()
        if not p.is_file():
            raise ModelError(f"back-shape model {p} does not exist; fetch it with: "
                             f"{fetch_hint(back_shape_variant())} (or fix [model] back_shape_path)")
        check(p)
        return p
    return _look_up(back_shape_variant())


def _look_up(v: Variant) -> Path | None:
    """The first file named for `v` in the search directories, checked; None if none is."""
    for d in search_dirs():
        p = d / v.file
        if p.is_file():
            check(p)
            return p
    return None


def fetch(variant_name: str | None = None, dest_dir: Path | None = None, url: str | None = None,
          progress=None) -> Path:
    """Download a variant into `dest_dir` (the user cache by default) and move it into place
    only once its size, SHA-256 and TFLite identifier check out. TF Hub now redirects to
    Kaggle, which may serve a .tar.gz holding the .tflite: that is unpacked first."""
    v = variant(variant_name)
    dest_dir = Path(dest_dir or user_cache_dir())
    dest_dir.mkdir(parents=True, exist_ok=True)
    dest = dest_dir / v.file
    source = url or v.url
    fd, tmp = tempfile.mkstemp(prefix=f".{v.file}.", suffix=".part", dir=dest_dir)
    unpacked = tmp + ".tflite"
    try:
        with os.fdopen(fd, "wb") as out:
            req = urllib.request.Request(source, headers={"User-Agent": "hinge-mirror"})
            with urllib.request.urlopen(req, timeout=60) as resp:
                n = 0
                while block := resp.read(1 << 16):
                    out.write(block)
                    n += len(block)
                    if progress:
                        progress(n, v.size)
        payload = _unpack(tmp, unpacked, v)
        size = os.path.getsize(payload)
        if v.size is not None and size != v.size:
            raise ModelError(f"download of {v.name} from {source} gave {size:,} bytes, not "
                             f"the expected {v.size:,}: not installed (download it by hand and "
                             "pass --model, or give --url)")
        if v.sha256 and sha256_of(Path(payload)) != v.sha256:
            raise ModelError(f"download of {v.name} from {source} fails its SHA-256 check: "
                             "not installed")
        with open(payload, "rb") as fh:
            if fh.read(8)[4:8] != TFLITE_ID:
                raise ModelError(f"download of {v.name} is not a TFLite model; not installed")
        with open(payload, "rb") as fh:
            os.fsync(fh.fileno())
        os.replace(payload, dest)
    except (OSError, tarfile.TarError) as exc:
        raise ModelError(f"could not download {v.name} from {source}: {exc}") from exc
    finally:
        for leftover in (tmp, unpacked):
            if os.path.exists(leftover):
                os.unlink(leftover)
    return dest


def _unpack(path: str, out: str, v: Variant) -> str:
    """The downloaded file itself, or the .tflite inside it if it is a gzipped tar."""
    with open(path, "rb") as fh:
        if fh.read(2) != b"\x1f\x8b":
            return path
    with tarfile.open(path, "r:gz") as tar:
        members = [m for m in tar.getmembers() if m.isfile() and m.name.endswith(".tflite")]
        if len(members) != 1:
            raise ModelError(f"the archive downloaded for {v.name} holds "
                             f"{len(members)} .tflite files, expected one; not installed")
        with tar.extractfile(members[0]) as src, open(out, "wb") as dst:
            shutil.copyfileobj(src, dst)
    return out


def status() -> list[tuple[Variant, Path | None, str]]:
    """For `models list/verify`: each variant, where it was found, and 'ok' or the problem."""
    out = []
    for v in load_manifest()[0].values():
        found = next((d / v.file for d in search_dirs() if (d / v.file).is_file()), None)
        if found is None:
            out.append((v, None, "not fetched"))
            continue
        try:
            check(found)
            out.append((v, found, "ok" if v.sha256 else "ok (TFLite file; no published checksum)"))
        except ModelError as exc:
            out.append((v, found, str(exc)))
    return out
