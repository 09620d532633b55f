"""The kiosk's speech port: what the screens need from a speaker, and the choice of one.

voice/'s Speaker fits this port as it is. Without a sound device the kiosk runs with
`NullSpeech` (it logs what it would say; the screen carries every word anyway); the
tests use `RecordingSpeech`.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from typing import Protocol

log = logging.getLogger(__name__)


class Speech(Protocol):
    """Speech out. Every method returns at once: synthesis runs in the speaker's own thread,
    and the UI thread calls these."""

    def speak(self, text: str, lang: str) -> None:
        """Say `text` now, cutting off whatever was being said."""

    def stop(self) -> None:
        """Stop talking (any touch on the screen calls this)."""

    def repeat(self) -> None:
        """Say the last text again (the "say it again" button)."""


def default_speech() -> Speech:
    """voice/'s espeak-ng speaker when this kiosk can play sound, else `NullSpeech`.

    A kiosk without sound must say so in its log, never fail silently (SENIOR_UX: the
    text stays on screen either way).
    """
    try:
        from voice.speaker import Pyttsx3Speaker

        speaker = Pyttsx3Speaker()
    except Exception as exc:  # no espeak-ng library, a broken driver ...
        log.warning("no speech output (%s); the kiosk shows text only", exc)
        return NullSpeech()
    if not speaker.available:
        log.warning("no speech output: %s; the kiosk shows text only", speaker.problem)
        speaker.close()
        return NullSpeech()
    return speaker


class NullSpeech:
    """No speaker: log at INFO what would have been said, so a silent kiosk is visible."""

    def __init__(self) -> None:
        self.last: tuple[str, str] | None = None

    def speak(self, text: str, lang: str) -> None:
        self.last = (text, lang)
        log.info("would say (%s): %s", lang, text)

    def stop(self) -> None:
        pass

    def repeat(self) -> None:
        if self.last is not None:
            log.info("would say again (%s): %s", self.last[1], self.last[0])


@dataclass
class RecordingSpeech:
    """Remembers every call in order (tests read `said` and `calls`)."""

    calls: list[tuple[str, ...]] = field(default_factory=list)

    @property
    def said(self) -> list[str]:
        return [call[1] for call in self.calls if call[0] == "speak"]

    def speak(self, text: str, lang: str) -> None:
        self.calls.append(("speak", text, lang))

    def stop(self) -> None:
        self.calls.append(("stop",))

    def repeat(self) -> None:
        spoken = [call for call in self.calls if call[0] == "speak"]
        if spoken:
            self.calls.append(("speak", *spoken[-1][1:]))
