"""Sounds made in code; never a crash without an audio device; espeak-ng never queued."""

from __future__ import annotations

import stat

import numpy as np
import pygame

from kiosk.pi.sound import RATE, Sound, tick_wave, warning_wave


def dominant_hz(wave: np.ndarray) -> float:
    spec = np.abs(np.fft.rfft(wave.astype(float)))
    return float(np.fft.rfftfreq(len(wave), 1 / RATE)[spec.argmax()])


def test_tick_and_warning_are_short_and_distinct():
    tick, warn = tick_wave(), warning_wave()
    assert tick.dtype == warn.dtype == np.int16
    assert len(tick) / RATE < 0.1 < len(warn) / RATE < 0.5
    assert dominant_hz(tick) > 1500 and 400 < dominant_hz(warn) < 700
    assert np.abs(warn[:10]).max() < 2000 and np.abs(warn[-10:]).max() < 2000  # faded: no click


def test_plays_on_the_dummy_driver_and_mute_silences(monkeypatch):
    monkeypatch.setenv("SDL_AUDIODRIVER", "dummy")
    pygame.mixer.quit()
    s = Sound(volume=0.5, speech=False)
    assert s.available
    assert s.play("tick") and s.play("warning")
    s.mute = True
    assert not s.play("tick")
    s.close()
    pygame.mixer.quit()


def test_no_audio_device_is_no_crash(monkeypatch):
    pygame.mixer.quit()

    def broken(*a, **k):
        raise pygame.error("No available audio device")

    monkeypatch.setattr(pygame.mixer, "init", broken)
    s = Sound(speech=False)
    assert not s.available and "audio device" in s.reason
    assert s.play("tick") is False


def test_speech_is_never_queued(tmp_path):
    fake = tmp_path / "espeak-ng"
    log = tmp_path / "said"
    fake.write_text(f"#!/bin/sh\necho \"$@\" >> {log}\nsleep 0.5\n")
    fake.chmod(fake.stat().st_mode | stat.S_IEXEC)
    s = Sound(mute=False, espeak=str(fake))
    assert s.say("Keep your back long")
    assert not s.say("Good rep!")  # still speaking: dropped, not queued
    s._speaker.wait(5)
    assert s.say("Good rep!")
    s._speaker.wait(5)
    said = log.read_text()
    assert "Keep your back long" in said and said.count("Good rep!") == 1
    s.close()
