"""Snapping a transcript to the nearest template sentence, with a calibrated score.

`snap()` first tries an exact structural parse (score 1.0). Otherwise it finds the expanded
sentences nearest by edit distance over units (characters for zh/ko, words for en):

    score = 1 - distance / max(len(transcript), len(sentence))

One wrong, missing or extra unit in a 6-unit phrase scores 0.83 to 0.86, two score 0.67;
unrelated phrases score well under 0.5. Below the threshold the answer is NotUnderstood,
never a guess. Slot values are then re-read from what was actually said: the slot's part of
the transcript (found by aligning it with the sentence) is parsed as a value of the slot's
list; a slot that cannot be read is dropped (a grocery line with it), so the dialogue asks
for it instead of confirming an invented value.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from voice.expansion import Piece, Sentence
from voice.intents import IntentMatch, IntentSet, NotUnderstood
from voice.slots import Capture, ListKind
from voice.templates import CHARACTER_LANGUAGES, join_units, units

DEFAULT_THRESHOLD = 0.75
_CANDIDATES = 12  # nearest sentences whose slots are re-read before choosing
_FUZZY_SLOT = 0.5  # similarity a misheard slot value needs to count as that value


@dataclass(slots=True, frozen=True)
class _Index:
    by_length: dict[int, list[tuple[int, Sentence]]]
    lengths: tuple[int, ...]
    # Sentences with each slot value replaced by one placeholder unit ("\0item"): one per
    # distinct shape, so a misheard slot-rich phrase is compared with its template's shape.
    skeletons: dict[int, list[tuple[int, Sentence, tuple[str, ...]]]]
    lists: tuple[str, ...]


def snap(
    transcript: str, intent_set: IntentSet, threshold: float = DEFAULT_THRESHOLD
) -> IntentMatch | NotUnderstood:
    """The intent of `transcript`, or NotUnderstood when nothing is close enough.

    Args:
        transcript: what the recognizer heard (spaces between pieces are fine).
        intent_set: the active language's intents (`load_intents`).
        threshold: the lowest score accepted (0-1); see the module docstring.
    """
    tokens = units(transcript, intent_set.language)
    content = strip_skip_words(tokens, intent_set)
    if not content or all(u.replace(".", "").isdigit() for u in content):
        return NotUnderstood(transcript, None, 0.0)
    exact = intent_set.parse(transcript)
    if exact is not None:
        return exact
    index = _index(intent_set)
    floor = max(0.0, threshold - 0.25)
    candidates: list[tuple[float, int, Sentence, tuple[str, ...], _Rows | None]] = []
    for query in dict.fromkeys((content, tokens)):
        candidates.extend(_nearest(query, index, floor))
    candidates.extend(_nearest_shapes(content, index, intent_set))
    candidates.sort(key=lambda c: (-c[0], c[1]))
    best: tuple[float, int, IntentMatch, Sentence] | None = None
    for _, order, sentence, query, rows in candidates[:_CANDIDATES]:
        if any(p.capture is not None for p in sentence.pieces):
            if rows is None:
                rows = _sentence_rows(sentence, _alignment(sentence.units, query, _same))
            match = _reread_slots(query, sentence, intent_set, rows)
        else:
            match = IntentMatch(sentence.intent, sentence.slots,
                                similarity(query, sentence.units), sentence.text,
                                sentence.template)
        if best is None or (match.score, -order) > (best[0], -best[1]):
            best = (match.score, order, match, sentence)
    if best is None or best[0] < threshold:
        guess = best[3].text if best is not None else None
        return NotUnderstood(transcript, guess, best[0] if best is not None else 0.0)
    return best[2]


def strip_skip_words(tokens: tuple[str, ...], intent_set: IntentSet) -> tuple[str, ...]:
    """`tokens` without skip words (the longest skip word wins at each position)."""
    words = sorted((units(w, intent_set.language) for w in intent_set.skip_words),
                   key=len, reverse=True)
    out: list[str] = []
    pos = 0
    while pos < len(tokens):
        for word in words:
            if word and tokens[pos : pos + len(word)] == word:
                pos += len(word)
                break
        else:
            out.append(tokens[pos])
            pos += 1
    return tuple(out)


def similarity(a: Sequence[str], b: Sequence[str]) -> float:
    """1 - edit distance / the longer length (1.0 for two empty sequences)."""
    longest = max(len(a), len(b))
    return 1.0 if longest == 0 else 1.0 - edit_distance(a, b) / longest


def edit_distance(a: Sequence[str], b: Sequence[str]) -> int:
    """Levenshtein distance between two unit sequences (bit-parallel, Hyyrö 2001)."""
    if not a:
        return len(b)
    return _bit_distance(_pattern(a), len(a), b)


# --- nearest sentences ---------------------------------------------------------------------


def _index(intent_set: IntentSet) -> _Index:
    index = intent_set.cache.get("snap_index")
    if index is None:
        by_length: dict[int, list[tuple[int, Sentence]]] = {}
        shapes: dict[tuple[str, ...], tuple[int, Sentence]] = {}
        lists: set[str] = set()
        for order, sentence in enumerate(intent_set.sentences()):
            by_length.setdefault(len(sentence.units), []).append((order, sentence))
            if any(p.capture is not None for p in sentence.pieces):
                shape = _shape(sentence)
                shapes.setdefault(shape, (order, sentence))
                lists.update(p.capture[1] for p in sentence.pieces if p.capture is not None)
        skeletons: dict[int, list[tuple[int, Sentence, tuple[str, ...]]]] = {}
        for shape, (order, sentence) in shapes.items():
            skeletons.setdefault(len(shape), []).append((order, sentence, shape))
        index = _Index(by_length, tuple(sorted(by_length)), skeletons, tuple(sorted(lists)))
        intent_set.cache["snap_index"] = index
    return index


def _shape(sentence: Sentence) -> tuple[str, ...]:
    return tuple(
        unit
        for piece in sentence.pieces
        for unit in (piece.units if piece.capture is None else (_PLACEHOLDER + piece.capture[1],))
    )


_PLACEHOLDER = "\0"
# For each sentence-unit boundary: the first and last boundary of the transcript that an
# optimal alignment passes through there.
_Rows = dict[int, tuple[int, int]]


def _nearest(
    query: tuple[str, ...], index: _Index, floor: float
) -> list[tuple[float, int, Sentence, tuple[str, ...], _Rows | None]]:
    """Sentences scoring at least `floor` against `query`."""
    m = len(query)
    peq = _pattern(query)
    found = []
    for length in index.lengths:
        longest = max(length, m)
        if 1.0 - abs(length - m) / longest < floor:  # the length gap alone is too much
            continue
        for order, sentence in index.by_length[length]:
            score = 1.0 - _bit_distance(peq, m, sentence.units) / longest
            if score >= floor:
                found.append((score, order, sentence, query, None))
    return found


def _nearest_shapes(
    query: tuple[str, ...], index: _Index, intent_set: IntentSet
) -> list[tuple[float, int, Sentence, tuple[str, ...], _Rows | None]]:
    """Slot-rich sentences whose shape is nearest to the transcript's shape (the transcript
    with every slot value it contains replaced by placeholders), aligned for re-reading."""
    if not index.skeletons:
        return []
    shape, spans = _delexicalise(query, intent_set, index.lists)
    if all(not isinstance(u, frozenset) for u in shape):
        return []
    m = len(shape)
    peq: dict[str, int] = {}
    for i, unit in enumerate(shape):
        for key in ([_PLACEHOLDER + n for n in unit] if isinstance(unit, frozenset) else [unit]):
            peq[key] = peq.get(key, 0) | (1 << i)
    scored = []
    for length, entries in index.skeletons.items():
        for order, sentence, skeleton in entries:
            distance = _bit_distance(peq, m, skeleton)
            scored.append((distance / max(length, m), order, sentence, skeleton))
    scored.sort(key=lambda c: (c[0], c[1]))
    found = []
    for relative, order, sentence, skeleton in scored[:_CANDIDATES]:
        if relative > 0.5:
            break
        rows = _alignment(skeleton, shape, _same_shape)
        found.append((1.0 - relative, order, sentence, query,
                      _shape_rows(sentence, rows, spans, len(query))))
    return found


def _delexicalise(
    query: tuple[str, ...], intent_set: IntentSet, lists: Sequence[str]
) -> tuple[list[str | frozenset[str]], list[tuple[int, int]]]:
    """The transcript with each slot value (longest first) replaced by the set of lists it
    belongs to, and each resulting unit's span in the transcript."""
    matcher = intent_set.matcher()
    slot_lists = [(n, intent_set.slot_list(n)) for n in lists]
    shape: list[str | frozenset[str]] = []
    spans: list[tuple[int, int]] = []
    pos = 0
    while pos < len(query):
        end, names = pos, set()
        for name, slot_list in slot_lists:
            if slot_list is None:
                continue
            for stop, _ in matcher.values_at(slot_list, query, pos):
                if stop > end:
                    end, names = stop, {name}
                elif stop == end:
                    names.add(name)
        if end > pos:
            shape.append(frozenset(names))
        else:
            end = pos + 1
            shape.append(query[pos])
        spans.append((pos, end))
        pos = end
    return shape, spans


def _pattern(query: Sequence[str]) -> dict[str, int]:
    peq: dict[str, int] = {}
    for i, unit in enumerate(query):
        peq[unit] = peq.get(unit, 0) | (1 << i)
    return peq


def _bit_distance(peq: dict[str, int], m: int, text: Sequence[str]) -> int:
    mask = (1 << m) - 1
    high = 1 << (m - 1)
    pv, mv, score = mask, 0, m
    for unit in text:
        eq = peq.get(unit, 0)
        xv = eq | mv
        xh = (((eq & pv) + pv) ^ pv) | eq
        ph = mv | (~(xh | pv) & mask)
        mh = pv & xh
        if ph & high:
            score += 1
        elif mh & high:
            score -= 1
        ph = ((ph << 1) | 1) & mask
        mh = (mh << 1) & mask
        pv = mh | (~(xv | ph) & mask)
        mv = ph & xv
    return score


# --- slot values from what was said --------------------------------------------------------


def _reread_slots(
    query: tuple[str, ...], sentence: Sentence, intent_set: IntentSet, rows: _Rows
) -> IntentMatch:
    """Re-read each slot of `sentence` from the aligned part of `query`; score the result."""
    repaired: list[str] = []
    shown: list[str] = []
    captures: list[Capture] = []
    unreadable: set[Any] = set()
    start = 0
    for piece in sentence.pieces:
        end = start + len(piece.units)
        if piece.capture is None:
            repaired.extend(piece.units)
            shown.append(piece.text)
        else:
            heard = _read_slot(piece, query, rows[start], rows[end], intent_set)
            if heard is None:
                repaired.extend(piece.units)
                shown.append(piece.text)
                unreadable.add(piece.capture[3] or piece.capture)
                captures.append(piece.capture)
            else:
                value, said = heard
                repaired.extend(said)
                shown.append(join_units(said, intent_set.language))
                captures.append((*piece.capture[:2], value, piece.capture[3]))
        start = end
    kept = [c for c in captures if (c[3] or c) not in unreadable]
    slots = intent_set.build_slots(kept, sentence.fixed)
    score = similarity(query, repaired)
    separator = "" if intent_set.language in CHARACTER_LANGUAGES else " "
    text = " ".join(separator.join(shown).split())
    return IntentMatch(sentence.intent, slots, score, text, sentence.template)


def _read_slot(
    piece: Piece,
    query: tuple[str, ...],
    starts: tuple[int, int],
    ends: tuple[int, int],
    intent_set: IntentSet,
) -> tuple[Any, tuple[str, ...]] | None:
    """(value, units said) for a slot piece, or None when the heard part is no value."""
    _, list_name, _, _ = piece.capture
    slot_list = intent_set.slot_list(list_name)
    if slot_list is None:
        return None
    spans = dict.fromkeys(
        (a, b) for a in (starts[0], starts[1]) for b in (ends[1], ends[0]) if a < b
    )
    matcher = intent_set.matcher()
    for a, b in spans:
        said = query[a:b]
        for end, value in matcher.values_at(slot_list, said, 0):
            if end == len(said):
                return value, said
    if slot_list.kind is ListKind.NUMBER:
        return None
    best: tuple[float, Any, tuple[str, ...]] | None = None
    for a, b in spans:
        said = query[a:b]
        for form, value in slot_list.spoken_forms(intent_set.language):
            form_units = units(form, intent_set.language)
            if len(form_units) < 2:
                continue
            score = similarity(said, form_units)
            if score >= _FUZZY_SLOT and (best is None or score > best[0]):
                best = (score, value, form_units)
    return None if best is None else (best[1], best[2])


def _same(a: str, b: str) -> bool:
    return a == b


def _same_shape(a: str, b: str | frozenset[str]) -> bool:
    if isinstance(b, frozenset):
        return a.startswith(_PLACEHOLDER) and a[len(_PLACEHOLDER):] in b
    return a == b


def _alignment(a: Sequence[str], b: Sequence[Any], same) -> list[tuple[int, int]]:
    """For each boundary i of `a` (0..len(a)): the first and last boundary of `b` an optimal
    alignment passes through at row i."""
    n, m = len(a), len(b)
    d = [[0] * (m + 1) for _ in range(n + 1)]
    for i in range(n + 1):
        d[i][0] = i
    for j in range(m + 1):
        d[0][j] = j
    for i in range(1, n + 1):
        for j in range(1, m + 1):
            d[i][j] = min(
                d[i - 1][j] + 1, d[i][j - 1] + 1,
                d[i - 1][j - 1] + (not same(a[i - 1], b[j - 1])),
            )
    rows: list[list[int]] = [[] for _ in range(n + 1)]
    i, j = n, m
    rows[i].append(j)
    while i or j:
        if i and j and d[i][j] == d[i - 1][j - 1] + (not same(a[i - 1], b[j - 1])):
            i, j = i - 1, j - 1
        elif i and d[i][j] == d[i - 1][j] + 1:
            i -= 1
        else:
            j -= 1
        rows[i].append(j)
    return [(min(r), max(r)) for r in rows]


def _sentence_rows(sentence: Sentence, rows: list[tuple[int, int]]) -> _Rows:
    return dict(enumerate(rows))


def _shape_rows(
    sentence: Sentence, rows: list[tuple[int, int]], spans: list[tuple[int, int]], n: int
) -> _Rows:
    """Skeleton alignment rows -> rows at the sentence's piece boundaries, in transcript
    units (a placeholder in the transcript's shape stands for its whole span)."""

    def raw(k: int) -> int:
        return spans[k][0] if k < len(spans) else n

    out: _Rows = {}
    sentence_at = skeleton_at = 0
    for piece in sentence.pieces:
        out[sentence_at] = (raw(rows[skeleton_at][0]), raw(rows[skeleton_at][1]))
        sentence_at += len(piece.units)
        skeleton_at += len(piece.units) if piece.capture is None else 1
    out[sentence_at] = (raw(rows[skeleton_at][0]), raw(rows[skeleton_at][1]))
    return out
