"""Video files: frames and timestamps exactly as the container has them; broken files give a
clear SourceError, after every good frame."""

from __future__ import annotations

import threading
import time
from fractions import Fraction

import av
import numpy as np
import pytest

from kiosk.errors import SourceError
from kiosk.sources import Frame
from kiosk.sources.latest import CaptureThread, LatestFrame
from kiosk.sources.video import VideoSource

CLIPS = [
    "barbell-deadlift_front_02.mp4",  # 1280x720 at 24000/1001 fps
    "barbell-deadlift_front_03.mp4",  # portrait 720x1280 at 60 fps
    "dowel-deadlift_front_01.mp4",  # portrait 270x480, stream starts at pts 507
    "barbell-rdl_rear-oblique_01.mp4",  # 1280x618 at 60000/1001 fps
]


def _container_times(path):
    """Presentation times of every video packet, straight from the demuxer."""
    with av.open(str(path)) as c:
        s = c.streams.video[0]
        pts = sorted(p.pts for p in c.demux(s) if p.pts is not None)
        start = s.start_time if s.start_time is not None else pts[0]
        return s.frames, (s.width, s.height), [float((p - start) * s.time_base) for p in pts]


def _read_all(path):
    frames = []
    with VideoSource(path) as src:
        for f in src:
            frames.append((f.t, f.rgb.shape))
    return frames


@pytest.mark.footage
@pytest.mark.parametrize("clip", CLIPS)
def test_frames_and_timestamps_match_the_container(footage_dir, clip):
    n, (w, h), times = _container_times(footage_dir / clip)
    frames = _read_all(footage_dir / clip)
    assert len(frames) == n == len(times)
    assert [t for t, _ in frames] == pytest.approx(times, abs=1e-9)
    assert frames[0][0] == 0.0
    assert all(shape == (h, w, 3) for _, shape in frames)
    assert all(b > a for (a, _), (b, _) in zip(frames, frames[1:], strict=False))


@pytest.mark.footage
def test_truncated_file_gives_the_good_frames_then_a_clear_error(footage_dir, tmp_path):
    src = footage_dir / "barbell-deadlift_side_01.mp4"
    data = src.read_bytes()
    cut = tmp_path / "cut.mp4"
    cut.write_bytes(data[: int(len(data) * 0.6)])
    good = []
    with pytest.raises(SourceError, match="truncated or corrupt") as err:
        with VideoSource(cut) as s:
            for f in s:
                good.append(f.t)
    total = _container_times(src)[0]
    assert 0 < len(good) < total
    assert f"{len(good)} good frames" in str(err.value) and str(cut) in str(err.value)


@pytest.mark.footage
def test_damaged_middle_keeps_the_frames_after_it(footage_dir, tmp_path):
    data = bytearray((footage_dir / "barbell-deadlift_side_01.mp4").read_bytes())
    rng = np.random.default_rng(3)
    a = len(data) // 3
    data[a:a + 20000] = rng.integers(0, 256, 20000, dtype=np.uint8).tobytes()
    bad = tmp_path / "bad.mp4"
    bad.write_bytes(bytes(data))
    times = []
    with pytest.raises(SourceError, match="damaged"):
        with VideoSource(bad) as s:
            for f in s:
                times.append(f.t)
    assert times and times[-1] > 5.0  # frames after the damage still came through


def test_read_from_skips_late_frames_without_converting_them(tmp_path):
    path = tmp_path / "made.mp4"
    _write_clip(path, 30, rate=30, brightness=lambda i: 8 * i)
    src = VideoSource(path).open()
    converted = []
    to_rgb = src._to_rgb
    src._to_rgb = lambda frame: converted.append(frame) or to_rgb(frame)
    first = src.read_from(0.49)
    assert first.t == pytest.approx(0.5) and first.rgb.mean() == pytest.approx(8 * 15, abs=8)
    assert len(converted) == 1 and src.skipped == 15 and src.frames_read == 16
    assert src.read().t == pytest.approx(16 / 30)  # then on from there, nothing lost
    assert src.read_from(99.0) is None  # past the end: the end, not a broken file
    assert src.frames_read == 30 and src.skipped == 28 and len(converted) == 2


def test_a_file_that_is_not_a_video_is_refused(tmp_path):
    junk = tmp_path / "notes.mp4"
    junk.write_text("not a video at all\n" * 50)
    with pytest.raises(SourceError, match="cannot read video"):
        VideoSource(junk).open()


def test_a_missing_file_is_refused(tmp_path):
    with pytest.raises(SourceError, match="does not exist"):
        VideoSource(tmp_path / "nope.mp4").open()


def _write_clip(path, n: int, rate: int, step: int = 1, brightness=lambda i: 20 * i) -> None:
    """n portrait 64x96 frames of known brightness, one every `step` ticks of 1/rate s."""
    with av.open(str(path), "w") as c:
        s = c.add_stream("mpeg4", rate=rate)
        s.width, s.height, s.pix_fmt = 64, 96, "yuv420p"
        s.codec_context.time_base = Fraction(1, rate)
        for i in range(n):
            img = np.full((96, 64, 3), brightness(i), np.uint8)
            f = av.VideoFrame.from_ndarray(img, format="rgb24")
            f.pts = i * step
            f.time_base = Fraction(1, rate)
            for p in s.encode(f):
                c.mux(p)
        for p in s.encode():
            c.mux(p)


def test_written_clip_round_trips_odd_rate_and_portrait(tmp_path):
    # A clip made here: 12.5 fps (every other tick of 1/25 s), portrait, 10 frames.
    path = tmp_path / "made.mp4"
    _write_clip(path, 10, rate=25, step=2)
    frames = list(VideoSource(path).open())
    assert len(frames) == 10
    assert [f.t for f in frames] == pytest.approx([i * 0.08 for i in range(10)])
    assert frames[0].rgb.shape == (96, 64, 3)
    means = [f.rgb.mean() for f in frames]
    assert all(b > a for a, b in zip(means, means[1:], strict=False))  # in order, none dropped or doubled
    assert means == pytest.approx([20 * i for i in range(10)], abs=12)  # YUV range rounding


def test_latest_frame_never_hands_over_a_stale_frame():
    holder = LatestFrame()
    for i in range(5):
        holder.put(Frame(np.zeros((2, 2, 3), np.uint8), float(i)))
    assert holder.get(0.1).t == 4.0
    assert holder.dropped == 4
    assert holder.get(0.01) is None  # nothing new: no repeat of the old frame


def test_capture_thread_hands_over_the_newest_and_reports_a_dead_camera():
    n = {"i": 0}

    def grab():
        n["i"] += 1
        if n["i"] > 50:
            raise OSError("unplugged")
        time.sleep(0.002)
        return Frame(np.zeros((2, 2, 3), np.uint8), n["i"] / 100)

    cap = CaptureThread(grab).start()
    first = cap.read(1.0)
    time.sleep(0.05)  # the slow consumer: frames pile up meanwhile
    second = cap.read(1.0)
    assert second.t > first.t + 0.01  # skipped ahead to the newest, not the next
    with pytest.raises(SourceError, match="unplugged"):
        for _ in range(100):
            cap.read(1.0)
    cap.stop()
    assert not any(t.name == "capture" and t.is_alive() for t in threading.enumerate())


@pytest.mark.parametrize("degrees,band",
                         [(90, "bottom"), (-90, "top"), (180, "right"), (0, "left")])
def test_display_rotation_is_applied(tmp_path, degrees, band):
    # A 64x32 landscape clip with a white band on its left, tagged to be shown rotated
    # (counter-clockwise degrees, as phones tag portrait recordings).
    path = tmp_path / f"rot{degrees}.mp4"
    with av.open(str(path), "w") as c:
        s = c.add_stream("mpeg4", rate=25)
        s.width, s.height, s.pix_fmt = 64, 32, "yuv420p"
        s.set_display_rotation(degrees)
        for i in range(3):
            img = np.zeros((32, 64, 3), np.uint8)
            img[:, :8] = 255
            f = av.VideoFrame.from_ndarray(img, format="rgb24")
            f.pts, f.time_base = i, Fraction(1, 25)
            for p in s.encode(f):
                c.mux(p)
        for p in s.encode():
            c.mux(p)
    rgb = VideoSource(path).open().read().rgb
    white = rgb.mean(axis=2) > 128
    h, w = white.shape
    assert (h, w) == ((64, 32) if degrees in (90, -90) else (32, 64))
    where = {"top": white[:8].all(), "bottom": white[-8:].all(),
             "left": white[:, :8].all(), "right": white[:, -8:].all()}
    assert where[band] and sum(where.values()) == 1


def test_webcam_missing_device_says_what_to_do(tmp_path):
    from kiosk.sources.webcam import WebcamSource

    with pytest.raises(SourceError, match="does not exist.*ls /dev/video"):
        WebcamSource(str(tmp_path / "video9")).open()


def test_webcam_that_is_not_a_v4l2_device_is_a_source_error(tmp_path):
    from kiosk.sources.webcam import WebcamSource

    fake = tmp_path / "video0"
    fake.write_bytes(b"")
    with pytest.raises(SourceError, match="cannot open webcam"):
        WebcamSource(str(fake), width=320, height=240, fps=15).open()


def test_webcam_asks_v4l2_for_the_configured_mode():
    from kiosk.sources.webcam import WebcamSource

    cam = WebcamSource("/dev/video0", 1280, 720, 30, input_format="mjpeg")
    assert cam.options() == {"video_size": "1280x720", "framerate": "30",
                             "input_format": "mjpeg"}


def test_upright_turns_and_flips_like_numpy_into_one_contiguous_frame():
    """The capture threads turn frames with cv2 (a portrait-mounted camera turns every one);
    the result must be exactly numpy's rot90 after the flips, for every combination, also
    from a strided capture buffer (rows padded to the ISP's stride)."""
    from kiosk.sources.latest import upright

    rng = np.random.default_rng(3)
    padded = rng.integers(0, 256, (6, 9, 3), dtype=np.uint8)
    for src in (padded[:, :8].copy(), padded[:, :8]):
        for quarter in range(-1, 5):
            for hflip in (False, True):
                for vflip in (False, True):
                    view = src[:, ::-1] if hflip else src
                    view = view[::-1] if vflip else view
                    got = upright(src, quarter, hflip, vflip)
                    assert got.flags.c_contiguous
                    assert np.array_equal(got, np.rot90(view, quarter)), (quarter, hflip, vflip)


def test_a_sideways_video_frame_is_turned_like_numpy():
    from kiosk.sources.video import _rotate

    frame = np.random.default_rng(4).integers(0, 256, (5, 7, 3), dtype=np.uint8)
    for degrees in (0, 90, 180, 270, -90, 450):
        got = _rotate(frame, degrees)
        assert got.flags.c_contiguous
        assert np.array_equal(got, np.rot90(frame, round(degrees / 90) % 4)), degrees


def test_video_poses_at_a_pose_rate_estimate_only_the_frames_a_slower_machine_takes(tmp_path):
    from kiosk.review.analysis import video_poses

    path = tmp_path / "made.mp4"
    _write_clip(path, 30, rate=30, brightness=lambda i: 8 * i)

    class Estimator:
        def __init__(self):
            self.calls = []

        def reset(self):
            pass

        def estimate(self, rgb, t):
            self.calls.append(t)

    est = Estimator()
    out = [t for t, _ in video_poses(path, est, pose_hz=10)]
    assert out == pytest.approx([i / 10 for i in range(10)])  # every third frame
    assert est.calls == out
