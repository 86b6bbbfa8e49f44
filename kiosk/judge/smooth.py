"""Body points smoothed over time: a One Euro filter on each, with a jump gate on the trunk
points (a keypoint glitch is held, not followed)."""

from __future__ import annotations

import math

from kiosk.judge.features import Frame, Point, _dist

_MINUS_TWO_PI = -2 * math.pi


def _copy(f: Frame) -> Frame:
    """A shallow copy (Frame(**f.__dict__) costs ~3x as much)."""
    out = object.__new__(Frame)
    out.__dict__.update(f.__dict__)
    return out


class Smoother:
    """A One Euro filter (Casiez et al. 2012) over the body points: heavy smoothing while the
    person is still, light while they move fast. Foreshortening near upright is very
    sensitive to jitter (a 4 % length error reads as 16 deg), so the standing posture wants
    all the smoothing it can get; a one-second swing wants little lag. Speeds are measured in
    trunk lengths per second, so the filter does not depend on the person's size in pixels.
    A point that goes missing briefly keeps its last smoothed position."""

    POINTS = ("hip", "shoulder", "knee", "ankle", "head", "wrist", "hip_ankle")
    # A trunk point can only move so fast: a jump beyond JUMP + SPEED * dt standing trunk
    # lengths is a keypoint glitch (a teleport, a swap while one side is unseen), held like a
    # missing point for up to hold_s; a brief glitch bent "depth" enough to split a rep.
    # Real footage moves them at most ~0.5 trunk lengths a frame; a fast swing ~4/s.
    GATED = ("hip", "shoulder")
    JUMP, SPEED = 0.4, 6.0

    def __init__(self, min_hz: float = 0.8, beta: float = 2.5, d_hz: float = 1.0, hold_s: float = 0.3):
        self.min_hz, self.beta, self.d_hz, self.hold_s = min_hz, beta, d_hz, hold_s
        self.prev: Frame | None = None
        self.speed: dict[str, float] = {}
        self.seen: dict[str, float] = {}
        self.before: dict[str, tuple[float, Point]] = {}  # (t, where) before a big allowed move
        self.glitch: dict[str, float] = {}  # when the point's current held jump began

    @staticmethod
    def _alpha(hz: float, dt: float) -> float:
        return 1.0 - math.exp(_MINUS_TWO_PI * hz * dt)

    def __call__(self, f: Frame, trunk_len: float | None = None) -> Frame:
        """trunk_len: the standing trunk length (px) once known, the scale of the gate."""
        p = self.prev
        if p is None or f.t - p.t > 0.5 or f.t <= p.t:
            self.prev, self.speed = f, {}
            self.seen = {n: f.t for n in self.POINTS if getattr(f, n) is not None}
            self.before, self.glitch = {}, {}
            return f
        dt = f.t - p.t
        scale = max(_dist(p.shoulder, p.hip), 1.0)
        gate = trunk_len * (self.JUMP + self.SPEED * dt) if trunk_len else None
        glitch = self.glitch
        a_speed = self._alpha(self.d_hz, dt)
        # (The body of the loop runs 7 times a frame: locals, and _alpha and _dist written out.)
        out = _copy(f)
        now, prev, seen, speed, t = out.__dict__, p.__dict__, self.seen, self.speed, f.t
        min_hz, beta, hold_s, hypot, exp = self.min_hz, self.beta, self.hold_s, math.hypot, math.exp
        for n in self.POINTS:
            new, old = now[n], prev[n]
            if new is not None and old is not None:
                d = hypot(new[0] - old[0], new[1] - old[1])
                # (Gated only once the standing trunk is known: the first frame may be the glitch.)
                if gate is not None and n in self.GATED and d > gate:
                    before = self.before.get(n)
                    if before is not None and t - before[0] <= hold_s and hypot(
                            new[0] - before[1][0], new[1] - before[1][1]) <= 0.5 * gate:
                        # Back to where it was before a big move just under the gate: that
                        # move was the glitch, and this is its end, not a new one. (Held,
                        # the glitch lasted hold_s longer: a dip long enough to split a rep.)
                        seen[n], now[n] = t, new
                        speed.pop(n, None)
                        glitch.pop(n, None)
                        continue
                    # Held for hold_s from the jump, not from the last sighting: after 0.22 s
                    # with nobody seen, hips glitched far off were held 0.08 s, taken as real,
                    # and their return held as the glitch (0.3 s of a 120 deg back, enough of
                    # the early standing lengths to make the upright trunk read 74 deg bent).
                    if t - glitch.setdefault(n, t) <= hold_s:
                        now[n] = old  # a glitch: held
                        continue
                    del glitch[n]
                    # A jump that stayed past hold_s is where the point is (the held one was
                    # the glitch, e.g. the first frame after a gap): taken at once. Eased in
                    # from the glitch, it re-armed the gate at every step and crept back
                    # over a second, a phantom bend long enough to count as a rep.
                    seen[n], now[n] = t, new
                    speed.pop(n, None)
                    continue
                seen[n] = t
                glitch.pop(n, None)
                if gate is not None and d > 0.5 * gate and n in self.GATED:
                    self.before[n] = (t, old)
                v = d / dt / scale
                sp = speed.get(n, v)
                sp += a_speed * (v - sp)
                speed[n] = sp
                a = 1.0 - exp(_MINUS_TWO_PI * (min_hz + beta * sp) * dt)
                now[n] = (old[0] + a * (new[0] - old[0]), old[1] + a * (new[1] - old[1]))
            elif new is not None:
                seen[n] = t
            elif old is not None and t - seen.get(n, -1e9) <= hold_s:
                now[n] = old
        self.prev = out
        return out
