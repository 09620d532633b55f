"""Template syntax (in the spirit of hassil) and the per-language units text is compared on.

A template is text with `(a|b)` alternatives, `[optional]` parts, `{list}` / `{list:slot}`
slot references and `<rule>` references to named sub-templates; groups nest. Chinese and
Korean are compared on characters with spaces ignored, English on lower-cased words.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

# Languages compared character by character (spaces carry no meaning for matching).
CHARACTER_LANGUAGES = frozenset({"zh", "ko"})

_APOSTROPHES = str.maketrans({"\u2019": "'", "\u2018": "'", "`": "'"})
_EN_KEEP = re.compile(r"[a-z0-9]+(?:['.][a-z0-9]+)*")


class IntentDataError(ValueError):
    """Intent data (a YAML file, a template, run-time slot values) cannot be used.

    The message names the file, the intent and the template when they are known.
    """


class TemplateSyntaxError(IntentDataError):
    """A template string is malformed (unbalanced brackets, empty slot name, ...)."""


def normalize(text: str, language: str) -> str:
    """Compatibility-normalised, lower-cased text (full-width digits become ASCII)."""
    return unicodedata.normalize("NFKC", text).translate(_APOSTROPHES).lower()


def units(text: str, language: str) -> tuple[str, ...]:
    """The units `text` is compared on: characters (zh, ko) or words (en and others).

    Punctuation and symbols are dropped; in word languages hyphens separate words
    ("twenty-five" -> twenty, five) and apostrophes stay inside words ("i'm").
    """
    text = normalize(text, language)
    if language in CHARACTER_LANGUAGES:
        return tuple(
            ch
            for i, ch in enumerate(text)
            if _is_word_char(ch) or (ch == "." and _between_digits(text, i))
        )
    return tuple(_EN_KEEP.findall(text))


def _between_digits(text: str, i: int) -> bool:
    return 0 < i < len(text) - 1 and text[i - 1].isdigit() and text[i + 1].isdigit()


def _is_word_char(ch: str) -> bool:
    if ch.isspace():
        return False
    category = unicodedata.category(ch)
    return not (category.startswith("P") or category.startswith("S") or category == "Cc")


def join_units(parts: tuple[str, ...] | list[str], language: str) -> str:
    """Units back to text: characters joined directly, words with spaces."""
    return ("" if language in CHARACTER_LANGUAGES else " ").join(parts)


# --- the template tree -------------------------------------------------------------------


@dataclass(slots=True, frozen=True)
class Text:
    """Literal text as written in the template."""

    text: str


@dataclass(slots=True, frozen=True)
class Seq:
    items: tuple[Node, ...]


@dataclass(slots=True, frozen=True)
class Alt:
    """Alternatives; `optional` when written as `[...]` (the empty alternative is allowed)."""

    options: tuple[Node, ...]
    optional: bool = False


@dataclass(slots=True, frozen=True)
class SlotRef:
    """`{list}` or `{list:slot}`: a value from a slot list, reported under `slot`."""

    list_name: str
    slot: str


@dataclass(slots=True, frozen=True)
class RuleRef:
    """`<rule>`: a named sub-template; `index` numbers the references within one template."""

    name: str
    index: int


Node = Text | Seq | Alt | SlotRef | RuleRef

_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_]*\Z")
_CLOSERS = {"(": ")", "[": "]"}


def parse_template(template: str, *, word_language: bool = False) -> Node:
    """Parse one template string into a tree.

    Args:
        template: the template text.
        word_language: True for languages compared on words (English): a group or slot
            glued to letters ("bag(s)") is refused there, because units are whole words.

    Raises:
        TemplateSyntaxError: with the position and what to fix.
    """
    parser = _Parser(template, word_language)
    node = parser.alternatives(closer=None)
    if parser.pos != len(template):  # pragma: no cover - alternatives() consumes all or raises
        raise parser.error("unexpected text")
    return node


class _Parser:
    __slots__ = ("text", "pos", "word_language", "rule_refs")

    def __init__(self, text: str, word_language: bool) -> None:
        self.text = text
        self.pos = 0
        self.word_language = word_language
        self.rule_refs = 0

    def error(self, problem: str, at: int | None = None) -> TemplateSyntaxError:
        at = self.pos if at is None else at
        return TemplateSyntaxError(f"{problem} at character {at + 1} of {self.text!r}")

    def alternatives(self, closer: str | None) -> Node:
        options = [self.sequence()]
        while self.pos < len(self.text) and self.text[self.pos] == "|":
            self.pos += 1
            options.append(self.sequence())
        if closer is None:
            if self.pos < len(self.text):
                raise self.error(f"unmatched {self.text[self.pos]!r}")
        elif self.pos >= len(self.text) or self.text[self.pos] != closer:
            raise self.error(f"missing {closer!r}")
        return options[0] if len(options) == 1 else Alt(tuple(options))

    def sequence(self) -> Node:
        items: list[Node] = []
        literal: list[str] = []

        def flush() -> None:
            if literal:
                items.append(Text("".join(literal)))
                literal.clear()

        while self.pos < len(self.text):
            ch = self.text[self.pos]
            if ch in "|)]":
                break
            start = self.pos
            if ch in _CLOSERS:
                flush()
                self.pos += 1
                inner = self.alternatives(closer=_CLOSERS[ch])
                self.pos += 1
                if ch == "[":
                    options = inner.options if isinstance(inner, Alt) else (inner,)
                    inner = Alt(options, optional=True)
                elif _is_empty(inner):
                    raise self.error("empty group '()'", start)
                self._check_word_boundaries(start, self.pos)
                items.append(inner)
            elif ch == "{":
                flush()
                end = self.text.find("}", start)
                if end < 0:
                    raise self.error("missing '}'", start)
                items.append(self._slot(self.text[start + 1 : end], start))
                self.pos = end + 1
                self._check_word_boundaries(start, self.pos)
            elif ch == "<":
                flush()
                end = self.text.find(">", start)
                if end < 0:
                    raise self.error("missing '>'", start)
                name = self.text[start + 1 : end].strip()
                if not _NAME.match(name):
                    raise self.error(f"bad rule name {name!r} (letters, digits, _)", start)
                items.append(RuleRef(name, self.rule_refs))
                self.rule_refs += 1
                self.pos = end + 1
                self._check_word_boundaries(start, self.pos)
            elif ch in "}>":
                raise self.error(f"unmatched {ch!r}")
            elif ch in "?*+" and start > 0 and self.text[start - 1] in ")]}>":
                raise self.error(
                    f"{ch!r} after a group is not template syntax (write [optional] parts; "
                    "there is no repetition)"
                )
            else:
                literal.append(ch)
                self.pos += 1
        flush()
        return items[0] if len(items) == 1 else Seq(tuple(items))

    def _slot(self, body: str, start: int) -> SlotRef:
        list_name, _, slot = body.partition(":")
        list_name, slot = list_name.strip(), (slot.strip() or list_name.strip())
        for name in (list_name, slot):
            if not _NAME.match(name):
                raise self.error(
                    f"bad slot reference {{{body}}} (write {{list}} or {{list:slot}}, "
                    "names of letters, digits and _)",
                    start,
                )
        return SlotRef(list_name, slot)

    def _check_word_boundaries(self, start: int, end: int) -> None:
        if not self.word_language:
            return
        before = self.text[start - 1] if start > 0 else " "
        after = self.text[end] if end < len(self.text) else " "
        if _is_glued(before) or _is_glued(after):
            raise self.error(
                "a group or slot glued to a word (units are whole words here: write "
                "(bag|bags), not bag(s))",
                start,
            )


def _is_glued(ch: str) -> bool:
    return ch.isalnum() or ch == "'"


def _is_empty(node: Node) -> bool:
    if isinstance(node, Text):
        return not node.text.strip()
    if isinstance(node, Seq):
        return all(_is_empty(item) for item in node.items)
    return False


def references(node: Node) -> tuple[list[SlotRef], list[RuleRef]]:
    """Every slot and rule reference in a tree, in template order."""
    slots: list[SlotRef] = []
    rules: list[RuleRef] = []

    def walk(n: Node) -> None:
        if isinstance(n, SlotRef):
            slots.append(n)
        elif isinstance(n, RuleRef):
            rules.append(n)
        elif isinstance(n, Seq):
            for item in n.items:
                walk(item)
        elif isinstance(n, Alt):
            for option in n.options:
                walk(option)

    walk(node)
    return slots, rules
