"""The memory hygiene around decoding: freed heap goes back to the OS, oneDNN's kernel cache is capped."""

from __future__ import annotations

import os
import platform

import numpy as np
import pytest

from mockiv.asr import memory


def _rss_kb() -> int:
    with open("/proc/self/status") as status:
        for line in status:
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
    raise AssertionError("no VmRSS")


@pytest.mark.skipif(platform.system() != "Linux" or platform.libc_ver()[0] != "glibc", reason="glibc only")
def test_release_freed_memory_returns_freed_heap_to_the_os() -> None:
    # Blocks below glibc's mmap threshold come from the heap; with the last one still held, freeing the others
    # cannot shrink the heap from its top: the pages stay resident until they are trimmed.
    blocks = [np.ones(8_000, dtype=np.float64) for _ in range(4_000)]  # 64 KB each, 256 MB in all
    keep = blocks[-1]
    del blocks
    before = _rss_kb()
    assert memory.release_freed_memory() is True
    after = _rss_kb()
    assert keep.sum() == 8_000
    assert before - after > 100_000, (before, after)  # KB


def test_limit_native_caches_sets_a_default(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("ONEDNN_PRIMITIVE_CACHE_CAPACITY", raising=False)
    memory.limit_native_caches()
    assert os.environ["ONEDNN_PRIMITIVE_CACHE_CAPACITY"] == str(memory.ONEDNN_PRIMITIVE_CACHE_CAPACITY)


def test_limit_native_caches_keeps_the_users_setting(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("ONEDNN_PRIMITIVE_CACHE_CAPACITY", "256")
    memory.limit_native_caches()
    assert os.environ["ONEDNN_PRIMITIVE_CACHE_CAPACITY"] == "256"


@pytest.mark.skipif(platform.system() != "Linux" or platform.libc_ver()[0] != "glibc", reason="glibc only")
def test_limit_heap_arenas_caps_glibc_arenas(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("MALLOC_ARENA_MAX", raising=False)
    calls: list[tuple[int, int]] = []
    real = memory._mallopt()
    assert real is not None

    def recording(option: int, value: int) -> int:
        calls.append((option, value))
        return int(real(option, value))

    monkeypatch.setattr(memory, "_mallopt", lambda: recording)
    assert memory.limit_heap_arenas() is True
    assert calls == [(-8, memory.HEAP_ARENAS)]


def test_limit_heap_arenas_keeps_the_users_setting(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("MALLOC_ARENA_MAX", "8")
    called: list[int] = []
    monkeypatch.setattr(memory, "_mallopt", lambda: lambda option, value: called.append(option) or 1)
    assert memory.limit_heap_arenas() is False
    assert called == []
