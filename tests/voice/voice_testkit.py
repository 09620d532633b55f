"""Test audio for the voice tests: espeak-ng speech, tones, silence, noise, fake model zips.

Speech comes from the `espeak-ng` command line (not pyttsx3) because only the CLI is
bit-identical run after run, which keeps recognition results reproducible.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import wave
import zipfile
from functools import cache
from pathlib import Path

import numpy as np
import pytest

from voice.audio import SAMPLE_RATE, AudioClip, read_wav

ESPEAK = shutil.which("espeak-ng")
# `make` installs espeak-ng; in CI its absence is a failure, not a reason to test less.
IN_CI = bool(os.environ.get("CI"))
requires_espeak = pytest.mark.skipif(ESPEAK is None and not IN_CI, reason="espeak-ng is not installed")

_CACHE = Path("/tmp") / f"linli-voice-testkit-{os.getuid()}"


def espeak_wav(text: str, *, voice: str = "ko", rate: int = 150) -> Path:
    """A WAV of `text` spoken by espeak-ng (22.05 kHz as espeak writes it), cached on disk."""
    if ESPEAK is None:
        if IN_CI:
            pytest.fail("espeak-ng is not installed (make debs installs it)")
        pytest.skip("espeak-ng is not installed")
    _CACHE.mkdir(exist_ok=True)
    key = f"{voice}-{rate}-{text.encode('utf-8').hex()[:120]}.wav"
    path = _CACHE / key
    if not path.exists() or path.stat().st_size <= 44:
        partial = path.with_suffix(".tmp")
        subprocess.run([ESPEAK, "-v", voice, "-s", str(rate), "-w", str(partial), text],
                       check=True, capture_output=True, timeout=30)
        partial.replace(path)
    return path


@cache
def espeak_clip(text: str, *, voice: str = "ko", rate: int = 150,
                lead_s: float = 0.5, tail_s: float = 1.5) -> AudioClip:
    """Speech padded like a turn at the kiosk: a pause after the button, silence after."""
    speech = read_wav(espeak_wav(text, voice=voice, rate=rate)).samples()
    return AudioClip.from_samples(np.concatenate([silence(lead_s), speech, silence(tail_s)]))


def samples_for(seconds: float) -> int:
    return round(seconds * SAMPLE_RATE)


def silence(seconds: float) -> np.ndarray:
    return np.zeros(samples_for(seconds), dtype=np.int16)


def tone(seconds: float, *, amplitude: float = 0.3, freq: float = 440.0) -> np.ndarray:
    t = np.arange(samples_for(seconds)) / SAMPLE_RATE
    return np.round(amplitude * np.sin(2 * np.pi * freq * t) * 32767).astype(np.int16)


def noise(seconds: float, *, std: float = 0.003, seed: int = 0) -> np.ndarray:
    """Gaussian white noise; std 0.003 is about -50 dBFS, a quiet room."""
    rng = np.random.default_rng(seed)
    values = rng.normal(0.0, std, samples_for(seconds))
    return np.round(np.clip(values, -1, 1) * 32767).astype(np.int16)


def mix(*parts: np.ndarray) -> np.ndarray:
    """Sum equal-length int16 signals without wrap-around."""
    total = np.sum([p.astype(np.int32) for p in parts], axis=0)
    return np.clip(total, -32768, 32767).astype(np.int16)


def write_wav(path: Path, samples: np.ndarray, *, rate: int = SAMPLE_RATE,
              channels: int = 1, width: int = 2) -> Path:
    """Write int16 mono samples as a WAV of the given rate/channels/width (8 or 16 bit)."""
    data = samples
    if width == 1:
        data = ((samples.astype(np.int32) >> 8) + 128).astype(np.uint8)
    if channels > 1:
        data = np.repeat(data[:, None], channels, axis=1)
    with wave.open(str(path), "wb") as out:
        out.setnchannels(channels)
        out.setsampwidth(width)
        out.setframerate(rate)
        out.writeframes(data.astype(data.dtype.newbyteorder("<")).tobytes())
    return path


# -- fake models for the installer: the layout Vosk needs, tiny placeholder files ----------

MODEL_FILES = {
    "am/final.mdl": b"acoustic model placeholder" * 40,
    "conf/model.conf": b"--sample-frequency=16000\n",
    "conf/mfcc.conf": b"--use-energy=false\n",
    "graph/HCLr.fst": b"HCLr placeholder" * 200,
    "graph/Gr.fst": b"Gr placeholder" * 200,
    "graph/phones/word_boundary.int": b"1 nonword\n",
    "ivector/final.ie": b"ivector placeholder",
}


def make_model_dir(root: Path, files: dict[str, bytes] | None = None) -> Path:
    for name, content in (MODEL_FILES if files is None else files).items():
        (root / name).parent.mkdir(parents=True, exist_ok=True)
        (root / name).write_bytes(content)
    return root


def make_model_zip(path: Path, *, top: str | None = "vosk-model-small-ko-0.22",
                   files: dict[str, bytes] | None = None) -> Path:
    """A zip laid out like the official ones: one top-level directory holding the model."""
    prefix = f"{top}/" if top else ""
    with zipfile.ZipFile(path, "w", compression=zipfile.ZIP_DEFLATED) as zf:
        for name, content in (MODEL_FILES if files is None else files).items():
            zf.writestr(prefix + name, content)
    return path


def require_templates(language: str) -> None:
    """Load `language`'s intent templates; a broken template file fails the test, never
    skips it (a language whose intents broke after an update must turn CI red)."""
    from voice.intents import load_intents

    load_intents(language)
