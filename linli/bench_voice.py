"""The voice benchmark: intent accuracy on generated speech, real-time factor, end-of-speech
-> intent latency, model load time and memory, per language.

The corpus is made here, on the machine: the `espeak-ng` command line speaks each key phrase
in several voices at 120/150/180 wpm; each clip is padded like a turn at the kiosk (0.5 s
before, 1.5 s after, so the 1.2 s endpoint silence fits) and also mixed with pink noise by
sox at a stated SNR. Every clip then goes through exactly what `linli voice listen` runs:
endpointing, the recognizer `voice.choose.recognizer_for` picks, and snapping to the
language's templates.

espeak-ng's robotic speech is not a senior's voice: these numbers are a floor to compare
builds with, not the accuracy a resident will see.
"""

from __future__ import annotations

import os
import resource
import shutil
import statistics
import subprocess
import tempfile
import time
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import Any

from linli.stats import percentile

TARGET_RTF = 0.1
TARGET_LATENCY_MS = 300.0
TARGET_CLEAN_ENGLISH_ACCURACY = 0.90

RATES = (120, 150, 180)
DEFAULT_SNR_DB = 10.0
NOISE = "pinknoise"  # a room's fan and traffic are closer to pink than to white
LEAD_S, TAIL_S = 0.5, 1.5

# espeak-ng voices per language (where espeak has more than one) and key phrases: each an
# expanded sentence of assets/intents/<lang>.yaml, with the intent it must reach.
VOICES = {"en": ("en-us", "en-gb-x-rp"), "ko": ("ko", "ko+f3"), "zh": ("cmn", "cmn+f3")}
PHRASES = {
    "en": [
        ("help me", "sos"), ("i am ok", "cancel_alarm"), ("call my daughter", "call_caregiver"),
        ("call the service centre", "call_service_centre"), ("i want groceries", "groceries"),
        ("i need a repair", "repair"), ("i need a certificate", "certificate"),
        ("book a doctor", "clinic_booking"), ("book an activity", "activity_booking"),
        ("my heart rate", "my_health"), ("my points", "my_points"), ("yes", "yes"),
        ("no", "no"), ("say that again", "repeat"), ("more time", "more_time"),
    ],
    "ko": [
        ("도와주세요", "sos"), ("살려 주세요", "sos"), ("네", "yes"), ("예", "yes"),
        ("아니요", "no"), ("취소", "cancel"), ("그만", "cancel"),
        ("다시 말해 주세요", "repeat"), ("처음으로", "go_home"), ("잠깐만요", "more_time"),
        ("배터리", "battery"), ("내 포인트 확인", "my_points"), ("저 괜찮아요", "cancel_alarm"),
        ("포인트 사용", "redeem_points"), ("장 봐 주세요", "groceries"),
    ],
    "zh": [
        ("救命", "sos"), ("是的", "yes"), ("不是", "no"), ("取消", "cancel"),
        ("再说一遍", "repeat"),
    ],
}


def run_voice_benchmark(
    languages: Sequence[str] = ("zh", "en", "ko"),
    *,
    rates: Sequence[int] = RATES,
    snr_db: float = DEFAULT_SNR_DB,
    models_dir: Path | None = None,
) -> Iterator[dict[str, Any]]:
    """One result dict per language, as each finishes."""
    missing = [tool for tool in ("espeak-ng", "sox") if shutil.which(tool) is None]
    if missing:
        raise RuntimeError(f"the voice benchmark needs {' and '.join(missing)} (make debs)")
    with tempfile.TemporaryDirectory(prefix="linli-bench-voice-") as tmp:
        for language in languages:
            yield _bench_language(language, Path(tmp), rates, snr_db, models_dir)


def _bench_language(language: str, tmp: Path, rates: Sequence[int], snr_db: float,
                    models_dir: Path | None) -> dict[str, Any]:
    from voice.choose import recognizer_for, recognizer_kind
    from voice.errors import ModelNotInstalled, VoiceError
    from voice.intents import load_intents

    base: dict[str, Any] = {"benchmark": "voice", "language": language}
    intent_set = load_intents(language)
    rss_before = _rss_mb()
    started = time.perf_counter()
    try:
        recognizer = recognizer_for(language, intent_set, models_dir)
    except ModelNotInstalled as exc:
        return {**base, "status": "model not installed", "message": str(exc)}
    except VoiceError as exc:
        return {**base, "status": "recognizer unavailable", "message": str(exc)}
    build_seconds = time.perf_counter() - started
    rss_after = _rss_mb()
    model = getattr(recognizer, "model", None)
    grammar = getattr(recognizer, "grammar", None)

    voices = VOICES.get(language, ())
    corpus = _corpus(language, voices, rates, snr_db, tmp / language)
    results = [_one_turn(clip, recognizer, intent_set) | meta for clip, meta in corpus]

    def accuracy(rows: list[dict[str, Any]]) -> dict[str, Any]:
        right = sum(r["intent"] == r["expected"] for r in rows)
        wrong = [f"{r['phrase']} @{r['voice']}/{r['rate']} -> {r['intent']}"
                 for r in rows if r["intent"] is not None and r["intent"] != r["expected"]]
        return {"right": right, "total": len(rows),
                "accuracy": round(right / len(rows), 3) if rows else None,
                "wrong_intent": len(wrong), "wrong_examples": wrong[:5]}

    by_condition = {
        condition: {
            "all": accuracy([r for r in results if r["condition"] == condition]),
            "by_voice": {v: accuracy([r for r in results if r["condition"] == condition
                                      and r["voice"] == v])["accuracy"] for v in voices},
            "by_rate": {str(rate): accuracy([r for r in results if r["condition"] == condition
                                             and r["rate"] == rate])["accuracy"]
                        for rate in rates},
        }
        for condition in ("clean", f"noise_snr_{snr_db:g}db")
    }
    decoded = [r for r in results if r["decode_seconds"] > 0]
    rtf = [r["decode_seconds"] / r["audio_seconds"] for r in decoded]
    latency = [r["latency_ms"] for r in results if r["latency_ms"] is not None]
    rtf_mean = statistics.fmean(rtf) if rtf else None
    # CPU time of the whole turn (endpointing, decoding, snapping) in this thread, per second
    # of utterance: unlike the wall clock, other work on a shared machine does not inflate it.
    audio_total = sum(r["audio_seconds"] for r in decoded)
    cpu_per_audio = (sum(r["turn_cpu_seconds"] for r in decoded) / audio_total
                     if decoded else None)
    # The decoder's own CPU time (recognizers that measure it: the English fallback), the
    # RTF that a busy machine does not inflate.
    decoder_cpu = sum(r["decode_cpu_seconds"] for r in decoded)
    decode_cpu_rtf = decoder_cpu / audio_total if decoded and decoder_cpu > 0 else None
    latency_p95 = percentile(latency, 95)
    clean = by_condition["clean"]["all"]["accuracy"]
    out = {
        **base,
        "status": "ok",
        "recognizer": recognizer_kind(recognizer),
        "model": str(model.path) if model is not None else "pocketsphinx en-us (PyPI wheel)",
        "grammar_phrases": len(grammar.phrases) if grammar is not None else None,
        "grammar_rules": getattr(recognizer, "grammar_rules", None),
        "grammar_states": getattr(recognizer, "grammar_states", None),
        "corpus": {
            "tts": "espeak-ng command line", "voices": list(voices), "rates_wpm": list(rates),
            "phrases": len(PHRASES.get(language, ())),
            "padding_s": [LEAD_S, TAIL_S],
            "noise": f"sox {NOISE} mixed at {snr_db:g} dB SNR (speech RMS / noise RMS)",
            "clips": len(results),
        },
        "accuracy": by_condition,
        "rtf": {"mean": _round(rtf_mean, 4), "p95": _round(percentile(rtf, 95), 4),
                "max": _round(max(rtf, default=None), 4),
                "turn_cpu_per_utterance_second": _round(cpu_per_audio, 4),
                "decoder_cpu_per_audio_second": _round(decode_cpu_rtf, 4)},
        "load_average": _load_average(),
        "end_of_speech_to_intent_ms": {
            "p50": _round(percentile(latency, 50), 1), "p95": _round(latency_p95, 1),
            "max": _round(max(latency, default=None), 1),
            "note": "from the endpointer's decision (after its 1.2 s silence) to the "
                    "Understanding; the silence itself is not counted. hear() streams the "
                    "utterance to the recognizer while it is heard, so what is left at the "
                    "decision is the last chunk, the final result and the snap",
        },
        "model_load_seconds": _round(model.load_seconds if model is not None else None, 3),
        "recognizer_build_seconds": round(build_seconds, 3),
        "rss_mb": {"before_load": rss_before, "after_load": rss_after,
                   "after_corpus": _rss_mb(), "peak": _peak_rss_mb()},
        "targets": {"rtf": TARGET_RTF, "end_of_speech_to_intent_ms_p95": TARGET_LATENCY_MS,
                    **({"clean_accuracy": TARGET_CLEAN_ENGLISH_ACCURACY}
                       if language == "en" else {})},
    }
    meets = {
        "rtf": rtf_mean is not None and rtf_mean <= TARGET_RTF,
        **({"rtf_decoder_cpu": decode_cpu_rtf <= TARGET_RTF} if decode_cpu_rtf else {}),
        "latency": latency_p95 is not None and latency_p95 <= TARGET_LATENCY_MS,
    }
    if language == "en":
        meets["clean_accuracy"] = clean is not None and clean >= TARGET_CLEAN_ENGLISH_ACCURACY
    out["meets_target"] = meets
    return out


def _one_turn(clip: Any, recognizer: Any, intent_set: Any) -> dict[str, Any]:
    """hear() one clip, noting when the last chunk was handed over: hear() stops reading at
    the endpointer's decision, so what follows that moment is the user-visible wait."""
    from voice.pipeline import hear

    last_chunk_at: list[float] = [0.0]

    def chunks() -> Iterator[bytes]:
        for chunk in clip.chunks():
            last_chunk_at[0] = time.perf_counter()
            yield chunk

    cpu_started = time.thread_time()
    understanding = hear(chunks(), recognizer, intent_set)
    done = time.perf_counter()
    cpu = time.thread_time() - cpu_started
    heard = understanding.endpoint == "speech_ended"
    return {
        "intent": understanding.intent,
        "outcome": str(understanding.outcome),
        "transcript": understanding.transcript.text,
        "decode_seconds": understanding.decode_seconds,
        "decode_cpu_seconds": understanding.transcript.decode_cpu_seconds,
        "turn_cpu_seconds": cpu,
        "audio_seconds": understanding.audio_seconds,
        "latency_ms": (done - last_chunk_at[0]) * 1000 if heard else None,
    }


def _corpus(language: str, voices: Sequence[str], rates: Sequence[int], snr_db: float,
            directory: Path) -> list[tuple[Any, dict[str, Any]]]:
    import numpy as np

    from voice.audio import SAMPLE_RATE, read_wav

    directory.mkdir(parents=True, exist_ok=True)
    items = []
    for voice in voices:
        for rate in rates:
            for i, (phrase, intent) in enumerate(PHRASES.get(language, ())):
                raw = directory / f"{voice}-{rate}-{i}.wav"
                subprocess.run(["espeak-ng", "-v", voice, "-s", str(rate), "-w", str(raw), phrase],
                               check=True, capture_output=True, timeout=60)
                speech = read_wav(raw).samples().astype(np.float64)
                lead = np.zeros(round(LEAD_S * SAMPLE_RATE))
                tail = np.zeros(round(TAIL_S * SAMPLE_RATE))
                clean = np.concatenate([lead, speech, tail])
                meta = {"phrase": phrase, "expected": intent, "voice": voice, "rate": rate}
                items.append((_clip(clean), {**meta, "condition": "clean"}))
                noise = _sox_noise(directory / f"noise-{voice}-{rate}-{i}.wav",
                                   len(clean), seed=i + rate)
                speech_rms = float(np.sqrt(np.mean(speech**2)))
                noise_rms = float(np.sqrt(np.mean(noise**2))) or 1.0
                gain = speech_rms / noise_rms / 10 ** (snr_db / 20)
                mixed = directory / f"mixed-{voice}-{rate}-{i}.wav"
                _write(directory / "clean.wav", clean)
                _write(directory / "noise.wav", noise)
                subprocess.run(["sox", "-m", "-v", "1", str(directory / "clean.wav"),
                                "-v", f"{gain:.6f}", str(directory / "noise.wav"), str(mixed)],
                               check=True, capture_output=True, timeout=60)
                items.append((read_wav(mixed),
                              {**meta, "condition": f"noise_snr_{snr_db:g}db"}))
    return items


def _sox_noise(path: Path, samples: int, *, seed: int) -> Any:
    from voice.audio import SAMPLE_RATE, read_wav

    subprocess.run(["sox", "-R", "-n", "-r", str(SAMPLE_RATE), "-c", "1", "-b", "16", str(path),
                    "synth", f"{samples}s", NOISE, "vol", "0.3"],
                   check=True, capture_output=True, timeout=60)
    return read_wav(path).samples().astype("float64")[:samples]


def _clip(samples: Any) -> Any:
    import numpy as np

    from voice.audio import AudioClip

    return AudioClip.from_samples(np.clip(np.round(samples), -32768, 32767).astype(np.int16))


def _write(path: Path, samples: Any) -> None:
    import wave

    from voice.audio import SAMPLE_RATE

    with wave.open(str(path), "wb") as out:
        out.setnchannels(1)
        out.setsampwidth(2)
        out.setframerate(SAMPLE_RATE)
        out.writeframes(_clip(samples).pcm)


def _load_average() -> list[float] | None:
    """The 1/5/15-minute load: wall-clock numbers mean little on a busy machine."""
    try:
        return [round(x, 2) for x in os.getloadavg()]
    except OSError:
        return None


def _round(value: float | None, digits: int) -> float | None:
    return None if value is None else round(value, digits)


def _rss_mb() -> float | None:
    try:
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return round(int(line.split()[1]) / 1024, 1)
    except OSError:
        pass
    return None


def _peak_rss_mb() -> float:
    return round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1)


__all__ = ["run_voice_benchmark"]
