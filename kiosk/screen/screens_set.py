"""Screens of a set: get set, coaching, set summary.

While coaching, the middle of the glass stays clear for the reflection: the rep count and the
gauge sit at the top (portrait) or the sides (landscape), the cue at the bottom.
"""

from __future__ import annotations

from collections import Counter

import pygame

from kiosk.coach.coach import top_fault
from kiosk.coach.cues import FAULTS
from kiosk.screen.flow import SUMMARY_TIMEOUT_S
from kiosk.coach.framing import SOMEONE_ELSE, TURN_SHORT, framing_advice, view_advice
from kiosk.judge.reports import Phase, View
from kiosk.screen.canvas import Canvas
from kiosk.screen.model import ViewModel
from kiosk.screen.screens_rest import hint
from kiosk.screen.theme import AMBER, CUE_COLOURS, DIM, GREEN, GREY, QUIET, WHITE, score_colour
from kiosk.screen.widgets import bar_chart, check, gauge, progress, rep_ticks, skeleton, trunk_colour

PHASE_WORDS = {
    Phase.WAITING: "Step into view",
    Phase.CALIBRATING: "Stand still",
    Phase.STANDING: "Standing",
    Phase.DESCENDING: "Going down",
    Phase.BOTTOM: "Bottom",
    Phase.ASCENDING: "Coming up",
}  # where the rep is (the cue line below says what to do)
VIEW_WORDS = {View.SIDE: "side", View.FRONT: "front", View.OBLIQUE: "front-side", View.UNKNOWN: ""}
FIXES = (
    ("Too close?", "step back until your feet show"),
    ("Cut off?", "step back or tilt the camera"),
    ("Too dark?", "turn on a light in front of you"),
    ("Someone else in view?", "ask them to step aside"),
)


def get_set(cv: Canvas, m: ViewModel) -> None:
    L = cv.layout
    st = m.flow.state
    info = m.exercise_info(m.flow.exercise)
    r = cv.text(f"Get set: {info.name}", L.s(50), GREY, "topleft", (L.margin, L.margin))
    advice = framing_advice(m.view_pose) if m.view_pose is not None or st is not None else None
    if st is None or not st.person:
        big = advice or "Step back until your whole body is in view"
    else:
        big = advice or st.message or "Stand tall and still"
    view = st.view if st is not None and st.view is not View.UNKNOWN else m.last_view
    turn = view_advice(view)
    if m.someone_else and m.view_pose is not None:
        big = SOMEONE_ELSE  # the tracked person may not be the one about to lift
    elif turn and advice is None and st is not None and st.person:
        big = turn  # framing first: a cut-off body gives no view worth turning for
    else:
        turn = None
    text_w = L.w - 2 * L.margin if L.portrait else L.s(1000)
    b = cv.paragraph(big, L.s(84), WHITE, text_w, (L.margin, r.bottom + L.s(40)), bold=True, max_lines=3)
    y = b.bottom + L.s(50)
    size = L.s(48)
    step = cv.line_height(size) + L.s(14)
    items = [
        (st is not None and st.person and advice is None, "Whole body in view"),
        (view not in (View.UNKNOWN, View.FRONT),
         f"Camera sees you from the {VIEW_WORDS[view]}" if view is not View.UNKNOWN else "Finding the camera view"),
    ]
    if m.back_shape_off:  # the second model is not there: say so where the set is prepared
        items.append((False, m.back_shape_off))
    for ok, label in items:
        cy = y + cv.line_height(size) // 2
        if ok:
            check(cv, (L.margin + L.s(26), cy), L.s(40), GREEN, L.s(8))
        else:
            cv.circle(DIM, (L.margin + L.s(26), cy), L.s(18), L.s(4))
        cv.text(label, size, WHITE if ok else GREY, "topleft", (L.margin + L.s(80), y))
        y += step
    frac = m.flow.calibration_progress(m.t)
    cv.text("Calibrating: stand still" if frac > 0 else "Then stand still for a moment",
            size, WHITE if frac > 0 else GREY, "topleft", (L.margin + L.s(80), y))
    y += step
    progress(cv, pygame.Rect(L.margin + L.s(80), y, L.s(560), L.s(44)), frac)
    y += L.s(100)
    fix_size = L.s(38)
    # An error says it better; the turn means the framing is fine (and needs their room).
    for i, (head, fix) in enumerate(FIXES if not (m.errors or turn) else ()):
        now = i == len(FIXES) - 1 and m.someone_else  # the fix that applies right now
        h = cv.text(head, fix_size, AMBER if now else GREY, "topleft", (L.margin, y), bold=True)
        cv.text(fix, fix_size, WHITE if now else QUIET, "topleft", (h.right + L.s(14), y))
        y += cv.line_height(fix_size) + L.s(6)
    if m.view_pose is not None:
        # What the camera sees, as a skeleton in the frame (not a picture).
        if L.portrait:
            box = pygame.Rect(L.w - L.margin - L.s(420), L.h - L.s(860), L.s(420), L.s(560))
        else:
            box = pygame.Rect(L.w - L.margin - L.s(600), L.s(200), L.s(600), L.s(640))
        area = skeleton(cv, m.view_pose, box, trunk=GREEN)
        cv.text("what the camera sees", L.s(32), QUIET, "midtop", (area.centerx, area.bottom + L.s(10)))
    hint(cv, m, "another exercise", "", "another exercise")


def coaching(cv: Canvas, m: ViewModel) -> None:
    L = cv.layout
    flow = m.flow
    st = flow.state
    info = m.exercise_info(flow.exercise)
    phase = st.phase if st is not None else Phase.WAITING
    live = st.live_faults if st is not None else []
    angle = st.back_angle_deg if st is not None and st.person else None
    name = cv.text(info.name, L.s(50), GREY, "topleft", (L.margin, L.margin))
    cv.text(str(flow.reps), L.s(340), WHITE, "topleft", (L.margin - L.s(12), name.bottom - L.s(30)), bold=True,
            slot="reps")
    ink = cv.inks[-1]
    cv.text("reps", L.s(56), GREY, "bottomleft", (ink.right + L.s(24), ink.bottom + L.s(10)))
    ph = cv.text(PHASE_WORDS[phase], L.s(68), WHITE, "topleft", (L.margin, ink.bottom + L.s(40)))
    ticks = pygame.Rect(L.margin, ph.bottom + L.s(20), L.s(720), L.s(70))
    cue_w = L.w - 2 * L.margin
    if L.portrait:
        radius = L.s(300)
        pivot = (L.w - L.margin - radius - L.s(90), L.margin + radius + L.s(70))
        cue_top = L.h - L.s(470)
    else:
        radius = L.s(320)  # the readout goes under the dial and stays clear of the cue
        pivot = (L.w - L.margin - radius - L.s(90), L.margin + radius + L.s(70))
        cue_top = L.h - L.s(330)
    dial = gauge(cv, pivot, radius, angle, info.band, facing=1, in_fault=bool(live))
    ang_text = f"{angle:.0f}\u00b0" if angle is not None else "--"
    a = cv.text(ang_text, L.s(76), WHITE, "topleft", (pivot[0] - L.s(40), dial.bottom), bold=True,
                slot="angle")
    cv.text("back angle", L.s(40), GREY, "topleft", (a.right + L.s(16), a.bottom - cv.line_height(L.s(40)) - L.s(6)))
    target = cv.text(f"target {info.band[0]:.0f}\u2013{info.band[1]:.0f}\u00b0", L.s(40), GREEN, "topleft",
                     (a.x, a.bottom + L.s(4)))
    rep_ticks(cv, flow.reports, ticks)
    # A quiet line under the left column; in portrait the gauge's readout reaches lower.
    quiet_y = (max(ticks.bottom, target.bottom) if L.portrait else ticks.bottom) + L.s(16)
    if m.someone_else:  # quiet: the set goes on, the track stays on the lifter
        cv.text("Someone else is in view", L.s(40), GREY, "topleft", (L.margin, quiet_y))
    elif st is not None and st.person and view_advice(st.view):  # quiet too: hip faults unjudged
        cv.text(TURN_SHORT, L.s(40), GREY, "topleft", (L.margin, quiet_y))
    if st is not None and not st.person:
        text, colour = (st.message or "Step back into view"), AMBER
    elif m.cue is not None:
        text, colour = m.cue.text, CUE_COLOURS[m.cue.kind]
    else:
        text, colour = "", WHITE
    if m.ghost is not None:
        # Small, mirrored like the reflection; the trunk line shows the judgement.
        if L.portrait:
            box = pygame.Rect(L.w - L.margin - L.s(260), cue_top - L.s(360), L.s(260), L.s(320))
        else:
            box = pygame.Rect(L.margin, L.h - L.margin - L.s(80) - L.s(300), L.s(260), L.s(300))
            cue_w = L.w - 2 * (box.right + L.s(40))
        skeleton(cv, m.ghost, box, trunk=trunk_colour(live), crop=m.crop)
    if text and not m.errors:  # with the camera lost, the error is the message
        cv.paragraph(text, L.s(96), colour, cue_w, (L.w // 2, cue_top), align="center", bold=True, max_lines=2,
                     slot="cue")
    if m.pip is not None:
        w = L.s(440)
        box = pygame.Rect(L.margin, quiet_y + L.s(74), w, w) if L.portrait else \
            pygame.Rect(L.w // 2 - w // 2 - L.s(60), L.s(110), w, w)
        skeleton(cv, m.pip, box, mirror=False, trunk=AMBER if live else GREEN, crop=m.crop)
        cv.text(m.pip_label or "demo athlete", L.s(30), QUIET, "midtop", (box.centerx, box.bottom + L.s(6)))
    hint(cv, m, "", "stop the set", "stop the set")  # NEXT is ignored: a stray press must not stop


def best_rep(reports):
    return max(reports, key=lambda r: (r.score, -len(r.faults), -r.index)) if reports else None


def advice(reports) -> str:
    """One thing for next time: the most common (then most urgent) fault, else praise."""
    faults = Counter(f for r in reports for f in r.faults if f in FAULTS)
    if not faults:
        return "Clean set! Now lower slowly: three seconds down."
    most = max(faults.values())
    worst = top_fault([f for f, n in faults.items() if n == most])
    return FAULTS[worst].cue


def summary(cv: Canvas, m: ViewModel) -> None:
    L = cv.layout
    exercise, reports = m.flow.last_set or (m.flow.exercise, ())
    reports = list(reports)
    info = m.exercise_info(exercise)
    r = cv.text(f"Set done: {info.name}", L.s(52), GREY, "topleft", (L.margin, L.margin))
    n = cv.text(str(len(reports)), L.s(200), WHITE, "topleft", (L.margin - L.s(6), r.bottom), bold=True,
                slot="set reps")
    mean = sum(x.score for x in reports) / len(reports) if reports else 0
    cv.text("reps", L.s(52), GREY, "bottomleft", (n.right + L.s(20), n.bottom - L.s(40)))
    sc = cv.text(f"{mean:.0f}", L.s(200), score_colour(mean), "topleft", (n.right + L.s(200), r.bottom),
                 bold=True, slot="set score")
    cv.text("score", L.s(52), GREY, "bottomleft", (sc.right + L.s(20), sc.bottom - L.s(40)))
    if L.portrait:
        chart = pygame.Rect(L.margin, n.bottom + L.s(40), L.w - 2 * L.margin, L.s(520))
        col = pygame.Rect(L.margin, chart.bottom + L.s(50), L.w - 2 * L.margin, L.s(600))
    else:
        chart = pygame.Rect(L.margin, n.bottom + L.s(40), L.s(980), L.h - n.bottom - L.s(240))
        col = pygame.Rect(L.s(1140), L.s(160), L.w - L.s(1140) - L.margin, L.s(700))
    cv.text("back angle per rep", L.s(34), QUIET, "topleft", (chart.x, chart.y - L.s(10)))
    bar_chart(cv, reports, pygame.Rect(chart.x, chart.y + L.s(40), chart.width, chart.height - L.s(40)),
              info.band, L.s(32))
    y = col.y
    best = best_rep(reports)
    if best is not None:
        b = cv.text(f"Best rep: {best.index}", L.s(52), GREEN, "topleft", (col.x, y), bold=True, slot="best")
        cv.text(f"score {best.score}, {best.back_angle_deg:.0f}\u00b0", L.s(40), GREY, "bottomleft",
                (b.right + L.s(20), b.bottom - L.s(6)), slot="best score")
        y = b.bottom + L.s(30)
    size = L.s(38)
    faulty = [x for x in reports if x.faults][-4:]
    for i, rep in enumerate(faulty):
        f = top_fault(rep.faults)
        extra = f" (+{len(rep.faults) - 1} more)" if len(rep.faults) > 1 else ""
        r = cv.paragraph(f"Rep {rep.index}: {FAULTS[f].cue if f else rep.faults[0]}{extra}", size,
                         score_colour(rep.score), col.width, (col.x, y), max_lines=2, slot=f"fault {i}")  # fmt: skip
        y = r.bottom + L.s(6)
    if not faulty and reports:
        cv.text("No faults in any rep", size, GREEN, "topleft", (col.x, y))
        y += cv.line_height(size)
    nt = cv.text("Next time", L.s(40), GREY, "topleft", (col.x, y + L.s(40)))
    cv.paragraph(advice(reports), L.s(56), WHITE, col.width, (col.x, nt.bottom + L.s(4)), bold=True, max_lines=3,
                 slot="advice")
    f = m.flow
    left = SUMMARY_TIMEOUT_S - (m.t - max(f.entered_at, f.last_input_at))
    hint(cv, m, "finish", "another set", "finish", extra=f"(closes in {max(0, round(left))} s)")
