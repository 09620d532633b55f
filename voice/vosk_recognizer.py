"""The default Recognizer: Vosk (Kaldi) in grammar mode, one model per language per process.

Loading a model costs 1-3 s and ~540 MB (the Korean one), so models are cached for the life
of the process. A KaldiRecognizer is cheap (~5 MB) but building one per utterance made
decoding 4x slower than resetting a kept one, so each VoskRecognizer keeps one and resets it.
"""

from __future__ import annotations

import json
import logging
import threading
import time
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from voice.audio import SAMPLE_RATE, SAMPLE_WIDTH, AudioClip
from voice.errors import ModelLoadFailed, ModelNotInstalled
from voice.grammar import (
    REPRESENTATIVE_PER_INTENT,
    Grammar,
    compile_grammar,
    detect_unknown_token,
    representative_phrases,
)
from voice.models import find_model, model_problem
from voice.recognizer import AudioInput, Transcript, Word

if TYPE_CHECKING:
    from voice.intents import IntentSet

log = logging.getLogger(__name__)


@dataclass(slots=True, frozen=True)
class LoadedModel:
    path: Path
    model: Any  # vosk.Model
    load_seconds: float
    unknown_token: str | None

    def has_word(self, word: str) -> bool:
        return self.model.vosk_model_find_word(word) >= 0


_models: dict[Path, LoadedModel] = {}
_models_lock = threading.Lock()


def load_model(path: Path) -> LoadedModel:
    """The process-wide Vosk model for `path` (loaded on first use)."""
    path = path.resolve()
    with _models_lock:
        loaded = _models.get(path)
        if loaded is not None:
            return loaded
        problem = model_problem(path)
        if problem:
            raise ModelLoadFailed(path, problem)
        import vosk

        vosk.SetLogLevel(-1)  # Kaldi's per-utterance chatter goes to stderr otherwise
        started = time.perf_counter()
        try:
            model = vosk.Model(str(path))
        except Exception as exc:  # vosk raises a bare Exception("Failed to create a model")
            raise ModelLoadFailed(path, str(exc)) from exc
        seconds = time.perf_counter() - started

        def has_word(word: str) -> bool:
            return model.vosk_model_find_word(word) >= 0

        loaded = _models[path] = LoadedModel(path, model, seconds, detect_unknown_token(has_word))
        log.info(
            "vosk model %s loaded in %.2f s (unknown-word token %s)", path, seconds,
            loaded.unknown_token,
        )
        return loaded


def model_for_language(language: str, directory: Path | None = None) -> LoadedModel:
    """Raises ModelNotInstalled (voice off, touch on) when no model serves `language`."""
    return load_model(find_model(language, directory).path)


class VoskRecognizer:
    """Recognizer for one language; grammar mode when a Grammar is given, else free-form."""

    def __init__(self, model: LoadedModel, language: str, grammar: Grammar | None = None,
                 sample_rate: int = SAMPLE_RATE) -> None:
        import vosk

        self.language = language
        self.model = model
        self.grammar = grammar
        self.sample_rate = sample_rate
        if grammar is not None:
            self._kaldi = vosk.KaldiRecognizer(model.model, sample_rate, grammar.to_json())
        else:
            self._kaldi = vosk.KaldiRecognizer(model.model, sample_rate)
        self._kaldi.SetWords(True)  # per-word confidences, used to reject noise
        self._by_intent: dict[str, list[str]] = {}  # filled by for_intents(), for expect()
        self._max_sentences: int | None = None  # set by for_intents(): see there
        self._per_intent = REPRESENTATIVE_PER_INTENT
        self._grammars: dict[frozenset[str] | None, Grammar] = {None: grammar} if grammar else {}
        self._lock = threading.Lock()  # one utterance at a time through the kept recognizer
        # Reset() does not restart Vosk's clock: word times count from the first utterance
        # this recognizer ever heard, so subtract the audio fed before this one.
        self._clock_offset = 0.0

    @classmethod
    def for_phrases(cls, phrases: Iterable[str], language: str,
                    model: LoadedModel | None = None,
                    directory: Path | None = None) -> VoskRecognizer:
        model = model or model_for_language(language, directory)
        grammar = compile_grammar(phrases, model.has_word, language,
                                  unknown_token=model.unknown_token)
        return cls(model, language, grammar)

    @classmethod
    def for_intents(cls, intent_set: IntentSet, model: LoadedModel | None = None,
                    directory: Path | None = None, *,
                    max_sentences: int | None = None,
                    per_intent: int = REPRESENTATIVE_PER_INTENT) -> VoskRecognizer:
        """Grammar from the expanded template sentences of the set's language.

        With `max_sentences` (e.g. MAX_GRAMMAR_SENTENCES) and more sentences than that, the
        grammar holds only the first `per_intent` sentences of each intent
        (`voice.grammar.representative_phrases`): on Korean espeak-ng speech 12-14/45 right
        instead of 2-4/45 with all 668, but 4-5 wrong intents instead of 1-2, and sox brown
        noise came back as cancel_alarm in 5 of 25 clips (never with the whole grammar), so
        it is not the default (docs/VOICE.md). Snapping always uses every sentence.
        """
        sentences = intent_set.sentences()
        phrases = [s.text for s in sentences]
        if max_sentences is not None and len(phrases) > max_sentences:
            phrases = representative_phrases(sentences, per_intent)
            log.info("grammar %s: %d sentences > %d, %d representative ones (%d per intent)",
                     intent_set.language, len(sentences), max_sentences, len(phrases),
                     per_intent)
        recognizer = cls.for_phrases(phrases, intent_set.language, model, directory)
        recognizer._by_intent = {}
        for sentence in sentences:
            recognizer._by_intent.setdefault(str(sentence.intent), []).append(sentence.text)
        recognizer._max_sentences = max_sentences
        recognizer._per_intent = per_intent
        return recognizer

    def expect(self, intents: Iterable[str] | None) -> Grammar:
        """Narrow the grammar to the sentences of `intents` (None: all of them again).

        The fewer phrases a grammar holds, the fewer ways Vosk's loose phrase model can go
        wrong: at a yes/no confirmation the dialogue expects a handful of intents, and a
        grammar of just those is markedly more accurate (docs/VOICE.md, measured). Compiled
        grammars are cached per intent set; switching is a cheap SetGrammar.
        """
        if not self._by_intent:
            raise ValueError("expect() needs a recognizer built with for_intents()")
        key = None if intents is None else frozenset(str(i) for i in intents)
        grammar = self._grammars.get(key)
        if grammar is None:
            wanted = self._by_intent if key is None else {
                k: v for k, v in self._by_intent.items() if k in key}
            unknown = set(key or ()) - set(self._by_intent)
            if unknown:
                raise ValueError(f"no sentences for intents {sorted(unknown)}")
            phrases = [text for texts in wanted.values() for text in texts]
            if self._max_sentences is not None and len(phrases) > self._max_sentences:
                phrases = [t for texts in wanted.values() for t in texts[: self._per_intent]]
            grammar = compile_grammar(phrases, self.model.has_word, self.language,
                                      unknown_token=self.model.unknown_token)
            self._grammars[key] = grammar
        with self._lock:
            if grammar is not self.grammar:
                self._kaldi.SetGrammar(grammar.to_json())
                self.grammar = grammar
        return grammar

    def recognize(self, audio: AudioInput) -> Transcript:
        chunks = audio.chunks() if isinstance(audio, AudioClip) else audio
        results: list[dict[str, Any]] = []
        decode = 0.0
        total_bytes = 0
        with self._lock:
            try:
                for chunk in chunks:
                    if not chunk:
                        continue
                    total_bytes += len(chunk)
                    started = time.perf_counter()
                    if self._kaldi.AcceptWaveform(bytes(chunk)):
                        # Vosk's own endpoint fired mid-stream; keep the segment.
                        results.append(json.loads(self._kaldi.Result()))
                    decode += time.perf_counter() - started
                started = time.perf_counter()
                results.append(json.loads(self._kaldi.FinalResult()))
                decode += time.perf_counter() - started
            finally:
                self._kaldi.Reset()
                offset = self._clock_offset
                self._clock_offset += total_bytes / SAMPLE_WIDTH / self.sample_rate
        return self._transcript(
            results, decode, total_bytes / SAMPLE_WIDTH / self.sample_rate, offset
        )

    def _transcript(self, results: list[dict[str, Any]], decode: float,
                    audio_seconds: float, offset: float) -> Transcript:
        unknown = self.model.unknown_token
        words: list[Word] = []
        unknown_count = 0
        for result in results:
            entries = result.get("result")
            if entries is None:  # no word timing: fall back on the text
                entries = [{"word": w, "start": 0.0, "end": 0.0, "conf": 1.0}
                           for w in result.get("text", "").split()]
            for entry in entries:
                if entry["word"] == unknown:
                    unknown_count += 1
                    continue
                words.append(Word(
                    entry["word"],
                    max(0.0, float(entry.get("start", offset)) - offset),
                    max(0.0, float(entry.get("end", offset)) - offset),
                    float(entry.get("conf", 1.0)),
                ))
        text = " ".join(w.text for w in words)
        log.debug("vosk %s: %r (%d unknown) in %.3f s", self.language, text, unknown_count, decode)
        return Transcript(text, tuple(words), decode, audio_seconds, unknown_count)


__all__ = ["LoadedModel", "ModelNotInstalled", "VoskRecognizer", "load_model",
           "model_for_language"]
