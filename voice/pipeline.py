"""One voice turn: audio chunks -> endpoint -> recognizer -> snap to a template -> Understanding.

Two guards stand before the snap, because closed vocabularies force-match anything: the
endpointer must hear speech (noise and silence never reach the recognizer), and the words
the recognizer returns must be confident enough. The snap itself has a threshold; below it
the answer is "not understood", never a guess.
"""

from __future__ import annotations

import dataclasses
import logging
from collections.abc import Iterable, Iterator
from typing import TYPE_CHECKING

from voice.audio import SAMPLE_RATE
from voice.endpointing import EndpointConfig, Endpointer
from voice.recognizer import Outcome, Recognizer, Transcript, Understanding

if TYPE_CHECKING:
    from voice.intents import IntentSet

log = logging.getLogger(__name__)

# Snap score (0-1) below which a transcript is "not understood". None: the matcher's own
# calibrated default (voice.matching.DEFAULT_THRESHOLD, one wrong unit in six still passes).
DEFAULT_THRESHOLD: float | None = None
# Mean word confidence below which a transcript is rejected before snapping.
DEFAULT_MIN_CONFIDENCE = 0.5


def understand(
    transcript: Transcript,
    intent_set: IntentSet,
    *,
    threshold: float | None = DEFAULT_THRESHOLD,
    min_confidence: float = DEFAULT_MIN_CONFIDENCE,
) -> Understanding:
    """Snap a transcript to the nearest template sentence of `intent_set`, or refuse."""
    if not transcript.text.strip():
        outcome = Outcome.OUT_OF_GRAMMAR if transcript.unknown_words else Outcome.NO_SPEECH
        return Understanding(transcript, outcome)
    if transcript.words and transcript.confidence < min_confidence:
        log.info("rejected %r: confidence %.2f < %.2f",
                 transcript.text, transcript.confidence, min_confidence)
        return Understanding(transcript, Outcome.LOW_CONFIDENCE)
    from voice.matching import DEFAULT_THRESHOLD as MATCHING_THRESHOLD
    from voice.matching import snap

    if threshold is None:
        threshold = MATCHING_THRESHOLD
    match = snap(transcript.text, intent_set, threshold)
    intent = getattr(match, "intent", None)
    score = float(getattr(match, "score", 0.0) or 0.0)
    if intent is None:
        log.info("not understood: %r (best %.2f < %.2f)", transcript.text, score, threshold)
        return Understanding(transcript, Outcome.BELOW_THRESHOLD, score=score)
    sentence = getattr(match, "sentence", None)
    log.info("understood %r as %s (%.2f)", transcript.text, intent, score)
    # Slot values may be rich objects (a grocery line); the match knows its JSON form.
    to_dict = getattr(match, "to_dict", None)
    slots_json = to_dict().get("slots") if callable(to_dict) else None
    return Understanding(
        transcript,
        Outcome.UNDERSTOOD,
        intent=str(intent),
        slots=dict(getattr(match, "slots", None) or {}),
        score=score,
        sentence=getattr(sentence, "text", sentence),
        slots_json=slots_json,
    )


def hear(
    chunks: Iterable[bytes],
    recognizer: Recognizer,
    intent_set: IntentSet,
    *,
    endpoint_config: EndpointConfig | None = None,
    threshold: float | None = DEFAULT_THRESHOLD,
    min_confidence: float = DEFAULT_MIN_CONFIDENCE,
) -> Understanding:
    """Listen until the endpoint (stops reading `chunks` there), recognise, snap.

    The recognizer is handed the utterance while it is heard (`Endpointer.take_settled`),
    so it decodes during the speech and the end-of-speech silence instead of after them:
    at the endpoint only the last chunk is left to decode. It receives exactly the audio
    `listen()` would return as the utterance.
    """
    endpointer = Endpointer(endpoint_config)
    source = iter(chunks)
    for chunk in source:  # silence before speech is not the recognizer's business
        if endpointer.feed(chunk) is not None or endpointer.speech_started:
            break
    rate = endpoint_config.sample_rate if endpoint_config else SAMPLE_RATE
    if not endpointer.speech_started:
        endpoint = endpointer.finish()
        return Understanding(
            Transcript("", audio_seconds=endpoint.decided_at / rate),
            Outcome.NO_SPEECH,
            endpoint=str(endpoint.outcome),
        )
    stream = _utterance_as_heard(endpointer, source)
    transcript = recognizer.recognize(stream)
    for _ in stream:  # a recognizer that stopped reading early: listen to the end anyway
        pass
    endpoint = endpointer.finish()
    result = understand(transcript, intent_set, threshold=threshold,
                        min_confidence=min_confidence)
    return dataclasses.replace(result, endpoint=str(endpoint.outcome))


def _utterance_as_heard(endpointer: Endpointer, source: Iterator[bytes]) -> Iterator[bytes]:
    """The utterance's audio as soon as it is settled; stops reading at the decision."""
    settled = endpointer.take_settled()
    if settled:
        yield settled
    if endpointer.decision is not None:
        return
    for chunk in source:
        decided = endpointer.feed(chunk) is not None
        settled = endpointer.take_settled()
        if settled:
            yield settled
        if decided:
            return
    endpointer.finish()
    settled = endpointer.take_settled()
    if settled:
        yield settled
