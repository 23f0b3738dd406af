"""Model resolution: path -> models/NAME -> first under models/ -> embedded; never a hub without permission."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from mockiv.asr import models
from mockiv.asr.models import EMBEDDED_NAME, embedded_model_path, resolve_model
from mockiv.errors import ModelError


@pytest.fixture
def models_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    folder = tmp_path / "models"
    folder.mkdir()
    monkeypatch.setattr(models, "models_dir", lambda: folder)
    return folder


def fake_model(path: Path) -> Path:
    path.mkdir(parents=True)
    for name in ("config.json", "tokenizer.json", "vocabulary.txt"):
        (path / name).write_text("{}")
    (path / "model.bin").write_bytes(b"\0" * 4096)
    return path


def test_default_is_the_embedded_tiny_en(models_dir: Path) -> None:
    resolved = resolve_model()
    assert resolved.source == "embedded" and resolved.name == EMBEDDED_NAME
    assert Path(resolved.path) == embedded_model_path()
    assert (Path(resolved.path) / "model.bin").stat().st_size > 10_000_000


def test_a_model_under_models_dir_wins_over_the_embedded_one(models_dir: Path) -> None:
    fake_model(models_dir / "small.en")
    resolved = resolve_model()
    assert (resolved.source, resolved.name) == ("models-dir", "small.en")


def test_an_incomplete_folder_under_models_is_skipped(models_dir: Path) -> None:
    (models_dir / "half").mkdir()
    (models_dir / "half" / "model.bin").write_bytes(b"x")
    assert resolve_model().source == "embedded"


def test_model_by_name_and_by_path(models_dir: Path, tmp_path: Path) -> None:
    fake_model(models_dir / "base.en")
    assert resolve_model("base.en").source == "models-dir"
    elsewhere = fake_model(tmp_path / "elsewhere" / "mine")
    resolved = resolve_model(str(elsewhere))
    assert resolved.source == "path" and resolved.path == str(elsewhere.resolve())


def test_a_hub_name_is_refused_without_allow_download(models_dir: Path) -> None:
    with pytest.raises(ModelError, match="--allow-download"):
        resolve_model("large-v3")
    assert resolve_model("large-v3", allow_download=True).source == "download"


def test_a_broken_path_gets_one_clear_line(tmp_path: Path, models_dir: Path) -> None:
    broken = tmp_path / "broken"
    broken.mkdir()
    (broken / "config.json").write_text("{}")
    with pytest.raises(ModelError) as error:
        resolve_model(str(broken))
    assert "missing model.bin" in str(error.value) and "\n" not in str(error.value)
    with pytest.raises(ModelError, match="not a directory"):
        resolve_model(str(tmp_path / "nowhere"))


def test_a_corrupt_model_fails_to_load_with_a_clear_line(tmp_path: Path) -> None:
    from mockiv.asr import load_transcriber

    corrupt = tmp_path / "corrupt"
    shutil.copytree(embedded_model_path(), corrupt)
    (corrupt / "model.bin").write_bytes(b"\0" * 4096)
    with pytest.raises(ModelError, match="could not load the Whisper model"):
        load_transcriber(str(corrupt))


@pytest.mark.parametrize("name", ["tiny.en", EMBEDDED_NAME])
def test_the_name_sessions_record_finds_the_embedded_model(models_dir: Path, name: str) -> None:
    """`rescore ID --model tiny.en` said "no model named 'tiny.en'" while sessions record tiny.en (embedded)."""
    resolved = resolve_model(name)
    assert resolved.source == "embedded" and resolved.path == str(embedded_model_path())
    fake_model(models_dir / "tiny.en")  # a model the user put under models/ by that name still comes first
    assert resolve_model("tiny.en").source == "models-dir"
