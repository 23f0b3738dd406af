"""The speech model, loaded once in the background and handed to whoever waits for it."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Protocol, runtime_checkable

from mockiv.core.transcript import Transcript

if TYPE_CHECKING:  # numpy loads with the first audio, not when the app starts
    import numpy as np


@runtime_checkable
class SpeechToText(Protocol):
    """Speech to timed words (mockiv.asr.transcriber.Transcriber)."""

    @property
    def model_name(self) -> str: ...

    def transcribe(self, audio: np.ndarray, offset_s: float = ..., context: str = ...) -> Transcript: ...

    def transcribe_file(self, path: str | Path) -> Transcript: ...


class ModelHolder:
    """Loads the Whisper model once, in the background, and hands it to whoever waits for it."""

    def __init__(self, loader: Callable[[], SpeechToText] | None) -> None:
        self._loader = loader
        self._ready = threading.Event()
        self._lock = threading.Lock()
        self._model: SpeechToText | None = None
        self.error: str | None = None if loader else "no speech recognition model is configured"
        self.exception: Exception | None = None  # why loading failed, for a command that must stop on it
        self.load_seconds: float | None = None
        self.ready_at: float | None = None  # time.perf_counter() when loading ended
        if loader is None:
            self._ready.set()

    @classmethod
    def ready_with(cls, model: SpeechToText) -> ModelHolder:
        holder = cls(lambda: model)
        holder.load()
        return holder

    @property
    def loaded(self) -> bool:
        return self._ready.is_set() and self._model is not None

    @property
    def done(self) -> bool:
        return self._ready.is_set()

    def load(self) -> None:
        """Blocking; call from a worker. Errors are kept as one line in `error`, never raised."""
        with self._lock:
            if self._ready.is_set():
                return
            started = time.perf_counter()
            try:
                assert self._loader is not None
                self._model = self._loader()
            except Exception as error:  # a broken model must not take the app down: typed answers still work
                self.exception = error
                self.error = str(error).splitlines()[0] if str(error) else type(error).__name__
            self.ready_at = time.perf_counter()
            self.load_seconds = self.ready_at - started
            self._ready.set()

    def get(self, timeout: float | None = None) -> SpeechToText | None:
        """Wait (in a worker) until the model is loaded; None when it failed or is absent."""
        self._ready.wait(timeout)
        return self._model
