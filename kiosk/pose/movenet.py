"""The bare MoveNet single-pose detector: one square crop in, 17 keypoints out.

Input shape and type come from the interpreter's own details, so Lightning (192) and Thunder
(256), int8 or float16, all work. Output rows are (y, x, score) normalised to the crop; they are
returned as (x, y, score) in source-frame pixels.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np

from kiosk.errors import ModelError
from kiosk.pose.imaging import Box, CropResizer, letterbox_box
from kiosk.pose.runtime import Runtime, load_runtime


class MoveNet:
    def __init__(self, model_path: str | Path, threads: int = 1, runtime: Runtime | None = None):
        self.runtime = runtime or load_runtime()
        self.model_path = Path(model_path)
        self.interpreter = self.runtime.interpreter(str(model_path), threads)
        inp = self.interpreter.get_input_details()[0]
        out = self.interpreter.get_output_details()[0]
        shape = tuple(inp["shape"])
        if len(shape) != 4 or shape[1] != shape[2] or shape[3] != 3:
            raise ModelError(f"{model_path} takes input {shape}, not a square RGB image: "
                             "is it a MoveNet single-pose model?")
        if tuple(out["shape"]) != (1, 1, 17, 3):
            raise ModelError(f"{model_path} outputs {tuple(out['shape'])}, not (1, 1, 17, 3): "
                             "only MoveNet single-pose models are supported")
        self.input_size = int(shape[1])
        self._in_index, self._out_index = inp["index"], out["index"]
        self._in_dtype = inp["dtype"]
        self._resize = CropResizer(self.input_size)
        # An int8 model takes uint8 RGB as it is: the crop is written straight into the
        # model's input buffer (no tensor to allocate and copy each frame: 25-45 us here, run
        # cold just after the last invoke). The buffer's views must be gone before invoke(),
        # so only this accessor is kept.
        in_place = self._in_dtype == np.uint8
        self._input = self.interpreter.tensor(self._in_index) if in_place else None
        # Told when invoke() starts and ends, when a feed hands one in: the interpreter lock is
        # free meanwhile, and the render thread times its own Python to it (kiosk/worker.py).
        self.lull = None

    @property
    def runtime_name(self) -> str:
        return self.runtime.name

    def prepare(self, frame_rgb: np.ndarray, box: Box | None = None) -> np.ndarray:
        """The model's input tensor for `box` of `frame_rgb` (default: the letterboxed frame)."""
        h, w = frame_rgb.shape[:2]
        crop = self._resize(frame_rgb, box or letterbox_box(w, h))
        # MoveNet takes raw 0..255 RGB in every variant; float models just want it as floats.
        return crop[None].astype(self._in_dtype, copy=False)

    def invoke(self, tensor: np.ndarray) -> np.ndarray:
        """Run the model on a prepared tensor; (17, 3) rows of (y, x, score) in 0..1."""
        self.interpreter.set_tensor(self._in_index, tensor)
        return self.run()

    def run(self) -> np.ndarray:
        """Run the model on the input it holds; (17, 3) rows of (y, x, score) in 0..1."""
        lull = self.lull
        if lull is None:
            self.interpreter.invoke()
        else:
            lull.enter(lull.MODEL)
            try:
                self.interpreter.invoke()
            finally:
                lull.enter(lull.PYTHON)
        return self.interpreter.get_tensor(self._out_index)[0, 0]

    def detect(self, frame_rgb: np.ndarray, box: Box | None = None) -> np.ndarray:
        """(17, 3) keypoints as x, y in source pixels and score."""
        return np.array(self.detect_rows(frame_rgb, box))

    def detect_rows(self, frame_rgb: np.ndarray, box: Box | None = None) -> list:
        """The same as 17 [x, y, score] lists (keypoints.rows): what the estimator's per-frame
        code takes, without an array made only to be taken apart again (~12 us, cold)."""
        h, w = frame_rgb.shape[:2]
        box = (box or letterbox_box(w, h)).snap(self.input_size)  # what is actually sampled
        if self._input is None:
            return decode(self.invoke(self.prepare(frame_rgb, box)), box)
        self._resize(frame_rgb, box, out=self._input()[0])
        return decode(self.run(), box)


def decode(raw: np.ndarray, box: Box) -> list:
    """MoveNet's (y, x, score) rows normalised to `box` -> [x, y, score] lists in source
    pixels (keypoints.rows)."""
    # Box.to_source in plain floats (the same float64 arithmetic): this runs on every frame
    # right after the model, cold, when one tolist() costs less than the few array calls
    # did (~45 against ~65 us, busy host; README: "Why the ratio is on the line").
    s, x0, y0 = box.size, box.x0, box.y0
    return [[x * s + x0, y * s + y0, score] for y, x, score in raw.tolist()]
