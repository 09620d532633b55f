"""The kiosk's speech port: what the screens need from a speaker, and stand-ins until voice/ plugs in.

voice/'s Speaker will be adapted to this port; until then the kiosk runs with `NullSpeech`
(it logs what it would say) and the tests with `RecordingSpeech`.
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
