"""Offline voice: recognition and speech.

Intents (the text side of understanding) are imported lazily, so `import voice` loads
neither Vosk nor YAML: `from voice import load_intents, snap`.
"""

from __future__ import annotations

from importlib import import_module
from typing import Any

_LAZY = {
    "load_intents": "voice.intents",
    "IntentSet": "voice.intents",
    "IntentMatch": "voice.intents",
    "NotUnderstood": "voice.intents",
    "IntentName": "voice.intents",
    "GroceryLine": "voice.intents",
    "Sentence": "voice.intents",
    "snap": "voice.matching",
}


def __getattr__(name: str) -> Any:
    module = _LAZY.get(name)
    if module is None:
        raise AttributeError(f"module 'voice' has no attribute {name!r}")
    return getattr(import_module(module), name)
