"""What a long-running kiosk keeps in memory reaches a steady state: the text cache, the
History screen's query and SQLite's page cache, the app's list of sets, the soak's own
bookkeeping. (The hour-long proof is `scripts/soak`; these pin each cause found by it.)"""

from __future__ import annotations

import pygame
import pytest

from kiosk.history import CACHE_KIB, FILENAME, History
from kiosk.judge.reports import RepReport
from kiosk.screen import Canvas
from kiosk.screen.canvas import TextCache
from kiosk.bench.soak import Samples, SetTally, slope


@pytest.fixture(scope="module", autouse=True)
def _pygame():
    pygame.font.init()
    yield


def rep(i: int, score: int = 90) -> RepReport:
    return RepReport(index=i, start_s=0.0, end_s=2.0, back_angle_deg=60.0, hip_angle_deg=100.0,
                     knee_flexion_deg=20.0, hip_shift=0.0, down_s=1.0, up_s=1.0, faults=[], score=score)  # fmt: skip


def test_changing_values_reach_a_steady_state_in_the_text_cache():
    cv = Canvas(pygame.Surface((1920, 1080)))
    for minute in range(600):  # ten hours of clock, an angle every frame, a countdown
        cv.begin()
        cv.text(f"{minute // 60:02d}:{minute % 60:02d}", 170, (150, 150, 150), slot="clock")
        cv.text(f"{minute % 181 - 90}\u00b0", 76, (240, 240, 240), slot="angle")
        cv.text(f"Select: another set    (closes in {minute % 45} s)", 34, (85, 85, 85), slot="hint")
        cv.text("reps", 56, (150, 150, 150))
    c = cv.cache
    # numbers are glyphs (0-9 and : at 170 px, 0-9, - and degree at 76 px); the hint is one slot
    assert len(c._cache) == 1 + 11 + 12 and list(c._slots) == ["hint"]
    assert c.evictions == 0 and c.bytes < 1_500_000


def test_a_number_set_from_glyphs_looks_like_the_whole_string_rendered():
    from kiosk.screen.canvas import font

    for text, size, bold in (("-47\u00b0", 76, True), ("12:58", 170, False), ("100", 200, True)):
        cv = Canvas(pygame.Surface((800, 300)))
        cv.begin()
        rect = cv.text(text, size, (255, 255, 255), "topleft", (10, 10), bold=bold)
        whole = font(size, bold).render(text, True, (255, 255, 255))
        assert rect.size == whole.get_size()
        ref = whole.get_bounding_rect().move(10, 10)
        ink = cv.inks[-1]
        assert max(abs(ink.left - ref.left), abs(ink.right - ref.right), abs(ink.top - ref.top),
                   abs(ink.bottom - ref.bottom)) <= 2, (text, ink, ref)  # fmt: skip
        ref_surf = pygame.Surface((800, 300))
        ref_surf.blit(whole, (10, 10))
        a = pygame.surfarray.array3d(cv.surface)[..., 0].astype(int)
        b = pygame.surfarray.array3d(ref_surf)[..., 0].astype(int)
        assert (a > 128).sum() == pytest.approx((b > 128).sum(), rel=0.03)  # same ink, same place
        assert (abs(a - b) > 128).sum() < 0.03 * (b > 128).sum()


def test_a_slot_still_draws_its_current_text_and_hits_while_it_is_unchanged():
    c = TextCache()
    a, _ = c.get("12:00", 60, (255, 255, 255), False, "clock")
    assert c.get("12:00", 60, (255, 255, 255), False, "clock")[0] is a and c.hits == 1
    b, _ = c.get("12:01", 60, (255, 255, 255), False, "clock")
    assert b is not a and c._slots["clock"][0][0] == "12:01"
    # a different colour or size in the same slot is a different render too
    assert c.get("12:01", 60, (100, 100, 100), False, "clock")[0] is not b


def test_the_label_lru_is_still_bounded_by_pixels():
    c = TextCache(max_bytes=400_000)
    for i in range(50):
        c.get(f"label number {i}", 80, (255, 255, 255), True)
    assert c.bytes <= 400_000 and c.evictions > 0 and len(c._cache) < 50


def test_history_connection_page_cache_is_small(tmp_path):
    h = History(tmp_path / FILENAME)
    assert h._db.execute("PRAGMA cache_size").fetchone()[0] == -CACHE_KIB
    assert CACHE_KIB <= 512  # far under SQLite's 2 MB default


def test_recent_sets_reads_only_the_newest_sets(tmp_path):
    now = [1000.0]
    h = History(tmp_path / FILENAME, clock=lambda: now[0])
    for s in range(40):
        now[0] += 60
        sid = h.start_set("hinge")
        for i in range(1, 1 + s % 4):  # every fourth set has no reps
            h.add_rep(sid, rep(i, score=50 + s))
        h.end_set(sid)
    got = h.recent_sets(limit=5)
    assert [x.reps for x in got] == [2, 3, 1, 2, 3]  # sets 34..39 but 36 (no reps), oldest first
    assert [round(x.mean_score) for x in got] == [84, 85, 87, 88, 89]
    plan = " ".join(r[3] for r in h._db.execute(
        "EXPLAIN QUERY PLAN " + RECENT_SQL, (5,)))  # fmt: skip
    assert "reps_by_set" in plan  # reps are found through the index, per chosen set


RECENT_SQL = (
    "SELECT s.id FROM (SELECT * FROM sets WHERE EXISTS (SELECT 1 FROM reps WHERE reps.set_id ="
    " sets.id) ORDER BY id DESC LIMIT ?) s JOIN reps r ON r.set_id = s.id GROUP BY s.id"
)


def test_app_keeps_only_the_sets_a_screen_shows():
    from kiosk.app import HISTORY_SETS, App
    from kiosk.screen.flow import Effect
    from kiosk.screen.exercises import exercise_infos

    class Display:
        surface = pygame.Surface((640, 360))

    app = App(display=Display(), worker=None, judge_factory=lambda ex: None, info=exercise_infos(),
              clock=lambda: 0.0)  # fmt: skip
    for i in range(100):
        app.apply([Effect("end_set", exercise="hinge", reports=(rep(1, score=i),))], float(i))
    assert len(app.sets) == HISTORY_SETS and app.sets[-1].score == 99


def test_soak_bookkeeping_is_running_totals():
    tally = SetTally()

    class J:
        def __init__(self, n):
            self.reports = [None] * n

    for i in range(1000):
        tally.start("hinge", (4, i), J(4 if i != 7 else 5))
    tally.close_current()
    assert (tally.n, tally.done, tally.counted) == (1000, 4000, 4001)
    assert tally.missed == [("hinge", 7, 4, 5)]
    mem = Samples(warmup=10.0, seconds=3600.0)
    for s in range(3600):
        mem.add(float(s), 80.0 + max(0.0, 0.001 * (s - 3000)), 36)  # flat, then 0.06 MB/min
    fig = mem.figures()
    assert len(mem.first) == 5 and len(mem.tail) == 5 and len(mem.window) <= 61
    assert len(fig["rss_trace_mb"]) <= 13 and fig["steady"]
    assert fig["rss_slope_mb_per_min"] == pytest.approx(0.06, abs=0.01)
    assert slope([(0.0, 1.0), (10.0, 3.0)]) == pytest.approx(0.2)


def test_history_screen_reads_the_database_once_per_visit():
    from kiosk.app import App
    from kiosk.screen.flow import Action, Screen
    from kiosk.history import SetSummary
    from kiosk.screen.exercises import exercise_infos

    class Display:
        surface = pygame.Surface((640, 360))

    class Hist:
        calls = 0

        def recent_sets(self, limit):
            Hist.calls += 1
            return [SetSummary(Hist.calls, "hinge", "side", 1000.0, 4, 80.0, 60.0)]

        def end_session(self):
            pass

    now = [0.0]
    app = App(display=Display(), worker=None, judge_factory=lambda ex: None, info=exercise_infos(),
              clock=lambda: now[0], history=Hist())  # fmt: skip
    app.act(Action.BACK)  # idle -> history
    assert app.flow.screen is Screen.HISTORY
    for _ in range(30):
        now[0] += 0.1
        assert [r.reps for r in app.view_model(now[0]).history] == [4]
    assert Hist.calls == 1
    app.act(Action.BACK)  # leave, and come back: read again (a set may have been added since)
    assert app.view_model(now[0]).history == []
    now[0] += 1
    app.act(Action.BACK)
    app.view_model(now[0])
    assert Hist.calls == 2


def test_app_hands_free_heap_pages_back_once_a_minute():
    from kiosk.app import App
    from kiosk.pi.heap import TRIM_EVERY_S, trimmer
    from kiosk.screen.display import Display
    from kiosk.screen.exercises import exercise_infos

    assert trimmer() is not None  # glibc, as on Raspberry Pi OS
    now = [0.0]
    app = App(display=Display("headless", "landscape", size=(640, 360)), worker=None,
              judge_factory=lambda ex: None, info=exercise_infos(), clock=lambda: now[0])  # fmt: skip
    trims = []
    app._trim = trims.append
    for _ in range(300):  # 150 s of the kiosk's clock, a frame every 0.5 s
        app.frame()
        now[0] += 0.5
    assert len(trims) == 1 + int(150 // TRIM_EVERY_S) and set(trims) == {0}
