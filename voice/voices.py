"""Which espeak-ng voice speaks each kiosk language, and the speaking rates for seniors."""

from __future__ import annotations

import logging
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

log = logging.getLogger(__name__)

#: Kiosk languages, in the order the kiosk offers them (Mandarin is the main language).
LANGUAGES: tuple[str, ...] = ("zh", "en", "ko")

# Voice ids as espeak-ng lists them (pyttsx3 lowercases them), best first. Never pass a
# bare language code such as "zh": espeak-ng accepts it and silently speaks English.
VOICE_IDS: Mapping[str, tuple[str, ...]] = {
    "zh": ("sit/cmn",),
    "en": ("gmw/en-us", "en-us", "gmw/en", "en"),
    "ko": ("ko",),
}

#: espeak-ng's own default is 175 wpm; older listeners follow 130-140 wpm far better.
DEFAULT_RATE_WPM = 135
#: The slowest and fastest rate the kiosk's settings offer.
MIN_RATE_WPM = 80
MAX_RATE_WPM = 220
DEFAULT_VOLUME = 1.0


@dataclass(frozen=True, slots=True)
class VoiceChoice:
    """The engine voice chosen for one kiosk language."""

    language: str
    voice_id: str


def choose_voices(
    available_ids: Iterable[str],
    wanted: Mapping[str, tuple[str, ...]] = VOICE_IDS,
) -> tuple[dict[str, VoiceChoice], list[str]]:
    """Pick one voice per language from the engine's voice ids.

    Returns the choices and a list of human-readable problems, one per language without a
    voice, so the caller can log them and show text for that language instead of speech.
    """
    ids = {voice_id.lower() for voice_id in available_ids}
    chosen: dict[str, VoiceChoice] = {}
    problems: list[str] = []
    for language, candidates in wanted.items():
        match = next((c for c in candidates if c.lower() in ids), None)
        if match is None:
            problems.append(
                f"no espeak-ng voice for {language!r} (looked for {', '.join(candidates)}); "
                "install espeak-ng-data or show text for this language"
            )
            continue
        chosen[language] = VoiceChoice(language, match)
    return chosen, problems


def clamp_rate(rate: int) -> int:
    """Keep a configured rate inside what is still intelligible."""
    clamped = max(MIN_RATE_WPM, min(MAX_RATE_WPM, int(rate)))
    if clamped != rate:
        log.info("speech rate %s wpm clamped to %s wpm", rate, clamped)
    return clamped


def clamp_volume(volume: float) -> float:
    """espeak-ng takes 0.0-1.0 through pyttsx3; anything else is a settings mistake."""
    return max(0.0, min(1.0, float(volume)))
