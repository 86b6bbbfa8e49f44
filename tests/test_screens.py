"""Every screen, headless, in portrait and landscape: written to artifacts/screens/ for review,
and checked for clipped or overlapping text and for black outside the drawn content."""

from __future__ import annotations

import numpy as np
import pygame
import pytest

from kiosk.startup import BACK_SHAPE_OFF

from kiosk.coach.coach import Cue, fault_cue
from kiosk.screen.flow import Flow, Screen
from kiosk.pose.keypoints import Pose
from kiosk.judge.reports import JudgeState, Phase, RepReport, View
from kiosk.screen import Canvas, ViewModel, render
from kiosk.screen.canvas import TextCache
from kiosk.coach.cues import FAULTS
from kiosk.screen.exercises import exercise_infos
from kiosk.screen.model import SetRecord

EXERCISES = ("hinge", "hello", "deadlift", "skier-swing")
INFO = exercise_infos()  # names, how-to lines and target bands from the judge's rules
SIZES = {"portrait": (1080, 1920), "landscape": (1920, 1080)}


def standing_pose(t: float = 0.0, lean: float = 0.0) -> Pose:
    """A side-on person in a 640x480 frame, trunk leaning `lean` radians forward."""
    hip = np.array([300.0, 250.0])
    sh = hip + 140 * np.array([np.sin(lean), -np.cos(lean)])
    kp = np.zeros((17, 3))
    pts = {0: sh + [10, -40], 1: sh + [14, -46], 2: sh + [6, -46], 3: sh + [0, -40], 4: sh + [0, -40],
           5: sh, 6: sh + [4, 0], 7: sh + [0, 70], 8: sh + [4, 70], 9: sh + [0, 130], 10: sh + [4, 130],
           11: hip, 12: hip + [4, 0], 13: [312, 350], 14: [316, 350], 15: [305, 440], 16: [309, 440]}  # fmt: skip
    for i, p in pts.items():
        kp[i, :2] = p
    kp[:, 2] = 0.9
    return Pose(kp, t, (640, 480))


def cut_off_pose() -> Pose:
    p = standing_pose()
    kp = p.keypoints.copy()
    kp[:, 1] += 120  # the person stands low in the frame: ankles off the bottom edge
    kp[15:, 2] = 0.05
    return Pose(np.clip(kp, 0, [639, 479, 1]), 0.0, (640, 480))


def reps(n: int = 8) -> list[RepReport]:
    out = []
    faults = {2: ["rounded_back"], 4: ["squatting", "too_fast"], 6: ["too_shallow"]}
    for i in range(1, n + 1):
        f = faults.get(i, [])
        out.append(RepReport(i, i * 3.0, i * 3.0 + 2.6, 62 + 6 * np.sin(i) - (25 if "too_shallow" in f else 0),
                             110, 20, 0.2, 1.2, 1.0, f, 95 - 30 * len(f) - i % 3))  # fmt: skip
    return out


def model_for(screen: Screen, t: float = 1000.0, **kw) -> ViewModel:
    flow = Flow(EXERCISES)
    flow.screen, flow.entered_at, flow.choice = screen, t - 5, 1
    rr = reps()
    if screen is Screen.GET_SET:
        flow.state = JudgeState(t, Phase.CALIBRATING, View.SIDE, True, 3.0, 0.9, message="")
        flow.calibrating_since = t - 0.8
    if screen is Screen.COACHING:
        flow.reports = rr[:5]
        flow.state = JudgeState(t, Phase.DESCENDING, View.SIDE, True, 57.0, 0.9, reps=5,
                                live_faults=["rounded_back"])  # fmt: skip
    if screen is Screen.SUMMARY:
        flow.last_set = ("hello", tuple(rr))
    history = [SetRecord(1.7e9 + i * 86400, EXERCISES[i % 4], 6 + i % 5, 60 + 4 * i) for i in range(9)]
    m = ViewModel(flow=flow, t=t, clock_text="21:45", info=INFO, history=history,
                  cue=fault_cue("rounded_back", 6), idle_since=t - 10, view_pose=standing_pose(t))
    for k, v in kw.items():
        setattr(flow if hasattr(flow, k) else m, k, v)
    return m


CAMERA_LOST = ["Camera lost: retrying", "webcam /dev/video0 does not exist (plug it in, or set "
               "[camera] device; `ls /dev/video*` lists them)"]
CASES = {
    "idle": lambda: model_for(Screen.IDLE),
    "idle-muscles": lambda: model_for(Screen.IDLE, idle_since=1000.0 - 125),
    "idle-plain": lambda: model_for(Screen.IDLE, idle_since=1000.0 - 35),
    "choose": lambda: model_for(Screen.CHOOSE),
    "get_set": lambda: model_for(Screen.GET_SET),
    "coaching": lambda: model_for(Screen.COACHING),
    "coaching-ghost": lambda: model_for(Screen.COACHING, ghost=standing_pose(0, 0.9),
                                        cue=Cue("Good rep!", "good", 50)),
    "coaching-error": lambda: model_for(Screen.COACHING, errors=CAMERA_LOST),
    "get_set-camera-lost": lambda: model_for(Screen.GET_SET, errors=CAMERA_LOST, view_pose=None),
    "idle-model-missing": lambda: model_for(Screen.IDLE, errors=[
        "Pose model missing: the mirror cannot see you",
        "MoveNet model movenet_singlepose_lightning_int8_v4.tflite not found (looked in "
        "/usr/share/hinge-mirror/models, /var/lib/hinge-mirror/models). Fetch it with: "
        "hinge-mirror models fetch lightning_int8"]),
    "get_set-feet-cut-off": lambda: model_for(Screen.GET_SET, view_pose=cut_off_pose()),
    "get_set-someone-else": lambda: model_for(Screen.GET_SET, someone_else=True),
    "get_set-back-shape-off": lambda: model_for(Screen.GET_SET, back_shape_off=BACK_SHAPE_OFF),
    "get_set-front-view": lambda: model_for(Screen.GET_SET, last_view=View.FRONT, state=JudgeState(
        1000.0, Phase.CALIBRATING, View.UNKNOWN, True, 3.0, 0.9, message="Hold still")),
    "coaching-front-view": lambda: model_for(Screen.COACHING, state=JudgeState(
        1000.0, Phase.DESCENDING, View.FRONT, True, 57.0, 0.9, reps=5)),
    # The widest back angle the gauge's number shows, and the narrowest (nobody in view).
    "coaching-too-deep": lambda: model_for(Screen.COACHING, state=JudgeState(
        1000.0, Phase.BOTTOM, View.SIDE, True, 108.0, 0.9, reps=5, live_faults=["too_deep"])),
    "coaching-lost": lambda: model_for(Screen.COACHING, state=JudgeState(
        1000.0, Phase.WAITING, View.SIDE, False, None, 0.0, reps=5)),
    "coaching-someone-else": lambda: model_for(Screen.COACHING, someone_else=True,
                                               pip=standing_pose(0, 0.9), pip_label="demo athlete"),
    **{f"choose-{i}": (lambda i=i: model_for(Screen.CHOOSE, choice=i)) for i in range(5)},
    "coaching-longest-cue": lambda: model_for(Screen.COACHING, cue=fault_cue(
        max(FAULTS, key=lambda f: len(FAULTS[f].cue)))),
    "summary-all-faults": lambda: model_for(Screen.SUMMARY, last_set=("skier-swing", tuple(
        RepReport(i + 1, 0, 1, 30 + 7 * i, 100, 20, 0.2, 1, 1, [f, "too_fast"], 40)
        for i, f in enumerate(FAULTS)))),
    "choose-keyboard": lambda: model_for(Screen.CHOOSE, keyboard=True),
    "summary": lambda: model_for(Screen.SUMMARY),
    "history": lambda: model_for(Screen.HISTORY),
    "history-empty": lambda: model_for(Screen.HISTORY, history=[]),
}


class InvisibleText(TextCache):
    """Text laid out as usual but drawn transparent: a frame rendered with it holds only the
    drawings (gauge, chart, figures, skeletons), to find text that runs into one."""

    def _render(self, key):
        surf, ink = super()._render(key)
        return pygame.Surface(surf.get_size(), pygame.SRCALPHA), ink


def check_canvas(cv: Canvas, model: ViewModel | None = None) -> None:
    """No text clipped, overlapping another, hidden under an error, or (given the model the
    frame was drawn from) running into a drawing; nothing lit outside the drawn content."""
    w, h = cv.surface.get_size()
    screen = pygame.Rect(0, 0, w, h)
    # Checked on the ink (lit pixels) of each text: line boxes of big digits overlap harmlessly.
    inks = [(text, ink) for (text, _), ink in zip(cv.texts, cv.inks, strict=True)]
    for text, r in inks:
        assert screen.contains(r), f"text clipped: {text!r} at {r}"
    for i, (ta, ra) in enumerate(inks):
        for tb, rb in inks[i + 1:]:
            assert not ra.colliderect(rb), f"text overlaps: {ta!r} {ra} and {tb!r} {rb}"
    for n, cover in cv.covers:  # an error box painted over text drawn earlier would cut it
        for (text, _), ink in zip(cv.texts[:n], cv.inks[:n], strict=True):
            assert not ink.colliderect(cover), f"text hidden under an error: {text!r}"
    if model is not None:
        drawings = Canvas(pygame.Surface((w, h)), InvisibleText())
        render(drawings, model)
        assert [t for t, _ in drawings.texts] == [t for t, _ in cv.texts]
        lit = pygame.surfarray.array3d(drawings.surface).any(axis=2)
        gap = 2  # touching counts: ink needs air around it
        for text, ink in inks:
            r = ink.inflate(2 * gap, 2 * gap).clip(screen)
            hit = np.argwhere(lit[r.left:r.right, r.top:r.bottom])
            assert len(hit) == 0, \
                f"text runs into a drawing: {text!r} at {ink}, lit at {(hit[0] + r.topleft).tolist()}"
    mask = np.zeros((w, h), bool)
    for _, r in cv.texts:
        mask[r.left:r.right, r.top:r.bottom] = True
    for r in cv.shapes:
        rr = r.clip(screen)
        mask[rr.left:rr.right, rr.top:rr.bottom] = True
    px = pygame.surfarray.pixels3d(cv.surface)
    outside = px[~mask]
    assert outside.size == 0 or outside.max() == 0, "lit pixels outside any drawn content"
    assert mask.mean() < 0.6, "the glass is mostly covered: no room for the reflection"


@pytest.mark.parametrize("orient", SIZES)
@pytest.mark.parametrize("case", CASES)
def test_screen(case, orient, artifacts_dir):
    pygame.init()
    surf = pygame.Surface(SIZES[orient])
    cv = Canvas(surf)
    model = CASES[case]()
    render(cv, model)
    out = artifacts_dir / "screens"
    out.mkdir(exist_ok=True)
    pygame.image.save(surf, str(out / f"{case}-{orient}.png"))
    assert cv.texts, "nothing drawn"
    check_canvas(cv, model)


def test_overlap_check_catches_overlap():
    pygame.init()
    cv = Canvas(pygame.Surface((400, 300)))
    cv.begin()
    cv.text("Hello", 40, (255, 255, 255), "topleft", (10, 10))
    cv.text("World", 40, (255, 255, 255), "topleft", (20, 20))
    with pytest.raises(AssertionError, match="overlaps"):
        check_canvas(cv)


def test_black_check_catches_stray_pixels():
    pygame.init()
    cv = Canvas(pygame.Surface((400, 300)))
    cv.begin()
    cv.text("Hi", 40, (255, 255, 255), "topleft", (10, 10))
    cv.surface.set_at((300, 200), (9, 9, 9))
    with pytest.raises(AssertionError, match="outside"):
        check_canvas(cv)


def test_idle_dims_and_drifts_so_nothing_burns_in():
    from kiosk.screen.screens_rest import idle_brightness

    pygame.init()
    lit = []
    boxes = []
    for minutes in (0.2, 3, 12):
        cv = Canvas(pygame.Surface(SIZES["landscape"]))
        render(cv, model_for(Screen.IDLE, idle_since=1000.0 - minutes * 60 - 30))  # between tips
        px = pygame.surfarray.pixels3d(cv.surface)
        lit.append(int(px.max()))
        boxes.append(cv.inks[0].topleft)  # the clock
        del px
        check_canvas(cv)
    assert lit[0] > lit[1] > lit[2] and lit[2] < 0.5 * lit[0]
    assert len(set(boxes)) == 3  # the clock has moved
    assert idle_brightness(0) == 1.0 and idle_brightness(3600) < 0.4


def test_asleep_is_a_plain_mirror():
    pygame.init()
    cv = Canvas(pygame.Surface(SIZES["portrait"]))
    render(cv, model_for(Screen.IDLE, asleep=True))
    assert pygame.surfarray.pixels3d(cv.surface).max() == 0


@pytest.mark.parametrize("orient", SIZES)
def test_someone_else_is_said_on_get_set_and_quietly_while_coaching(orient):
    from kiosk.coach.framing import SOMEONE_ELSE

    pygame.init()
    said = {}
    for screen in (Screen.GET_SET, Screen.COACHING):
        for flag in (False, True):
            cv = Canvas(pygame.Surface(SIZES[orient]))
            render(cv, model_for(screen, someone_else=flag))
            said[screen, flag] = " ".join(text for text, _ in cv.texts)
    assert SOMEONE_ELSE not in said[Screen.GET_SET, False]
    assert SOMEONE_ELSE in said[Screen.GET_SET, True]  # wrapped lines, joined again
    assert "Someone else is in view" not in said[Screen.COACHING, False]
    assert "Someone else is in view" in said[Screen.COACHING, True]


@pytest.mark.parametrize("orient", SIZES)
def test_get_set_says_when_the_back_shape_check_is_off(orient):
    pygame.init()
    for off in ("", BACK_SHAPE_OFF):
        cv = Canvas(pygame.Surface(SIZES[orient]))
        render(cv, model_for(Screen.GET_SET, back_shape_off=off))
        assert (BACK_SHAPE_OFF in [text for text, _ in cv.texts]) is bool(off)


def test_the_phase_word_says_where_the_rep_is():
    from kiosk.screen.screens_set import PHASE_WORDS

    assert [PHASE_WORDS[p] for p in (Phase.STANDING, Phase.DESCENDING, Phase.BOTTOM, Phase.ASCENDING)] \
        == ["Standing", "Going down", "Bottom", "Coming up"]


def test_text_cache_is_bounded_by_pixel_memory_not_entry_count():
    # A kiosk runs for weeks: every clock minute and angle it ever drew must not stay cached.
    import pygame

    from kiosk.screen.canvas import TextCache

    pygame.font.init()
    cache = TextCache(max_bytes=2 * 1024 * 1024)
    for minute in range(1440):
        cache.get(f"{minute // 60:02d}:{minute % 60:02d}", 120, (255, 255, 255), False)
    assert 0 < cache.bytes <= 2 * 1024 * 1024
    recent = cache.get("23:59", 120, (255, 255, 255), False)
    assert cache.get("23:59", 120, (255, 255, 255), False) is recent  # still a hit


def test_view_advice_asks_for_a_turn_only_from_the_front():
    from kiosk.coach.framing import TURN, view_advice

    assert view_advice(View.FRONT) == TURN and "30-45" in TURN and "hips" in TURN
    assert [view_advice(v) for v in (View.SIDE, View.OBLIQUE, View.UNKNOWN)] == [None] * 3


@pytest.mark.parametrize("orient", SIZES)
def test_a_front_view_asks_for_a_turn_below_the_framing_problems(orient):
    from kiosk.coach.framing import SOMEONE_ELSE, TURN, TURN_SHORT

    def said(screen, **kw) -> str:
        pygame.init()
        cv = Canvas(pygame.Surface(SIZES[orient]))
        render(cv, model_for(screen, **kw))
        check_canvas(cv)  # no clipping or overlap with the turn text in place
        return " ".join(text for text, _ in cv.texts)  # wrapped lines, joined again

    calibrating = JudgeState(1000.0, Phase.CALIBRATING, View.UNKNOWN, True, 3.0, 0.9, message="Hold still")
    assert TURN in said(Screen.GET_SET, last_view=View.FRONT, state=calibrating)
    assert TURN not in said(Screen.GET_SET, last_view=View.OBLIQUE, state=calibrating)
    assert TURN not in said(Screen.GET_SET, state=calibrating)
    # Framing problems and a second person come first.
    cut = said(Screen.GET_SET, last_view=View.FRONT, state=calibrating, view_pose=cut_off_pose())
    assert TURN not in cut and "Feet cut off" in cut
    other = said(Screen.GET_SET, last_view=View.FRONT, state=calibrating, someone_else=True)
    assert TURN not in other and SOMEONE_ELSE in other
    # While coaching: a quiet line, from the judge's view of this set.
    front = JudgeState(1000.0, Phase.DESCENDING, View.FRONT, True, 57.0, 0.9, reps=5)
    assert TURN_SHORT in said(Screen.COACHING, state=front)
    assert TURN_SHORT not in said(Screen.COACHING)  # the default state is a side view


def too_dim(cv: Canvas) -> list[str]:
    """Every text drawn below the legibility floor: relative luminance (Rec. 709) under that
    of #B4B4B4, so a grey passes from #B4B4B4 up and a colour as bright to the eye does."""
    from kiosk.screen.theme import MIN_TEXT_LUMINANCE, luminance

    assert len(cv.colours) == len(cv.texts)
    return [f"{text!r} in {colour} (luminance {luminance(colour):.2f} < {MIN_TEXT_LUMINANCE:.2f})"
            for (text, _), colour in zip(cv.texts, cv.colours) if luminance(colour) < MIN_TEXT_LUMINANCE]


@pytest.mark.parametrize("orient", SIZES)
def test_every_text_on_every_screen_is_bright_enough_for_the_glass(orient):
    pygame.init()
    checked, dim = 0, []
    for case, make in CASES.items():
        cv = Canvas(pygame.Surface(SIZES[orient]))
        render(cv, make())
        checked += len(cv.texts)
        dim += [f"{case}: {d}" for d in too_dim(cv)]
    assert checked > 300
    assert not dim, f"{len(dim)} of {checked} texts too dim for the glass:\n" + "\n".join(dim)


def test_the_floor_is_b4b4b4_for_greys_and_the_eye_s_brightness_for_colours():
    from kiosk.screen.theme import MIN_TEXT_LUMINANCE, luminance

    assert luminance((180, 180, 180)) == MIN_TEXT_LUMINANCE
    assert luminance((179, 179, 179)) < MIN_TEXT_LUMINANCE < luminance((181, 181, 181))
    assert luminance((255, 0, 0)) < MIN_TEXT_LUMINANCE  # pure red reads dim through glass
    assert luminance((0, 0, 0)) == 0 and luminance((255, 255, 255)) == pytest.approx(1)
    cv = Canvas(pygame.Surface((400, 200)))
    cv.begin()
    cv.text("fine", 30, (200, 200, 200), "topleft", (0, 0))
    cv.text("12", 30, (85, 85, 85), "topleft", (0, 50))  # numbers (set glyph by glyph) too
    cv.text("too dim", 30, (85, 85, 85), "topleft", (0, 100))
    assert [d.split(" in ")[0] for d in too_dim(cv)] == ["'12'", "'too dim'"]


def test_every_colour_text_may_take_is_above_the_floor_and_the_band_shows():
    from kiosk.screen import theme as T

    text_colours = [T.WHITE, T.GREY, T.QUIET, T.GREEN, T.AMBER, T.RED, T.BLUE, T.GLUTE, T.HAMSTRING,
                    *T.CUE_COLOURS.values(), *(T.score_colour(s) for s in range(101))]  # fmt: skip
    assert min(map(T.luminance, text_colours)) >= T.MIN_TEXT_LUMINANCE
    assert T.luminance(T.QUIET) == T.MIN_TEXT_LUMINANCE  # the least text sits on the floor
    # The target band: more than three times as luminous as the old (20, 70, 35), which a lit
    # room hid, and still dark enough that every needle colour stands out on it (2:1 at least).
    assert T.luminance(T.BAND) > 3 * T.luminance((20, 70, 35))
    for needle in (T.WHITE, T.GREEN, T.AMBER, T.RED):
        assert (T.luminance(needle) + 0.05) / (T.luminance(T.BAND) + 0.05) >= 2
