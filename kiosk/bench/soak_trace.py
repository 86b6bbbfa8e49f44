"""`python -m kiosk.bench.soak --trace A,B`: where the memory a soak run gains after warm-up
lives. Kept apart from the soak itself: a diagnosis tool, not part of the check."""

from __future__ import annotations

import json
import sys


class Tracer:
    """--trace A,B: where memory that grows after warm-up lives. Python allocations made
    after wall second A that are still alive at B (tracemalloc, started only at A so the
    run before it is not slowed), and at every sample the memory tracemalloc cannot see:
    SQLite's own heap (sqlite3_memory_used), glibc's heap in use and free, the text cache."""

    def __init__(self, spec: str, app) -> None:
        import ctypes

        self.a, self.b = (float(x) for x in spec.split(","))
        self.app, self.state, self.next = app, "before", 0.0
        try:
            self.sqlite = ctypes.CDLL("libsqlite3.so.0").sqlite3_memory_used
            self.sqlite.restype = ctypes.c_int64
        except OSError:
            self.sqlite = None

        class Mallinfo2(ctypes.Structure):
            _fields_ = [(n, ctypes.c_size_t) for n in ("arena", "ordblks", "smblks", "hblks",
                        "hblkhd", "usmblks", "fsmblks", "uordblks", "fordblks", "keepcost")]  # fmt: skip

        try:
            self.mallinfo = ctypes.CDLL("libc.so.6").mallinfo2
            self.mallinfo.restype = Mallinfo2
        except (OSError, AttributeError):
            self.mallinfo = None

    def sample(self, wall: float, rss: float) -> None:
        import tracemalloc

        if wall < self.next:
            return
        self.next = wall + 10.0
        mb = 1 / 1048576
        row = {"wall": round(wall), "rss": round(rss, 2)}
        if self.sqlite is not None:
            row["sqlite"] = round(self.sqlite() * mb, 2)
        if self.mallinfo is not None:
            m = self.mallinfo()
            row.update(heap_used=round(m.uordblks * mb, 2), heap_free=round(m.fordblks * mb, 2),
                       mmapped=round(m.hblkhd * mb, 2))  # fmt: skip
        c = self.app.canvas.cache
        row.update(text_cache=round(c.bytes * mb, 2), text_slots=round(c.slot_bytes * mb, 2),
                   text_entries=len(c._cache), text_misses=c.misses, text_evictions=c.evictions)
        if tracemalloc.is_tracing():
            row["py_traced"] = round(tracemalloc.get_traced_memory()[0] * mb, 2)
            row["tracemalloc_own"] = round(tracemalloc.get_tracemalloc_memory() * mb, 2)
        print(json.dumps(row), file=sys.stderr, flush=True)
        if self.state == "before" and wall >= self.a:
            tracemalloc.start(8)
            self.state = "tracing"
        elif self.state == "tracing" and wall >= self.b:
            snap = tracemalloc.take_snapshot().filter_traces(
                [tracemalloc.Filter(False, tracemalloc.__file__)])
            tracemalloc.stop()
            self.state = "done"
            stats = snap.statistics("traceback")
            total = sum(s.size for s in stats)
            print(f"--- alive at {wall:.0f} s, allocated after {self.a:.0f} s: "
                  f"{total * mb:.3f} MB in {sum(s.count for s in stats)} blocks", file=sys.stderr)
            for s in stats[:12]:
                print(f"{s.size * mb:8.3f} MB {s.count:7d} blocks", file=sys.stderr)
                for line in s.traceback.format()[-8:]:
                    print("      " + line, file=sys.stderr)
