"""The English fallback's cepstral mean: primed from the first utterance at a cold start, kept
in a small file across restarts (voice.cepstral_mean), through the real pocketsphinx."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np
import pytest

from voice_testkit import espeak_clip, require_templates

from voice import cepstral_mean
from voice.endpointing import listen
from voice.fallback_sphinx import SphinxRecognizer
from voice.intents import IntentSet, load_intents
from voice.pipeline import hear


@pytest.fixture(scope="module")
def english() -> IntentSet:
    require_templates("en")
    return load_intents("en")


def decoder_() -> Any:
    """A decoder with a small grammar: pocketsphinx starts no utterance without a search."""
    bare = SphinxRecognizer.new_decoder()
    bare.add_jsgf_string("small", "#JSGF V1.0;\ngrammar small;\npublic <a> = yes | no;\n")
    bare.activate_search("small")
    return bare


def utterance(text: str, rate: int = 120) -> bytes:
    endpoint = listen(espeak_clip(text, voice="en-us", rate=rate).chunks())
    assert endpoint.utterance is not None
    return endpoint.utterance.pcm


def test_the_prime_is_the_utterances_own_mean() -> None:
    """PRIOR_FRAMES must be pocketsphinx's own weight of a set mean: then running the same
    audio again against the primed mean leaves the running mean (nearly: the dither differs
    between runs) where it is, while the model's initial mean is far from it."""
    decoder = decoder_()
    initial = cepstral_mean.parse(decoder.get_cmn())
    pcm = utterance("call the service centre")
    primed = cepstral_mean.prime(decoder, pcm)
    assert primed is not None
    assert abs(primed[0] - initial[0]) > 1.0  # the model's 40 is not this audio's energy
    decoder.start_utt()
    decoder.process_raw(pcm, True, False)
    decoder.end_utt()
    again = np.array(cepstral_mean.parse(decoder.get_cmn(True)))
    drift = np.linalg.norm(again - np.array(primed))
    assert drift < 0.1 * np.linalg.norm(np.array(initial) - np.array(primed)), drift


def test_too_little_audio_leaves_the_mean_alone() -> None:
    decoder = decoder_()
    before = decoder.get_cmn()
    assert cepstral_mean.prime(decoder, b"\x00\x01" * 1600) is None  # 0.1 s
    assert cepstral_mean.parse(decoder.get_cmn()) == pytest.approx(cepstral_mean.parse(before))


def test_the_first_words_after_a_cold_start_are_heard(english: IntentSet) -> None:
    """Without the prime the first "help me" of a fresh recognizer came back empty ("do it"
    when decoded bare): the model's initial mean is nobody's microphone."""
    recognizer = SphinxRecognizer.for_intents(english)
    assert not recognizer.mean_is_primed
    understanding = hear(espeak_clip("help me", voice="en-us", rate=120).chunks(),
                         recognizer, english)
    assert understanding.intent == "sos", understanding.transcript.text
    assert recognizer.mean_is_primed
    assert understanding.transcript.decode_cpu_seconds > 0


def test_the_mean_is_kept_across_restarts(english: IntentSet, tmp_path: Path) -> None:
    path = tmp_path / "state" / cepstral_mean.STATE_FILE
    first = SphinxRecognizer.for_intents(english, cmn_path=path)
    assert not first.mean_is_primed and not path.exists()
    first.recognize(espeak_clip("i need a repair", voice="en-us", rate=150))
    stored = cepstral_mean.parse(path.read_text())
    assert len(stored) == 13
    assert stored == pytest.approx(cepstral_mean.parse(first._decoder.get_cmn()), abs=1e-3)

    restarted = SphinxRecognizer.for_intents(english, cmn_path=path)
    assert restarted.mean_is_primed  # no prime needed: the stored mean is this microphone's
    assert cepstral_mean.parse(restarted._decoder.get_cmn()) == pytest.approx(stored, abs=1e-3)


@pytest.mark.parametrize("content", ["not numbers", "1,2,3", ""])
def test_a_damaged_state_file_is_ignored(english: IntentSet, tmp_path: Path,
                                         content: str) -> None:
    path = tmp_path / cepstral_mean.STATE_FILE
    path.write_text(content)
    recognizer = SphinxRecognizer.for_intents(english, cmn_path=path)
    assert not recognizer.mean_is_primed
    assert cepstral_mean.parse(recognizer._decoder.get_cmn())[:3] == [40.0, 3.0, -1.0]
