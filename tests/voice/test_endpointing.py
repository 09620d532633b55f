"""Endpointing on synthetic audio: every boundary checked to the sample.

Default config: 20 ms frames = 320 samples; speech needs 5 loud, non-flat frames in a row;
the turn ends after 60 quiet frames (1.2 s); 500 frames (10 s) cap; 250 frames (5 s) of
leading silence give up; 15 frames (0.3 s) of pre-roll and tail around the speech.
"""

from __future__ import annotations

import numpy as np
import pytest
from voice_testkit import mix, noise, silence, tone

from voice.endpointing import (
    EndpointConfig,
    Endpointer,
    EndpointOutcome,
    listen,
    spectral_flatness,
)

FRAME = 320


def chunks_of(samples: np.ndarray, size: int = 1600) -> list[bytes]:
    data = samples.astype("<i2").tobytes()
    return [data[i : i + size * 2] for i in range(0, len(data), size * 2)]


def test_speech_then_silence_ends_after_1_2_s_of_silence() -> None:
    audio = np.concatenate([noise(0.5), mix(tone(1.0), noise(1.0, seed=1)), noise(2.0, seed=2)])
    endpoint = listen(chunks_of(audio))
    assert endpoint.outcome is EndpointOutcome.SPEECH_ENDED
    assert endpoint.speech_start == 8000  # frame 25: the tone's first sample
    assert endpoint.speech_end == 24000  # frame 75: one past the tone's last sample
    assert endpoint.decided_at == 24000 + 60 * FRAME  # exactly 1.2 s later = 43200
    # pre-roll 15 frames before the onset, tail 15 frames after the last speech frame
    assert endpoint.utterance.frames == (75 + 15 - (25 - 15)) * FRAME


def test_a_pause_shorter_than_the_end_silence_does_not_end_the_turn() -> None:
    audio = np.concatenate([silence(0.4), tone(0.6), silence(1.0), tone(0.4), silence(1.5)])
    endpoint = listen(chunks_of(audio))
    assert endpoint.outcome is EndpointOutcome.SPEECH_ENDED
    assert endpoint.speech_start == 6400
    assert endpoint.speech_end == 6400 + 9600 + 16000 + 6400  # end of the second tone
    assert endpoint.decided_at == endpoint.speech_end + 60 * FRAME


def test_end_silence_is_configurable() -> None:
    audio = np.concatenate([silence(0.4), tone(0.6), silence(2.0)])
    config = EndpointConfig(end_silence_s=0.5)
    endpoint = listen(chunks_of(audio), config)
    assert endpoint.decided_at == 16000 + 25 * FRAME


def test_nobody_speaks_gives_up_after_the_leading_silence() -> None:
    endpoint = listen(chunks_of(noise(8.0)))
    assert endpoint.outcome is EndpointOutcome.NO_SPEECH
    assert endpoint.decided_at == 250 * FRAME  # 5 s, not the 10 s cap
    assert endpoint.speech_start is None and endpoint.utterance.frames == 0


def test_loud_white_noise_is_not_speech() -> None:
    # std 0.1 is about -20 dBFS: far above the floor, but spectrally flat
    endpoint = listen(chunks_of(noise(6.0, std=0.1)))
    assert endpoint.outcome is EndpointOutcome.NO_SPEECH
    assert endpoint.decided_at == 250 * FRAME


def test_speech_through_background_noise_is_found() -> None:
    audio = np.concatenate([noise(0.6, std=0.02), mix(tone(0.8), noise(0.8, std=0.02, seed=3)),
                            noise(2.0, std=0.02, seed=4)])
    endpoint = listen(chunks_of(audio))
    assert endpoint.outcome is EndpointOutcome.SPEECH_ENDED
    assert endpoint.speech_start == 9600
    assert endpoint.speech_end == 9600 + 12800


def test_continuous_sound_is_cut_at_the_hard_cap() -> None:
    endpoint = listen(chunks_of(tone(12.0)))
    assert endpoint.outcome is EndpointOutcome.MAX_LENGTH
    assert endpoint.speech_start == 0  # speech from the first frame still counts
    assert endpoint.decided_at == 500 * FRAME == 160000


def test_listen_stops_reading_the_source_at_the_decision() -> None:
    consumed = 0

    def source():  # an endless microphone
        nonlocal consumed
        chunk = tone(0.1).astype("<i2").tobytes()
        while True:
            consumed += 1
            yield chunk

    endpoint = listen(source(), EndpointConfig(max_listen_s=2.0))
    assert endpoint.outcome is EndpointOutcome.MAX_LENGTH
    assert consumed == 20


def test_a_click_does_not_start_speech() -> None:
    audio = np.concatenate([silence(1.0), tone(0.06), silence(5.0)])  # 3 frames < 5
    endpoint = listen(chunks_of(audio))
    assert endpoint.outcome is EndpointOutcome.NO_SPEECH


def test_noise_floor_adapts_to_a_noisier_room() -> None:
    quiet_tone = tone(1.0, amplitude=0.014)  # about -40 dBFS
    calm = np.concatenate([silence(0.4), noise(2.0, std=0.0003), quiet_tone, silence(2.0)])
    endpoint = listen(chunks_of(calm))
    assert endpoint.outcome is EndpointOutcome.SPEECH_ENDED  # heard against a quiet floor
    # the same quiet tone after 2 s of -30 dBFS fan noise: the floor rose, so it is noise
    fan = noise(3.0, std=0.03, seed=5)
    noisy = np.concatenate([silence(0.4), fan[:32000], mix(quiet_tone, fan[32000:48000]),
                            noise(2.0, std=0.03, seed=6)])
    endpointer = Endpointer()
    for chunk in chunks_of(noisy):
        endpointer.feed(chunk)
    result = endpointer.finish()
    assert result.noise_floor_db > -45
    assert result.outcome is EndpointOutcome.NO_SPEECH


def test_audio_that_ends_during_speech() -> None:
    endpointer = Endpointer()
    for chunk in chunks_of(np.concatenate([silence(0.3), tone(0.5)])):
        endpointer.feed(chunk)
    result = endpointer.finish()
    assert result.outcome is EndpointOutcome.AUDIO_ENDED
    assert (result.speech_start, result.speech_end) == (4800, 12800)


@pytest.mark.parametrize("chunk", [1, 160, 333, 4096])
def test_chunk_size_does_not_change_the_decision(chunk: int) -> None:
    audio = np.concatenate([silence(0.5), tone(1.0), silence(2.0)])
    expected = listen(chunks_of(audio))
    got = listen(chunks_of(audio, chunk))
    assert (got.outcome, got.speech_start, got.speech_end, got.decided_at) == (
        expected.outcome, expected.speech_start, expected.speech_end, expected.decided_at)


def test_spectral_flatness_separates_tone_and_noise() -> None:
    assert spectral_flatness(tone(0.02)) < 0.01
    assert 0.45 < spectral_flatness(noise(0.02, std=0.1)) < 0.7


def brown_noise(seconds: float, *, level: float = 0.3, seed: int = 0) -> np.ndarray:
    """Integrated white noise (1/f^2, like sox brownnoise): loud, peaky, below the voice band."""
    walk = np.cumsum(np.random.default_rng(seed).normal(0.0, 1.0, round(seconds * 16000)))
    walk -= np.linspace(walk[0], walk[-1], len(walk))  # no drift: stays centred
    return np.round(walk / np.abs(walk).max() * level * 32767).astype(np.int16)


def test_brown_noise_does_not_start_speech() -> None:
    for seed in range(3):
        audio = np.concatenate([silence(0.3), brown_noise(4.0, seed=seed)])
        endpoint = listen(chunks_of(audio))
        assert endpoint.outcome is EndpointOutcome.NO_SPEECH, seed
    # The rule is the voice band, not the level: without it the same noise starts speech.
    loose = EndpointConfig(min_onset_voice_band=0.0)
    assert any(listen(chunks_of(np.concatenate([silence(0.3), brown_noise(4.0, seed=s)])),
                      loose).heard_speech for s in range(3))


def test_a_low_hum_cannot_start_speech_but_does_not_cut_it_either() -> None:
    hum = tone(1.0, freq=120.0)  # below the voice band: a transformer or a fan
    assert not listen(chunks_of(np.concatenate([silence(0.4), hum, silence(2.0)]))).heard_speech
    # Speech that runs into a low sound (a nasal "mmm") keeps going through it.
    audio = np.concatenate([silence(0.4), tone(0.5), hum, silence(2.0)])
    endpoint = listen(chunks_of(audio))
    assert endpoint.speech_start == 6400
    assert endpoint.speech_end == 6400 + 8000 + 16000
