"""Intent templates -> one structural JSGF grammar for pocketsphinx.

The flat alternative (every expanded sentence as its own alternative: ~2,000 lines for
English) makes the decoder carry thousands of parallel word chains, most of them sharing
their first words. Here the template tree is kept: each slot list, named rule and intent
becomes a JSGF rule, `(a|b)` stays an alternative and `[a]` an optional part, so "call the
<centre>" is one path into a shared list instead of twelve sentences. The language is the
templates' own (every combination of alternatives, not only the expanded examples), and a
transcript of it always parses exactly back to its intent.

Words go through the same dictionary check as the flat grammar: a word the dictionary lacks
is left out of its phrase (a slot value made only of such words, out of its list) and
reported (`GrammarReport.missing`), never silently dropped.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import TYPE_CHECKING

from voice.grammar import GrammarReport, MissingWord
from voice.templates import Alt, Node, RuleRef, Seq, SlotRef, Text

if TYPE_CHECKING:
    from voice.intents import IntentSet

HasWord = Callable[[str], bool]
Normalise = Callable[[str], str]

# A JSGF rule name: the kind of rule and the list, rule or intent it stands for.
_RULE_CHARS = re.compile(r"[^A-Za-z0-9_]")


@dataclass(slots=True, frozen=True)
class JsgfGrammar:
    """A JSGF document and what compiling it found."""

    text: str
    rules: int  # how many rules it defines (lists, named rules, intents, the top rule)
    intents: tuple[str, ...]  # the intents it can hear, in file order
    report: GrammarReport


def rule_name(kind: str, name: str) -> str:
    return f"{kind}_{_RULE_CHARS.sub('_', name)}"


class _Compiler:
    """Template trees -> JSGF expressions, one rule per list and per named rule, on demand."""

    def __init__(self, intent_set: IntentSet, has_word: HasWord, normalise: Normalise) -> None:
        self._set = intent_set
        self._has_word = has_word
        self._normalise = normalise
        self._rules = intent_set.rules
        self.defined: dict[str, str | None] = {}  # rule name -> body (None: empty/void)
        self.missing: list[MissingWord] = []
        self.context = ""  # the template being compiled, for the report

    # --- expressions ----------------------------------------------------------------------

    def expression(self, node: Node) -> str | None:
        """The JSGF expression of `node`; "" for a part that says nothing, None when the
        node can say nothing at all (an empty run-time list): its alternative is left out."""
        if isinstance(node, Text):
            return self._words(node.text)
        if isinstance(node, SlotRef):
            return self._reference(rule_name("list", node.list_name), self._list_body, node)
        if isinstance(node, RuleRef):
            return self._reference(rule_name("rule", node.name), self._rule_body, node)
        if isinstance(node, Seq):
            parts = []
            for item in node.items:
                part = self.expression(item)
                if part is None:
                    return None
                if part:
                    parts.append(part)
            return " ".join(parts)
        if isinstance(node, Alt):
            options = [self.expression(o) for o in node.options]
            said = list(dict.fromkeys(o for o in options if o))
            silent = node.optional or any(o == "" for o in options)
            if not said:
                return "" if silent else None
            body = said[0] if len(said) == 1 and " " not in said[0] else f"({' | '.join(said)})"
            if silent:
                return f"[{body[1:-1] if body.startswith('(') else body}]"
            return body
        raise TypeError(node)  # pragma: no cover

    def _words(self, text: str) -> str:
        kept = []
        for word in self._normalise(text).split():
            if self._has_word(word):
                kept.append(word)
            else:
                self.missing.append(MissingWord(self.context, word))
        return " ".join(kept)

    def _reference(self, name: str, body: Callable[[Node], str | None], node: Node) -> str | None:
        if name not in self.defined:
            self.defined[name] = None  # a cycle is refused when the templates load
            self.defined[name] = body(node) or None
        return f"<{name}>" if self.defined[name] else None

    def _list_body(self, node: Node) -> str | None:
        assert isinstance(node, SlotRef)
        slot_list = self._set.slot_list(node.list_name)
        if slot_list is None:
            return None
        forms = [self._words(text) for text, _ in slot_list.spoken_forms(self._set.language)]
        forms = list(dict.fromkeys(f for f in forms if f))
        return " | ".join(forms) or None

    def _rule_body(self, node: Node) -> str | None:
        assert isinstance(node, RuleRef)
        body = self.expression(self._rules[node.name].node)
        return body or None


def compile_jsgf(
    intent_set: IntentSet,
    has_word: HasWord,
    normalise: Normalise,
    *,
    garbage: Iterable[str] = (),
    name: str = "kiosk",
) -> JsgfGrammar:
    """The structural grammar of every intent of `intent_set`.

    `has_word` is the dictionary lookup, `normalise` spells template text in dictionary
    words, and `garbage` words (when given) form a rejection loop beside the intents: what
    is not an intent phrase tends to come out as a string of them instead of being forced
    onto the nearest phrase.
    """
    compiler = _Compiler(intent_set, has_word, normalise)
    by_intent: dict[str, list[str]] = {}
    for entry in intent_set.templates:
        compiler.context = entry.text  # names the template in the report
        expression = compiler.expression(entry.node)
        if expression:
            by_intent.setdefault(str(entry.intent), []).append(expression)
    if not by_intent:
        raise ValueError("a JSGF grammar needs at least one phrase")
    lines = ["#JSGF V1.0;", f"grammar {name};"]
    top = [f"<{rule_name('intent', intent)}>" for intent in by_intent]
    garbage = sorted(set(garbage))
    if garbage:
        top.append("<garbage>")
    lines.append(f"public <utterance> = {' | '.join(top)};")
    for intent, expressions in by_intent.items():
        lines.append(f"<{rule_name('intent', intent)}> = {' | '.join(expressions)};")
    for rule, body in compiler.defined.items():
        if body:
            lines.append(f"<{rule}> = {body};")
    if garbage:
        lines.append(f"<garbage> = ({' | '.join(garbage)})+;")
    report = GrammarReport(
        len(intent_set.templates), missing=tuple(dict.fromkeys(compiler.missing))
    )
    return JsgfGrammar(
        "\n".join(lines) + "\n",
        rules=len(by_intent) + sum(1 for b in compiler.defined.values() if b) + 1 + bool(garbage),
        intents=tuple(by_intent),
        report=report,
    )


__all__ = ["JsgfGrammar", "compile_jsgf", "rule_name"]
