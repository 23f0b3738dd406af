"""Where mockiv keeps its files. `--data-dir` beats `MOCKIV_HOME` beats the platform's user data folder."""

from __future__ import annotations

import contextlib
import os
from pathlib import Path

from platformdirs import user_data_path

from mockiv.errors import UserInputError

APP_NAME = "mockiv"
_override: Path | None = None


def _folder(path: str | os.PathLike[str], given_as: str) -> Path:
    try:
        return Path(path).expanduser().resolve()
    except RuntimeError:  # "~nosuchuser/x": no such user, so no home folder to expand
        raise UserInputError(f"{given_as} {str(path)!r}: there is no such user's home folder; give the data "
                             "folder as a full path") from None


def set_data_dir(path: str | os.PathLike[str] | None) -> None:
    """Called by the CLI for `--data-dir`; tests use MOCKIV_HOME instead."""
    global _override
    _override = _folder(path, "--data-dir") if path else None


def _private_folder(path: Path) -> Path:
    """Create `path` private (0700); an existing one is made private too (sessions and recordings are the
    user's alone, however the folder came about)."""
    try:
        path.mkdir(parents=True, exist_ok=True, mode=0o700)
    except OSError as error:
        raise UserInputError(f"cannot create the data folder {path}: {error.strerror or error}; choose another "
                             "with --data-dir or MOCKIV_HOME") from None
    with contextlib.suppress(OSError):  # not ours to change (another owner, a read-only disk): leave it
        if path.stat().st_mode & 0o077:
            path.chmod(0o700)
    return path


def data_dir() -> Path:
    """The user's mockiv folder, created private (0700) on first use."""
    if _override is not None:
        base = _override
    elif os.environ.get("MOCKIV_HOME"):
        base = _folder(os.environ["MOCKIV_HOME"], "MOCKIV_HOME")
    else:
        base = user_data_path(APP_NAME, appauthor=False)
    return _private_folder(base)


def sub_dir(name: str) -> Path:
    return _private_folder(data_dir() / name)


def project_root() -> Path:
    """The source checkout (for `models/` and `question_packs/`), when running from one."""
    return Path(__file__).resolve().parent.parent
