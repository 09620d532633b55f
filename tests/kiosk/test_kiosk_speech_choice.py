"""Which speaker the kiosk gets: espeak-ng when it can play sound, else text only, said aloud in the log."""

from __future__ import annotations

import logging

import pytest

from kiosk.speech import NullSpeech, default_speech


def test_without_a_sound_device_the_kiosk_says_so_and_shows_text(caplog: pytest.LogCaptureFixture) -> None:
    from voice.speaker import Pyttsx3Speaker

    probe = Pyttsx3Speaker()
    can_play = probe.available
    probe.close()
    with caplog.at_level(logging.WARNING, logger="kiosk.speech"):
        speech = default_speech()
    if can_play:  # a machine with a sound card gets the real speaker
        assert isinstance(speech, Pyttsx3Speaker)
        speech.close()
    else:  # this build machine: no sound card
        assert isinstance(speech, NullSpeech)
        assert "no speech output" in caplog.text and "text only" in caplog.text
