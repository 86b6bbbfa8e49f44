"""A simple side-view stick figure that hinges: for the choose screen's animation, the idle
tips (with the glutes and hamstrings marked and named) and the get-set hint.

Joint positions are computed in body units (standing height ~1.9, y up, facing +x) and mapped
into a screen rect, so the figure scales to any layout.
"""

from __future__ import annotations

import math

from kiosk.screen.canvas import Canvas
from kiosk.screen.theme import GLUTE, GREY, HAMSTRING, WHITE

SHIN, THIGH, TRUNK, NECK, HEAD_R, UPPER_ARM, FOREARM = 0.48, 0.48, 0.62, 0.12, 0.12, 0.32, 0.30


def joints(back_deg: float, knee_deg: float = 12.0, arm_deg: float | None = None,
           hands_at_chest: bool = False, hinge: bool = True) -> dict:
    """Joint positions for a hinge with the trunk `back_deg` from vertical.

    knee_deg: shin forward tilt. arm_deg: arm angle from hanging straight down, positive
    forward (None = arms hang plumb, as when holding a bar or dumbbells).
    """
    b, k = math.radians(back_deg), math.radians(knee_deg)
    ankle = (0.0, 0.0)
    knee = (ankle[0] + SHIN * math.sin(k), SHIN * math.cos(k))
    # The hips travel back as the trunk tips forward: that is the hinge.
    th = k + 0.25 * b if hinge else k * 0.5  # a bend: the hips stay over the ankles
    hip = (knee[0] - THIGH * math.sin(th), knee[1] + THIGH * math.cos(th))
    shoulder = (hip[0] + TRUNK * math.sin(b), hip[1] + TRUNK * math.cos(b))
    neck = (shoulder[0] + NECK * math.sin(b), shoulder[1] + NECK * math.cos(b))
    head = (neck[0] + HEAD_R * math.sin(b), neck[1] + HEAD_R * math.cos(b))
    if hands_at_chest:  # holding a band at the chest: elbows bent, hands in front of it
        d, n = (math.sin(b), math.cos(b)), (math.cos(b), -math.sin(b))  # up the trunk, forward
        elbow = (shoulder[0] - 0.24 * d[0] + 0.06 * n[0], shoulder[1] - 0.24 * d[1] + 0.06 * n[1])
        wrist = (shoulder[0] - 0.08 * d[0] + 0.2 * n[0], shoulder[1] - 0.08 * d[1] + 0.2 * n[1])
    elif arm_deg is None:
        elbow = (shoulder[0], shoulder[1] - UPPER_ARM)
        wrist = (shoulder[0], shoulder[1] - UPPER_ARM - FOREARM)
    else:
        a = math.radians(arm_deg)
        d = (math.sin(a), -math.cos(a))
        elbow = (shoulder[0] + UPPER_ARM * d[0], shoulder[1] + UPPER_ARM * d[1])
        wrist = (elbow[0] + FOREARM * d[0], elbow[1] + FOREARM * d[1])
    toe = (0.22, 0.0)
    return dict(ankle=ankle, toe=toe, knee=knee, hip=hip, shoulder=shoulder, neck=neck,
                head=head, elbow=elbow, wrist=wrist)  # fmt: skip


def _mapper(rect, facing: int = 1):
    """Body units -> pixels: feet at the rect's bottom, the figure centred, 2.1 units tall."""
    x0, y0, w, h = rect
    scale = min(h / 2.15, w / 1.6)
    cx, base = x0 + w / 2, y0 + h

    def to_px(p: tuple[float, float]) -> tuple[int, int]:
        return (round(cx + facing * (p[0] - 0.05) * scale), round(base - p[1] * scale))

    return to_px, scale


def draw_figure(cv: Canvas, rect, back_deg: float, knee_deg: float = 12.0,
                arm_deg: float | None = None, hands_at_chest: bool = False, hinge: bool = True, colour=WHITE, gear: str = "none",
                trunk_colour=None, muscles: bool = False, facing: int = 1) -> dict:
    """Draw the figure; returns joint pixel positions (for labels)."""
    j = joints(back_deg, knee_deg, arm_deg, hands_at_chest, hinge)
    to_px, scale = _mapper(rect, facing)
    px = {name: to_px(p) for name, p in j.items()}
    lw = max(3, round(scale * 0.07))
    if muscles:
        # Hamstrings along the back of the thigh, glutes behind the hip: drawn under the limbs.
        hk = [(px["hip"][0] * 0.85 + px["knee"][0] * 0.15, px["hip"][1] * 0.85 + px["knee"][1] * 0.15),
              (px["hip"][0] * 0.2 + px["knee"][0] * 0.8, px["hip"][1] * 0.2 + px["knee"][1] * 0.8)]
        off = -facing * lw * 0.9
        cv.line(HAMSTRING, (hk[0][0] + off, hk[0][1]), (hk[1][0] + off, hk[1][1]), lw * 2)
        r = round(scale * 0.13)
        gx, gy = px["hip"][0] - facing * round(r * 0.55), px["hip"][1] - round(r * 0.1)
        cv.circle(GLUTE, (gx, gy), r)
    bones = [("toe", "ankle"), ("ankle", "knee"), ("knee", "hip"), ("shoulder", "neck"),
             ("shoulder", "elbow"), ("elbow", "wrist")]  # fmt: skip
    for a, b in bones:
        cv.line(colour, px[a], px[b], lw)
    if hinge:
        cv.line(trunk_colour or colour, px["hip"], px["shoulder"], round(lw * 1.4))
    else:  # a rounded back: the trunk bows up between hip and shoulder
        (hx, hy), (sx, sy) = px["hip"], px["shoulder"]
        nx, ny = (sy - hy), -(sx - hx)  # normal, pointing up for a forward lean
        norm = max(1.0, math.hypot(nx, ny))
        bow = 0.22 * math.hypot(sx - hx, sy - hy)
        if ny > 0:
            nx, ny = -nx, -ny
        pts = []
        for i in range(9):
            u = i / 8
            b4 = bow * 4 * u * (1 - u)
            pts.append((hx + (sx - hx) * u + nx / norm * b4, hy + (sy - hy) * u + ny / norm * b4))
        cv.lines(trunk_colour or colour, False, pts, round(lw * 1.4))
    cv.circle(colour, px["head"], round(HEAD_R * scale), lw)
    for name in ("knee", "hip", "shoulder", "elbow"):
        cv.circle(colour, px[name], round(lw * 0.6))
    if gear == "bar":
        cv.circle(GREY, px["wrist"], round(scale * 0.2), lw)
        cv.circle(colour, px["wrist"], round(lw * 0.9))
    elif gear == "dumbbells":
        wx, wy = px["wrist"]
        s = round(scale * 0.07)
        cv.rect(GREY, (wx - s, wy - 2 * s, 2 * s, 4 * s), 0, round(s / 2))
    elif gear == "band":
        # The band runs from under the feet up to the hands at the chest.
        cv.line(GREY, px["toe"], px["wrist"], max(2, lw // 2))
    return px


def hinge_cycle(t: float, period: float = 3.2) -> float:
    """0 standing .. 1 bottom, smooth, for animations."""
    return (1 - math.cos(2 * math.pi * (t % period) / period)) / 2


def exercise_pose(exercise: str, p: float) -> dict:
    """Figure parameters for `exercise` at cycle position p (0 standing, 1 bottom)."""
    if exercise == "deadlift":
        return dict(back_deg=62 * p, knee_deg=8 + 18 * p, gear="bar")
    if exercise == "hello":
        return dict(back_deg=75 * p, knee_deg=10 + 6 * p, hands_at_chest=True, gear="band")
    if exercise == "skier-swing":
        # Arms swing back past the hips at the bottom and snap to chest height at the top.
        return dict(back_deg=55 * p, knee_deg=10 + 20 * p, arm_deg=90 - 130 * p, gear="dumbbells")
    return dict(back_deg=72 * p, knee_deg=10 + 8 * p, arm_deg=None)
