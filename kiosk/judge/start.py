"""When a set's standing calibration can be learned, and from which frames.

The judge buffers the frames of someone just seen and asks `StartBuffer.add` each frame. The
answer is a message for the glass while it waits, or a `Start`: the frames to learn the
person's standing lengths from, the frames that may show them standing tall, and every
buffered frame (the judge replays them, so a rep begun before the calibration still counts).
"""

from __future__ import annotations

import math
from collections import deque
from dataclasses import dataclass

import numpy as np

from kiosk.judge import angles as A
from kiosk.judge.features import Frame
from kiosk.judge.stats import median

STILL_S = 1.0  # standing still this long calibrates the set
FALLBACK_S = 1.5  # ...or, if they never stand still, this long after they appear
FALLBACK_UP_S = 0.25  # ...once upright this long
BUFFER_S = 3.0
# Standing, the trunk's height over the hips' (MoveNet points) is 0.5-0.75 in the footage
# (0.46 at worst); gripping a bar seen from the front, 0.25-0.4 (generated).
TRUNK_PER_LEG = 0.4
# Someone who has looked upright in the image this long without passing that test is taken
# at their word: a body or a camera angle outside those numbers must not block the set.
TRUST_UPRIGHT_S = 5.0
# Standing, the wrists are 0.6-2.6 trunk heights above the knees in the footage (clip medians;
# 0.12 at the least, mid-hinge); gripping a bar or bell on the floor they are below them
# (generated). Judged on a median, as a wrist lost behind a kettlebell drops below the knee
# for a frame.
HANDS_OVER_KNEES = 0.05
# Standing up is over when the hips stop rising: by less than this share of the trunk's
# length over FALLBACK_UP_S.
SETTLED = 0.1
# Exercising, the hips stay within this many trunk lengths sideways of where the person
# stands; farther off they were walking in. (Seen from off to the side, a standing person's
# trunk reads 25-30 deg bent by the view learned where they then stood.)
IN_PLACE = 0.6


def upright(f: Frame, legs: bool = True) -> bool:
    """Standing tall, as far as one frame shows: the trunk within ~24 deg of vertical in the
    image, and, with the ankles seen, at least TRUNK_PER_LEG as tall as the hips are high.
    (From the front a trunk bent over a bar still points up in the image, only shorter.)
    legs=False: the image angle alone."""
    dx, dy = f.shoulder[0] - f.hip[0], f.hip[1] - f.shoulder[1]
    if abs(dx) >= 0.45 * dy:
        return False
    return not legs or f.ankle is None or dy >= TRUNK_PER_LEG * (f.ankle[1] - f.hip[1])


def hands_low(f: Frame) -> float | None:
    """angles.hand_reach in this frame's own trunk heights (nothing is calibrated yet);
    None: not seen."""
    if f.wrist is None or f.knee is None:
        return None
    return A.hand_reach(f.wrist, f.knee, f.hip[1] - f.shoulder[1])


def reaching_down(frames: list[Frame]) -> bool:
    """Are the hands mostly down at the knees: bent over a load on the floor, not standing?
    (From the front a lifter gripping the bar can pass every test of `upright`.)"""
    lows = [v for v in map(hands_low, frames) if v is not None]
    return bool(lows) and median(lows) > -HANDS_OVER_KNEES


def settled(frames: list[Frame], length: float) -> bool:
    """Have the hips stopped rising? Seen from the front, a pull from the floor looks
    upright well before lockout; calibrated then, the bent trunk was learned as standing and
    the pull was never counted. Thirds compared, not the range: real keypoints jitter the
    hips by a tenth of the trunk from frame to frame."""
    k = max(1, len(frames) // 3)
    ys = [fr.hip[1] for fr in frames]
    return sum(ys[:k]) / k - sum(ys[-k:]) / k < SETTLED * length  # (image y grows downward)


def arrived(frames: list[Frame], still: list[Frame], length: float) -> list[Frame]:
    """The frames since the person last stood IN_PLACE or more trunk lengths sideways of
    where they then stood `still`: what they did there, not the walk in. (Replayed with the
    view learned at the spot, someone walking in from the side read 25-30 deg bent, and it
    counted as a rep.) Only sideways: the ankles would also tell a walk toward the camera,
    but a barbell's plates hide them for a whole pull, and MoveNet's guesses then wander by
    most of a trunk length."""
    spot, reach, k = median([fr.hip[0] for fr in still]), IN_PLACE * length, 0
    for i, fr in enumerate(frames):
        if abs(fr.hip[0] - spot) >= reach:
            k = i + 1
    return frames[k:]


@dataclass
class Start:
    lengths_from: list[Frame]  # learn the standing segment lengths from these
    standing: list[Frame]  # of these, the tall ones show the standing view and posture
    frames: list[Frame]  # everything buffered, in time order, to replay


class StartBuffer:
    def __init__(self) -> None:
        self.frames: deque[Frame] = deque()
        self.upright_since: float | None = None  # upright in the image since (legs aside)

    def clear(self) -> None:
        self.frames.clear()
        self.upright_since = None

    def add(self, f: Frame, t: float) -> Start | str:
        """Ideally the person stands still and upright for STILL_S; if they get going at once
        (a swing already under way), the tallest moments of their first FALLBACK_S, once
        they have stood for FALLBACK_UP_S. A set that starts bent over (gripping a bar on
        the floor) is so calibrated when they first stand, on their upright frames, not on
        the bent-over ones (whose short trunk and low hips made the first pull's angles
        wrong)."""
        buf = self.frames
        buf.append(f)
        while buf and buf[0].t < t - BUFFER_S:
            buf.popleft()
        if not upright(f, legs=False):
            self.upright_since = None
        elif self.upright_since is None:
            self.upright_since = t
        legs = self.upright_since is None or t - self.upright_since < TRUST_UPRIGHT_S
        recent = [fr for fr in buf if fr.t >= t - STILL_S]
        length = median([math.sqrt((fr.shoulder[0] - fr.hip[0]) ** 2 + (fr.shoulder[1] - fr.hip[1]) ** 2)
                         for fr in recent])  # (sqrt of the sum, as np.linalg.norm rounds)
        up_now = all(upright(fr, legs) for fr in recent) and not (legs and reaching_down(recent))
        hips = np.array([fr.hip for fr in recent])
        steady = float(np.max(np.std(hips, axis=0))) < 0.08 * length  # (keypoints jitter)
        still = up_now and steady and t - recent[0].t >= STILL_S * 0.9 and len(recent) >= 4
        # The fallback needs the person in one place (exercising, not walking in).
        xs = np.array([fr.hip[0] for fr in buf])
        in_place = float(np.ptp(xs)) < IN_PLACE * length
        run = 0
        for fr in reversed(recent):
            if not upright(fr, legs):
                break
            run += 1
        last = [fr for fr in recent[-run:] if fr.t >= t - FALLBACK_UP_S] if run else []
        stood = (run >= 3 and t - recent[-run].t >= FALLBACK_UP_S and settled(last, length)
                 and not (legs and reaching_down(recent[-run:])))
        fallback = t - buf[0].t >= FALLBACK_S and len(buf) >= 8 and in_place and stood
        if not (still or fallback):
            return "Stand tall, facing the mirror" if not up_now else "Hold still"
        frames = list(buf)
        if still:
            return Start(recent, recent, arrived(frames, recent, length))
        tall = [fr for fr in frames if upright(fr, legs) and not (legs and reaching_down([fr]))]
        return Start(tall, frames, frames)
