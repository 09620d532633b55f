"""Spoken output: the Speaker contract, the pyttsx3 (espeak-ng) speaker and a recording one."""

from __future__ import annotations

import ctypes
import itertools
import logging
import queue
import shutil
import tempfile
import threading
import wave
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Protocol, runtime_checkable

from voice.errors import VoiceError
from voice.playback import Playback, PlaybackError, Player, detect_player
from voice.voices import (
    DEFAULT_RATE_WPM,
    DEFAULT_VOLUME,
    VoiceChoice,
    choose_voices,
    clamp_rate,
    clamp_volume,
)

log = logging.getLogger(__name__)

#: A WAV header alone is 44 bytes: pyttsx3 sometimes writes just that and reports success.
EMPTY_WAV_BYTES = 44
SYNTHESIS_ATTEMPTS = 3
_CACHE_SIZE = 64


class SynthesisError(VoiceError):
    """espeak-ng produced no audio, even after the bounded retries."""


@dataclass(frozen=True, slots=True)
class Utterance:
    """One thing said (or to be said) to the resident."""

    text: str
    language: str


@runtime_checkable
class Speaker(Protocol):
    """Speech output the kiosk and the dialogue drive.

    `speak` never blocks and never raises for an audio problem: when `available` is False
    the kiosk shows the text (it always shows it; without speech it makes it prominent).
    """

    @property
    def available(self) -> bool: ...

    @property
    def problem(self) -> str | None: ...

    rate: int
    volume: float

    @property
    def last(self) -> Utterance | None: ...

    def speak(self, text: str, language: str) -> None:
        """Stop whatever is being said and say this instead."""

    def stop(self) -> None:
        """Interrupt speech now (any touch on the screen calls this)."""

    def repeat(self) -> None:
        """Say the last utterance again."""

    def close(self) -> None:
        """Stop and release the worker and its files."""


class RecordingSpeaker:
    """A Speaker for tests and for screens without audio: it records instead of speaking.

    An utterance counts as "being spoken" until `finish()` or the next speak/stop, so tests can
    check interruption the way the real speaker does it.
    """

    def __init__(self, *, available: bool = True, problem: str | None = None) -> None:
        self._available = available
        self._problem = problem
        self.rate = DEFAULT_RATE_WPM
        self.volume = DEFAULT_VOLUME
        self.spoken: list[Utterance] = []
        self.interrupted: list[Utterance] = []
        self.speaking: Utterance | None = None
        self._last: Utterance | None = None

    @property
    def available(self) -> bool:
        return self._available

    @property
    def problem(self) -> str | None:
        return self._problem

    @property
    def last(self) -> Utterance | None:
        return self._last

    @property
    def texts(self) -> list[str]:
        return [u.text for u in self.spoken]

    def speak(self, text: str, language: str) -> None:
        self.stop()
        utterance = Utterance(text, language)
        self._last = utterance
        self.spoken.append(utterance)
        self.speaking = utterance

    def finish(self) -> None:
        self.speaking = None

    def stop(self) -> None:
        if self.speaking is not None:
            self.interrupted.append(self.speaking)
            self.speaking = None

    def repeat(self) -> None:
        if self._last is not None:
            self.speak(self._last.text, self._last.language)

    def close(self) -> None:
        self.stop()


class EspeakEngine:
    """libespeak-ng through pyttsx3's espeak driver and ctypes binding, shared process-wide.

    pyttsx3 initialises libespeak-ng (once per process, in retrieval mode) and lists its
    voices; synthesis then goes straight through the binding with our own sample callback.
    pyttsx3 2.99's own run loop ignored rate changes once a voice had been switched (every
    rate gave the same duration in a measurement), prints on stdout for every file, and
    keeps the last file name so a later say() overwrites it; none of that happens here.
    libespeak-ng holds global state, so every call goes through one lock.
    """

    _lock = threading.Lock()
    _binding: Any = None
    _engine: Any = None
    _samples = bytearray()
    #: libespeak-ng's retrieval mode always produces 22.05 kHz mono 16-bit samples.
    sample_rate = 22050

    @classmethod
    def _get(cls) -> Any:
        if EspeakEngine._binding is None:
            import pyttsx3
            from pyttsx3.drivers import _espeak

            # Kept for the process: pyttsx3 must not de-initialise libespeak-ng.
            EspeakEngine._engine = pyttsx3.init("espeak")
            _espeak.SetSynthCallback(EspeakEngine._on_samples)
            EspeakEngine._binding = _espeak
        return EspeakEngine._binding

    @classmethod
    def _on_samples(cls, wav: Any, count: int, events: Any) -> int:
        if count > 0 and wav:
            EspeakEngine._samples += ctypes.string_at(wav, count * ctypes.sizeof(ctypes.c_short))
        return 0  # 0 = go on synthesizing

    def voice_ids(self) -> list[str]:
        with self._lock:
            self._get()
            return [voice.id for voice in EspeakEngine._engine.getProperty("voices")]

    def synthesize(self, text: str, voice_id: str, rate: int, volume: float, path: Path) -> None:
        with self._lock:
            espeak = self._get()
            # Set the voice by its id every time: getProperty("voice") cannot be trusted to
            # tell which voice is active, and a bare "zh" would silently give English.
            if espeak.SetVoiceByName(voice_id.encode("utf-8")) != espeak.EE_OK:
                raise SynthesisError(f"espeak-ng refused voice {voice_id!r}")
            espeak.SetParameter(espeak.RATE, int(rate), 0)
            espeak.SetParameter(espeak.VOLUME, int(round(volume * 100)), 0)
            EspeakEngine._samples = bytearray()
            espeak.Synth(text.encode("utf-8"), flags=espeak.ENDPAUSE | espeak.CHARS_UTF8)
            espeak.Synchronize()
            samples = bytes(EspeakEngine._samples)
        with wave.open(str(path), "wb") as wav:
            wav.setnchannels(1)
            wav.setsampwidth(2)
            wav.setframerate(self.sample_rate)
            wav.writeframes(samples)


def wav_seconds(path: Path) -> float:
    """Duration of a WAV file; 0.0 for a header-only or unreadable file."""
    try:
        with wave.open(str(path), "rb") as wav:
            return wav.getnframes() / float(wav.getframerate() or 1)
    except (OSError, EOFError, wave.Error):
        return 0.0


class Pyttsx3Speaker:
    """Speaks through pyttsx3 on espeak-ng, synthesizing to WAV and playing that WAV itself.

    Playing the file ourselves (instead of pyttsx3's `say()`) is what makes speech
    interruptible and failures visible: `say()` shells out to `aplay`, blocks to the end, and
    returns quietly when aplay is missing.
    """

    def __init__(
        self,
        *,
        rate: int = DEFAULT_RATE_WPM,
        volume: float = DEFAULT_VOLUME,
        player: Player | None = None,
        detect_output: bool = True,
        engine: EspeakEngine | None = None,
        on_problem: Callable[[str], None] | None = None,
    ) -> None:
        """Args:
        player: the audio output; None finds one (`detect_player`) unless `detect_output`
            is False, in which case the speaker can only synthesize to files.
        on_problem: called (on the speaker's thread) when speech becomes unavailable at run
            time, e.g. a USB speaker unplugged, so the kiosk can switch to text.
        """
        self._rate = clamp_rate(rate)
        self._volume = clamp_volume(volume)
        self._engine = engine or EspeakEngine()
        self._on_problem = on_problem
        self._lock = threading.Lock()
        self._generation = 0
        self._current: Playback | None = None
        self._last: Utterance | None = None
        self._queue: queue.Queue[tuple[int, Utterance] | None] = queue.Queue()
        self._pending = 0
        self._idle = threading.Event()
        self._idle.set()
        self._names = itertools.count()
        self._cache: OrderedDict[tuple[str, str, int, float], Path] = OrderedDict()
        self._dir = Path(tempfile.mkdtemp(prefix="linli-speech-"))
        self._problem: str | None = None
        self.voices: dict[str, VoiceChoice] = {}

        try:
            self.voices, voice_problems = choose_voices(self._engine.voice_ids())
        except (ImportError, OSError, RuntimeError) as exc:
            self._problem = f"espeak-ng is not usable ({exc}); install espeak-ng and libespeak-ng1"
            voice_problems = []
        for problem in voice_problems:
            log.warning("speech: %s", problem)
        for choice in self.voices.values():
            log.info("speech: %s is spoken by espeak-ng voice %s", choice.language, choice.voice_id)

        self._player = player
        if self._player is None and detect_output and self._problem is None:
            self._player, self._problem = detect_player()
        elif self._player is None and self._problem is None:
            self._problem = "no audio output was configured"
        if self._problem is not None:
            log.warning("speech unavailable, the kiosk shows text instead: %s", self._problem)
        else:
            log.info("speech: playing through %s", self._player.name)  # type: ignore[union-attr]

        self._thread = threading.Thread(target=self._run, name="linli-speaker", daemon=True)
        self._thread.start()

    # -- settings and state -------------------------------------------------------------

    @property
    def available(self) -> bool:
        return self._problem is None

    @property
    def problem(self) -> str | None:
        return self._problem

    @property
    def last(self) -> Utterance | None:
        return self._last

    @property
    def rate(self) -> int:
        return self._rate

    @rate.setter
    def rate(self, value: int) -> None:
        self._rate = clamp_rate(value)

    @property
    def volume(self) -> float:
        return self._volume

    @volume.setter
    def volume(self, value: float) -> None:
        self._volume = clamp_volume(value)

    @property
    def speaking(self) -> bool:
        return not self._idle.is_set()

    def wait_until_idle(self, timeout: float | None = None) -> bool:
        """Block until nothing is queued or playing (tests, and shutting down politely)."""
        return self._idle.wait(timeout)

    # -- the Speaker contract --------------------------------------------------------------

    def speak(self, text: str, language: str) -> None:
        text = text.strip()
        if not text:
            return
        utterance = Utterance(text, language)
        self._last = utterance
        generation = self._interrupt()
        if not self.available:
            log.debug("not spoken (%s): %s", self._problem, text)
            return
        if language not in self.voices:
            log.warning("not spoken, no voice for %r: %s", language, text)
            return
        with self._lock:
            self._pending += 1
            self._idle.clear()
        self._queue.put((generation, utterance))

    def stop(self) -> None:
        self._interrupt()

    def repeat(self) -> None:
        if self._last is None:
            log.info("repeat asked before anything was said")
            return
        self.speak(self._last.text, self._last.language)

    def close(self) -> None:
        self._interrupt()
        self._queue.put(None)
        self._thread.join(timeout=5)
        shutil.rmtree(self._dir, ignore_errors=True)

    # -- synthesis ---------------------------------------------------------------------------

    def synthesize_to_wav(
        self, text: str, language: str, path: Path | str, *, attempts: int = SYNTHESIS_ATTEMPTS
    ) -> Path:
        """Write `text` spoken in `language` to a WAV file, retrying empty output.

        Raises SynthesisError if there is no voice for the language or every attempt gave an
        empty file; KeyError never escapes for an unknown language.
        """
        path = Path(path)
        choice = self.voices.get(language)
        if choice is None:
            raise SynthesisError(f"no espeak-ng voice for language {language!r}")
        for attempt in range(1, attempts + 1):
            self._engine.synthesize(text, choice.voice_id, self._rate, self._volume, path)
            if _has_audio(path):
                return path
            log.warning(
                "espeak-ng wrote an empty WAV for %r (attempt %d of %d)", text, attempt, attempts
            )
        raise SynthesisError(f"espeak-ng gave no audio for {text!r} after {attempts} attempts")

    def _cached_wav(self, utterance: Utterance) -> Path:
        key = (utterance.language, utterance.text, self._rate, self._volume)
        path = self._cache.get(key)
        if path is not None and path.exists():
            self._cache.move_to_end(key)
            return path
        path = self._dir / f"{next(self._names)}.wav"
        self.synthesize_to_wav(utterance.text, utterance.language, path)
        self._cache[key] = path
        while len(self._cache) > _CACHE_SIZE:
            _, old = self._cache.popitem(last=False)
            old.unlink(missing_ok=True)
        return path

    # -- the worker thread -----------------------------------------------------------------

    def _interrupt(self) -> int:
        """Make every queued or playing utterance stale and stop the sound; returns the new
        generation."""
        with self._lock:
            self._generation += 1
            current, self._current = self._current, None
        if current is not None:
            current.stop()
        return self._generation

    def _run(self) -> None:
        while True:
            job = self._queue.get()
            if job is None:
                return
            generation, utterance = job
            try:
                self._say(generation, utterance)
            except SynthesisError as exc:
                # One prompt without audio: the text is on screen; keep speaking later ones.
                log.error("speech: %s", exc)
            except PlaybackError as exc:
                self._fail(f"audio output failed: {exc}")
            finally:
                with self._lock:
                    self._pending -= 1
                    if self._pending == 0:
                        self._idle.set()

    def _say(self, generation: int, utterance: Utterance) -> None:
        if generation != self._generation:
            return  # superseded before it started: a newer utterance or a stop
        path = self._cached_wav(utterance)
        with self._lock:
            # Checked under the lock so a stop() cannot slip between the check and the start.
            if generation != self._generation or self._player is None:
                return
            playback = self._player.start(path)
            self._current = playback
        try:
            playback.wait()
        finally:
            with self._lock:
                if self._current is playback:
                    self._current = None

    def _fail(self, problem: str) -> None:
        self._problem = problem
        log.error("speech unavailable from now on, the kiosk shows text instead: %s", problem)
        if self._on_problem is not None:
            self._on_problem(problem)


def _has_audio(path: Path) -> bool:
    try:
        return path.stat().st_size > EMPTY_WAV_BYTES and wav_seconds(path) > 0.0
    except OSError:
        return False


def default_speaker(**kwargs: Any) -> Speaker:
    """The kiosk's speaker: pyttsx3 on espeak-ng (check `.available` before relying on it)."""
    return Pyttsx3Speaker(**kwargs)
