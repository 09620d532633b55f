"""Playing a synthesized WAV on the kiosk's speaker, stoppable at any moment, and finding one."""

from __future__ import annotations

import logging
import shutil
import subprocess
import threading
import wave
from collections.abc import Sequence
from pathlib import Path
from typing import Protocol

from voice.errors import VoiceError

log = logging.getLogger(__name__)

_ASOUND_CARDS = Path("/proc/asound/cards")


class PlaybackError(VoiceError):
    """The audio output failed while playing; the kiosk should show text instead."""


class Playback(Protocol):
    """One sound being played."""

    def wait(self) -> None:
        """Block until the sound ends or is stopped; raise PlaybackError if the output failed."""

    def stop(self) -> None:
        """Stop at once (safe from any thread, and after the sound has ended)."""


class Player(Protocol):
    """An audio output that plays WAV files."""

    name: str

    def start(self, path: Path) -> Playback:
        """Start playing without blocking."""


class CommandPlayer:
    """Plays by running a command (e.g. `aplay -q FILE`) and stops by ending that process.

    A process is the most robust thing to interrupt: it can be killed mid-sample, unlike
    pyttsx3's own `say()`, which shells out to aplay and blocks until the end.
    """

    def __init__(self, command: Sequence[str], name: str | None = None) -> None:
        self.command = tuple(command)
        self.name = name or self.command[0]

    def start(self, path: Path) -> _ProcessPlayback:
        try:
            process = subprocess.Popen(
                [*self.command, str(path)],
                stdin=subprocess.DEVNULL,
                stdout=subprocess.DEVNULL,
                stderr=subprocess.PIPE,
            )
        except OSError as exc:
            raise PlaybackError(f"cannot run {self.name}: {exc}") from exc
        return _ProcessPlayback(process, self.name)


class _ProcessPlayback:
    def __init__(self, process: subprocess.Popen[bytes], name: str) -> None:
        self._process = process
        self._name = name
        self._stopped = threading.Event()

    def wait(self) -> None:
        _, stderr = self._process.communicate()
        if self._process.returncode != 0 and not self._stopped.is_set():
            detail = stderr.decode("utf-8", "replace").strip()[-300:]
            raise PlaybackError(
                f"{self._name} exited with {self._process.returncode}: {detail or 'no message'}"
            )

    def stop(self) -> None:
        self._stopped.set()
        if self._process.poll() is not None:
            return
        self._process.terminate()
        try:
            self._process.wait(timeout=1.0)
        except subprocess.TimeoutExpired:
            self._process.kill()


class SoundDevicePlayer:
    """Plays through PortAudio (the same library the microphone uses)."""

    name = "portaudio"

    def __init__(self, device: int | str | None = None) -> None:
        import sounddevice  # imported only when chosen: it needs Debian's libportaudio2

        self._sd = sounddevice
        self._device = device

    def start(self, path: Path) -> _SoundDevicePlayback:
        import numpy as np

        with wave.open(str(path), "rb") as wav:
            rate = wav.getframerate()
            frames = wav.readframes(wav.getnframes())
        samples = np.frombuffer(frames, dtype=np.int16)
        try:
            self._sd.play(samples, rate, device=self._device)
        except self._sd.PortAudioError as exc:
            raise PlaybackError(f"PortAudio could not play: {exc}") from exc
        return _SoundDevicePlayback(self._sd)


class _SoundDevicePlayback:
    def __init__(self, sd: object) -> None:
        self._sd = sd

    def wait(self) -> None:
        try:
            self._sd.wait()  # type: ignore[attr-defined]
        except self._sd.PortAudioError as exc:  # type: ignore[attr-defined]
            raise PlaybackError(f"PortAudio playback failed: {exc}") from exc

    def stop(self) -> None:
        self._sd.stop()  # type: ignore[attr-defined]


def _sound_cards() -> str | None:
    """The kernel's list of ALSA cards, or None when there is no ALSA at all."""
    try:
        text = _ASOUND_CARDS.read_text(encoding="utf-8", errors="replace").strip()
    except OSError:
        return None
    return None if not text or "no soundcards" in text else text


def detect_player() -> tuple[Player | None, str | None]:
    """Find an audio output: PortAudio first, then `aplay` on an ALSA card.

    Returns (player, None), or (None, problem) where the problem names every reason, so the
    log line and the kiosk's notice say what to install or plug in.
    """
    reasons: list[str] = []
    try:
        import sounddevice as sd

        try:
            output = sd.query_devices(kind="output")
            log.info("audio output: PortAudio device %r", output["name"])
            return SoundDevicePlayer(), None
        except (sd.PortAudioError, ValueError) as exc:
            reasons.append(f"PortAudio lists no output device ({exc})")
    except (ImportError, OSError) as exc:
        reasons.append(f"PortAudio unusable ({exc}; Debian package libportaudio2)")

    aplay = shutil.which("aplay")
    cards = _sound_cards()
    if aplay and cards:
        log.info("audio output: %s on ALSA card(s): %s", aplay, cards.splitlines()[0])
        return CommandPlayer([aplay, "-q"], name="aplay"), None
    if not aplay:
        reasons.append("aplay is not installed (Debian package alsa-utils)")
    if not cards:
        reasons.append("the kernel reports no sound card")
    return None, "no audio output: " + "; ".join(reasons)
