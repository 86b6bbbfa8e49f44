"""The Pi camera source against a fake picamera2 that keeps the real method signatures
(picamera2 0.3.x: Picamera2(camera_num), global_camera_info(), sensor_modes,
create_video_configuration(main, lores, raw, transform, colour_space, buffer_count, controls,
display, encode, queue, sensor, use_case), configure, start, capture_request ->
make_array/get_metadata/release, stop, close)."""

from __future__ import annotations

import sys
import threading
import time
import types

import numpy as np
import pytest

from kiosk.errors import SourceError
from kiosk.sources.picamera import PiCameraSource, full_fov_mode, main_size

# Sensor modes as picamera2 reports them (crop_limits = the sensor area the mode sees).
IMX708 = [  # Camera Module 3
    {"bit_depth": 10, "size": (1536, 864), "fps": 120.13, "crop_limits": (768, 432, 3072, 1728)},
    {"bit_depth": 10, "size": (2304, 1296), "fps": 56.03, "crop_limits": (0, 0, 4608, 2592)},
    {"bit_depth": 10, "size": (4608, 2592), "fps": 14.35, "crop_limits": (0, 0, 4608, 2592)},
]
IMX219 = [  # Camera Module v2
    {"bit_depth": 10, "size": (640, 480), "fps": 206.65, "crop_limits": (1000, 752, 1280, 960)},
    {"bit_depth": 10, "size": (1640, 1232), "fps": 41.85, "crop_limits": (0, 0, 3280, 2464)},
    {"bit_depth": 10, "size": (1920, 1080), "fps": 47.57, "crop_limits": (680, 692, 1920, 1080)},
    {"bit_depth": 10, "size": (3280, 2464), "fps": 21.19, "crop_limits": (0, 0, 3280, 2464)},
]


class Transform:
    def __init__(self, hflip=0, vflip=0, transpose=0):
        self.hflip, self.vflip, self.transpose = hflip, vflip, transpose


class Request:
    def __init__(self, cam, n):
        self.cam, self.n = cam, n

    def make_array(self, name):
        assert name == "main"
        w, h = self.cam.config["main"]["size"]
        arr = np.zeros((h, w, 3), np.uint8)
        arr[..., 0], arr[..., 2] = 200, 10  # what BGR888 delivers: R first
        arr[0, 0, 1] = self.n % 256
        return arr

    def get_metadata(self):
        return {"SensorTimestamp": 5_000_000_000 + self.n * 33_333_333, "ExposureTime": 9000}

    def release(self):
        self.cam.released += 1


def fake_picamera2(modes, cameras=({"Model": "imx708", "Id": "/base/i2c@88000/imx708@1a"},)):
    class Picamera2:
        instances = []

        @staticmethod
        def global_camera_info():
            return [dict(c) for c in cameras]

        def __init__(self, camera_num=0, verbose_console=None, tuning=None):
            if not cameras:
                raise IndexError("list index out of range")  # what the real one does
            self.camera_num, self.calls, self.released, self.n = camera_num, [], 0, 0
            self.config = None
            Picamera2.instances.append(self)

        @property
        def sensor_modes(self):
            return [dict(m) for m in modes]

        def create_video_configuration(self, main={}, lores=None, raw={}, transform=None,
                                       colour_space=None, buffer_count=6, controls={},
                                       display="main", encode="main", queue=True, sensor={},
                                       use_case="video"):
            self.calls.append("create_video_configuration")
            return {"use_case": use_case, "transform": transform or Transform(),
                    "buffer_count": buffer_count, "main": dict(main), "lores": lores,
                    "raw": raw, "controls": dict(controls), "sensor": dict(sensor)}

        def configure(self, camera_config="preview"):
            self.calls.append("configure")
            self.config = camera_config

        def start(self, config=None, show_preview=False):
            assert self.config is not None, "start() before configure()"
            self.calls.append("start")

        def capture_request(self, wait=None, flush=None):
            time.sleep(0.005)
            self.n += 1
            return Request(self, self.n)

        def stop(self):
            self.calls.append("stop")

        def close(self):
            self.calls.append("close")

    return Picamera2


@pytest.fixture
def install(monkeypatch):
    def _install(modes=IMX708, cameras=({"Model": "imx708"},)):
        cls = fake_picamera2(modes, cameras)
        monkeypatch.setitem(sys.modules, "picamera2", types.SimpleNamespace(Picamera2=cls))
        monkeypatch.setitem(sys.modules, "libcamera", types.SimpleNamespace(Transform=Transform))
        return cls
    return _install


def test_no_camera_is_a_clear_message_not_an_index_error(install):
    cls = install(cameras=())
    with pytest.raises(SourceError, match="no Pi camera detected.*ribbon"):
        PiCameraSource().open()
    assert cls.instances == []


def test_missing_picamera2_says_how_to_install_it(monkeypatch):
    monkeypatch.setitem(sys.modules, "picamera2", None)
    with pytest.raises(SourceError, match="apt install python3-picamera2"):
        PiCameraSource().open()


@pytest.mark.parametrize("modes,sensor,main", [
    (IMX708, (2304, 1296), (384, 216)),
    (IMX219, (1640, 1232), (384, 288)),
])
def test_full_field_of_view_mode_and_small_main_stream(install, modes, sensor, main):
    cls = install(modes)
    src = PiCameraSource(fps=30, hflip=True).open()
    try:
        cam = cls.instances[0]
        cfg = cam.config
        assert cam.calls[:3] == ["create_video_configuration", "configure", "start"]
        assert cfg["sensor"] == {"output_size": sensor, "bit_depth": 10}
        assert cfg["main"] == {"size": main, "format": "BGR888"}
        assert cfg["controls"]["FrameDurationLimits"] == (33333, 33333)
        assert cfg["transform"].hflip == 1 and cfg["transform"].vflip == 0
    finally:
        src.close()
    assert cam.calls[-2:] == ["stop", "close"]


def test_frames_are_rgb_newest_first_with_sensor_timestamps(install):
    cls = install()
    src = PiCameraSource().open()
    try:
        a = src.read()
        time.sleep(0.06)  # inference is slow: several frames arrive meanwhile
        b = src.read()
        cam = cls.instances[0]
        assert a.rgb.shape == (216, 384, 3) and a.rgb.flags["C_CONTIGUOUS"]
        assert a.rgb[5, 5].tolist() == [200, 0, 10]  # R,G,B as delivered, no swap
        assert a.t == pytest.approx(5.0 + a.rgb[0, 0, 1] * 0.033333333)
        assert b.t - a.t > 0.066  # skipped to the newest, stale frames dropped
        assert src._capture.latest.dropped > 0
    finally:
        src.close()
    assert cam.released == cam.n  # every request handed back to the camera


def test_rotation_90_is_applied_in_numpy_and_180_by_the_isp(install):
    cls = install()
    src = PiCameraSource(rotation=90).open()
    try:
        assert src.read().rgb.shape == (384, 216, 3)
    finally:
        src.close()
    src = PiCameraSource(rotation=180).open()
    try:
        t = cls.instances[-1].config["transform"]
        assert (t.hflip, t.vflip) == (1, 1)
        assert src.read().rgb.shape == (216, 384, 3)
    finally:
        src.close()


def test_mode_choice():
    assert full_fov_mode(IMX219, 60)["size"] == (1640, 1232)  # none reaches 60: fastest full
    assert full_fov_mode(IMX708, 30)["size"] == (2304, 1296)
    assert full_fov_mode(IMX708, 30, "4608x2592")["size"] == (4608, 2592)
    with pytest.raises(SourceError, match="has no sensor mode 1234x567.*2304x1296"):
        full_fov_mode(IMX708, 30, "1234x567")
    assert main_size((1640, 1232), 256) == (512, 384)


def test_from_config_reads_the_camera_section(install):
    cfg = types.SimpleNamespace(fps=25, hflip=False, vflip=True, rotation=0,
                                sensor_mode="auto", device="/dev/video0", width=640, height=480)
    src = PiCameraSource.from_config(cfg)
    assert (src.fps, src.hflip, src.vflip) == (25.0, False, True)


def test_a_dying_camera_surfaces_as_source_error(install):
    cls = install()
    src = PiCameraSource(read_timeout=1.0).open()
    cam = cls.instances[0]

    def broken(wait=None, flush=None):
        raise RuntimeError("Camera frontend has timed out!")

    src.read()
    cam.capture_request = broken
    with pytest.raises(SourceError, match="timed out"):
        for _ in range(50):
            src.read()
    src.close()
    assert not any(t.name == "picamera" and t.is_alive() for t in threading.enumerate())
