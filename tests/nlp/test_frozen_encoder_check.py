"""The frozen-encoder check's own reading of model weights (tools/frozen_encoder_check.py, a developer tool)."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "tools"))
from frozen_encoder_check import main, read_safetensors  # a developer tool, imported from its folder


def test_safetensors_are_read_by_name_shape_and_type(tmp_path: Path) -> None:
    weight = np.arange(6, dtype=np.float32).reshape(2, 3)
    positions = np.array([[0, 1, 2]], dtype=np.int64)
    half = np.array([0.5, -1.0], dtype=np.float16)
    blobs, header, offset = [], {"__metadata__": {"format": "pt"}}, 0
    for name, array, kind in (("w", weight, "F32"), ("ids", positions, "I64"), ("h", half, "F16")):
        raw = array.tobytes()
        header[name] = {"dtype": kind, "shape": list(array.shape), "data_offsets": [offset, offset + len(raw)]}
        blobs.append(raw)
        offset += len(raw)
    text = json.dumps(header).encode()
    path = tmp_path / "model.safetensors"
    path.write_bytes(len(text).to_bytes(8, "little") + text + b"".join(blobs))

    tensors = read_safetensors(path)
    assert set(tensors) == {"w", "ids", "h"}
    assert tensors["w"].dtype == np.float32 and (tensors["w"] == weight).all()
    assert tensors["ids"].dtype == np.int64 and (tensors["ids"] == positions).all()
    assert tensors["h"].dtype == np.float16 and (tensors["h"] == half).all()


def test_an_unknown_encoder_or_a_missing_model_is_refused(capsys) -> None:  # type: ignore[no-untyped-def]
    assert main(["bert"]) == 2
    assert main(["mpnet"]) == 2
    assert "--model DIR" in capsys.readouterr().out
