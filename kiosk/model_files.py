"""Where the MoveNet model lives, and proof that it is the file we think it is.

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
import struct
import tempfile
import tomllib
import urllib.request
from dataclasses import dataclass
from pathlib import Path

from kiosk.errors import ModelError

ENV_DIR = "HINGE_MIRROR_MODEL_DIR"
REPO_MODELS = Path(__file__).resolve().parents[1] / "models"
MANIFEST = Path(__file__).resolve().parent / "data" / "model-manifest.toml"
TFLITE_ID = b"TFL3"


@dataclass(frozen=True)
class Variant:
    name: str
    file: str
    input_size: int
    url: str
    size: int | None = None
    sha256: str | None = None


def load_manifest(path: Path = MANIFEST) -> tuple[dict[str, Variant], str]:
    """The variants by name, and the default variant's name."""
    with open(path, "rb") as fh:
        data = tomllib.load(fh)
    variants = {name: Variant(name=name, **v) for name, v in data["variants"].items()}
    return variants, data["default"]


def variant(name: str | None = None) -> Variant:
    variants, default = load_manifest()
    name = name or default
    if name not in variants:
        raise ModelError(f"unknown model variant {name!r}; choose one of: {', '.join(variants)}")
    return variants[name]


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


class _OutOfBounds(Exception):
    pass


def _tflite_extent(data: bytes) -> int:
    """How far into the file the model's weight buffers reach, found by walking the
    flatbuffer (Model.buffers[i].data, or offset + size for large models). A truncated file
    reaches past its end. Some runtimes crash outright on such a file, so it is checked
    here, in Python, before any interpreter sees it."""
    n = len(data)

    def u32(at):
        if at < 0 or at + 4 > n:
            raise _OutOfBounds(at)
        return struct.unpack_from("<I", data, at)[0]

    def field(table, index):
        """File position of a table's field, or None if absent."""
        vtable = table - struct.unpack_from("<i", data, table)[0] if table + 4 <= n else -1
        if vtable < 0 or vtable + 4 > n:
            raise _OutOfBounds(vtable)
        vt_size = struct.unpack_from("<H", data, vtable)[0]
        slot = 4 + 2 * index
        if slot + 2 > vt_size or vtable + slot + 2 > n:
            return None
        rel = struct.unpack_from("<H", data, vtable + slot)[0]
        return table + rel if rel else None

    def deref(at):
        return at + u32(at)

    model = u32(0)
    buffers_at = field(model, 4)  # Model.buffers
    if buffers_at is None:
        return 8
    vec = deref(buffers_at)
    reach = vec + 4
    for i in range(u32(vec)):
        elem = vec + 4 + 4 * i
        buf = deref(elem)
        data_at = field(buf, 0)  # Buffer.data: [ubyte]
        if data_at is not None:
            v = deref(data_at)
            reach = max(reach, v + 4 + u32(v))
        off_at, size_at = field(buf, 1), field(buf, 2)  # Buffer.offset/size (uint64)
        if off_at is not None and size_at is not None and off_at + 8 <= n and size_at + 8 <= n:
            off, size = struct.unpack_from("<QQ", data, off_at)[0], \
                struct.unpack_from("<Q", data, size_at)[0]
            if off > 1:
                reach = max(reach, off + size)
    return reach


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
        reach = _tflite_extent(path.read_bytes())
    except (_OutOfBounds, struct.error):
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
            if not p.is_file():
                raise ModelError(f"model file {p} does not exist; fetch the default with: "
                                 f"hinge-mirror models fetch (or fix the path)")
            check(p)
            return p
    v = variant(variant_name)
    looked = []
    for d in search_dirs():
        p = d / v.file
        looked.append(str(d))
        if p.is_file():
            check(p)
            return p
    raise ModelError(f"MoveNet model {v.file} not found (looked in {', '.join(looked)}). "
                     f"Fetch it with: {fetch_hint(v)}")


def fetch(variant_name: str | None = None, dest_dir: Path | None = None, url: str | None = None,
          progress=None) -> Path:
    """Download a variant into `dest_dir` (the user cache by default), checking size and
    SHA-256 while it streams, and move it into place only once it checks out."""
    v = variant(variant_name)
    dest_dir = Path(dest_dir or user_cache_dir())
    dest_dir.mkdir(parents=True, exist_ok=True)
    dest = dest_dir / v.file
    h = hashlib.sha256()
    n = 0
    fd, tmp = tempfile.mkstemp(prefix=f".{v.file}.", suffix=".part", dir=dest_dir)
    try:
        with os.fdopen(fd, "wb") as out:
            req = urllib.request.Request(url or v.url, headers={"User-Agent": "hinge-mirror"})
            with urllib.request.urlopen(req, timeout=60) as resp:
                while block := resp.read(1 << 16):
                    out.write(block)
                    h.update(block)
                    n += len(block)
                    if progress:
                        progress(n, v.size)
            out.flush()
            os.fsync(out.fileno())
        if v.size is not None and n != v.size:
            raise ModelError(f"download of {v.name} gave {n:,} bytes, expected {v.size:,}; "
                             "try again later")
        if v.sha256 and h.hexdigest() != v.sha256:
            raise ModelError(f"download of {v.name} fails its SHA-256 check "
                             f"(got {h.hexdigest()}); not installed")
        with open(tmp, "rb") as fh:
            if fh.read(8)[4:8] != TFLITE_ID:
                raise ModelError(f"download of {v.name} is not a TFLite model; not installed")
        os.replace(tmp, dest)
    except OSError as exc:
        raise ModelError(f"could not download {v.name} from {url or v.url}: {exc}") from exc
    finally:
        if os.path.exists(tmp):
            os.unlink(tmp)
    return dest


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
