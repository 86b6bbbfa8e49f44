"""Screens around a set: idle (clock and hinge tips), choose exercise, history."""

from __future__ import annotations

import math
import time

import pygame

from kiosk.screen.flow import HISTORY_ITEM
from kiosk.screen.canvas import Canvas
from kiosk.screen.figure import draw_figure, exercise_pose, hinge_cycle
from kiosk.screen.model import ViewModel
from kiosk.screen.theme import (BLUE, DIM, GLUTE, GREEN, GREY, HAMSTRING, QUIET, RED, WHITE, dim,
                                score_colour)  # fmt: skip

# (title, body). From the product's teaching: hinge, don't bend.
TIPS = (
    ("Hinge, don't bend",
     "Push your hips back and keep your back straight like a board. "
     "Your glutes and hamstrings do the work, not your lower back."),
    ("The hinge in four steps",
     "1. Feet hip-width, weight on your heels, knees slightly bent.\n"
     "2. Brace your middle.\n"
     "3. Push your hips back to a hamstring stretch, chest near parallel or higher.\n"
     "4. Squeeze your glutes and drive your hips forward to stand."),
    ("Why hinge?",
     "Injury prevention: it spares your lower back.\n"
     "Functional fitness: it is how you lift anything from the floor.\n"
     "Glute engagement: it builds strong glutes."),
    ("The muscles", ""),  # drawn: the figure with glutes and hamstrings named
)
TIP_PERIOD_S = 40.0  # one tip every 40 s, up for 24 s of them
TIP_SHOWN_S = 24.0
# Every tip is shown once at full brightness (they are meant to be read), then the idle screen
# dims: the one place text goes under the legibility floor, when nobody has pressed a button
# for minutes and nothing static may stay bright.
DIM_AFTER_S, DIM_FULL_S, DIM_MIN = TIP_PERIOD_S * len(TIPS), 600.0, 0.35


def idle_brightness(seconds_idle: float) -> float:
    """Full through the first round of tips, then down to DIM_MIN at ten minutes: nothing
    static stays bright."""
    if seconds_idle <= DIM_AFTER_S:
        return 1.0
    k = min(1.0, (seconds_idle - DIM_AFTER_S) / (DIM_FULL_S - DIM_AFTER_S))
    return 1.0 - (1.0 - DIM_MIN) * k


def idle_drift(cv: Canvas, seconds_idle: float) -> tuple[int, int]:
    """A slow wander (minutes per cycle) so no pixel is lit in one place for hours."""
    L = cv.layout
    return (round(L.s(40) * math.sin(seconds_idle / 83.0)), round(L.s(30) * math.sin(seconds_idle / 61.0)))


def idle(cv: Canvas, m: ViewModel) -> None:
    L = cv.layout
    since = m.t - m.idle_since
    f = idle_brightness(since)
    dx, dy = idle_drift(cv, since)
    x0, y0 = L.margin + L.s(40) + dx, L.margin + L.s(40) + dy
    clock = cv.text(m.clock_text or time.strftime("%H:%M"), L.s(170), dim(GREY, f), "topleft", (x0, y0),
                    slot="clock")
    cv.text("Press a button to start", L.s(46), dim(GREY, f), "topleft",
            (x0 + L.s(6), clock.bottom + L.s(4)))
    phase = since % TIP_PERIOD_S
    if phase > TIP_SHOWN_S or m.errors:  # a problem on the glass matters more than a tip
        return
    title, body = TIPS[int(since // TIP_PERIOD_S) % len(TIPS)]
    if L.portrait:
        panel = pygame.Rect(L.margin + dx, L.h - L.s(820) + dy, L.w - 2 * L.margin, L.s(700))
    else:
        panel = pygame.Rect(L.w - L.s(900) - L.margin + dx, L.s(300) + dy, L.s(900), L.s(640))
    tip(cv, panel, title, body, f, m.t)


def tip(cv: Canvas, panel: pygame.Rect, title: str, body: str, f: float, t: float) -> None:
    L = cv.layout
    r = cv.text(title, L.s(60), dim(WHITE, f), "topleft", panel.topleft, bold=True)
    if body:
        b = cv.paragraph(body, L.s(42), dim(GREY, f), panel.width, (panel.x, r.bottom + L.s(18)),
                         max_lines=8)
        if title.startswith("Hinge, don't"):
            hinge_vs_bend(cv, pygame.Rect(panel.x, b.bottom + L.s(30), panel.width,
                                          panel.bottom - b.bottom - L.s(30)), f)
        return
    # The muscles: a hinged figure with glutes and hamstrings marked and named.
    fw = round(panel.width * 0.45)
    fig = pygame.Rect(panel.x, r.bottom + L.s(20), fw, min(round(fw * 1.1), panel.bottom - r.bottom - L.s(20)))
    px = draw_figure(cv, fig, back_deg=60, knee_deg=14, colour=dim(GREY, f), muscles=True, facing=-1)
    lx = fig.right + L.s(30)
    size, small = L.s(48), L.s(38)
    g = cv.text("Glutes", size, dim(GLUTE, f), "bottomleft", (lx, px["hip"][1] - L.s(10)), bold=True)
    cv.line(dim(GLUTE, f), (lx - L.s(16), g.centery), (px["hip"][0] + L.s(40), px["hip"][1] - L.s(10)), L.s(3))
    cv.paragraph("gluteus maximus, medius, minimus", small, dim(GREY, f), panel.right - lx, (lx, g.bottom))
    ky = (px["hip"][1] + px["knee"][1]) // 2 + L.s(60)
    h = cv.text("Hamstrings", size, dim(HAMSTRING, f), "topleft", (lx, ky), bold=True)
    mid = ((px["hip"][0] + px["knee"][0]) // 2 + L.s(24), (px["hip"][1] + px["knee"][1]) // 2)
    cv.line(dim(HAMSTRING, f), (lx - L.s(16), h.centery), mid, L.s(3))
    cv.paragraph("biceps femoris, semitendinosus, semimembranosus", small, dim(GREY, f),
                 panel.right - lx, (lx, h.bottom))


def hinge_vs_bend(cv: Canvas, rect: pygame.Rect, f: float) -> None:
    """Two small figures: the hinge (hips back, flat back) and the bend (rounded, hips still)."""
    L = cv.layout
    size = L.s(40)
    h = min(rect.height - cv.line_height(size) - L.s(10), rect.width // 2)
    if h < L.s(160):
        return
    for i, (label, colour, kw) in enumerate((
        ("hinge", GREEN, dict(back_deg=60, knee_deg=14)),
        ("bend", RED, dict(back_deg=70, knee_deg=2, hinge=False)),
    )):  # fmt: skip
        box = pygame.Rect(rect.x + i * rect.width // 2, rect.y, rect.width // 2, h)
        draw_figure(cv, box, colour=dim(GREY, f), trunk_colour=dim(colour, f), **kw)
        cv.text(label, size, dim(colour, f), "midtop", (box.centerx, box.bottom + L.s(10)), bold=True)


def choose(cv: Canvas, m: ViewModel) -> None:
    L = cv.layout
    flow = m.flow
    item = flow.selected
    top = L.margin
    r = cv.text("Choose an exercise", L.s(46), GREY, "topleft", (L.margin, top))
    if L.portrait:
        text_w = L.w - 2 * L.margin
        fig = pygame.Rect(L.w // 2 - L.s(380), L.s(640), L.s(760), L.s(800))
    else:
        text_w = L.s(980)
        fig = pygame.Rect(L.w - L.margin - L.s(700), L.s(190), L.s(640), L.s(640))
    y = r.bottom + L.s(60)
    if item == HISTORY_ITEM:
        name, how, colour = "History", "Your last sessions: reps and scores over time.", BLUE
    else:
        info = m.exercise_info(item)
        name, how, colour = info.name, info.how_to, WHITE
    nr = cv.paragraph(name, L.s(110), colour, text_w, (L.margin, y), bold=True, max_lines=2)
    cv.paragraph(how, L.s(50), GREY, text_w, (L.margin, nr.bottom + L.s(24)), max_lines=4)
    if item != HISTORY_ITEM:
        p = exercise_pose(item, hinge_cycle(m.t))
        draw_figure(cv, fig, colour=WHITE, **p)
    # The carousel: where this item sits among all of them.
    size = L.s(40)
    step = cv.line_height(size) + L.s(6)
    n = len(flow.items)
    y0 = L.h - L.margin - cv.line_height(L.s(34)) - L.s(40) - step * n if L.portrait else L.s(660)
    for i, it in enumerate(flow.items):
        label = "History" if it == HISTORY_ITEM else m.exercise_info(it).name
        sel = i == flow.choice
        cv.text(label, size, WHITE if sel else QUIET, "topleft", (L.margin + L.s(40), y0 + i * step), bold=sel)
        if sel:
            cy = y0 + i * step + cv.line_height(size) // 2
            cv.circle(GREEN, (L.margin + L.s(12), cy), L.s(10))
    action = "open" if item == HISTORY_ITEM else "start"
    hint(cv, m, "next choice", action, "leave")


def history(cv: Canvas, m: ViewModel) -> None:
    L = cv.layout
    r = cv.text("Your last sessions", L.s(72), WHITE, "topleft", (L.margin, L.margin), bold=True)
    sets = m.history[-8:]
    if not sets:
        cv.paragraph("No sets yet. Choose an exercise and do your first set: it will show up here.",
                     L.s(50), GREY, L.w - 2 * L.margin, (L.margin, r.bottom + L.s(40)))
        hint(cv, m, "leave", "choose an exercise", "leave")
        return
    size = L.s(44)
    step = cv.line_height(size) + L.s(10)
    right = L.w - L.margin if L.portrait else L.s(1060)
    cols = [L.margin, L.margin + L.s(290), right - L.s(230), right]
    y = r.bottom + L.s(40)
    for label, x, anchor in (("When", cols[0], "topleft"), ("Exercise", cols[1], "topleft"),
                             ("Reps", cols[2], "topright"), ("Score", cols[3], "topright")):  # fmt: skip
        cv.text(label, L.s(34), QUIET, anchor, (x, y))
    y += cv.line_height(L.s(34)) + L.s(8)
    for row, rec in enumerate(reversed(sets)):  # values: one slot per cell
        when = time.strftime("%a %H:%M", time.localtime(rec.started))
        cv.text(when, size, GREY, "topleft", (cols[0], y), slot=f"when {row}")
        cv.text(m.exercise_info(rec.exercise).name, size, WHITE, "topleft", (cols[1], y))
        cv.text(str(rec.reps), size, WHITE, "topright", (cols[2], y), bold=True, slot=f"reps {row}")
        cv.text(f"{rec.score:.0f}", size, score_colour(rec.score), "topright", (cols[3], y), bold=True,
                slot=f"score {row}")
        y += step
    if L.portrait:
        box = pygame.Rect(L.margin, y + L.s(50), L.w - 2 * L.margin, min(L.s(420), L.h - y - L.s(220)))
    else:
        box = pygame.Rect(right + L.s(120), r.bottom + L.s(40), L.w - L.margin - right - L.s(120), L.s(520))
    trend(cv, m, box)
    hint(cv, m, "leave", "choose an exercise", "leave")


def trend(cv: Canvas, m: ViewModel, rect: pygame.Rect) -> None:
    """Reps per set as bars, the set's mean score as a line, oldest on the left."""
    L = cv.layout
    sets = m.history[-12:]
    if len(sets) < 2 or rect.height < L.s(160):
        return
    label = cv.text("Trend", L.s(40), GREY, "topleft", rect.topleft, bold=True)
    cv.text("bars: reps   line: score", L.s(34), QUIET, "bottomright", (rect.right, label.bottom))
    plot = pygame.Rect(rect.x, label.bottom + L.s(20), rect.width, rect.bottom - label.bottom - L.s(20))
    most = max(s.reps for s in sets) or 1
    slot = plot.width / len(sets)
    pts = []
    for i, s in enumerate(sets):
        cx = round(plot.x + slot * (i + 0.5))
        h = round(plot.height * 0.9 * s.reps / most)
        cv.rect(DIM, (cx - round(slot * 0.3), plot.bottom - h, round(slot * 0.6), h))
        pts.append((cx, round(plot.bottom - plot.height * s.score / 100)))
    cv.lines(GREEN, False, pts, L.s(6))
    for p in pts:
        cv.circle(GREEN, p, L.s(10))


def hint(cv: Canvas, m: ViewModel, next: str = "", select: str = "", back: str = "",
         extra: str = "") -> None:
    """Which button does what, small, at the bottom edge (one-button: press / hold)."""
    if not m.hints:
        return
    L = cv.layout
    if m.keyboard:
        pairs = [("Space", next), ("Enter", select), ("Esc", back)]
    elif m.one_button:
        pairs = [("Press", next), ("Hold", select)]
    else:
        pairs = [("Next", next), ("Select", select), ("Back", back)]
    merged: dict[str, list[str]] = {}
    for key, what in pairs:
        if what:
            merged.setdefault(what, []).append(key)
    text = "    ".join([f"{' or '.join(keys)}: {what}" for what, keys in merged.items()] + ([extra] if extra else []))
    cv.text(text, L.s(34), QUIET, "midbottom", (L.w // 2, L.h - L.margin), slot="hint")  # a countdown in it
