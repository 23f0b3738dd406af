"""Give the memory freed by a decode back to the operating system, so a long session does not creep upwards.

Each decode allocates and frees tens of MB (encoder inputs of varying length, decoder buffers). glibc keeps freed
heap in per-thread arenas, and every answer's worker is a new thread: over 14 streamed answers (22 min) the process
grew from 334 MB to 421 MB at its peak, though nothing was live. Trimming after each piece decoded while the candidate
speaks took 25 MB off that peak; capping oneDNN's kernel cache (`limit_native_caches`) took the rest (peak 367 MB,
flat after the seventh answer). Elsewhere than glibc (musl, macOS) trimming is a no-op.
"""

from __future__ import annotations

import ctypes
import ctypes.util
import functools
import os
from collections.abc import Callable

ONEDNN_PRIMITIVE_CACHE_CAPACITY = 16
# glibc gives each new thread its own heap arena (up to 8 per core), and every answer's worker is a new thread: with
# two arenas the streamed practice run of `scripts/bench --only live` peaked at 421 MB instead of 459 MB, its
# latencies unchanged (2-core machine, 19 answers, 24 min).
HEAP_ARENAS = 2
_M_ARENA_MAX = -8  # glibc's mallopt parameter number


@functools.cache
def _libc_function(name: str) -> Callable[..., int] | None:
    """glibc's `name` (malloc_trim, mallopt), or None where the C library has none (musl, macOS)."""
    try:
        libc = ctypes.CDLL(ctypes.util.find_library("c") or "libc.so.6")
        return getattr(libc, name)  # type: ignore[no-any-return]
    except (OSError, AttributeError):
        return None


def _malloc_trim() -> Callable[..., int] | None:
    return _libc_function("malloc_trim")


def _mallopt() -> Callable[..., int] | None:
    return _libc_function("mallopt")


def limit_heap_arenas() -> bool:
    """Cap glibc's heap arenas at HEAP_ARENAS before the decoder's threads start; False where that is not done
    (not glibc, or the user set MALLOC_ARENA_MAX, which glibc has already applied)."""
    if "MALLOC_ARENA_MAX" in os.environ:
        return False
    mallopt = _mallopt()
    if mallopt is None:
        return False
    return bool(mallopt(_M_ARENA_MAX, HEAP_ARENAS))


def release_freed_memory() -> bool:
    """Return free heap pages to the OS (glibc's malloc_trim); False where that is not available."""
    trim = _malloc_trim()
    if trim is None:
        return False
    trim(0)
    return True


def limit_native_caches() -> None:
    """Cap oneDNN's cache of compiled kernels (CTranslate2's int8 matmuls on x86) before the first decode.

    oneDNN keeps one primitive per input shape, up to 1024; encoder inputs trimmed to each piece's length come in
    many shapes. A user's own setting wins.
    """
    os.environ.setdefault("ONEDNN_PRIMITIVE_CACHE_CAPACITY", str(ONEDNN_PRIMITIVE_CACHE_CAPACITY))
