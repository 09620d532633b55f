"""`linli bench kiosk-voice`: the microphone tile on the offscreen kiosk, timed.

For each language: the first tap (recognizer load, then the first question), and then
`--turns` spoken SOS requests from a WAV file (espeak-ng command line), each timed from the
tap on 说话 to the SOS countdown on screen. A WAV is read as fast as the recognizer takes
it, so the numbers are the kiosk's own work (endpointing, recognition, snapping, the Clock
hop, the screen change); a live microphone adds the utterance itself and the 1.2 s of
silence that ends it.
"""

from __future__ import annotations

import shutil
import subprocess
import tempfile
import time
import uuid
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from linli.stats import percentile

# What is said per language: phrases the kiosk's recognizer understands from espeak-ng.
SOS_PHRASES = {"ko": ("ko", "도와줘요", 150), "en": ("en-us", "call for help", 130),
               "zh": ("cmn", "救命", 150)}


def run_kiosk_voice_benchmark(languages: Sequence[str], turns: int) -> list[dict[str, Any]]:
    if shutil.which("espeak-ng") is None:
        raise RuntimeError("espeak-ng is not installed (make debs installs it)")
    from kiosk import kivy_env
    from kiosk.theme import ScreenSpec

    kivy_env.prepare(ScreenSpec(), offscreen=True)
    results = []
    with tempfile.TemporaryDirectory(prefix="linli-bench-kvoice-") as tmp:
        for language in languages:
            results.append(_bench_language(language, Path(tmp), turns))
    return results


def _bench_language(language: str, tmp: Path, turns: int) -> dict[str, Any]:
    from kiosk.controller import Controller
    from kiosk.offscreen import OffscreenKiosk
    from kiosk.speech import RecordingSpeech
    from sync import LocalStore
    from voice.audio import WavFileSource

    voice, phrase, rate = SOS_PHRASES[language]
    wav = _spoken(tmp, language, voice, phrase, rate)
    store = LocalStore.open(tmp / f"kiosk-{language}.sqlite3", uuid.uuid4())
    controller = Controller(store, speech=RecordingSpeech(), lang=language, poll_interval=0.5,
                            voice_audio=lambda: WavFileSource(wav))
    kiosk = OffscreenKiosk(controller)
    result: dict[str, Any] = {"language": language, "phrase": phrase, "espeak_rate": rate}
    try:
        started = time.perf_counter()
        kiosk.tap("speak")
        kiosk.until(lambda: controller.voice.phase in ("listening", "unavailable")
                    or kiosk.root.current != "listening", timeout=120, what="first question")
        result["first_tap_to_question_s"] = round(time.perf_counter() - started, 3)
        if controller.voice.phase == "unavailable":
            result["available"] = False
            return result
        result["available"] = True
        kiosk.until(lambda: kiosk.root.current != "listening", timeout=60, what="first answer")
        if kiosk.root.current == "help_countdown":
            controller.cancel_help()
        latencies = []
        for _ in range(turns):
            started = time.perf_counter()
            kiosk.tap("speak")
            kiosk.until(lambda: kiosk.root.current != "listening", timeout=60,
                        what="countdown, or the buttons offered")
            if kiosk.root.current == "help_countdown":
                latencies.append(time.perf_counter() - started)
                controller.cancel_help()
            kiosk.frames(2)
        result.update({
            "turns": turns,
            "understood": len(latencies),
            "tap_to_countdown_s_p50": _round(percentile(latencies, 50)),
            "tap_to_countdown_s_p95": _round(percentile(latencies, 95)),
            "tap_to_countdown_s_max": _round(max(latencies) if latencies else None),
        })
        return result
    finally:
        kiosk.close()
        store.close()


def _spoken(tmp: Path, language: str, voice: str, phrase: str, rate: int) -> Path:
    """The phrase as a turn at the kiosk: 0.5 s after the tap, then 1.5 s of silence."""
    import wave

    import numpy as np

    from voice.audio import SAMPLE_RATE, read_wav

    raw = tmp / f"sos-{language}-raw.wav"
    subprocess.run(["espeak-ng", "-v", voice, "-s", str(rate), "-w", str(raw), phrase],
                   check=True, capture_output=True, timeout=30)
    speech = read_wav(raw).samples()
    lead, tail = np.zeros(SAMPLE_RATE // 2, np.int16), np.zeros(SAMPLE_RATE * 3 // 2, np.int16)
    path = tmp / f"sos-{language}.wav"
    with wave.open(str(path), "wb") as out:
        out.setnchannels(1)
        out.setsampwidth(2)
        out.setframerate(SAMPLE_RATE)
        out.writeframes(np.concatenate([lead, speech, tail]).astype("<i2").tobytes())
    return path


def _round(value: float | None) -> float | None:
    return None if value is None else round(value, 3)
