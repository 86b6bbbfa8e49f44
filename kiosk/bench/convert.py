"""`python -m kiosk.bench.convert [CLIP ...]`: what a frame's YUV->RGB conversion costs, by the
ways there are to do it, at the sizes the kiosk meets.

swscale's default conversion rounds differently per CPU (its SIMD paths); BITEXACT with
ACCURATE_RND takes one exact path everywhere (kiosk.sources.rgb, what the kiosk uses); OpenCV's
I420 conversion is exact too, but knows only BT.601 limited range. Without clips it encodes
test frames at a webcam's 640x480 and a phone's 1280x720 and 1080x1920.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from pathlib import Path

import numpy as np


def _frames(path: Path, n: int = 40) -> list:
    import av

    with av.open(str(path)) as c:
        out = []
        for f in c.decode(c.streams.video[0]):
            out.append(f)
            if len(out) >= n:
                break
    return out


def _encoded(size: tuple[int, int], dest: Path) -> Path:
    import av

    path = dest / f"test-{size[0]}x{size[1]}.mp4"
    rng = np.random.default_rng(0)
    with av.open(str(path), "w") as c:
        s = c.add_stream("mpeg4", rate=30)
        s.width, s.height, s.pix_fmt = size[0], size[1], "yuv420p"
        for _ in range(40):
            img = rng.integers(0, 255, (size[1], size[0], 3), dtype=np.uint8)
            for pkt in s.encode(av.VideoFrame.from_ndarray(img, format="rgb24")):
                c.mux(pkt)
        for pkt in s.encode():
            c.mux(pkt)
    return path


def _ways():
    import cv2
    from av.video.reformatter import VideoReformatter

    from kiosk.sources.rgb import ToRGB

    default = VideoReformatter()

    def opencv(f):
        w, h = f.width, f.height
        planes = [np.frombuffer(p, np.uint8).reshape(-1, p.line_size) for p in f.planes]
        i420 = np.concatenate([planes[0][:h, :w].ravel(), planes[1][: h // 2, : w // 2].ravel(),
                               planes[2][: h // 2, : w // 2].ravel()]).reshape(h * 3 // 2, w)  # fmt: skip
        return cv2.cvtColor(i420, cv2.COLOR_YUV2RGB_I420)

    return {"swscale default (per CPU)": lambda f: default.reformat(f, format="rgb24").to_ndarray(),
            "swscale bit-exact (kiosk)": ToRGB(), "OpenCV I420 (BT.601 only)": opencv}  # fmt: skip


def measure(frames: list, repeats: int = 5) -> dict[str, float]:
    out = {}
    for name, fn in _ways().items():
        for f in frames[:5]:
            fn(f)  # warm
        times = []
        for _ in range(repeats):
            for f in frames:
                t0 = time.perf_counter()
                fn(f)
                times.append(time.perf_counter() - t0)
        out[name] = statistics.median(times) * 1000
    return out


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(prog="python -m kiosk.bench.convert", description=__doc__.splitlines()[0])
    p.add_argument("clips", nargs="*", help="video files (default: encoded test frames)")
    args = p.parse_args(argv)
    with tempfile.TemporaryDirectory() as tmp:
        clips = [Path(c) for c in args.clips] or [_encoded(s, Path(tmp)) for s in ((640, 480), (1280, 720), (1080, 1920))]
        names = list(_ways())
        print(f"{'frames':36s} {'size':>10s} " + " ".join(f"{n:>27s}" for n in names) + "   (ms a frame, median)")
        for clip in clips:
            frames = _frames(clip)
            if not frames:
                print(f"{clip.name}: no frames", file=sys.stderr)
                continue
            ms = measure(frames)
            size = f"{frames[0].width}x{frames[0].height}"
            print(f"{clip.name[:36]:36s} {size:>10s} " + " ".join(f"{ms[n]:>27.3f}" for n in names))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
