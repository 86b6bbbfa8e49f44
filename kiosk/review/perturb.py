"""Invisible changes to a clip's pixels, and how often they change a rep's verdict.

A verdict that flips with a few grey levels of noise, a one-pixel shift or another CPU's
YUV->RGB rounding is noise: on the glass it is a cue that comes and goes. Each perturbation
is deterministic (seeded by the frame time), so a run can be repeated exactly.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np


@dataclass(frozen=True)
class Perturbation:
    name: str
    noise: int = 0  # uniform integer noise in [-noise, noise] grey levels, per pixel and channel
    shift: tuple[int, int] = (0, 0)  # (dx, dy) px, the edge repeated
    exact_rgb: bool = True  # False: swscale's default per-CPU YUV->RGB conversion

    def __call__(self, rgb: np.ndarray, t: float) -> np.ndarray:
        out = rgb
        if self.shift != (0, 0):
            dx, dy = self.shift
            out = np.roll(out, (dy, dx), axis=(0, 1))
            if dy:
                out[:dy] = out[dy:dy + 1]
            if dx:
                out[:, :dx] = out[:, dx:dx + 1]
        if self.noise:
            rng = np.random.default_rng(int(round(t * 1000)) + 1)
            noise = rng.integers(-self.noise, self.noise + 1, size=out.shape, dtype=np.int16)
            out = np.clip(out.astype(np.int16) + noise, 0, 255).astype(np.uint8)
        return np.ascontiguousarray(out)


PERTURBATIONS = (
    Perturbation("noise +-2 grey levels", noise=2),
    Perturbation("shifted 1 px", shift=(1, 1)),
    Perturbation("default YUV->RGB", exact_rgb=False),
)


def match(base_starts: list[float], other_starts: list[float], tol: float = 0.5) -> list[int | None]:
    """For each base rep, the index of the other run's rep that starts nearest to it (within
    `tol` s), or None: a rep one run counted and the other did not."""
    out, used = [], set()
    for s in base_starts:
        best = min((i for i in range(len(other_starts)) if i not in used),
                   key=lambda i: abs(other_starts[i] - s), default=None)  # fmt: skip
        if best is None or abs(other_starts[best] - s) > tol:
            out.append(None)
        else:
            used.add(best)
            out.append(best)
    return out


def agreement(base: list[list[str]], base_starts: list[float],
              runs: list[tuple[list[list[str]], list[float]]]) -> dict:  # fmt: skip
    """How often each rep's verdict (its set of faults) is the same under every perturbation:
    overall, and per fault (that fault's presence). A rep missing from a run disagrees."""
    pairs = same = 0
    per_fault: dict[str, list[int]] = {}
    for faults, starts in runs:
        for i, j in enumerate(match(base_starts, starts)):
            pairs += 1
            other = set(faults[j]) if j is not None else None
            same += other == set(base[i])
            for f in set(base[i]) | (other or set()):
                row = per_fault.setdefault(f, [0, 0])
                row[1] += 1
                row[0] += other is not None and (f in other) == (f in base[i])
    return {"pairs": pairs, "same": same, "per_fault": per_fault}
