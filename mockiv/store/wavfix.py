"""Make a WAV left by a crash readable again: rewrite the RIFF and `data` sizes to what is on disk.

A recorder killed mid-write leaves a header whose sizes lag behind the samples written after the last header
patch (or are 0 when the encoder only finalises on close). Decoders then see a short or empty file. The fix is
the pattern of pasrom/meeting-transcriber PR #384 (pitfalls.md §2): keep every whole frame that reached the disk.
"""

from __future__ import annotations

import os
import struct
from dataclasses import dataclass
from pathlib import Path


@dataclass(frozen=True, slots=True)
class WavCheck:
    """What a WAV holds. `fixed` says the header was rewritten; `problem` is set when it is unusable."""

    path: Path
    frames: int = 0
    sample_rate: int = 0
    channels: int = 0
    fixed: bool = False
    problem: str | None = None

    @property
    def duration_s(self) -> float:
        return self.frames / self.sample_rate if self.sample_rate else 0.0


def _chunks(data: bytes) -> list[tuple[bytes, int, int]]:
    """(chunk id, offset of its size field, declared size) for each chunk after the RIFF header."""
    out = []
    offset = 12
    while offset + 8 <= len(data):
        chunk_id = data[offset : offset + 4]
        (size,) = struct.unpack_from("<I", data, offset + 4)
        out.append((chunk_id, offset + 4, size))
        if chunk_id == b"data":
            break  # the data chunk of a recording in progress runs to the end of the file
        offset += 8 + size + (size & 1)
    return out


def repair_wav(path: str | os.PathLike[str], *, dry_run: bool = False) -> WavCheck:
    """Check a PCM WAV and, unless `dry_run`, patch its sizes in place (fsynced) so every whole frame counts."""
    target = Path(path)
    try:
        with open(target, "rb") as handle:
            head = handle.read(1 << 16)
            file_size = os.fstat(handle.fileno()).st_size
    except OSError as error:
        return WavCheck(target, problem=f"cannot read it ({error.strerror or error})")
    if len(head) < 12 or head[:4] != b"RIFF" or head[8:12] != b"WAVE":
        return WavCheck(target, problem="not a WAV file (no RIFF/WAVE header)")
    chunks = {chunk_id: (size_at, size) for chunk_id, size_at, size in _chunks(head)}
    if b"fmt " not in chunks or b"data" not in chunks:
        return WavCheck(target, problem="the recording stopped before any audio was written")
    fmt_at, _ = chunks[b"fmt "]
    channels, sample_rate = struct.unpack_from("<HI", head, fmt_at + 6)
    (block_align,) = struct.unpack_from("<H", head, fmt_at + 16)
    if not channels or not sample_rate or not block_align:
        return WavCheck(target, problem="the WAV format header is damaged")
    data_size_at, declared = chunks[b"data"]
    available = file_size - (data_size_at + 4)
    whole = available - available % block_align
    frames = whole // block_align
    if declared == whole and struct.unpack_from("<I", head, 4)[0] == file_size - 8:
        return WavCheck(target, frames, sample_rate, channels)
    if not dry_run:
        with open(target, "r+b") as handle:
            handle.seek(4)
            handle.write(struct.pack("<I", data_size_at + 4 + whole - 8))
            handle.seek(data_size_at)
            handle.write(struct.pack("<I", whole))
            handle.truncate(data_size_at + 4 + whole)
            handle.flush()
            os.fsync(handle.fileno())
    return WavCheck(target, frames, sample_rate, channels, fixed=True)
