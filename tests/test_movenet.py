"""The TensorFlow Lite Raspberry Pi example's own accuracy check, on every installed runtime:
each of the 17 keypoints within 21 px (inf-norm) of pose_landmark_truth.csv."""

from __future__ import annotations

import csv

import numpy as np
import pytest

from kiosk.pose import runtime
from kiosk.commands.pose import load_rgb
from kiosk.errors import ModelError
from kiosk.pose.keypoints import NAMES
from kiosk.pose.movenet import MoveNet, decode
from kiosk.pose.imaging import Box

TOLERANCE_PX = 21
RUNTIMES = runtime.available()


def _truth(testdata_dir):
    with open(testdata_dir / "pose_landmark_truth.csv") as fh:
        rows = list(csv.DictReader(fh))
    return [np.array([[float(r[f"{n}_x"]), float(r[f"{n}_y"])] for n in NAMES]) for r in rows]


def test_some_runtime_is_installed():
    assert RUNTIMES, "no TFLite runtime importable"


@pytest.mark.model
@pytest.mark.parametrize("runtime_name", RUNTIMES)
def test_keypoints_match_the_pi_example_truth(runtime_name, model_path, testdata_dir):
    net = MoveNet(model_path, 1, runtime.load_runtime(runtime_name))
    assert net.runtime_name == runtime_name
    assert net.input_size == 192
    for image, truth in zip(("image1.png", "image2.jpeg"), _truth(testdata_dir), strict=True):
        rgb = load_rgb(testdata_dir / image)
        kps = net.detect(rgb)
        err = np.abs(kps[:, :2] - truth).max(axis=1)
        worst = int(err.argmax())
        assert err.max() <= TOLERANCE_PX, f"{image}: {NAMES[worst]} off by {err.max():.1f} px"
        assert (kps[:, 2] > 0.2).all() and kps[:, 2].mean() > 0.5


@pytest.mark.model
def test_same_person_found_through_a_crop(model_path, testdata_dir):
    # The smart-crop path: a tight square around the person must map back to the same
    # source pixels as the whole letterboxed frame did.
    net = MoveNet(model_path)
    rgb = load_rgb(testdata_dir / "image2.jpeg")
    full = net.detect(rgb)
    lo, hi = full[:, :2].min(axis=0), full[:, :2].max(axis=0)
    c, half = (lo + hi) / 2, (hi - lo).max() * 0.6
    cropped = net.detect(rgb, Box(c[0] - half, c[1] - half, 2 * half))
    assert np.abs(cropped[:, :2] - full[:, :2]).max() < 21


def test_decode_maps_yx_rows_into_the_box():
    raw = np.array([[0.25, 0.5, 0.9], [1.0, 0.0, 0.1]])
    kps = decode(raw, Box(10.0, -20.0, 200.0))
    assert kps == [[110.0, 30.0, 0.9], [10.0, 180.0, 0.1]]


@pytest.mark.model
def test_a_model_of_the_wrong_shape_is_refused(tmp_path, model_path, monkeypatch):
    class FakeInterp:
        def __init__(self, **kw):
            pass

        def allocate_tensors(self):
            pass

        def get_input_details(self):
            return [{"shape": np.array([1, 224, 224, 3]), "index": 0, "dtype": np.uint8}]

        def get_output_details(self):
            return [{"shape": np.array([1, 1001]), "index": 1}]

    with pytest.raises(ModelError, match="single-pose"):
        MoveNet(model_path, runtime=runtime.Runtime("fake", FakeInterp))


def test_runtime_choice_reports_and_explains(monkeypatch):
    assert runtime.load_runtime().name == RUNTIMES[0]
    with pytest.raises(ModelError, match="not installed here"):
        runtime.load_runtime("tensorflow_gpu_magic")
    monkeypatch.setattr(runtime, "RUNTIMES", (("nope", "no_such_module_xyz", "Interpreter"),))
    with pytest.raises(ModelError, match="pip install ai-edge-litert"):
        runtime.load_runtime()


@pytest.mark.model
def test_the_model_run_is_marked_as_a_lull(model_path):
    """Another thread may run Python while the interpreter runs, and only then."""
    from kiosk.worker import Lull

    net = MoveNet(model_path)
    net.lull, states = Lull(), []
    run = net.interpreter.invoke

    def invoke():
        states.append(net.lull.state)
        run()

    net.interpreter.invoke = invoke
    net.lull.enter(Lull.PYTHON)
    net.detect(np.zeros((48, 64, 3), np.uint8))
    assert states == [Lull.MODEL] and net.lull.state == Lull.PYTHON


@pytest.mark.model
def test_the_crop_written_into_the_model_input_is_the_prepared_tensor(model_path, testdata_dir):
    """An int8 model's crop goes straight into its input buffer: the model must see exactly
    what prepare() makes, and find the same keypoints as through set_tensor, on every
    installed runtime."""
    rgb = load_rgb(testdata_dir / "image2.jpeg")
    for name in runtime.available():
        net = MoveNet(model_path, runtime=runtime.load_runtime(name))
        box = Box(40.0, -30.0, 300.0).snap(net.input_size)
        assert net._input is not None, name  # the uint8 path is the one under test
        in_place = net.detect(rgb, box)
        tensor = net.interpreter.get_tensor(net._in_index)
        assert np.array_equal(tensor, net.prepare(rgb, box)), name
        net._input = None  # the float models' path
        assert np.array_equal(net.detect(rgb, box), in_place), name
