"""`linli voice ...`: list and install speech models, recognise a WAV file or the microphone.

Handlers import Vosk, numpy and the templates only when they run, so `linli --help` and
other commands stay fast.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import time
from pathlib import Path
from typing import Any

LANGUAGE_ENV = "LINLI_VOICE_LANGUAGE"
DEFAULT_LANGUAGE = "zh"  # Mandarin first

# Exit codes of `linli voice listen` (and errors of the other actions).
EXIT_UNDERSTOOD = 0
EXIT_BAD_INPUT = 2  # unreadable audio, no model, no microphone, bad arguments
EXIT_NOT_UNDERSTOOD = 3


def add_commands(subparsers: Any) -> None:
    """Add `voice models`, `voice install` and `voice listen` to the `linli` command."""
    voice = subparsers.add_parser("voice", help="offline speech recognition: models, listening")
    actions = voice.add_subparsers(dest="voice_command", metavar="VOICE_COMMAND", required=True)
    dir_help = "models directory (default: $LINLI_VOICE_MODELS or ~/.local/share/linli/voice-models)"

    models = actions.add_parser("models", help="list known and installed speech models")
    models.add_argument("--dir", type=Path, default=None, help=dir_help)
    models.add_argument("--json", action="store_true", help="print one JSON object")
    models.set_defaults(handler=_models)

    install = actions.add_parser(
        "install", help="install a model by name, URL, local .zip or directory"
    )
    install.add_argument("source", metavar="NAME_OR_PATH",
                         help="catalogue name (see `voice models`), http(s) URL, PATH.zip or DIR")
    install.add_argument("--dir", type=Path, default=None, help=dir_help)
    install.add_argument("--sha256", default=None, help="expected sha256 of the zip")
    install.add_argument("--accept-unverified", action="store_true",
                         help="install a download with no known checksum; prints its sha256")
    install.add_argument("--force", action="store_true", help="replace an installed model")
    install.add_argument("--name", default=None, help="directory name for the installed model")
    install.set_defaults(handler=_install)

    listen = actions.add_parser("listen", help="recognise one turn and print it as JSON")
    source = listen.add_mutually_exclusive_group(required=True)
    source.add_argument("--wav", type=Path, help="a WAV file (any rate, mono or stereo)")
    source.add_argument("--mic", action="store_true", help="the default microphone")
    listen.add_argument("--lang", default=None,
                        help=f"zh, en or ko (default: ${LANGUAGE_ENV} or {DEFAULT_LANGUAGE})")
    listen.add_argument("--dir", type=Path, default=None, help=dir_help)
    listen.add_argument("--model", type=Path, default=None, help="a model directory to use")
    listen.add_argument("--threshold", type=float, default=None,
                        help="snap score below which the answer is 'not understood'")
    listen.add_argument("--expect", default=None, metavar="INTENT,...",
                        help="narrow the grammar to these intents (as a dialogue step does)")
    listen.add_argument("--end-silence", type=float, default=None,
                        help="seconds of silence that end the utterance (default 1.2)")
    listen.set_defaults(handler=_listen)


def _fail(message: str) -> int:
    print(f"linli voice: {message}", file=sys.stderr)
    return EXIT_BAD_INPUT


def _models(args: argparse.Namespace) -> int:
    from voice.models import CATALOGUE, installed_models, models_dir

    directory = args.dir or models_dir()
    installed = installed_models(directory)
    by_name: dict[str, list[str]] = {}
    for model in installed:
        where = str(model.path)
        if model.source != "models-dir":
            where += f" ({model.source.replace('package:', 'PyPI package ')})"
        by_name.setdefault(model.name, []).append(where)
    rows = [
        {
            "name": m.name,
            "language": m.language,
            "description": m.description,
            "size": m.size_text,
            "url": m.download_url,
            "sha256": m.sha256 or "unknown (not verified; install needs --sha256)",
            "installed": by_name.get(m.name, []),
        }
        for m in CATALOGUE
    ]
    known = {m.name for m in CATALOGUE}
    extra = [
        {"name": m.name, "language": m.language, "path": str(m.path), "source": m.source}
        for m in installed if m.name not in known
    ]
    if args.json:
        print(json.dumps({"models_dir": str(directory), "catalogue": rows, "other_installed": extra},
                         ensure_ascii=False, indent=2))
        return 0
    print(f"Models directory: {directory}")
    for row in rows:
        where = ", ".join(row["installed"]) if row["installed"] else "not installed"
        print(f"\n{row['name']}  [{row['language']}]  {row['size']}  {row['description']}")
        print(f"  url:     {row['url']}")
        print(f"  sha256:  {row['sha256']}")
        print(f"  status:  {where}")
    for row in extra:
        print(f"\n{row['name']}  [{row['language'] or '?'}]  installed: {row['path']}")
    return 0


class _Progress:
    """Download progress on stderr, at most ~5 updates a second."""

    def __init__(self) -> None:
        self._last = 0.0

    def __call__(self, done: int, total: int | None) -> None:
        now = time.monotonic()
        if now - self._last < 0.2 and done != total:
            return
        self._last = now
        if total:
            print(f"\r  {done / 1e6:7.1f} / {total / 1e6:.1f} MB ({100 * done // total}%)",
                  end="", file=sys.stderr, flush=True)
        else:
            print(f"\r  {done / 1e6:7.1f} MB", end="", file=sys.stderr, flush=True)
        if done == total:
            print(file=sys.stderr)


def _install(args: argparse.Namespace) -> int:
    from voice.errors import VoiceError
    from voice.installer import install

    try:
        result = install(
            args.source, directory=args.dir, sha256=args.sha256,
            accept_unverified=args.accept_unverified, force=args.force, name=args.name,
            progress=_Progress(),
        )
    except VoiceError as exc:
        return _fail(str(exc))
    print(f"Installed {result.name} at {result.path}")
    if result.sha256:
        state = "verified" if result.verified else "NOT verified - compare it with a trusted source"
        print(f"sha256 {result.sha256} ({state})")
    return 0


def _listen(args: argparse.Namespace) -> int:
    from voice.errors import VoiceError
    from voice.templates import IntentDataError

    language = args.lang or os.environ.get(LANGUAGE_ENV) or DEFAULT_LANGUAGE
    try:
        return _listen_once(args, language)
    except (VoiceError, IntentDataError) as exc:
        return _fail(str(exc))


def _listen_once(args: argparse.Namespace, language: str) -> int:
    from voice.audio import MicrophoneSource, WavFileSource, microphone_problem
    from voice.choose import FALLBACK_LANGUAGES, recognizer_for, recognizer_kind
    from voice.endpointing import EndpointConfig
    from voice.errors import NoAudioDevice, VoiceError
    from voice.intents import load_intents
    from voice.models import find_model
    from voice.pipeline import hear

    # Cheap checks first: a bad file or a missing model should not cost a 2 s model load.
    wav = WavFileSource(args.wav) if args.wav else None
    if args.mic and (problem := microphone_problem()) is not None:
        raise NoAudioDevice(problem)
    if args.model is None and language not in FALLBACK_LANGUAGES:
        find_model(language, args.dir)  # raises ModelNotInstalled naming the install command
    intent_set = load_intents(language)
    recognizer = recognizer_for(language, intent_set, args.dir, model_path=args.model)
    if args.expect:
        intents = [i.strip() for i in args.expect.split(",") if i.strip()]
        if hasattr(recognizer, "expect"):
            try:
                recognizer.expect(intents)
            except ValueError as exc:
                raise VoiceError(f"--expect: {exc}") from exc
        else:
            print(f"linli voice: --expect ignored: the {recognizer_kind(recognizer)} "
                  "recognizer always uses the whole grammar", file=sys.stderr)
    config = EndpointConfig() if args.end_silence is None else EndpointConfig(
        end_silence_s=args.end_silence)
    threshold = args.threshold  # None: the matcher's calibrated default
    if wav is not None:
        result = hear(wav.chunks(), recognizer, intent_set, endpoint_config=config,
                      threshold=threshold)
    else:
        with MicrophoneSource() as mic:
            print("Listening - speak now.", file=sys.stderr, flush=True)
            result = hear(mic.chunks(), recognizer, intent_set, endpoint_config=config,
                          threshold=threshold)
    grammar = getattr(recognizer, "grammar", None)
    model = getattr(recognizer, "model", None)  # a LoadedModel for Vosk
    output = {
        "language": language,
        **result.to_dict(),
        "recognizer": recognizer_kind(recognizer),
        "model": str(model.path) if model is not None else "pocketsphinx en-us (PyPI wheel)",
        "model_load_seconds": round(model.load_seconds, 3) if model is not None else None,
        "grammar": None if grammar is None else {
            "phrases": len(grammar.phrases),
            "missing_words": grammar.report.missing_words(),
        },
    }
    print(json.dumps(output, ensure_ascii=False, default=str))
    return EXIT_UNDERSTOOD if result.understood else EXIT_NOT_UNDERSTOOD
