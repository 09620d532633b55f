"""Speaker tests: real espeak-ng synthesis per language, no-device detection on this machine,
interrupt and repeat with the recording speaker and with the real engine."""

from __future__ import annotations

import logging
import shutil
import sys
import threading
import time
import wave
from collections.abc import Iterator
from pathlib import Path

import pytest

from voice.playback import CommandPlayer, Playback, detect_player
from voice.speaker import (
    EspeakEngine,
    Pyttsx3Speaker,
    RecordingSpeaker,
    Speaker,
    SynthesisError,
    Utterance,
    wav_seconds,
)
from voice.voices import DEFAULT_RATE_WPM, choose_voices

PROMPTS = {
    "zh": "我听到：买菜代购。对吗？",
    "en": "I heard: groceries. Is that right?",
    "ko": "장보기라고 들었어요. 맞아요?",
}

# A stand-in for a loudspeaker: a real process that lasts as long as the WAV it is given.
# This machine has no sound card, so nothing can really be heard; everything else is real.
_SLEEP_FOR_WAV = (
    "import sys, time, wave\n"
    "w = wave.open(sys.argv[1])\n"
    "time.sleep(w.getnframes() / w.getframerate())\n"
)


class RecordedPlayer:
    """Wraps a real player and records what it was asked to play and to stop."""

    def __init__(self, inner: CommandPlayer) -> None:
        self.inner = inner
        self.name = "recorded " + inner.name
        self.started: list[Path] = []
        self.stopped: list[Path] = []
        self.finished: list[Path] = []
        self.changed = threading.Condition()

    def start(self, path: Path) -> Playback:
        playback = self.inner.start(path)
        with self.changed:
            self.started.append(path)
            self.changed.notify_all()
        player = self

        class _Recorded:
            was_stopped = False

            def wait(self) -> None:
                playback.wait()
                with player.changed:
                    if not self.was_stopped:  # played to its end
                        player.finished.append(path)
                    player.changed.notify_all()

            def stop(self) -> None:
                with player.changed:
                    self.was_stopped = True
                    player.stopped.append(path)
                playback.stop()

        return _Recorded()

    def wait_for_starts(self, count: int, timeout: float = 10.0) -> None:
        with self.changed:
            assert self.changed.wait_for(lambda: len(self.started) >= count, timeout), self.started


Sleeper = tuple[Pyttsx3Speaker, RecordedPlayer]


@pytest.fixture(scope="module")
def file_speaker() -> Iterator[Pyttsx3Speaker]:
    speaker = Pyttsx3Speaker(detect_output=False)
    yield speaker
    speaker.close()


@pytest.fixture
def sleeper_speaker() -> Iterator[tuple[Pyttsx3Speaker, RecordedPlayer]]:
    player = RecordedPlayer(CommandPlayer([sys.executable, "-c", _SLEEP_FOR_WAV], "sleeper"))
    speaker = Pyttsx3Speaker(player=player)
    yield speaker, player
    speaker.close()


def _frames(path: Path) -> bytes:
    with wave.open(str(path), "rb") as wav:
        return wav.readframes(wav.getnframes())


# -- voices --------------------------------------------------------------------------------


def test_voices_are_chosen_by_id_from_the_engine_list() -> None:
    chosen, problems = choose_voices(EspeakEngine().voice_ids())
    assert {c.language: c.voice_id for c in chosen.values()} == {
        "zh": "sit/cmn",
        "en": "gmw/en-us",
        "ko": "ko",
    }
    assert problems == []


def test_a_missing_voice_is_reported_and_zh_is_never_used_as_a_voice_name() -> None:
    # espeak-ng would accept "zh" and speak English, so it must not count as Mandarin.
    chosen, problems = choose_voices(["zh", "gmw/en-us", "ko"])
    assert "zh" not in chosen
    assert len(problems) == 1 and "'zh'" in problems[0] and "sit/cmn" in problems[0]


# -- real synthesis --------------------------------------------------------------------------


@pytest.mark.parametrize("language", ["zh", "en", "ko"])
def test_each_language_synthesizes_real_audio(
    file_speaker: Pyttsx3Speaker, tmp_path: Path, language: str
) -> None:
    path = file_speaker.synthesize_to_wav(PROMPTS[language], language, tmp_path / "out.wav")
    assert wav_seconds(path) > 1.0
    # Not silence: espeak-ng's samples swing well away from zero when it speaks.
    samples = memoryview(_frames(path)).cast("h")
    assert max(abs(s) for s in samples) > 1000


def test_mandarin_is_spoken_by_the_mandarin_voice_not_english(
    file_speaker: Pyttsx3Speaker, tmp_path: Path
) -> None:
    text = "买菜 123"
    zh = file_speaker.synthesize_to_wav(text, "zh", tmp_path / "zh.wav")
    en = file_speaker.synthesize_to_wav(text, "en", tmp_path / "en.wav")
    assert _frames(zh) != _frames(en)
    # The English voice cannot read Chinese characters (it spells them out as "Chinese
    # letter ..."), so the two renderings differ a lot in length, not just in a few samples.
    assert abs(wav_seconds(zh) - wav_seconds(en)) > 0.5


def test_slower_rate_gives_longer_audio(tmp_path: Path) -> None:
    slow = Pyttsx3Speaker(rate=120, detect_output=False)
    fast = Pyttsx3Speaker(rate=200, detect_output=False)
    try:
        text = PROMPTS["en"]
        assert slow.rate == 120 and fast.rate == 200
        slow_s = wav_seconds(slow.synthesize_to_wav(text, "en", tmp_path / "slow.wav"))
        # Switch voices in between: pyttsx3's own run loop ignored rates after a switch.
        fast.synthesize_to_wav(PROMPTS["zh"], "zh", tmp_path / "zh.wav")
        fast_s = wav_seconds(fast.synthesize_to_wav(text, "en", tmp_path / "fast.wav"))
        assert slow_s > fast_s * 1.5  # 200/120 = 1.67 in theory; measured 4.2 s vs 2.2 s
    finally:
        slow.close()
        fast.close()


def test_default_rate_is_slow_for_seniors_and_out_of_range_settings_are_clamped() -> None:
    speaker = RecordingSpeaker()
    assert 130 <= DEFAULT_RATE_WPM <= 140 and speaker.rate == DEFAULT_RATE_WPM
    real = Pyttsx3Speaker(rate=20, volume=3.0, detect_output=False)
    try:
        assert real.rate == 80 and real.volume == 1.0
        real.rate = 500
        assert real.rate == 220
    finally:
        real.close()


class _EmptyFirst(EspeakEngine):
    """The real engine, except that its first `empty` outputs are header-only WAVs: the
    occasional pyttsx3 failure FEASIBILITY.md describes, which cannot be provoked on demand."""

    def __init__(self, empty: int) -> None:
        self.empty = empty
        self.calls = 0

    def synthesize(self, text: str, voice_id: str, rate: int, volume: float, path: Path) -> None:
        self.calls += 1
        super().synthesize(text, voice_id, rate, volume, path)
        if self.calls <= self.empty:
            with wave.open(str(path), "wb") as wav:
                wav.setnchannels(1)
                wav.setsampwidth(2)
                wav.setframerate(22050)
        assert (path.stat().st_size == 44) == (self.calls <= self.empty)


def test_an_empty_wav_is_detected_and_retried(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    engine = _EmptyFirst(empty=1)
    speaker = Pyttsx3Speaker(engine=engine, detect_output=False)
    try:
        with caplog.at_level(logging.WARNING, logger="voice.speaker"):
            path = speaker.synthesize_to_wav(PROMPTS["zh"], "zh", tmp_path / "zh.wav")
        assert engine.calls == 2 and wav_seconds(path) > 1.0
        assert "empty WAV" in caplog.text and "attempt 1 of 3" in caplog.text
    finally:
        speaker.close()


def test_retries_are_bounded_and_end_in_an_error(tmp_path: Path) -> None:
    engine = _EmptyFirst(empty=99)
    speaker = Pyttsx3Speaker(engine=engine, detect_output=False)
    try:
        with pytest.raises(SynthesisError, match="after 3 attempts"):
            speaker.synthesize_to_wav("hello", "en", tmp_path / "en.wav")
        assert engine.calls == 3
        with pytest.raises(SynthesisError, match="no espeak-ng voice"):
            speaker.synthesize_to_wav("hello", "fr", tmp_path / "fr.wav")
    finally:
        speaker.close()


# -- no audio device --------------------------------------------------------------------------


def _machine_has_audio_output() -> bool:
    try:
        import sounddevice as sd

        sd.query_devices(kind="output")
        return True
    except Exception:  # no PortAudio or no output device
        pass
    cards = Path("/proc/asound/cards")
    if not (shutil.which("aplay") and cards.exists()):
        return False
    return "no soundcards" not in cards.read_text()


def test_no_audio_device_is_detected_at_start_and_logged(
    caplog: pytest.LogCaptureFixture,
) -> None:
    if _machine_has_audio_output():
        pytest.skip("this machine has an audio output; the check is for kiosks without one")
    player, problem = detect_player()
    assert player is None and problem is not None
    assert "no audio output" in problem and "aplay" in problem

    with caplog.at_level(logging.WARNING, logger="voice.speaker"):
        speaker = Pyttsx3Speaker()
    try:
        assert isinstance(speaker, Speaker)
        assert speaker.available is False and speaker.problem == problem
        assert "shows text instead" in caplog.text
        # Speaking is then a logged no-op, the text is kept for the screen and for repeat.
        speaker.speak(PROMPTS["zh"], "zh")
        assert speaker.last == Utterance(PROMPTS["zh"], "zh")
        assert speaker.wait_until_idle(1.0)
    finally:
        speaker.close()


def test_an_output_failing_at_run_time_turns_speech_off_and_says_why() -> None:
    problems: list[str] = []
    failing = CommandPlayer([sys.executable, "-c", "import sys; sys.exit('device gone')"], "fake")
    speaker = Pyttsx3Speaker(player=failing, on_problem=problems.append)
    try:
        assert speaker.available
        speaker.speak("hello", "en")
        assert speaker.wait_until_idle(10)
        assert not speaker.available
        assert problems == [speaker.problem] and "device gone" in problems[0]
    finally:
        speaker.close()


# -- interrupt and repeat ---------------------------------------------------------------------


def test_recording_speaker_interrupt_and_repeat() -> None:
    speaker = RecordingSpeaker()
    speaker.speak("您好", "zh")
    speaker.speak("我听到：买菜代购。对吗？", "zh")
    assert speaker.interrupted == [Utterance("您好", "zh")]
    speaker.stop()
    assert speaker.speaking is None and len(speaker.interrupted) == 2
    speaker.repeat()
    assert speaker.texts == ["您好", "我听到：买菜代购。对吗？", "我听到：买菜代购。对吗？"]
    assert speaker.speaking == Utterance("我听到：买菜代购。对吗？", "zh")


def test_a_new_utterance_interrupts_the_real_engine(sleeper_speaker: Sleeper) -> None:
    speaker, player = sleeper_speaker
    long_text = "Welcome to Linli. " * 8
    speaker.speak(long_text, "en")
    player.wait_for_starts(1)
    assert speaker.speaking
    started = time.monotonic()
    speaker.speak("Stop.", "en")
    player.wait_for_starts(2)
    assert speaker.wait_until_idle(10)
    # The long utterance (about 15 s of audio) was cut, not played to its end.
    assert time.monotonic() - started < 5
    assert player.stopped == [player.started[0]]
    assert player.finished == [player.started[1]]


def test_stop_silences_the_real_engine_and_repeat_says_it_again(sleeper_speaker: Sleeper) -> None:
    speaker, player = sleeper_speaker
    speaker.speak(PROMPTS["zh"] * 4, "zh")
    player.wait_for_starts(1)
    speaker.stop()
    assert speaker.wait_until_idle(5)
    assert player.stopped == [player.started[0]]

    speaker.repeat()
    player.wait_for_starts(2)
    speaker.stop()
    assert speaker.wait_until_idle(5)
    # The repeat reuses the synthesized file of the same prompt.
    assert player.started[1] == player.started[0]
    assert speaker.last == Utterance(PROMPTS["zh"] * 4, "zh")


def test_superseded_queued_utterances_are_never_played(sleeper_speaker: Sleeper) -> None:
    speaker, player = sleeper_speaker
    for word in ("one", "two", "three", "four"):
        speaker.speak(word, "en")
    assert speaker.wait_until_idle(10)
    # Only the newest is heard to its end; older ones are skipped or cut.
    assert player.finished and wav_seconds(player.finished[-1]) > 0
    assert len(player.finished) == 1
    assert len(player.started) - len(player.stopped) == 1
