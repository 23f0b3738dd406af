from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from mockiv import paths
from mockiv.store import Store


@pytest.fixture
def home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A private MOCKIV_HOME for each test (the CLI and `Store.open()` both resolve it)."""
    folder = tmp_path / "home"
    monkeypatch.setenv("MOCKIV_HOME", str(folder))
    paths.set_data_dir(None)
    return folder


@pytest.fixture
def store(home: Path) -> Iterator[Store]:
    opened = Store.open()
    yield opened
    opened.close()
