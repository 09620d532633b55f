"""Audio in: 16 kHz mono int16 clips and chunk sources (WAV file, microphone via sounddevice).

Everything downstream (endpointing, Vosk) sees one format: little-endian signed 16-bit mono
PCM at `SAMPLE_RATE`, as `bytes`. Converting once, at the edge, keeps the other stages free of
format branches.
"""

from __future__ import annotations

import logging
import queue
from collections.abc import Iterator
from dataclasses import dataclass
from math import gcd
from pathlib import Path
from typing import Any, Protocol, runtime_checkable

import numpy as np

from voice.errors import BadAudio, NoAudioDevice

log = logging.getLogger(__name__)

SAMPLE_RATE = 16_000
SAMPLE_WIDTH = 2  # bytes per int16 sample
# 100 ms: small enough for a prompt endpoint, large enough to keep Python overhead negligible.
DEFAULT_CHUNK_FRAMES = 1_600


@dataclass(slots=True, frozen=True)
class AudioClip:
    """A whole utterance: int16 mono PCM at `sample_rate` (16 kHz after conversion)."""

    pcm: bytes
    sample_rate: int = SAMPLE_RATE

    @property
    def frames(self) -> int:
        return len(self.pcm) // SAMPLE_WIDTH

    @property
    def seconds(self) -> float:
        return self.frames / self.sample_rate

    def chunks(self, frames: int = DEFAULT_CHUNK_FRAMES) -> Iterator[bytes]:
        step = frames * SAMPLE_WIDTH
        for start in range(0, len(self.pcm), step):
            yield self.pcm[start : start + step]

    def samples(self) -> np.ndarray:
        return np.frombuffer(self.pcm, dtype="<i2")

    @classmethod
    def from_samples(cls, samples: np.ndarray, sample_rate: int = SAMPLE_RATE) -> AudioClip:
        """Float samples in [-1, 1] (clipped) or int16 samples, mono."""
        if samples.dtype.kind == "f":
            samples = np.round(np.clip(samples, -1.0, 1.0) * 32767.0)
        return cls(samples.astype("<i2").tobytes(), sample_rate)


def to_mono_16k(data: np.ndarray, rate: int) -> np.ndarray:
    """Any WAV sample array (frames x channels, any integer or float dtype) -> int16 16 kHz mono."""
    floats = _to_float(data)
    if floats.ndim == 2:
        # Averaging (not taking the left channel) keeps a speaker on either side audible.
        floats = floats.mean(axis=1)
    if rate != SAMPLE_RATE:
        floats = _resample(floats, rate, SAMPLE_RATE)
    return np.round(np.clip(floats, -1.0, 1.0) * 32767.0).astype("<i2")


def _to_float(data: np.ndarray) -> np.ndarray:
    kind, size = data.dtype.kind, data.dtype.itemsize
    if kind == "f":
        return data.astype(np.float64)
    if kind == "u":  # 8-bit WAV is unsigned, centred on 128
        return (data.astype(np.float64) - 2 ** (8 * size - 1)) / 2 ** (8 * size - 1)
    if kind == "i":
        return data.astype(np.float64) / 2 ** (8 * size - 1)
    raise BadAudio("<array>", f"unsupported sample type {data.dtype}")


def _resample(samples: np.ndarray, source_rate: int, target_rate: int) -> np.ndarray:
    """Polyphase resampling (anti-aliased), so 44.1/48 kHz recordings keep consonants clean."""
    divisor = gcd(source_rate, target_rate)
    up, down = target_rate // divisor, source_rate // divisor
    try:
        from scipy.signal import resample_poly  # scipy comes with scikit-learn
    except ImportError:  # pragma: no cover - linear interpolation is the fallback
        count = int(round(len(samples) * target_rate / source_rate))
        positions = np.arange(count) * (source_rate / target_rate)
        return np.interp(positions, np.arange(len(samples)), samples)
    return resample_poly(samples, up, down)


def read_wav(path: str | Path) -> AudioClip:
    """Read a WAV file of any rate, width (8/16/24/32-bit int, float) and channel count."""
    from scipy.io import wavfile

    try:
        rate, data = wavfile.read(str(path))
    except FileNotFoundError:
        raise BadAudio(path, "no such file") from None
    except (ValueError, OSError, EOFError) as exc:
        raise BadAudio(path, str(exc) or type(exc).__name__) from exc
    if data.size == 0:
        return AudioClip(b"")
    if rate <= 0:
        raise BadAudio(path, f"sample rate {rate}")
    return AudioClip(to_mono_16k(data, int(rate)).tobytes())


@runtime_checkable
class AudioSource(Protocol):
    """A stream of 16 kHz mono int16 chunks; closing stops the capture."""

    sample_rate: int

    def chunks(self) -> Iterator[bytes]: ...

    def close(self) -> None: ...


class WavFileSource:
    """A WAV file as a chunk stream (the microphone's stand-in in tests and `--wav`)."""

    def __init__(self, path: str | Path, chunk_frames: int = DEFAULT_CHUNK_FRAMES) -> None:
        self.sample_rate = SAMPLE_RATE
        self._clip = read_wav(path)
        self._chunk_frames = chunk_frames

    @property
    def clip(self) -> AudioClip:
        return self._clip

    def chunks(self) -> Iterator[bytes]:
        return self._clip.chunks(self._chunk_frames)

    def close(self) -> None:
        pass


def _import_sounddevice() -> Any:
    try:
        import sounddevice
    except OSError as exc:  # raised when the PortAudio library itself is missing
        raise NoAudioDevice(f"PortAudio is not installed: {exc}") from exc
    return sounddevice


def microphone_problem() -> str | None:
    """None if a default input device exists, else why not (for the kiosk's status line)."""
    try:
        sd = _import_sounddevice()
    except NoAudioDevice as exc:
        return exc.reason
    try:
        device = sd.query_devices(kind="input")
    except Exception as exc:  # PortAudioError or ValueError: no default input device
        count = len(sd.query_devices())
        return f"no input device; PortAudio lists {count} audio devices ({exc})"
    if not device or int(device.get("max_input_channels", 0)) < 1:
        return "the default audio device has no input channels"
    return None


class MicrophoneSource:
    """The default input device as 16 kHz mono int16 chunks (sounddevice / PortAudio).

    PortAudio calls back on its own thread; chunks cross to the caller through a bounded
    queue, so a stalled consumer drops audio (logged) instead of growing memory.
    """

    def __init__(
        self,
        chunk_frames: int = DEFAULT_CHUNK_FRAMES,
        device: int | str | None = None,
        read_timeout: float = 2.0,
    ) -> None:
        self.sample_rate = SAMPLE_RATE
        self._queue: queue.Queue[bytes] = queue.Queue(maxsize=200)
        self._read_timeout = read_timeout
        self._dropped = 0
        sd = _import_sounddevice()
        problem = None if device is not None else microphone_problem()
        if problem:
            raise NoAudioDevice(problem)
        try:
            self._stream = sd.RawInputStream(
                samplerate=SAMPLE_RATE,
                blocksize=chunk_frames,
                device=device,
                channels=1,
                dtype="int16",
                callback=self._on_audio,
            )
            self._stream.start()
        except Exception as exc:  # PortAudioError: device busy, unplugged or rate refused
            raise NoAudioDevice(f"cannot open the microphone: {exc}") from exc
        log.info("microphone open: %s", self._stream.device)

    def _on_audio(self, data: Any, frames: int, time: Any, status: Any) -> None:
        if status:
            log.debug("microphone status: %s", status)
        try:
            self._queue.put_nowait(bytes(data))
        except queue.Full:
            self._dropped += 1

    def chunks(self) -> Iterator[bytes]:
        while self._stream.active:
            try:
                yield self._queue.get(timeout=self._read_timeout)
            except queue.Empty:
                raise NoAudioDevice("the microphone stopped delivering audio") from None

    def close(self) -> None:
        self._stream.stop()
        self._stream.close()
        if self._dropped:
            log.warning("microphone: %d chunks dropped (consumer too slow)", self._dropped)

    def __enter__(self) -> MicrophoneSource:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()
