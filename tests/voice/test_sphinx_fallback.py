"""English fallback tests: espeak-ng command-line speech through pocketsphinx's JSGF grammar
(the model inside the PyPI wheel) to intents, silence and noise to "not understood"."""

from __future__ import annotations

import os
import shutil
import subprocess
from collections.abc import Iterator
from pathlib import Path

import numpy as np
import pytest

from voice_testkit import require_templates

from voice.audio import SAMPLE_RATE, AudioClip, read_wav
from voice.fallback_sphinx import SphinxRecognizer, normalise_phrase, to_jsgf
from voice.intents import IntentSet, load_intents
from voice.matching import snap as voice_snap
from voice.pipeline import understand
from voice.recognizer import Recognizer

# `make` installs espeak-ng; only outside CI may its absence skip these tests.
pytestmark = pytest.mark.skipif(
    shutil.which("espeak-ng") is None and not os.environ.get("CI"),
    reason="needs the espeak-ng command (make debs)",
)

# Kiosk phrases, one or two per intent, as an English-speaking resident would say them: each
# is an expanded sentence of assets/intents/en.yaml, so the grammar holds it among every
# sentence the English templates can say.
KIOSK_PHRASES = {
    "help me": "sos",
    "i am ok": "cancel_alarm",
    "call my daughter": "call_caregiver",
    "call the service centre": "call_service_centre",
    "i want groceries": "groceries",
    "i need a repair": "repair",
    "i need a certificate": "certificate",
    "book a doctor": "clinic_booking",
    "book an activity": "activity_booking",
    "my heart rate": "my_health",
    "my points": "my_points",
    "yes": "yes",
    "no": "no",
    "say that again": "repeat",
    "more time": "more_time",
}
RATES = (130, 160, 190)  # words per minute: slow for seniors, espeak's default, brisk
# Measured on this machine with the structural grammar of the English templates (voice.jsgf)
# and voice.matching.snap: 42/45 right (40/45 before the cepstral mean was primed at a cold
# start and the beams widened). Wrong: "call my daughter" at 160 and 190 ("don't bother",
# cancel) and "more time" at 190 ("what's on"). The floor leaves room for espeak-ng or model
# updates without hiding a real regression.
FLOOR = 41
# What noise or out-of-grammar speech may be heard as: nothing, or an answer that acts on
# nothing by itself (the dialogue confirms every intent; "no" and "stop" only step back).
HARMLESS = (None, "cancel", "no", "repeat", "more_time")


@pytest.fixture(scope="module")
def english() -> IntentSet:
    require_templates("en")
    return load_intents("en")


def snap(transcript: str, intents: IntentSet) -> str | None:
    """The intent the kiosk would act on (after confirmation), or None: not understood."""
    return getattr(voice_snap(transcript, intents), "intent", None)


@pytest.fixture(scope="module")
def recognizer(english: IntentSet) -> SphinxRecognizer:
    return SphinxRecognizer.for_intents(english)


@pytest.fixture(scope="module")
def corpus(tmp_path_factory: pytest.TempPathFactory) -> Iterator[list[tuple[int, str, Path]]]:
    directory = tmp_path_factory.mktemp("espeak_en")
    items = []
    for rate in RATES:
        for i, phrase in enumerate(KIOSK_PHRASES):
            path = directory / f"{rate}-{i}.wav"
            subprocess.run(
                ["espeak-ng", "-v", "en-us", "-s", str(rate), "-w", str(path), phrase],
                check=True, capture_output=True,
            )
            items.append((rate, phrase, path))
    yield items


def test_espeak_english_reaches_the_right_intents(
    recognizer: SphinxRecognizer, corpus: list[tuple[int, str, Path]], english: IntentSet
) -> None:
    assert isinstance(recognizer, Recognizer)
    results = []
    decode = audio = 0.0
    for rate, phrase, path in corpus:
        transcript = recognizer.recognize(read_wav(path))
        decode += transcript.decode_seconds
        audio += transcript.audio_seconds
        results.append((rate, phrase, transcript.text, snap(transcript.text, english)))
    right = [r for r in results if r[3] == KIOSK_PHRASES[r[1]]]
    wrong = [r for r in results if r not in right]
    rtf = decode / audio
    print(f"\nsphinx en: {len(right)}/{len(results)} right, RTF {rtf:.3f}; wrong: {wrong}")
    assert len(right) >= FLOOR, wrong
    # Whatever was wrong was "not understood" or a different phrase, never a crash; at the
    # slow senior rate (the first utterances, before the cepstral mean adapts) at most two
    # phrases may be missed.
    assert sum(r[3] != KIOSK_PHRASES[r[1]] for r in results if r[0] == 130) <= 2, wrong
    # RTF: docs/BENCHMARKS.md (the target is 0.1). This bound only catches a
    # decoder gone wrong, on a machine shared with other work.
    assert rtf < 1.0


def test_words_carry_times_and_confidences(
    recognizer: SphinxRecognizer, corpus: list[tuple[int, str, Path]]
) -> None:
    rate, phrase, path = next(
        c for c in corpus if c[1] == "call the service centre" and c[0] == 160
    )
    transcript = recognizer.recognize(read_wav(path))
    words = [w.text for w in transcript.words]
    # "centre" and "center" sound the same; the grammar holds both spellings.
    assert words[:3] == ["call", "the", "service"] and words[3:] in (["centre"], ["center"])
    assert all(0.0 <= w.start < w.end <= transcript.audio_seconds + 0.05 for w in transcript.words)
    assert transcript.confidence > 0.5


def test_chunks_and_a_clip_give_the_same_transcript(
    recognizer: SphinxRecognizer, corpus: list[tuple[int, str, Path]]
) -> None:
    clip = read_wav(corpus[0][2])
    assert recognizer.recognize(clip.chunks(800)).text == recognizer.recognize(clip).text


def test_silence_is_not_understood(recognizer: SphinxRecognizer, english: IntentSet) -> None:
    # Digital silence plus the decoder's dither: nothing, or the rejection loop's "uh".
    transcript = recognizer.recognize(AudioClip(bytes(2 * 2 * SAMPLE_RATE)))
    assert transcript.text == "" and transcript.unknown_words <= 1
    assert transcript.audio_seconds == pytest.approx(2.0)
    assert not understand(transcript, english).understood


def test_noise_is_mostly_rejected_and_never_calls_for_help(
    recognizer: SphinxRecognizer, english: IntentSet
) -> None:
    # In the kiosk the endpointer keeps noise away from the recognizer; this is the second
    # line of defence. Measured with the structural grammar: all 12 of these clips rejected
    # (the flat grammar also rejected all 12; 19 of 20 with seeds 0-4, one read as "nope").
    # pocketsphinx's running cepstral mean carries over between utterances, so the order
    # matters a little. Without the rejection loop most came back "no".
    results = []
    for seed in range(3):
        for level in (200, 1000, 4000, 10000):
            noise = np.random.default_rng(seed).normal(0, level, 2 * SAMPLE_RATE)
            results.append(recognizer.recognize(AudioClip.from_samples(noise.astype(np.int16))))
    heard = [t.text for t in results if t.text]
    print(f"\nnoise heard as {heard}")
    assert len(results) - len(heard) >= 10, heard
    assert all(snap(text, english) in HARMLESS for text in heard), heard


def test_out_of_grammar_speech_is_mostly_rejected(
    recognizer: SphinxRecognizer, english: IntentSet, tmp_path: Path
) -> None:
    sentences = [
        "the weather is nice today",
        "what time is the bus",
        "hello there my friend",
        "my grandson is visiting",
        "turn on the television",
    ]
    texts = []
    for i, sentence in enumerate(sentences):
        path = tmp_path / f"{i}.wav"
        subprocess.run(
            ["espeak-ng", "-v", "en-us", "-s", "160", "-w", str(path), sentence],
            check=True, capture_output=True,
        )
        transcript = recognizer.recognize(read_wav(path))
        texts.append(transcript.text)
    print(f"\nout of grammar heard as {texts}")
    # Measured: 2 of 5 rejected; "what time is the bus" came back "what" (repeat), "hello
    # there my friend" "okay" and "my grandson is visiting" "absolutely" (yes): short answers,
    # which act only at a confirmation. With the model's narrower beams 3 of 5 were rejected,
    # but those beams pruned real phrases ("say that again") in favour of the rejection loop.
    assert texts.count("") >= 2, texts
    assert all(snap(t, english) in (*HARMLESS, "yes") for t in texts), texts


def test_words_missing_from_the_dictionary_are_reported_not_dropped_silently(
    caplog: pytest.LogCaptureFixture,
) -> None:
    with caplog.at_level("WARNING", logger="voice.grammar"):
        rec = SphinxRecognizer.for_phrases(["call linliqx please", "zzqxv", "yes"])
    assert rec.missing_words == ["linliqx", "zzqxv"]
    assert "linliqx" in caplog.text
    # The phrase keeps its known words; a phrase with none left is listed as dropped.
    assert set(rec.grammar.phrases) == {"call please", "yes"}
    assert rec.grammar.report.dropped_phrases == ("zzqxv",)


def test_phrases_are_normalised_and_escaped_for_jsgf() -> None:
    assert normalise_phrase("I'm OK!  Call the service-centre, please.") == (
        "i'm ok call the service centre please"
    )
    assert normalise_phrase("“Yes” — 'quoted'") == "yes quoted"
    grammar = to_jsgf(["yes", "no", "yes"], ["uh", "hmm"])
    assert grammar.splitlines()[0] == "#JSGF V1.0;" and grammar.count("yes") == 1
    assert "<garbage> = (hmm | uh)+;" in grammar
    # pocketsphinx accepts the grammar with an apostrophe word in it.
    rec = SphinxRecognizer.for_phrases(["I'm OK", "I am OK"])
    assert "i'm ok" in rec.jsgf and rec.missing_words == []
