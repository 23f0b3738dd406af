"""Where mockiv keeps its files. `--data-dir` beats `MOCKIV_HOME` beats the platform's user data folder."""

from __future__ import annotations

import os
from pathlib import Path

from platformdirs import user_data_path

APP_NAME = "mockiv"
_override: Path | None = None


def set_data_dir(path: str | os.PathLike[str] | None) -> None:
    """Called by the CLI for `--data-dir`; tests use MOCKIV_HOME instead."""
    global _override
    _override = Path(path).expanduser().resolve() if path else None


def data_dir() -> Path:
    """The user's mockiv folder, created private (0700) on first use."""
    if _override is not None:
        base = _override
    elif os.environ.get("MOCKIV_HOME"):
        base = Path(os.environ["MOCKIV_HOME"]).expanduser().resolve()
    else:
        base = user_data_path(APP_NAME, appauthor=False)
    base.mkdir(parents=True, exist_ok=True, mode=0o700)
    return base


def sub_dir(name: str) -> Path:
    path = data_dir() / name
    path.mkdir(parents=True, exist_ok=True, mode=0o700)
    return path


def project_root() -> Path:
    """The source checkout (for `models/` and `question_packs/`), when running from one."""
    return Path(__file__).resolve().parent.parent
