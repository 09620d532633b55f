"""Which recognizer serves a language: Vosk when its model is installed, else the English
pocketsphinx fallback, else ModelNotInstalled (voice off, the kiosk works by touch).

    >>> recognizer = recognizer_for("ko", load_intents("ko"))   # VoskRecognizer
    >>> recognizer = recognizer_for("en", load_intents("en"))   # SphinxRecognizer unless an
    ...                                                         # English Vosk model is installed
"""

from __future__ import annotations

import logging
from pathlib import Path
from typing import TYPE_CHECKING

from voice.errors import ModelNotInstalled

if TYPE_CHECKING:
    from voice.intents import IntentSet
    from voice.recognizer import Recognizer

log = logging.getLogger(__name__)

# Languages with a recognizer that needs no downloaded model.
FALLBACK_LANGUAGES = frozenset({"en"})
# Languages whose Vosk grammar holds only the first sentences of each intent
# (voice.grammar.representative_phrases; snapping still uses every sentence). Korean: 2.7x
# the right answers of the whole list on espeak-ng speech, and no more noise let through
# (docs/VOICE.md). Mandarin is not measured (no model here) and keeps the whole list.
REDUCED_GRAMMAR_LANGUAGES = frozenset({"ko"})


def recognizer_for(
    language: str,
    intent_set: IntentSet,
    models_dir: Path | None = None,
    *,
    model_path: Path | None = None,
    cmn_path: Path | None = None,
) -> Recognizer:
    """The recognizer for `language`, its grammar built from `intent_set`.

    - an installed Vosk model for the language (or `model_path`, a model directory): Vosk;
    - English without one: the pocketsphinx fallback (its model ships in the PyPI wheel);
    - otherwise ModelNotInstalled, whose message names `linli voice install ...`.
    The model is looked up before anything is loaded, so a missing model costs nothing.
    `cmn_path` keeps the English fallback's cepstral mean across restarts
    (voice.cepstral_mean; the kiosk passes one, one-off runs start afresh).
    """
    from voice.models import find_model

    language = language.split("-")[0].lower()
    if intent_set.language != language:
        raise ValueError(f"intents of {intent_set.language!r} for a {language!r} recognizer")
    if model_path is None:
        try:
            model_path = find_model(language, models_dir).path
        except ModelNotInstalled:
            if language not in FALLBACK_LANGUAGES:
                raise
            from voice.fallback_sphinx import english_fallback

            return english_fallback(intent_set, cmn_path=cmn_path)
    from voice.grammar import MAX_GRAMMAR_SENTENCES
    from voice.vosk_recognizer import VoskRecognizer, load_model

    reduced = MAX_GRAMMAR_SENTENCES if language in REDUCED_GRAMMAR_LANGUAGES else None
    return VoskRecognizer.for_intents(intent_set, load_model(model_path), max_sentences=reduced)


def recognizer_kind(recognizer: object) -> str:
    """"vosk", "pocketsphinx" or the class name: for JSON reports."""
    name = type(recognizer).__name__
    return {"VoskRecognizer": "vosk", "SphinxRecognizer": "pocketsphinx"}.get(name, name)


__all__ = ["FALLBACK_LANGUAGES", "REDUCED_GRAMMAR_LANGUAGES", "ModelNotInstalled",
           "recognizer_for", "recognizer_kind"]
