"""The cepstral mean of the English fallback: primed at a cold start, kept across restarts.

pocketsphinx subtracts a running cepstral mean (the microphone's and the room's colouring)
from every frame. It starts from the acoustic model's `cmninit` (40,3,-1,0,...), which is
nobody's microphone, and moves slowly: the running sum starts as that mean counted 500
frames strong (CMN_WIN in pocketsphinx's cmn_live.c), so a 1.5 s utterance (150 frames)
moves it only a quarter of the way. Until a few utterances have been heard, speech is
decoded against the wrong mean: the first "help me" after start came back as "do it".

Two remedies, both kept here:
- prime: while the mean is still the model's, the utterance is first run through the
  front end alone (no search, a few ms), its own mean is worked out from how far that moved
  the running mean, set, and the utterance is then decoded against it;
- persist: the running mean is written to a small file after each utterance and read at
  start, so a kiosk restarts with its own microphone's mean.
"""

from __future__ import annotations

import logging
import os
from collections.abc import Sequence
from pathlib import Path
from typing import Any

log = logging.getLogger(__name__)

# How many frames pocketsphinx counts a set mean as (CMN_WIN, cmn_live.c in pocketsphinx 5).
PRIOR_FRAMES = 500
# A prime from less than this many frames (0.5 s) would be mostly one sound, not a mean.
MIN_PRIME_FRAMES = 50
STATE_ENV = "LINLI_VOICE_STATE"
STATE_FILE = "sphinx-en-cepstral-mean.txt"


def parse(text: str) -> list[float]:
    return [float(x) for x in text.strip().split(",")]


def format_mean(values: Sequence[float]) -> str:
    return ",".join(f"{v:.4f}" for v in values)


def utterance_mean(before: Sequence[float], after: Sequence[float], frames: int,
                   prior_frames: int = PRIOR_FRAMES) -> list[float]:
    """The mean of the utterance's own frames, from the running mean before it and after
    pocketsphinx's update: after = (prior_frames * before + frames * own) / (prior + frames).
    """
    scale = (prior_frames + frames) / frames
    return [b + (a - b) * scale for b, a in zip(before, after, strict=True)]


def prime(decoder: Any, pcm: bytes) -> list[float] | None:
    """Set the decoder's mean to that of `pcm` (front end only, no search); None (and the
    mean left alone) when the audio is too short to say."""
    before = parse(decoder.get_cmn())
    decoder.start_utt()
    decoder.process_raw(pcm, True, False)  # no_search: features and the running sum only
    decoder.end_utt()
    frames = decoder.n_frames()
    if frames < MIN_PRIME_FRAMES:
        decoder.set_cmn(format_mean(before))
        return None
    own = utterance_mean(before, parse(decoder.get_cmn(True)), frames)
    decoder.set_cmn(format_mean(own))
    return own


def default_state_path() -> Path:
    """$LINLI_VOICE_STATE, else next to the kiosk's data in ~/.local/share/linli."""
    directory = os.environ.get(STATE_ENV)
    base = Path(directory).expanduser() if directory else Path.home() / ".local/share/linli"
    return base / STATE_FILE


def load(path: Path, length: int) -> list[float] | None:
    """The stored mean, or None when there is none or it is not `length` numbers."""
    try:
        values = parse(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        return None
    except (OSError, ValueError) as exc:
        log.warning("ignoring the stored cepstral mean %s: %s", path, exc)
        return None
    if len(values) != length:
        log.warning("ignoring the stored cepstral mean %s: %d values, not %d",
                    path, len(values), length)
        return None
    return values


def save(path: Path, values: Sequence[float]) -> None:
    """Write atomically (a rename), so a power cut leaves the old mean or the new one."""
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        partial = path.with_suffix(".part")
        partial.write_text(format_mean(values) + "\n", encoding="utf-8")
        os.replace(partial, path)
    except OSError as exc:  # a read-only disk must not stop voice
        log.warning("could not store the cepstral mean in %s: %s", path, exc)


__all__ = ["MIN_PRIME_FRAMES", "PRIOR_FRAMES", "default_state_path", "format_mean", "load",
           "parse", "prime", "save", "utterance_mean"]
