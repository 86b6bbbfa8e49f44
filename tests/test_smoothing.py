"""One Euro keypoint smoothing: steadier when still, no more than a frame behind when fast."""

from __future__ import annotations

import numpy as np
import pytest

from kiosk.pose.smoothing import KeypointSmoother, OneEuro

FPS = 30.0
SIZE = (1280, 720)


def _run(track_xy, fps=FPS, seed=0, noise_px=1.5):
    """Filter a (T, 2) true track of every keypoint plus jitter; return (noisy, smoothed)."""
    rng = np.random.default_rng(seed)
    sm = KeypointSmoother()
    noisy, out = [], []
    for i, xy in enumerate(track_xy):
        kps = np.zeros((17, 3))
        kps[:, :2] = xy + rng.normal(0, noise_px, (17, 2))
        kps[:, 2] = 0.8
        noisy.append(kps)
        out.append(sm(kps, i / fps, SIZE))
        assert (out[-1][:, 2] == 0.8).all()  # scores pass through
    return np.array(noisy), np.array(out)


def _lag_frames(truth, out, max_lag=5.0, step=0.05):
    """The delay (in frames) that best aligns the output with the true track."""
    t = np.arange(len(truth))
    best = min(np.arange(0, max_lag, step), key=lambda lag: np.abs(
        np.interp(t - lag, t, truth) - out)[20:].mean())
    return best


@pytest.mark.parametrize("fps", [24.0, 30.0, 60.0])
def test_jitter_on_a_still_pose_is_lower(fps):
    track = np.tile([640.0, 360.0], (int(fps * 4), 1))
    noisy, out = _run(track, fps=fps)
    raw = np.diff(noisy[10:, :, :2], axis=0).std()
    smooth = np.diff(out[10:, :, :2], axis=0).std()
    assert smooth < 0.5 * raw, (smooth, raw)
    assert np.abs(out[10:, :, :2] - track[10:, None, :]).std() < noisy[10:, :, :2].std()


@pytest.mark.parametrize("fps", [24.0, 30.0, 60.0])
def test_a_fast_hinge_lags_by_no_more_than_a_frame(fps):
    # Hips travelling 300 px and back in a second: a brisk kettlebell swing.
    t = np.arange(int(fps * 3)) / fps
    y = 360 + 150 * np.sin(2 * np.pi * 1.0 * t)
    track = np.stack([np.full_like(y, 640.0), y], axis=1)
    _, out = _run(track, fps=fps, noise_px=0.5)
    lag = _lag_frames(y, out[:, :, 1].mean(axis=1))
    assert lag <= 1.0, f"{lag:.2f} frames behind at {fps} fps"


def test_a_sudden_move_is_followed_within_a_few_frames():
    track = np.array([[640.0, 360.0]] * 30 + [[700.0, 360.0]] * 30)
    _, out = _run(track, noise_px=0.0)
    x = out[:, 0, 0]
    assert abs(x[33] - 700) < 6  # within 10% of the step three frames later


def test_reset_forgets_the_past():
    f = OneEuro()
    f(np.array([0.0]), 0.0)
    f(np.array([0.0]), 0.033)
    f.reset()
    assert f(np.array([5.0]), 0.066)[0] == 5.0


def test_repeated_timestamp_does_not_divide_by_zero():
    f = OneEuro()
    a = f(np.array([1.0]), 1.0)
    b = f(np.array([3.0]), 1.0)
    assert np.isfinite(b).all() and b[0] == a[0]


def test_rows_and_arrays_are_smoothed_alike():
    """The estimator hands the smoother plain rows (keypoints.rows); other callers arrays.
    Same numbers either way, each given back as it came, non-finite values included."""
    rng = np.random.default_rng(5)
    by_array, by_rows = KeypointSmoother(), KeypointSmoother()
    for i in range(40):
        kps = np.c_[rng.uniform(0, 1280, (17, 2)), rng.uniform(0, 1, 17)]
        if i == 20:
            kps[3, 0], kps[4, 1] = np.nan, np.inf  # a glitch must not raise either way
        a = by_array(kps, i / 30, SIZE)
        r = by_rows(kps.tolist(), i / 30, SIZE)
        assert isinstance(a, np.ndarray) and isinstance(r, list) and len(r) == 17
        assert np.array_equal(a, np.array(r), equal_nan=True)
