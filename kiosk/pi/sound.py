"""Sound: a tick per rep, a distinct tone for a warning, and spoken cues.

Tones are generated in code (numpy -> pygame.mixer.Sound), so there are no audio files to
ship. Speech goes through espeak-ng in a subprocess when it is installed; a cue is never
queued behind another (a late cue is worse than none). No audio device, no mixer, no
espeak-ng: the kiosk stays silent and says so once in the log; it never crashes for sound.
"""

from __future__ import annotations

import logging
import shutil
import subprocess

import numpy as np

from kiosk.errors import native_chatter_logged

log = logging.getLogger(__name__)

RATE = 44100


def tone(freqs: list[tuple[float, float]], rate: int = RATE, volume: float = 0.5) -> np.ndarray:
    """A sequence of (frequency Hz, seconds) notes with short fades (no clicks), int16 mono."""
    parts = []
    for f, dur in freqs:
        n = int(rate * dur)
        t = np.arange(n) / rate
        wave = np.sin(2 * np.pi * f * t) + 0.25 * np.sin(4 * np.pi * f * t)
        fade = min(n // 2, int(rate * 0.008))
        env = np.ones(n)
        env[:fade] = np.linspace(0, 1, fade)
        env[n - fade:] = np.linspace(1, 0, fade)
        parts.append(wave * env)
    x = np.concatenate(parts) / 1.25
    return (x * volume * 32767).astype(np.int16)


def tick_wave(rate: int = RATE) -> np.ndarray:
    """A short bright click that decays fast: one per counted rep."""
    n = int(rate * 0.07)
    t = np.arange(n) / rate
    x = np.sin(2 * np.pi * 1760 * t) * np.exp(-t * 60)
    return (x * 0.6 * 32767).astype(np.int16)


def warning_wave(rate: int = RATE) -> np.ndarray:
    """Two falling notes: unlike the tick, so a warning is heard without looking."""
    return tone([(660, 0.12), (0, 0.03), (440, 0.22)], rate)


class Sound:
    def __init__(self, volume: float = 0.7, mute: bool = False, speech: bool = True,
                 espeak: str | None = None) -> None:  # fmt: skip
        self.volume, self.mute = float(volume), bool(mute)
        self.available = False
        self.reason = ""
        self._sounds: dict[str, object] = {}
        self._speaker = None
        self._espeak = (espeak or shutil.which("espeak-ng")) if speech else None
        if not self.mute:
            self._init_mixer()
        if speech and not self._espeak:
            log.info("espeak-ng not installed: cues are shown, not spoken (apt install espeak-ng)")

    def _init_mixer(self) -> None:
        try:
            import pygame

            if not pygame.mixer.get_init():
                with native_chatter_logged(log):  # ALSA's "cannot find card" lines
                    pygame.mixer.init(frequency=RATE, size=-16, channels=1, buffer=512)
            rate, _, channels = pygame.mixer.get_init()
            for name, wave in (("tick", tick_wave(rate)), ("warning", warning_wave(rate))):
                data = wave if channels == 1 else np.repeat(wave[:, None], channels, axis=1)
                snd = pygame.sndarray.make_sound(np.ascontiguousarray(data))
                snd.set_volume(self.volume)
                self._sounds[name] = snd
            self.available = True
        except Exception as exc:  # no device, no driver, no permission: stay silent
            self.reason = str(exc) or type(exc).__name__
            log.info("no sound (%s): the kiosk runs silent", self.reason)

    def set_volume(self, volume: float) -> None:
        self.volume = max(0.0, min(1.0, float(volume)))
        for snd in self._sounds.values():
            snd.set_volume(self.volume)

    def play(self, name: str) -> bool:
        """Play "tick" or "warning". Returns whether a sound went out."""
        if self.mute or name not in self._sounds:
            return False
        try:
            self._sounds[name].play()
            return True
        except Exception as exc:
            log.debug("could not play %s: %s", name, exc)
            return False

    def say(self, text: str) -> bool:
        """Speak a cue unless the previous one is still being spoken."""
        if self.mute or not self._espeak or not text:
            return False
        if self._speaker is not None and self._speaker.poll() is None:
            return False
        amplitude = str(round(200 * self.volume))
        try:
            self._speaker = subprocess.Popen(
                [self._espeak, "-s", "165", "-a", amplitude, "--", text],
                stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
            )  # fmt: skip
            return True
        except OSError as exc:
            log.info("espeak-ng failed (%s): cues are shown, not spoken", exc)
            self._espeak = None
            return False

    def close(self) -> None:
        if self._speaker is not None and self._speaker.poll() is None:
            self._speaker.terminate()
