"""Pick a TFLite interpreter at run time: ai_edge_litert, then tflite_runtime, then TensorFlow.

ai-edge-litert is the current home of the interpreter and has wheels for x86-64 and aarch64.
tflite-runtime is the older standalone wheel (still the easy choice on Bookworm with numpy<2);
full TensorFlow is the last resort. The first one that imports is used, and its name is
reported so a measurement or a bug report can say what actually ran.
"""

from __future__ import annotations

import importlib
import logging
from dataclasses import dataclass
from typing import Any, Callable

from kiosk.errors import ModelError, native_chatter_logged

log = logging.getLogger(__name__)

# (name reported, module to import, attribute path to the Interpreter class)
RUNTIMES = (
    ("ai_edge_litert", "ai_edge_litert.interpreter", "Interpreter"),
    ("tflite_runtime", "tflite_runtime.interpreter", "Interpreter"),
    ("tensorflow", "tensorflow", "lite.Interpreter"),
)
INSTALL_HINT = "pip install ai-edge-litert (or tflite-runtime on Python 3.11 with numpy<2)"


@dataclass(frozen=True)
class Runtime:
    name: str
    interpreter_class: Callable[..., Any]

    def interpreter(self, model_path: str, threads: int = 1):
        """An allocated interpreter for `model_path` using `threads` CPU threads."""
        if threads < 1:
            raise ModelError(f"threads must be 1 or more, not {threads}")
        try:
            interp = self.interpreter_class(model_path=str(model_path), num_threads=threads)
            with native_chatter_logged(log):  # its "Created ... XNNPACK delegate" line
                interp.allocate_tensors()
        except (ValueError, RuntimeError) as exc:
            raise ModelError(
                f"{self.name} could not load {model_path}: {exc}. "
                "Re-fetch it with: hinge-mirror models fetch"
            ) from exc
        return interp


def _load(module: str, attr: str):
    obj = importlib.import_module(module)
    for part in attr.split("."):
        obj = getattr(obj, part)
    return obj


def available() -> list[str]:
    """Names of the runtimes that import on this machine, in preference order."""
    found = []
    for name, module, attr in RUNTIMES:
        try:
            _load(module, attr)
        except (ImportError, AttributeError):
            continue
        found.append(name)
    return found


def load_runtime(prefer: str | None = None) -> Runtime:
    """The first runtime that imports (or exactly `prefer`, if given)."""
    tried = []
    for name, module, attr in RUNTIMES:
        if prefer and name != prefer:
            continue
        try:
            cls = _load(module, attr)
        except (ImportError, AttributeError) as exc:
            tried.append(f"{name} ({exc.__class__.__name__}: {exc})")
            continue
        log.debug("TFLite runtime: %s", name)
        return Runtime(name, cls)
    if prefer:
        raise ModelError(f"TFLite runtime {prefer!r} is not installed here; installed: "
                         f"{', '.join(available()) or 'none'}")
    raise ModelError(f"no TFLite runtime could be imported ({'; '.join(tried)}). "
                     f"Install one: {INSTALL_HINT}")
