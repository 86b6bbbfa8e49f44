"""Drawn pieces shared by the screens: back-angle gauge, rep ticks, bar chart, skeleton."""

from __future__ import annotations

import math

import numpy as np
import pygame

from kiosk.pose.keypoints import EDGES, L_HIP, L_SHOULDER, R_HIP, R_SHOULDER, Pose
from kiosk.judge.reports import RepReport
from kiosk.screen.canvas import Canvas
from kiosk.screen.theme import AMBER, BAND, DIM, FAINT, GREEN, GREY, RED, WHITE, score_colour

GAUGE_MAX = 110.0  # degrees shown on the gauge (past horizontal, to show "too deep")


def check(cv: Canvas, centre, size: int, colour, width: int) -> None:
    """A tick mark drawn as two strokes (the font has no check glyph)."""
    x, y = centre
    s = size / 2
    cv.lines(colour, False, [(x - s, y), (x - s * 0.3, y + s * 0.7), (x + s, y - s * 0.7)], width)


def gauge(cv: Canvas, pivot, radius: int, angle: float | None, band, facing: int = 1,
          in_fault: bool = False) -> pygame.Rect:
    """A quarter dial: the trunk pivots at the hip from vertical (0) to horizontal (90) and a
    little past it. Returns its box: the pivot's row plus the part below it that the scale uses.

    The target band is a dark green wedge; the needle is the live trunk line, green inside the
    band, amber outside it, red when a fault is live.
    """
    px, py = pivot
    L = cv.layout

    def at(deg: float, r: float) -> tuple[int, int]:
        a = math.radians(deg)
        return (round(px + facing * r * math.sin(a)), round(py - r * math.cos(a)))

    lo, hi = band
    wedge = [pivot] + [at(d, radius) for d in np.linspace(lo, hi, 24)]
    cv.polygon(BAND, wedge)
    pts = [at(d, radius) for d in np.linspace(0, GAUGE_MAX, 45)]
    cv.lines(DIM, False, pts, L.s(4))
    for d in range(0, int(GAUGE_MAX) + 1, 15):
        cv.line(GREY if d % 45 == 0 else DIM, at(d, radius * 0.9), at(d, radius), L.s(4))
    for d in (0, 45, 90):
        anchor = "midbottom" if d == 0 else ("midleft" if facing > 0 else "midright")
        cv.text(f"{d}\u00b0", L.s(38), GREY, anchor, at(d, radius + L.s(14)))
    if angle is not None:
        shown = max(0.0, min(GAUGE_MAX, angle))
        colour = RED if in_fault else (GREEN if lo <= angle <= hi else AMBER if angle > hi else WHITE)
        cv.line(colour, pivot, at(shown, radius * 0.97), L.s(16))
        cv.circle(colour, at(shown, radius * 0.97), L.s(10))
    cv.circle(WHITE, pivot, L.s(14))
    # Past 90 the scale and the needle dip below the pivot: what goes under the dial starts
    # below that (a label beside the pivot ran into the arc, a deep angle's number into the needle).
    dip = math.ceil(radius * math.sin(math.radians(GAUGE_MAX - 90))) + L.s(4)
    return pygame.Rect(px - radius, py - radius, 2 * radius, radius + dip)


def rep_ticks(cv: Canvas, reports: list[RepReport], rect: pygame.Rect, max_shown: int = 12) -> None:
    """One tick per rep coloured by its score (the most recent `max_shown`)."""
    shown = reports[-max_shown:]
    if not shown:
        return
    size = min(rect.height, rect.width // max_shown)
    r = round(size * 0.42)
    for i, rep in enumerate(shown):
        c = (rect.x + round(size * (i + 0.5)), rect.centery)
        colour = score_colour(rep.score)
        cv.circle(colour, c, r, max(2, r // 7))
        if rep.faults:
            cv.line(colour, (c[0] - r // 2, c[1]), (c[0] + r // 2, c[1]), max(3, r // 5))
        else:
            check(cv, c, round(r * 1.1), colour, max(3, r // 5))


def bar_chart(cv: Canvas, reports: list[RepReport], rect: pygame.Rect, band, label_size: int) -> None:
    """Back angle at the bottom of each rep against the target band (a shaded strip)."""
    if not reports:
        return
    L = cv.layout
    top_deg = max(GAUGE_MAX - 20, max(r.back_angle_deg for r in reports) + 5, band[1] + 5)
    axis_w = L.s(110)
    plot = pygame.Rect(rect.x + axis_w, rect.y + label_size, rect.width - axis_w, rect.height - label_size * 3)

    def y(deg: float) -> int:
        return round(plot.bottom - plot.height * max(0.0, min(deg, top_deg)) / top_deg)

    lo, hi = band
    cv.rect(BAND, (plot.x, y(hi), plot.width, max(1, y(lo) - y(hi))))
    for d in (0, 45, 90):
        if d <= top_deg:
            cv.line(FAINT, (plot.x, y(d)), (plot.right, y(d)), 2)
            cv.text(f"{d}\u00b0", label_size, GREY, "midright", (plot.x - L.s(12), y(d)))
    n = len(reports)
    slot = plot.width / n
    bw = max(3, min(round(slot * 0.6), L.s(90)))
    show_every = max(1, math.ceil(n / 12))
    for i, rep in enumerate(reports):
        cx = round(plot.x + slot * (i + 0.5))
        colour = score_colour(rep.score)
        top = y(rep.back_angle_deg)
        cv.rect(colour, (cx - bw // 2, top, bw, max(2, plot.bottom - top)))
        if i % show_every == 0 or i == n - 1:
            cv.text(str(rep.index), label_size, GREY, "midtop", (cx, plot.bottom + L.s(8)))


def progress(cv: Canvas, rect: pygame.Rect, fraction: float, colour=GREEN) -> None:
    cv.rect(DIM, rect, max(2, rect.height // 8), rect.height // 2)
    inner = rect.inflate(-rect.height // 3, -rect.height // 3)
    inner.width = round(inner.width * max(0.0, min(1.0, fraction)))
    if inner.width > 0:
        cv.rect(colour, inner, 0, inner.height // 2)


def trunk_colour(live_faults: list[str]) -> tuple:
    return AMBER if live_faults else GREEN


class FollowCrop:
    """A square window on the camera frame that follows the person slowly (grows at once,
    shrinks and moves gently), so a small drawing of them fills its box without wobbling."""

    def __init__(self, margin: float = 1.25, rate: float = 0.08) -> None:
        self.margin, self.rate = margin, rate
        self.box: np.ndarray | None = None  # cx, cy, side in frame pixels

    def update(self, pose: Pose | None, min_score: float = 0.2) -> tuple[float, float, float, float] | None:
        if pose is not None:
            ok = pose.keypoints[:, 2] >= min_score
            if ok.sum() >= 5:
                xy = pose.keypoints[ok, :2]
                lo, hi = xy.min(axis=0), xy.max(axis=0)
                want = np.array([*(lo + hi) / 2, max(*(hi - lo), 40.0) * self.margin])
                if self.box is None:
                    self.box = want
                else:
                    k = np.array([self.rate, self.rate, 1.0 if want[2] > self.box[2] else self.rate / 2])
                    self.box = self.box + k * (want - self.box)
        if self.box is None:
            return None
        cx, cy, side = self.box
        return (cx - side / 2, cy - side / 2, side, side)


def skeleton(cv: Canvas, pose: Pose, rect: pygame.Rect, mirror: bool = True, trunk=GREEN,
             colour=WHITE, min_score: float = 0.2, frame=True, crop=None) -> pygame.Rect:
    """The pose fitted into rect, mirrored like the reflection; trunk line coloured.
    crop: (x, y, w, h) of the camera frame to show (default: all of it)."""
    kp = pose.keypoints
    fx, fy, fw, fh = crop if crop is not None else (0.0, 0.0, *pose.frame_size)
    scale = min(rect.width / fw, rect.height / fh)
    ox = rect.x + (rect.width - fw * scale) / 2 - fx * scale
    oy = rect.y + (rect.height - fh * scale) / 2 - fy * scale
    area = pygame.Rect(round(ox + fx * scale), round(oy + fy * scale), round(fw * scale), round(fh * scale))
    if frame:
        cv.rect(FAINT, area, 2)

    def p(i: int) -> tuple[int, int]:
        x = 2 * fx + fw - kp[i, 0] if mirror else kp[i, 0]
        return (round(ox + x * scale), round(oy + kp[i, 1] * scale))

    inside = (kp[:, 0] >= fx) & (kp[:, 0] <= fx + fw) & (kp[:, 1] >= fy) & (kp[:, 1] <= fy + fh)
    ok = (kp[:, 2] >= min_score) & inside
    w = max(2, round(rect.height / 70))
    for a, b in EDGES:
        if ok[a] and ok[b]:
            cv.line(colour, p(a), p(b), w)
    for i in range(len(kp)):
        if ok[i]:
            cv.circle(colour, p(i), w)
    if ok[[L_SHOULDER, R_SHOULDER, L_HIP, R_HIP]].all():
        sh = tuple(np.mean([p(L_SHOULDER), p(R_SHOULDER)], axis=0).round().astype(int))
        hp = tuple(np.mean([p(L_HIP), p(R_HIP)], axis=0).round().astype(int))
        cv.line(trunk, hp, sh, w * 3)
    return area
