"""English fallback tests: espeak-ng command-line speech through pocketsphinx's JSGF grammar
(the model inside the PyPI wheel) to intents, silence and noise to "not understood"."""

from __future__ import annotations

import shutil
import subprocess
from collections.abc import Iterator
from pathlib import Path

import numpy as np
import pytest

from voice.audio import SAMPLE_RATE, AudioClip, read_wav
from voice.fallback_sphinx import SphinxRecognizer, normalise_phrase, to_jsgf
from voice.recognizer import Recognizer

pytestmark = pytest.mark.skipif(
    shutil.which("espeak-ng") is None, reason="needs the espeak-ng command (make debs)"
)

# Kiosk phrases, one or two per intent, as an English-speaking resident would say them.
KIOSK_PHRASES = {
    "help me": "sos",
    "i am ok": "cancel_alarm",
    "call my caregiver": "call_caregiver",
    "call the service centre": "call_service_centre",
    "i want groceries": "groceries",
    "i need a repair": "repair",
    "i need a certificate": "certificate",
    "book the clinic": "clinic_booking",
    "book an activity": "activity_booking",
    "my heart rate": "my_health",
    "my points": "my_points",
    "yes": "yes",
    "no": "no",
    "say that again": "repeat",
    "more time": "more_time",
}
# Other sentences the grammar holds, so the test phrases compete with near neighbours.
OTHER_PHRASES = {
    "call for help": "sos",
    "cancel the alarm": "cancel_alarm",
    "redeem my points": "redeem_points",
    "rate the service": "rate_service",
    "my battery": "battery",
    "i need mediation": "mediation",
    "cancel": "cancel",
    "stop": "cancel",
    "go home": "go_home",
}
GRAMMAR = {**KIOSK_PHRASES, **OTHER_PHRASES}
RATES = (130, 160, 190)  # words per minute: slow for seniors, espeak's default, brisk
# Measured on this machine: 45/45 (FEASIBILITY.md had 12-13/15 with an older setup). The
# floor leaves room for espeak-ng or model updates without hiding a real regression.
FLOOR = 40


def snap(transcript: str) -> str | None:
    """Stand-in for voice.matching.snap until the English templates land: exact phrase only."""
    return GRAMMAR.get(transcript)


@pytest.fixture(scope="module")
def recognizer() -> SphinxRecognizer:
    return SphinxRecognizer.for_phrases(GRAMMAR)


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
    recognizer: SphinxRecognizer, corpus: list[tuple[int, str, Path]]
) -> None:
    assert isinstance(recognizer, Recognizer)
    results = []
    decode = audio = 0.0
    for rate, phrase, path in corpus:
        transcript = recognizer.recognize(read_wav(path))
        decode += transcript.decode_seconds
        audio += transcript.audio_seconds
        results.append((rate, phrase, transcript.text, snap(transcript.text)))
    right = [r for r in results if r[3] == KIOSK_PHRASES[r[1]]]
    wrong = [r for r in results if r not in right]
    rtf = decode / audio
    print(f"\nsphinx en: {len(right)}/{len(results)} right, RTF {rtf:.3f}; wrong: {wrong}")
    assert len(right) >= FLOOR, wrong
    # Whatever was wrong was "not understood" or a different phrase, never a crash; and
    # at the slow senior rate every phrase must be right.
    assert all(r[3] == KIOSK_PHRASES[r[1]] for r in results if r[0] == 130), wrong
    assert decode / audio < 0.1  # the real-time-factor target for grammar mode


def test_words_carry_times_and_confidences(
    recognizer: SphinxRecognizer, corpus: list[tuple[int, str, Path]]
) -> None:
    rate, phrase, path = next(c for c in corpus if c[1] == "call my caregiver" and c[0] == 160)
    transcript = recognizer.recognize(read_wav(path))
    assert [w.text for w in transcript.words] == ["call", "my", "caregiver"]
    assert all(0.0 <= w.start < w.end <= transcript.audio_seconds + 0.05 for w in transcript.words)
    assert transcript.confidence > 0.5


def test_chunks_and_a_clip_give_the_same_transcript(
    recognizer: SphinxRecognizer, corpus: list[tuple[int, str, Path]]
) -> None:
    clip = read_wav(corpus[0][2])
    assert recognizer.recognize(clip.chunks(800)).text == recognizer.recognize(clip).text


def test_silence_is_not_understood(recognizer: SphinxRecognizer) -> None:
    transcript = recognizer.recognize(AudioClip(bytes(2 * 2 * SAMPLE_RATE)))
    assert transcript.text == "" and transcript.unknown_words == 0
    assert transcript.audio_seconds == pytest.approx(2.0)


def test_noise_is_mostly_rejected_and_never_calls_for_help(
    recognizer: SphinxRecognizer,
) -> None:
    # In the kiosk the endpointer keeps noise away from the recognizer; this is the second
    # line of defence. Measured: 14 of these 20 clips rejected (16 on a fresh decoder:
    # pocketsphinx's running cepstral mean carries over between utterances), the rest read
    # as "stop" (cancel), which is harmless. Without the rejection loop most came back "no".
    results = []
    for seed in range(5):
        for level in (200, 1000, 4000, 10000):
            noise = np.random.default_rng(seed).normal(0, level, 2 * SAMPLE_RATE)
            results.append(recognizer.recognize(AudioClip.from_samples(noise.astype(np.int16))))
    heard = [t.text for t in results if t.text]
    assert len(results) - len(heard) >= 14, heard
    assert all(snap(text) in ("cancel", "no") for text in heard), heard


def test_out_of_grammar_speech_is_mostly_rejected(
    recognizer: SphinxRecognizer, tmp_path: Path
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
        if not transcript.text:
            assert transcript.unknown_words > 0  # reported as out of grammar, like Vosk's [unk]
    # Measured: 3 of 5 rejected; the other two came back "no", which the dialogue confirms.
    assert texts.count("") >= 3, texts
    assert all(snap(t) in (None, "no") for t in texts), texts


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
