"""Shared fixtures: a private MOCKIV_HOME, synthetic speech made with espeak-ng, one loaded Whisper model."""

from __future__ import annotations

import os
import signal
from collections.abc import Iterator
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parent.parent
# Offline by design: set before anything imports huggingface_hub.
os.environ["HF_HUB_OFFLINE"] = "1"
os.environ["HF_HUB_DISABLE_TELEMETRY"] = "1"
# Ctrl-C tests send SIGINT to child processes. A suite started in the background by a non-interactive shell
# (`scripts/test &`, nohup) inherits SIGINT ignored, its children inherit that across exec, and Python then never
# turns SIGINT into KeyboardInterrupt: those tests would hang on a product that works. A handler (unlike an
# ignored signal) is reset by exec, so every child starts with Ctrl-C as a terminal delivers it.
signal.signal(signal.SIGINT, signal.default_int_handler)


@pytest.fixture(autouse=True)
def private_home(tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    """Every test gets its own data folder; nothing touches the user's real one."""
    home = tmp_path_factory.mktemp("mockiv-home")
    monkeypatch.setenv("MOCKIV_HOME", str(home))
    from mockiv import paths

    paths.set_data_dir(None)
    yield home


@pytest.fixture(scope="session")
def speech_dir() -> Path:
    """Synthesized fixtures are cached here between runs (same script, same file)."""
    path = REPO / "tests" / "fixtures" / "generated"
    path.mkdir(parents=True, exist_ok=True)
    return path


@pytest.fixture(scope="session")
def transcriber():  # type: ignore[no-untyped-def]
    """The embedded tiny.en, loaded once for the whole run."""
    from mockiv.asr import load_transcriber

    return load_transcriber()
