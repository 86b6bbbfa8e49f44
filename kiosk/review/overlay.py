"""An annotated copy of a video for review: skeleton, trunk line, back angle, phase, reps and
the last rep's faults drawn on every frame, encoded with PyAV. Only written when asked
(`analyze VIDEO --overlay OUT.mp4`). pygame draws; it is imported here, not at start-up.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np

from kiosk.errors import UserError
from kiosk.pose.keypoints import EDGES, L_HIP, L_SHOULDER, R_HIP, R_SHOULDER, Pose
from kiosk.judge.reports import JudgeState

GOOD, BAD, INK = (60, 220, 120), (255, 90, 70), (255, 255, 255)


class OverlayWriter:
    def __init__(self, path: str | Path, fps: float):
        import os

        os.environ.setdefault("PYGAME_HIDE_SUPPORT_PROMPT", "1")  # stdout may carry --json
        import av
        import pygame

        pygame.font.init()
        self.pg, self.av = pygame, av
        self.path, self.fps = Path(path), max(1.0, float(fps or 30.0))
        self.container = None
        self.stream = None
        self.font = None
        self.last_faults: list[str] = []
        self.last_score: int | None = None

    def _open(self, w: int, h: int) -> None:
        try:
            self.container = self.av.open(str(self.path), "w")
        except (OSError, self.av.FFmpegError) as exc:
            raise UserError(f"cannot write overlay video {self.path}: {exc}") from exc
        from fractions import Fraction

        self.stream = self.container.add_stream("libx264", rate=Fraction(round(self.fps * 1000), 1000))
        self.stream.width, self.stream.height = w - w % 2, h - h % 2
        self.stream.pix_fmt = "yuv420p"
        self.font = self.pg.font.Font(None, max(18, h // 22))

    def write(self, rgb: np.ndarray, pose: Pose | None, state: JudgeState) -> None:
        h, w = rgb.shape[:2]
        if self.container is None:
            self._open(w, h)
        pg = self.pg
        surf = pg.surfarray.make_surface(np.ascontiguousarray(rgb.swapaxes(0, 1)))
        if state.new_rep is not None:
            self.last_faults, self.last_score = list(state.new_rep.faults), state.new_rep.score
        if pose is not None:
            self._skeleton(surf, pose, state)
        lines = [f"{state.phase.value}  reps {state.reps}  view {state.view.value}"]
        if state.back_angle_deg is not None:
            lines.append(f"back {state.back_angle_deg:4.0f} deg  (conf {state.angle_confidence:.2f})")
        if self.last_score is not None:
            lines.append(f"last rep {self.last_score}: {', '.join(self.last_faults) or 'good'}")
        y = 6
        for text in lines:
            img = self.font.render(text, True, INK, (0, 0, 0))
            surf.blit(img, (6, y))
            y += img.get_height() + 2
        out = pg.surfarray.array3d(surf).swapaxes(0, 1)[: self.stream.height, : self.stream.width]
        frame = self.av.VideoFrame.from_ndarray(np.ascontiguousarray(out), format="rgb24")
        for packet in self.stream.encode(frame):
            self.container.mux(packet)

    def _skeleton(self, surf, pose: Pose, state: JudgeState) -> None:
        pg, kp = self.pg, pose.keypoints
        ok = kp[:, 2] >= 0.2
        width = max(2, surf.get_height() // 200)
        for a, b in EDGES:
            if ok[a] and ok[b]:
                pg.draw.line(surf, INK, kp[a, :2], kp[b, :2], width)
        if ok[[L_SHOULDER, R_SHOULDER, L_HIP, R_HIP]].all():
            sh = (kp[L_SHOULDER, :2] + kp[R_SHOULDER, :2]) / 2
            hp = (kp[L_HIP, :2] + kp[R_HIP, :2]) / 2
            pg.draw.line(surf, BAD if state.live_faults else GOOD, hp, sh, width * 3)

    def close(self) -> None:
        if self.container is None:
            return
        for packet in self.stream.encode():
            self.container.mux(packet)
        self.container.close()
        self.container = None
