"""The speech-recognition contract: a `Recognizer` turns audio into a `Transcript`; the
pipeline (voice.pipeline) turns that into an `Understanding` (intent or "not understood").

Stages exchange plain values, in the spirit of Wyoming's AudioChunk -> Transcript -> Intent
/ NotRecognized events: any recognizer (Vosk by default, pocketsphinx as the English
fallback, a scripted one in tests) plugs in front of the same snapping step.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any, Protocol, runtime_checkable

from voice.audio import AudioClip


@dataclass(slots=True, frozen=True)
class Word:
    text: str
    start: float  # seconds from the start of the utterance
    end: float
    confidence: float  # 0-1, as the recognizer reports it


@dataclass(slots=True, frozen=True)
class Transcript:
    text: str  # recognised words joined by spaces, unknown-word tokens removed
    words: tuple[Word, ...] = ()
    decode_seconds: float = 0.0  # time spent inside the recognizer
    audio_seconds: float = 0.0
    unknown_words: int = 0  # how many unknown-word tokens the recognizer produced
    # This thread's CPU time inside the recognizer (0 when not measured): unlike
    # decode_seconds, other work on a shared machine hardly inflates it.
    decode_cpu_seconds: float = 0.0

    @property
    def confidence(self) -> float:
        """Mean word confidence (0 when there are no words)."""
        if not self.words:
            return 0.0
        return sum(w.confidence for w in self.words) / len(self.words)

    @property
    def real_time_factor(self) -> float:
        return self.decode_seconds / self.audio_seconds if self.audio_seconds else 0.0


AudioInput = AudioClip | Iterable[bytes]


@runtime_checkable
class Recognizer(Protocol):
    """Audio (a clip, or 16 kHz mono int16 chunks) -> transcript, for one language."""

    language: str

    def recognize(self, audio: AudioInput) -> Transcript: ...


class Outcome(StrEnum):
    UNDERSTOOD = "understood"
    NO_SPEECH = "no_speech"  # nothing recognised (silence)
    OUT_OF_GRAMMAR = "out_of_grammar"  # only unknown-word tokens
    LOW_CONFIDENCE = "low_confidence"
    BELOW_THRESHOLD = "below_threshold"  # no template sentence close enough


@dataclass(slots=True, frozen=True)
class Understanding:
    transcript: Transcript
    outcome: Outcome
    intent: str | None = None
    slots: dict[str, Any] = field(default_factory=dict)
    score: float = 0.0
    sentence: str | None = None  # the template sentence the transcript snapped to
    endpoint: str | None = None  # how listening ended (EndpointOutcome), when endpointed
    slots_json: dict[str, Any] | None = None  # `slots` in JSON form, when the matcher gives it

    @property
    def understood(self) -> bool:
        return self.outcome is Outcome.UNDERSTOOD

    @property
    def decode_seconds(self) -> float:
        return self.transcript.decode_seconds

    @property
    def audio_seconds(self) -> float:
        return self.transcript.audio_seconds

    def to_dict(self) -> dict[str, Any]:
        t = self.transcript
        return {
            "understood": self.understood,
            "outcome": str(self.outcome),
            "transcript": t.text,
            "intent": self.intent,
            "slots": self.slots if self.slots_json is None else self.slots_json,
            "score": round(self.score, 3),
            "sentence": self.sentence,
            "confidence": round(t.confidence, 3),
            "decode_seconds": round(t.decode_seconds, 4),
            "audio_seconds": round(t.audio_seconds, 3),
            "rtf": round(t.real_time_factor, 4),
            "endpoint": self.endpoint,
        }
