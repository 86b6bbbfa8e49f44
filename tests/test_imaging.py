"""The crop-and-resize behind both the letterbox and the smart crop."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st

from kiosk.pose.imaging import Box, CropResizer, crop_resize, letterbox_box


def _reference(img, box, s):
    """Plain per-pixel bilinear sampling, float64, zero outside the frame."""
    h, w, _ = img.shape
    out = np.zeros((s, s, 3))
    for i in range(s):
        y = box.y0 + (i + 0.5) / s * box.size - 0.5
        for j in range(s):
            x = box.x0 + (j + 0.5) / s * box.size - 0.5
            y0, x0 = int(np.floor(y)), int(np.floor(x))
            for yy, wy in ((y0, 1 - (y - y0)), (y0 + 1, y - y0)):
                for xx, wx in ((x0, 1 - (x - x0)), (x0 + 1, x - x0)):
                    if 0 <= yy < h and 0 <= xx < w:
                        out[i, j] += wy * wx * img[yy, xx]
    return out


@pytest.mark.parametrize("w,h", [(192, 120), (120, 192)])  # landscape, portrait
def test_letterbox_at_model_size_is_the_frame_plus_black_bars(w, h):
    img = np.random.default_rng(1).integers(0, 256, (h, w, 3), dtype=np.uint8)
    out = crop_resize(img, letterbox_box(w, h), 192)
    pad = (192 - min(w, h)) // 2
    inner = out[pad:pad + h] if w > h else out[:, pad:pad + w]
    assert np.array_equal(inner, img)
    bars = np.concatenate([out[:pad], out[pad + h:]]) if w > h else \
        np.concatenate([out[:, :pad], out[:, pad + w:]], axis=1)
    assert bars.size and not bars.any()


@pytest.mark.parametrize("w,h", [(1280, 720), (720, 1280), (640, 640), (399, 640)])
def test_letterbox_round_trip_is_exact(w, h):
    box = letterbox_box(w, h)
    assert box.size == max(w, h)
    pts = np.array([[0.0, 0.0], [w, h], [w / 2, h / 2], [17.25, h - 3.5]])
    model = box.to_model(pts)
    assert np.array_equal(box.to_source(model), pts)
    # The frame sits centred in the square, on whole pixels: its corners are equidistant
    # from the edges to within one source pixel (an odd difference cannot split in two).
    (x0, y0), (x1, y1) = model[0], model[1]
    assert abs(x0 - (1 - x1)) * box.size <= 1 + 1e-9 and abs(y0 - (1 - y1)) * box.size <= 1 + 1e-9
    assert min(x0, y0) == 0.0 and max(x1, y1) == 1.0
    assert box == box.snap()


@settings(max_examples=25, deadline=None)
@given(x0=st.floats(-40, 60), y0=st.floats(-40, 60), size=st.floats(4, 120),
       out=st.integers(2, 12))
@example(x0=1.0, y0=0.0, size=4.0, out=2)  # 2x2 from 4x4: every value a half, rounded
def test_matches_per_pixel_bilinear_reference(x0, y0, size, out):
    # Sampled over the box put on whole pixels; within rounding of exact float64 bilinear
    # (fixed-point weights may add one grey level on random pixels). The mean is bounded by
    # rounding alone: halving a 4x4 region makes every value a half, 0.5 off whichever way.
    img = np.random.default_rng(7).integers(0, 256, (37, 53, 3), dtype=np.uint8)
    box = Box(x0, y0, size)
    got = CropResizer(out)(img, box).astype(float)
    err = np.abs(got - _reference(img, box.snap(out), out))
    assert err.max() <= 1.0 + 1e-9 and err.mean() <= 0.5 + 1e-9


def test_snap_puts_a_box_on_whole_pixels():
    assert Box(-120.5, 3.4, 639.6).snap() == Box(-121.0, 3.0, 640.0)
    assert Box(10.2, 10.7, 0.3).snap() == Box(10.0, 10.0, 1.0)  # never empty
    # Never smaller than the model's input, grown about the same centre.
    assert Box(50.0, 60.0, 100.0).snap(192) == Box(4.0, 14.0, 192.0)


def test_box_entirely_outside_is_black():
    img = np.full((50, 50, 3), 200, np.uint8)
    assert not crop_resize(img, Box(100, 100, 30), 8).any()


def test_resizer_reuses_buffers_without_aliasing_results():
    r = CropResizer(16)
    a = np.full((40, 40, 3), 10, np.uint8)
    b = np.full((40, 40, 3), 250, np.uint8)
    first = r(a, letterbox_box(40, 40))
    second = r(b, letterbox_box(40, 40))
    assert (first == 10).all() and (second == 250).all()


@pytest.mark.parametrize("box", [Box(5, 8, 30), Box(-10, 20, 40), Box(100, 100, 30)],
                         ids=["inside", "past-the-edge", "outside"])  # fmt: skip
def test_resizing_into_a_given_array_writes_the_same_pixels_there(box):
    """The model's input buffer is filled in place: every pixel must land in `out`, the same
    as a fresh result, including the black outside the frame (over what was there)."""
    img = np.random.default_rng(3).integers(0, 256, (50, 60, 3), dtype=np.uint8)
    r = CropResizer(16)
    out = np.full((16, 16, 3), 77, np.uint8)
    assert r(img, box, out=out) is out
    assert np.array_equal(out, r(img, box))


def test_resizing_into_an_array_of_the_wrong_shape_is_refused():
    img = np.zeros((50, 60, 3), np.uint8)
    with pytest.raises(ValueError, match=r"\(16, 16, 3\) uint8"):
        CropResizer(16)(img, Box(5, 8, 30), out=np.zeros((1, 16, 16, 3), np.uint8))
    with pytest.raises(ValueError, match="uint8"):
        CropResizer(16)(img, Box(5, 8, 30), out=np.zeros((16, 16, 3), np.float32))
