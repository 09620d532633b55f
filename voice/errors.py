"""The voice package's errors: one root, specific subclasses whose messages say what to do.

Every one of them is survivable: the kiosk catches `VoiceError`, shows the message to staff
(in the log and the status line) and carries on by touch.
"""

from __future__ import annotations

from pathlib import Path


class VoiceError(Exception):
    """Root of every error raised by the voice package."""


class ModelNotInstalled(VoiceError):
    """No speech model for a language (or no model of that name) is installed."""

    def __init__(self, language: str, hint_name: str | None, searched: list[Path]) -> None:
        self.language = language
        self.hint_name = hint_name
        self.searched = searched
        where = ", ".join(str(p) for p in searched) or "nowhere"
        how = (
            f"linli voice install {hint_name}"
            if hint_name
            else "linli voice install NAME (see `linli voice models`)"
        )
        super().__init__(
            f"No speech model for language {language!r} is installed (looked in {where}). "
            f"Install one with `{how}`, or from a local file on a kiosk without internet: "
            "`linli voice install PATH.zip`. Voice is off until then; the kiosk works by touch."
        )


class ModelInvalid(VoiceError):
    """A directory or archive does not hold a Vosk model Vosk can load."""

    def __init__(self, source: str | Path, problem: str) -> None:
        self.source = str(source)
        super().__init__(
            f"{source} is not a Vosk model: {problem}. A Vosk model directory holds am/, "
            "conf/ and graph/ (unpack the official zip from https://alphacephei.com/vosk/models)."
        )


class ModelLoadFailed(VoiceError):
    """Vosk refused to load a model directory that looked complete."""

    def __init__(self, path: Path, reason: str) -> None:
        self.path = path
        super().__init__(
            f"Vosk could not load the model at {path} ({reason}). The files may be damaged: "
            f"remove the directory and install it again with `linli voice install`."
        )


class ModelAlreadyInstalled(VoiceError):
    def __init__(self, path: Path) -> None:
        self.path = path
        super().__init__(
            f"A model is already installed at {path}. Pass --force to replace it."
        )


class DownloadFailed(VoiceError):
    """The download did not complete (network error, HTTP error, connection cut)."""

    def __init__(self, url: str, reason: str, *, resumable: bool) -> None:
        self.url = url
        self.resumable = resumable
        then = (
            "Run the same command again: it resumes where it stopped."
            if resumable
            else "Check the network and run the same command again."
        )
        super().__init__(
            f"Downloading {url} failed: {reason}. Nothing was installed. {then} Without "
            "internet, copy the zip to the kiosk and run `linli voice install PATH.zip`."
        )


class ChecksumMismatch(VoiceError):
    def __init__(self, source: str, expected: str, actual: str) -> None:
        self.expected = expected
        self.actual = actual
        super().__init__(
            f"{source} has sha256 {actual}, expected {expected}. The file is damaged or not "
            "the published one; it was deleted and nothing was installed. Download it again."
        )


class ChecksumRequired(VoiceError):
    """The catalogue has no verified checksum for a download and none was given."""

    def __init__(self, name: str, url: str) -> None:
        super().__init__(
            f"No verified sha256 is recorded for {name} ({url}). Pass the published checksum "
            "with --sha256 HASH, or --accept-unverified to install anyway and print the "
            "computed hash so it can be checked and recorded."
        )


class ArchiveCorrupt(VoiceError):
    def __init__(self, source: str | Path, reason: str) -> None:
        self.source = str(source)
        super().__init__(
            f"{source} is not a readable zip archive ({reason}). Nothing was installed; "
            "download or copy the file again."
        )


class BadAudio(VoiceError):
    """An audio file cannot be read as PCM WAV."""

    def __init__(self, source: str | Path, reason: str) -> None:
        self.source = str(source)
        super().__init__(
            f"Cannot read audio from {source}: {reason}. Give a PCM WAV file (any rate, "
            "mono or stereo), e.g. `sox input.mp3 -r 16000 -c 1 out.wav`."
        )


class NoAudioDevice(VoiceError):
    """No microphone can be opened: voice input is off, touch still works."""

    def __init__(self, reason: str) -> None:
        self.reason = reason
        super().__init__(
            f"No microphone available ({reason}). Plug in a USB microphone and restart the "
            "kiosk; until then use the buttons on screen."
        )


class EmptyGrammar(VoiceError):
    """Not one phrase of the active language survived the vocabulary check."""

    def __init__(self, language: str, missing: list[str]) -> None:
        shown = ", ".join(missing[:10]) + (" ..." if len(missing) > 10 else "")
        super().__init__(
            f"None of the {language!r} phrases can be recognised by the installed model "
            f"(unknown words: {shown}). Is the model for the right language? "
            "See `linli voice models`."
        )
