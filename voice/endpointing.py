"""End of speech for push-to-talk: energy VAD with an adaptive noise floor, paced for seniors.

Older speakers pause mid-sentence and start slowly, so the defaults are generous: the
utterance ends after 1.2 s of silence (300 ms cut-offs interrupt them), listening stops
after 10 s whatever happens, and if nobody speaks within 5 s we give up with "I didn't hear
anything" instead of waiting for the hard cap. All decisions are made on whole frames, so
every boundary is an exact sample count (tests rely on it).
"""

from __future__ import annotations

import logging
from collections.abc import Iterable
from dataclasses import dataclass
from enum import StrEnum

import numpy as np

from voice.audio import SAMPLE_RATE, SAMPLE_WIDTH, AudioClip

log = logging.getLogger(__name__)

_FLOOR_DB_EPSILON = 1e-10  # keeps log10 finite on digital silence


@dataclass(slots=True, frozen=True)
class EndpointConfig:
    sample_rate: int = SAMPLE_RATE
    frame_ms: int = 20
    end_silence_s: float = 1.2  # silence that ends the utterance
    max_listen_s: float = 10.0  # hard cap on one turn
    max_leading_silence_s: float = 5.0  # nobody spoke: give up ("I didn't hear anything")
    min_speech_s: float = 0.1  # shorter bursts (a click, a cough onset) do not start speech
    calibration_s: float = 0.2  # the quietest frame of the first 0.2 s sets the floor
    margin_db: float = 12.0  # speech is this far above the noise floor
    # Voiced speech has a peaky spectrum (flatness < 0.25 on espeak-ng and real voices);
    # white noise measures ~0.56 per 20 ms frame whatever its level, so a loud hiss or fan
    # never starts an utterance.
    max_flatness: float = 0.4
    # Speech only STARTS on frames with this share of their power in the voice band
    # (250-4000 Hz). Brown noise (traffic rumble, a fan's hum) is peaky too but lives below
    # it: median share 0.03, and sox brown noise at vol 0.3-0.6 otherwise reached the
    # recognizer in ~45% of clips; espeak-ng speech frames: median 0.92, 79-100% of each
    # utterance's frames >= 0.1. Once speech has started, nasals and low vowels count as usual.
    min_onset_voice_band: float = 0.1
    min_floor_db: float = -65.0  # the floor never drops below this (digital silence)
    max_floor_db: float = -35.0  # nor rises above it, so speech from t=0 still counts
    floor_rise: float = 0.05  # per non-speech frame: slow, so speech onsets don't mask
    floor_fall: float = 0.3  # fast: the room got quieter
    pre_roll_s: float = 0.3  # audio kept before the detected onset (soft first syllables)
    tail_s: float = 0.3  # audio kept after the last speech frame

    @property
    def frame_samples(self) -> int:
        return self.sample_rate * self.frame_ms // 1000

    def frames_for(self, seconds: float) -> int:
        return max(1, round(seconds * 1000 / self.frame_ms))


class EndpointOutcome(StrEnum):
    SPEECH_ENDED = "speech_ended"  # speech followed by end_silence_s of silence
    MAX_LENGTH = "max_length"  # the hard cap cut the turn
    NO_SPEECH = "no_speech"  # leading silence ran out, or the audio ended with no speech
    AUDIO_ENDED = "audio_ended"  # the source ran dry after speech (a WAV file)


@dataclass(slots=True, frozen=True)
class Endpoint:
    """Where the turn ended and the audio to recognise. Sample positions count from 0."""

    outcome: EndpointOutcome
    decided_at: int  # samples consumed when the decision was made
    speech_start: int | None  # first sample of the first speech frame
    speech_end: int | None  # one past the last sample of the last speech frame
    utterance: AudioClip  # pre-roll + speech + tail, ready for the recognizer
    noise_floor_db: float

    @property
    def heard_speech(self) -> bool:
        return self.speech_start is not None


def spectral_flatness(frame: np.ndarray) -> float:
    """Geometric over arithmetic mean of the power spectrum: ~0 for a tone, ~0.56 for noise."""
    windowed = frame.astype(np.float64) * np.hanning(len(frame))
    power = np.square(np.abs(np.fft.rfft(windowed))) + 1e-12
    return float(np.exp(np.mean(np.log(power))) / np.mean(power))


VOICE_BAND_HZ = (250.0, 4000.0)


def voice_band_share(frame: np.ndarray, sample_rate: int = SAMPLE_RATE) -> float:
    """Share of the frame's power between 250 and 4000 Hz: ~0.9 for voiced speech, ~0.03 for
    brown noise."""
    windowed = frame.astype(np.float64) * np.hanning(len(frame))
    power = np.square(np.abs(np.fft.rfft(windowed))) + 1e-12
    freqs = np.fft.rfftfreq(len(frame), 1.0 / sample_rate)
    band = (freqs >= VOICE_BAND_HZ[0]) & (freqs <= VOICE_BAND_HZ[1])
    return float(power[band].sum() / power.sum())


def frame_db(frame: np.ndarray) -> float:
    """RMS level of int16 samples in dBFS (0 dB = full scale sine peak ~ -3 dBFS)."""
    rms = float(np.sqrt(np.mean(np.square(frame.astype(np.float64) / 32768.0))))
    return 20.0 * float(np.log10(max(rms, _FLOOR_DB_EPSILON)))


class Endpointer:
    """Feed chunks of any size; `decision` becomes an `Endpoint` once the turn is over."""

    def __init__(self, config: EndpointConfig | None = None) -> None:
        self.config = c = config or EndpointConfig()
        self._frame_bytes = c.frame_samples * SAMPLE_WIDTH
        self._end_silence = c.frames_for(c.end_silence_s)
        self._max_frames = c.frames_for(c.max_listen_s)
        self._max_leading = c.frames_for(c.max_leading_silence_s)
        self._min_speech = c.frames_for(c.min_speech_s)
        self._calibration = c.frames_for(c.calibration_s)
        self._pre_roll = c.frames_for(c.pre_roll_s)
        self._tail = c.frames_for(c.tail_s)
        self._pending = b""
        self._frames: list[bytes] = []
        self._calibration_levels: list[float] = []
        self.noise_floor_db = c.min_floor_db
        self._run = 0  # consecutive loud frames not yet confirmed as speech
        self._silence = 0  # consecutive quiet frames since the last speech frame
        self._speech_start: int | None = None  # frame index
        self._last_speech: int | None = None  # frame index
        self._utterance_end: int | None = None  # frame index, one past the utterance
        self._handed_out = 0  # frames of the utterance take_settled() returned
        self.decision: Endpoint | None = None

    @property
    def frames_seen(self) -> int:
        return len(self._frames)

    @property
    def speech_started(self) -> bool:
        return self._speech_start is not None

    def take_settled(self) -> bytes:
        """The utterance audio no later frame can change, not handed out before.

        Lets a recognizer decode while the speaker is still talking, so that only the last
        chunk is left at the end of speech. Once speech has started, the utterance runs from
        `pre_roll` before it to at least `end_silence - tail` before the newest frame: until
        that much silence has passed the turn is not over, and its end (last speech frame +
        tail) only moves later. After the decision: the rest of the utterance. Everything
        returned, joined, is exactly `decision.utterance`.
        """
        if self._speech_start is None:
            return b""
        first = max(0, self._speech_start - self._pre_roll)
        if self._utterance_end is not None:
            end = self._utterance_end
        else:
            end = min(len(self._frames), len(self._frames) - self._end_silence + self._tail)
        start = first + self._handed_out
        if end <= start:
            return b""
        self._handed_out = end - first
        return b"".join(self._frames[start:end])

    def feed(self, chunk: bytes) -> Endpoint | None:
        if self.decision is not None:
            return self.decision
        self._pending += chunk
        while len(self._pending) >= self._frame_bytes and self.decision is None:
            frame, self._pending = (
                self._pending[: self._frame_bytes],
                self._pending[self._frame_bytes :],
            )
            self._frames.append(frame)
            self._on_frame(len(self._frames) - 1, np.frombuffer(frame, dtype="<i2"))
        return self.decision

    def finish(self) -> Endpoint:
        """The source ended (end of a WAV file): decide with what was heard."""
        if self.decision is None:
            # A partial trailing frame is too short to judge; it is dropped.
            outcome = (
                EndpointOutcome.AUDIO_ENDED
                if self._speech_start is not None
                else EndpointOutcome.NO_SPEECH
            )
            self._decide(outcome, len(self._frames))
        assert self.decision is not None
        return self.decision

    def _on_frame(self, index: int, samples: np.ndarray) -> None:
        c = self.config
        level = frame_db(samples)
        if index < self._calibration:
            # The quietest frame, not the mean: a speaker who starts talking at once (or a
            # WAV that starts with speech) must not raise the floor above their own voice.
            self._calibration_levels.append(level)
            self.noise_floor_db = _clamp(
                min(self._calibration_levels), c.min_floor_db, c.max_floor_db
            )
        speech = (
            level >= self.noise_floor_db + c.margin_db
            and spectral_flatness(samples) <= c.max_flatness
        )
        if speech and self._speech_start is None:
            speech = voice_band_share(samples, c.sample_rate) >= c.min_onset_voice_band
        if speech:
            self._run += 1
            self._silence = 0
            if self._speech_start is None and self._run >= self._min_speech:
                self._speech_start = index - self._run + 1
                log.debug("speech from frame %d (floor %.1f dB)", self._speech_start, self.noise_floor_db)
            if self._speech_start is not None:
                self._last_speech = index
        else:
            self._run = 0
            self._silence += 1
            if index >= self._calibration:
                self._adapt_floor(level)
        frames = index + 1
        if self._speech_start is not None and self._silence >= self._end_silence:
            self._decide(EndpointOutcome.SPEECH_ENDED, frames)
        elif frames >= self._max_frames:
            outcome = (
                EndpointOutcome.MAX_LENGTH
                if self._speech_start is not None
                else EndpointOutcome.NO_SPEECH
            )
            self._decide(outcome, frames)
        elif self._speech_start is None and self._run == 0 and frames >= self._max_leading:
            self._decide(EndpointOutcome.NO_SPEECH, frames)

    def _adapt_floor(self, level: float) -> None:
        c = self.config
        rate = c.floor_rise if level > self.noise_floor_db else c.floor_fall
        self.noise_floor_db = _clamp(
            self.noise_floor_db + rate * (level - self.noise_floor_db),
            c.min_floor_db,
            c.max_floor_db,
        )

    def _decide(self, outcome: EndpointOutcome, frames: int) -> None:
        n = self.config.frame_samples
        if self._speech_start is None:
            start = end = None
            utterance = AudioClip(b"", self.config.sample_rate)
        else:
            assert self._last_speech is not None
            start, end = self._speech_start * n, (self._last_speech + 1) * n
            first = max(0, self._speech_start - self._pre_roll)
            last = min(frames, self._last_speech + 1 + self._tail)
            self._utterance_end = last
            utterance = AudioClip(b"".join(self._frames[first:last]), self.config.sample_rate)
        self.decision = Endpoint(
            outcome=outcome,
            decided_at=frames * n,
            speech_start=start,
            speech_end=end,
            utterance=utterance,
            noise_floor_db=self.noise_floor_db,
        )
        log.info(
            "endpoint: %s after %.2f s (speech %s-%s samples, floor %.1f dB)",
            outcome, frames * n / self.config.sample_rate, start, end, self.noise_floor_db,
        )


def _clamp(value: float, low: float, high: float) -> float:
    return min(high, max(low, value))


def listen(chunks: Iterable[bytes], config: EndpointConfig | None = None) -> Endpoint:
    """Consume chunks until the turn is over; stops reading the source at the decision."""
    endpointer = Endpointer(config)
    for chunk in chunks:
        if endpointer.feed(chunk) is not None:
            break
    return endpointer.finish()
