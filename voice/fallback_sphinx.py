"""English fallback recognizer: pocketsphinx (its en-us model ships in the PyPI wheel) with a JSGF
grammar compiled from the English intent templates (voice.jsgf: the template structure, not
one alternative per expanded sentence).

Used when no English Vosk model is installed (kiosks without internet still have this). It
returns the same `Transcript` as the Vosk recognizer, so the snapping step, the confidence
guard and the dialogue do not know which one ran.
"""

from __future__ import annotations

import logging
import re
import threading
import time
from collections.abc import Iterable
from pathlib import Path
from typing import TYPE_CHECKING, Any

from voice import cepstral_mean
from voice.audio import SAMPLE_RATE, SAMPLE_WIDTH, AudioClip
from voice.compact_fsg import FINAL, START, compact_transitions
from voice.errors import VoiceError
from voice.grammar import Grammar, compile_grammar
from voice.jsgf import compile_jsgf
from voice.recognizer import AudioInput, Transcript, Word

if TYPE_CHECKING:
    from voice.intents import IntentSet

log = logging.getLogger(__name__)

LANGUAGE = "en"
COMPACT_SEARCH = "kiosk_compact"  # the search for_intents() decodes with
# pocketsphinx's acoustic features run at 100 frames per second.
_FRAMES_PER_SECOND = 100
# Tokens in a segmentation that are not words: silence, sentence marks, filler and noise.
_NOT_WORDS = re.compile(r"^(<.*>|\(NULL\)|\[.*\]|\+\+.*\+\+)$")
# Alternative pronunciations come back marked: "service(2)".
_VARIANT = re.compile(r"\(\d+\)$")
# A rejection loop next to the phrases: out-of-grammar speech and noise tend to come out as a
# string of these short words instead of being forced onto the nearest phrase (without it,
# white noise decoded as "no" or even "help me"). Words like "ah", "a" and "and" are left out
# because "I am OK" then decoded as "ah and oh".
GARBAGE_WORDS = ("uh", "hmm", "the", "to", "it", "is", "of", "in", "that", "s", "f", "sh", "th")
# The loop uses copies of these words under names no phrase contains, so a transcript with
# one of them is known to be out of grammar whatever the grammar's shape.
_GARBAGE_SUFFIX = "__garbage"
# A low word insertion penalty (pocketsphinx's default is 0.65) makes a loop of many garbage
# words expensive, so real phrases still win: 45/45 espeak phrases with the loop in place.
_WORD_INSERTION_PENALTY = 0.05
# JSGF words are kept to dictionary spelling: letters, digits and inner apostrophes ("i'm").
_NON_WORD = re.compile(r"[^a-z0-9']+")


class FallbackUnavailable(VoiceError):
    """pocketsphinx or its bundled English model cannot be loaded."""

    def __init__(self, reason: str) -> None:
        super().__init__(
            f"The English fallback recognizer cannot start ({reason}). Reinstall the kiosk's "
            "Python packages (`make venv`; pocketsphinx 5.1.1 ships its model), or install an "
            "English Vosk model with `linli voice install`. The kiosk works by touch meanwhile."
        )


def normalise_phrase(phrase: str) -> str:
    """A template sentence in the dictionary's spelling: lowercase, punctuation and hyphens
    to spaces, apostrophes kept only inside words."""
    words = _NON_WORD.sub(" ", phrase.lower().replace("’", "'")).split()
    return " ".join(w.strip("'") for w in words if w.strip("'"))


def to_jsgf(phrases: Iterable[str], garbage: Iterable[str] = (), name: str = "kiosk") -> str:
    """One public rule whose alternatives are the phrases (already dictionary words), plus
    a loop of `garbage` words to absorb what is not one of them."""
    alternatives = sorted(set(phrases))
    if not alternatives:
        raise ValueError("a JSGF grammar needs at least one phrase")
    garbage = sorted(set(garbage))
    if garbage:
        alternatives.append("<garbage>")
    body = "\n    | ".join(alternatives)
    text = f"#JSGF V1.0;\ngrammar {name};\npublic <utterance> =\n    {body};\n"
    if garbage:
        text += f"<garbage> = ({' | '.join(garbage)})+;\n"
    return text


def add_garbage_words(decoder: Any, words: Iterable[str] = GARBAGE_WORDS) -> list[str]:
    """Copies of the dictionary's `words` under garbage names, for the rejection loop."""
    names = []
    for word in words:
        phones = decoder.lookup_word(word)
        if phones is None:
            continue
        name = word + _GARBAGE_SUFFIX
        if decoder.lookup_word(name) is None:
            decoder.add_word(name, phones, False)
        names.append(name)
    return names


def is_garbage(word: str) -> bool:
    return word.endswith(_GARBAGE_SUFFIX)


class SphinxRecognizer:
    """pocketsphinx in JSGF grammar mode, for English.

    FEASIBILITY.md measured 12-13/15 espeak phrases with JSGF and 2-3/15 free-form, so the
    grammar is the whole point: out-of-grammar speech and silence give an empty transcript,
    which the snapping step turns into "not understood".
    """

    language = LANGUAGE

    def __init__(
        self, grammar: Grammar, decoder: Any, sample_rate: int = SAMPLE_RATE,
        jsgf: str | None = None, cmn_path: Path | None = None, fsg: Any = None,
    ) -> None:
        """`grammar` lists the phrases (and the report of the dictionary check); `jsgf` is
        the grammar, by default one alternative per phrase. The decoder searches `fsg` (an
        FsgModel of the same language, see for_intents) when given, else the JSGF as
        pocketsphinx expands it. `cmn_path` keeps the cepstral mean across restarts
        (voice.cepstral_mean); without it every start primes the mean from its first
        utterance."""
        self.grammar = grammar
        self.sample_rate = sample_rate
        self.jsgf = jsgf or to_jsgf(grammar.phrases, add_garbage_words(decoder))
        # Rules of a structural grammar (voice.jsgf); None for one alternative per phrase.
        self.grammar_rules: int | None = None
        # States of the compact automaton decoded with (voice.compact_fsg); None: the JSGF's own.
        self.grammar_states: int | None = None
        self._decoder = decoder
        if fsg is not None:
            decoder.add_fsg(COMPACT_SEARCH, fsg)
            decoder.activate_search(COMPACT_SEARCH)
        else:
            try:
                decoder.add_jsgf_string("kiosk", self.jsgf)
            except ValueError as exc:
                raise FallbackUnavailable(f"the JSGF grammar was refused: {exc}") from exc
            decoder.activate_search("kiosk")
        self._lock = threading.Lock()  # one utterance at a time through the decoder
        self.cmn_path = cmn_path
        stored = None
        if cmn_path is not None:
            stored = cepstral_mean.load(cmn_path, len(cepstral_mean.parse(decoder.get_cmn())))
        if stored is not None:
            decoder.set_cmn(cepstral_mean.format_mean(stored))
        # Until the mean is this microphone's, each utterance is primed before it is decoded.
        self.mean_is_primed = stored is not None

    @staticmethod
    def new_decoder(sample_rate: int = SAMPLE_RATE, model_dir: Path | None = None) -> Any:
        """A decoder on the wheel's en-us model (or `model_dir`), with no language model."""
        try:
            import pocketsphinx
        except ImportError as exc:
            raise FallbackUnavailable(f"pocketsphinx is not installed: {exc}") from exc
        options: dict[str, Any] = {
            "samprate": sample_rate,
            "lm": None,
            # A little noise on the samples: digital silence (zeros) otherwise has a log
            # energy far below any microphone's, and the running cepstral mean it leaves
            # behind cost 22 of 90 noisy espeak-ng clips after clean ones (docs/VOICE.md).
            "dither": True,
            # The forward pass alone: the best-path rescoring step truncated phrases ("buy
            # two eggs" -> "buy") and cost ~10 of 78 espeak phrases in the measurement.
            "bestpath": False,
            "wip": _WORD_INSERTION_PENALTY,
            # Wider beams than the model's (1e-48, 1e-48, 7e-29): the rejection loop's short
            # words exit often and well, and at the default word beam a phrase whose first
            # word fits less well ("say" of "say that again") was pruned within a few frames,
            # before its later words could win; the loop then took the utterance. Measured
            # (docs/VOICE.md): 77 -> 82 of 90 clean, decoder CPU +10-30 %.
            "beam": 1e-60,
            "pbeam": 1e-60,
            "wbeam": 1e-50,
            "logfn": "/dev/null",  # its INFO chatter would flood the kiosk log
        }
        if model_dir is not None:
            options.update(
                hmm=str(model_dir / "en-us"), dict=str(model_dir / "cmudict-en-us.dict")
            )
        try:
            return pocketsphinx.Decoder(**options)
        except (RuntimeError, OSError, KeyError) as exc:
            raise FallbackUnavailable(f"its model did not load: {exc}") from exc

    @classmethod
    def for_phrases(
        cls, phrases: Iterable[str], *, model_dir: Path | None = None,
        sample_rate: int = SAMPLE_RATE, cmn_path: Path | None = None,
    ) -> SphinxRecognizer:
        """Grammar from these sentences; words missing from the CMU dictionary are reported
        (a warning and `grammar.report`), never silently dropped."""
        decoder = cls.new_decoder(sample_rate, model_dir)
        normalised = [p for p in (normalise_phrase(p) for p in phrases) if p]
        grammar = compile_grammar(
            normalised, lambda w: decoder.lookup_word(w) is not None, LANGUAGE
        )
        return cls(grammar, decoder, sample_rate, cmn_path=cmn_path)

    @classmethod
    def for_intents(
        cls, intent_set: IntentSet, *, model_dir: Path | None = None,
        sample_rate: int = SAMPLE_RATE, cmn_path: Path | None = None,
    ) -> SphinxRecognizer:
        """Grammar from the structure of the English intent templates (voice.jsgf): a
        tenth of the flat grammar's size, loaded ~8x and decoded ~3.5x faster. `grammar`
        still lists the expanded sentences, for reports."""
        if intent_set.language != LANGUAGE:
            raise ValueError(f"the fallback is English only, not {intent_set.language!r}")
        decoder = cls.new_decoder(sample_rate, model_dir)

        def known(word: str) -> bool:
            return decoder.lookup_word(word) is not None

        sentences = (normalise_phrase(s.text) for s in intent_set.sentences())
        grammar = compile_grammar([p for p in sentences if p], known, LANGUAGE)
        garbage = add_garbage_words(decoder)
        jsgf = compile_jsgf(intent_set, known, normalise_phrase, garbage=garbage)
        # The same language as a minimal automaton: about half the decoder's CPU
        # (voice.compact_fsg). pocketsphinx's own expansion of the JSGF is never built.
        try:
            transitions = compact_transitions(jsgf.text, "kiosk", jsgf.intents, garbage,
                                              decoder.get_logmath())
            fsg = decoder.create_fsg(COMPACT_SEARCH, START, FINAL, transitions)
        except (ValueError, RuntimeError) as exc:
            raise FallbackUnavailable(f"the JSGF grammar was refused: {exc}") from exc
        recognizer = cls(grammar, decoder, sample_rate, jsgf.text, cmn_path, fsg)
        recognizer.grammar_rules = jsgf.rules
        recognizer.grammar_states = max(max(t[0], t[1]) for t in transitions) + 1
        return recognizer

    @property
    def missing_words(self) -> list[str]:
        return self.grammar.report.missing_words()

    def recognize(self, audio: AudioInput) -> Transcript:
        chunks = audio.chunks() if isinstance(audio, AudioClip) else audio
        total_bytes = 0
        decode = 0.0
        cpu = 0.0  # thread CPU in the decoder only: the chunks may come from the endpointer
        with self._lock:
            started = time.perf_counter()
            if not self.mean_is_primed:
                # Cold start: hold the utterance, set the mean from it, then decode it. Only
                # until one utterance was long enough; costs this turn its streaming.
                held = b"".join(bytes(c) for c in chunks if c)
                began, began_cpu = time.perf_counter(), time.thread_time()
                self.mean_is_primed = cepstral_mean.prime(self._decoder, held) is not None
                decode += time.perf_counter() - began
                cpu += time.thread_time() - began_cpu
                chunks = [held]
            self._decoder.start_utt()
            try:
                for chunk in chunks:
                    if not chunk:
                        continue
                    total_bytes += len(chunk)
                    began, began_cpu = time.perf_counter(), time.thread_time()
                    self._decoder.process_raw(bytes(chunk), False, False)
                    decode += time.perf_counter() - began
                    cpu += time.thread_time() - began_cpu
            finally:
                began, began_cpu = time.perf_counter(), time.thread_time()
                self._decoder.end_utt()
                decode += time.perf_counter() - began
                cpu += time.thread_time() - began_cpu
            hypothesis = self._decoder.hyp()
            segments = list(self._decoder.seg()) if hypothesis is not None else []
            if self.cmn_path is not None and total_bytes:
                cepstral_mean.save(self.cmn_path, cepstral_mean.parse(self._decoder.get_cmn()))
        audio_seconds = total_bytes / SAMPLE_WIDTH / self.sample_rate
        words = tuple(
            Word(
                _VARIANT.sub("", seg.word),
                seg.start_frame / _FRAMES_PER_SECOND,
                (seg.end_frame + 1) / _FRAMES_PER_SECOND,
                # The segment's posterior probability (0-1): what the confidence guard reads.
                float(seg.prob),
            )
            for seg in segments
            if not _NOT_WORDS.match(seg.word)
        )
        text = " ".join(w.text for w in words)
        if any(is_garbage(w.text) for w in words):
            # The rejection loop won: report the words as unknown, like Vosk's [unk], so the
            # snapping step says "out of grammar" instead of guessing.
            log.debug("sphinx en: out of grammar %r", text.replace(_GARBAGE_SUFFIX, ""))
            return Transcript("", (), decode, audio_seconds, len(words), cpu)
        log.debug(
            "sphinx en: %r in %.3f s (%.3f s wall)", text, decode, time.perf_counter() - started
        )
        return Transcript(text, words, decode, audio_seconds, 0, cpu)


def english_fallback(intent_set: IntentSet, **kwargs: Any) -> SphinxRecognizer:
    """The recognizer for English when no English Vosk model is installed."""
    recognizer = SphinxRecognizer.for_intents(intent_set, **kwargs)
    log.info(
        "English voice uses the pocketsphinx fallback (no English Vosk model): %d phrases",
        len(recognizer.grammar.phrases),
    )
    return recognizer
