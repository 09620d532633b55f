"""Audio sources: WAV of any format -> 16 kHz mono int16; the microphone without a sound card."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from voice_testkit import tone, write_wav

from voice.audio import (
    SAMPLE_RATE,
    AudioClip,
    MicrophoneSource,
    WavFileSource,
    microphone_problem,
    read_wav,
)
from voice.errors import BadAudio, NoAudioDevice, VoiceError


def dominant_frequency(samples: np.ndarray, rate: int = SAMPLE_RATE) -> float:
    spectrum = np.abs(np.fft.rfft(samples.astype(np.float64)))
    return float(np.argmax(spectrum) * rate / len(samples))


def tone_at(rate: int, seconds: float = 1.0, freq: float = 440.0) -> np.ndarray:
    t = np.arange(round(seconds * rate)) / rate
    return np.round(0.3 * np.sin(2 * np.pi * freq * t) * 32767).astype(np.int16)


@pytest.mark.parametrize("rate", [8000, 16000, 22050, 44100, 48000])
def test_any_rate_becomes_16_khz_with_duration_and_pitch_kept(tmp_path: Path, rate: int) -> None:
    clip = read_wav(write_wav(tmp_path / "a.wav", tone_at(rate), rate=rate))
    assert clip.sample_rate == SAMPLE_RATE
    assert clip.frames == 16000
    assert abs(dominant_frequency(clip.samples()) - 440.0) <= 1.0
    # amplitude survives resampling (anti-aliasing does not eat a 440 Hz tone)
    assert 0.27 * 32767 < np.abs(clip.samples()[1000:-1000]).max() < 0.33 * 32767


def test_stereo_is_mixed_down(tmp_path: Path) -> None:
    left = tone(0.5)
    stereo = np.stack([left, np.zeros_like(left)], axis=1)  # speaker on the left only
    path = tmp_path / "s.wav"
    import wave

    with wave.open(str(path), "wb") as out:
        out.setnchannels(2)
        out.setsampwidth(2)
        out.setframerate(16000)
        out.writeframes(stereo.astype("<i2").tobytes())
    samples = read_wav(path).samples()
    assert len(samples) == 8000
    assert np.allclose(samples, left / 2, atol=1)  # averaged, not just the right channel


def test_8_bit_unsigned_wav(tmp_path: Path) -> None:
    clip = read_wav(write_wav(tmp_path / "u8.wav", tone(0.5), width=1))
    assert clip.frames == 8000
    assert abs(int(clip.samples().mean())) < 200  # centred on 0, not on 128
    assert abs(dominant_frequency(clip.samples()) - 440.0) <= 2.0


def test_float_wav(tmp_path: Path) -> None:
    from scipy.io import wavfile

    path = tmp_path / "f.wav"
    wavfile.write(path, 24000, (tone_at(24000) / 32767).astype(np.float32))
    clip = read_wav(path)
    assert clip.frames == 16000 and abs(dominant_frequency(clip.samples()) - 440) <= 1


def test_bad_files_raise_bad_audio(tmp_path: Path) -> None:
    garbage = tmp_path / "not.wav"
    garbage.write_bytes(b"ID3\x03 this is an mp3, not a wav" * 10)
    with pytest.raises(BadAudio, match="PCM WAV"):
        read_wav(garbage)
    with pytest.raises(BadAudio, match="no such file"):
        read_wav(tmp_path / "missing.wav")


def test_wav_source_streams_chunks(tmp_path: Path) -> None:
    source = WavFileSource(write_wav(tmp_path / "a.wav", tone(1.05)), chunk_frames=1600)
    chunks = list(source.chunks())
    assert [len(c) for c in chunks] == [3200] * 10 + [1600]  # 16800 samples
    assert b"".join(chunks) == source.clip.pcm


def test_clip_from_float_samples_clips_and_scales() -> None:
    clip = AudioClip.from_samples(np.array([0.0, 0.5, 2.0, -2.0]))
    assert clip.samples().tolist() == [0, 16384, 32767, -32767]
    assert clip.seconds == 4 / 16000


def test_no_microphone_is_a_clear_error() -> None:
    if microphone_problem() is None:
        pytest.skip("this machine has a microphone")
    with pytest.raises(NoAudioDevice) as caught:
        MicrophoneSource()
    assert isinstance(caught.value, VoiceError)
    assert "No microphone available" in str(caught.value)
    assert "buttons" in str(caught.value)  # tells the senior's helper what still works
