"""The recognizer hears the utterance while it is spoken: `Endpointer.take_settled` hands out
audio no later frame can change, and `pipeline.hear` streams it, so that at the end of
speech only the last chunk is left to decode. The audio it gets must be exactly the
utterance `listen()` returns, for every way a turn can end."""

from __future__ import annotations

from collections.abc import Iterable, Iterator

import numpy as np
import pytest
from voice_testkit import mix, noise, silence, tone

from voice.audio import AudioClip
from voice.endpointing import EndpointConfig, Endpointer, EndpointOutcome, listen
from voice.pipeline import hear
from voice.recognizer import Recognizer, Transcript

FRAME = 320


def chunks_of(samples: np.ndarray, size: int) -> list[bytes]:
    data = samples.astype("<i2").tobytes()
    return [data[i : i + size * 2] for i in range(0, len(data), size * 2)]


TURNS = {
    "speech_ended": (np.concatenate([noise(0.5), mix(tone(1.0), noise(1.0, seed=1)),
                                     noise(2.0, seed=2)]), None),
    "pause_inside": (np.concatenate([silence(0.4), tone(0.6), silence(1.0), tone(0.4),
                                     silence(1.5)]), None),
    "speech_at_once": (np.concatenate([tone(0.8), silence(2.0)]), None),
    "max_length": (np.concatenate([silence(0.3), tone(11.0)]), None),
    "audio_ended": (np.concatenate([silence(0.3), tone(1.0), silence(0.5)]), None),
    "short_end_silence": (np.concatenate([silence(0.4), tone(0.6), silence(0.2), tone(0.3),
                                          silence(1.0)]), EndpointConfig(end_silence_s=0.3)),
    "long_tail": (np.concatenate([silence(0.4), tone(0.6), silence(2.0)]),
                  EndpointConfig(tail_s=1.5, end_silence_s=1.0)),
}


@pytest.mark.parametrize("name", sorted(TURNS))
@pytest.mark.parametrize("chunk", [320, 1600, 7, 48000])
def test_settled_pieces_join_to_exactly_the_utterance(name: str, chunk: int) -> None:
    audio, config = TURNS[name]
    endpointer = Endpointer(config)
    pieces: list[bytes] = []
    for data in chunks_of(audio, chunk):
        decided = endpointer.feed(data) is not None
        pieces.append(endpointer.take_settled())
        if decided:
            break
    endpoint = endpointer.finish()
    pieces.append(endpointer.take_settled())
    assert endpoint.outcome == listen(chunks_of(audio, chunk), config).outcome
    assert b"".join(pieces) == endpoint.utterance.pcm
    assert endpointer.take_settled() == b""  # nothing is handed out twice


def test_audio_is_handed_out_before_the_turn_is_over() -> None:
    # 0.4 s silence, 2 s of speech, silence: by the end of the speech, all but the last
    # end_silence - tail (0.9 s) is settled; at the decision only the last chunk remains.
    audio = np.concatenate([silence(0.4), tone(2.0), silence(2.0)])
    endpointer = Endpointer()
    settled_at_speech_end = 0
    last_piece = b""
    for i, data in enumerate(chunks_of(audio, FRAME)):
        decided = endpointer.feed(data) is not None
        last_piece = endpointer.take_settled()
        settled_at_speech_end += len(last_piece) if (i + 1) * FRAME <= 2.4 * 16000 else 0
        if decided:
            break
    utterance = endpointer.finish().utterance
    # pre-roll 0.3 s + 2 s of speech - 0.9 s not yet settled = 1.4 s by the speech's end
    assert settled_at_speech_end == round(1.4 * 16000) * 2
    assert len(last_piece) == FRAME * 2  # the deciding frame settles one frame
    assert len(utterance.pcm) == round((0.3 + 2.0 + 0.3) * 16000) * 2


class RecordingRecognizer:
    """Records what it is handed and how far the source had been read at each chunk."""

    language = "en"

    def __init__(self, source_position: list[int], read: bool = True) -> None:
        self._position = source_position
        self._read = read
        self.received: list[tuple[bytes, int]] = []

    def recognize(self, audio: AudioClip | Iterable[bytes]) -> Transcript:
        chunks = audio.chunks() if isinstance(audio, AudioClip) else audio
        if self._read:
            for chunk in chunks:
                self.received.append((chunk, self._position[0]))
        total = sum(len(c) for c, _ in self.received)
        return Transcript("", audio_seconds=total / 2 / 16000)


def counted(chunks: list[bytes], position: list[int]) -> Iterator[bytes]:
    for data in chunks:
        position[0] += len(data) // 2
        yield data


def test_hear_streams_the_utterance_to_the_recognizer_and_stops_reading_at_the_end() -> None:
    audio = np.concatenate([silence(0.5), tone(1.5), silence(3.0)])
    chunks = chunks_of(audio, 1600)
    position = [0]
    recognizer = RecordingRecognizer(position)
    assert isinstance(recognizer, Recognizer)
    result = hear(counted(chunks, position), recognizer, None)  # type: ignore[arg-type]
    endpoint = listen(chunks_of(audio, 1600))
    assert result.endpoint == "speech_ended"
    assert b"".join(c for c, _ in recognizer.received) == endpoint.utterance.pcm
    # The first audio reached the recognizer long before the end of speech was decided...
    assert recognizer.received[0][1] < endpoint.speech_end
    # ...and reading stopped at the decision (the chunk holding it), not at the file's end.
    assert position[0] == -(-endpoint.decided_at // 1600) * 1600 < len(audio)


def test_a_recognizer_that_reads_nothing_still_gets_a_whole_turn() -> None:
    audio = np.concatenate([silence(0.5), tone(1.0), silence(3.0)])
    position = [0]
    recognizer = RecordingRecognizer(position, read=False)
    result = hear(counted(chunks_of(audio, 1600), position), recognizer, None)  # type: ignore[arg-type]
    assert result.endpoint == "speech_ended"
    assert position[0] < len(audio)


def test_no_speech_never_reaches_the_recognizer() -> None:
    position = [0]
    recognizer = RecordingRecognizer(position)
    result = hear(counted(chunks_of(noise(6.0), 1600), position), recognizer, None)  # type: ignore[arg-type]
    assert result.endpoint == "no_speech" and recognizer.received == []
    assert result.audio_seconds == pytest.approx(5.0)
