"""Transcription with word timestamps, fillers kept.

Whisper writes clean text and drops "um"/"uh" unless its context shows disfluent speech (faster-whisper#901);
a short disfluent initial prompt brings them back. scripts/bench measures filler recall with and without it.
"""

from __future__ import annotations

import os
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass, replace
from pathlib import Path
from typing import TYPE_CHECKING, Any

from mockiv.asr.models import ResolvedModel, resolve_model
from mockiv.audio.files import SAMPLE_RATE, load_audio
from mockiv.core.transcript import Transcript, Word
from mockiv.errors import ModelError

if TYPE_CHECKING:  # numpy loads with the first audio, not when the app starts
    import numpy as np

# Short and written in disfluent speech. A longer sentence-like prompt ("Umm, let me think like, hmm...")
# made tiny.en drop whole 30 s windows of fluent speech (14 of 24 clips lost >20% of their words); this
# list of hesitations lost none of 23 and kept 0.92 of the fillers (rescript#59 advises <= 32 characters).
FILLER_PROMPT = "Um, uh, hmm, er, ah."
# Safety net: speech the prompted decode left without words triggers a plain decode as the backbone.
UNCOVERED_SPEECH_LIMIT_S = 3.0


@dataclass(frozen=True, slots=True)
class DecodeOptions:
    beam_size: int = 1
    keep_fillers: bool = True
    # Silero VAD cuts hallucinations in long silences; pauses are measured from word times, not VAD segments.
    vad_filter: bool = True
    language: str = "en"

    def kwargs(self) -> dict[str, Any]:
        return {
            "beam_size": self.beam_size,
            "language": self.language,
            "word_timestamps": True,
            "initial_prompt": FILLER_PROMPT if self.keep_fillers else None,
            # A bounded choice: temperature fallback made repetitive speech 6.5x slower (pitfalls.md §7).
            "temperature": 0.0,
            "condition_on_previous_text": False,
            "vad_filter": self.vad_filter,
            "vad_parameters": {"min_silence_duration_ms": 700, "speech_pad_ms": 300},
        }


def default_threads() -> int:
    return max(1, min(4, os.cpu_count() or 2))


class Transcriber:
    """One loaded Whisper model. Not thread-safe: feed it one transcription at a time."""

    def __init__(self, model: ResolvedModel, options: DecodeOptions | None = None, cpu_threads: int = 0) -> None:
        self.model = model
        self.options = options or DecodeOptions()
        started = time.perf_counter()
        try:
            from mockiv.asr.memory import limit_heap_arenas, limit_native_caches
            from mockiv.asr.whisper import ShortAudioWhisper

            limit_native_caches()
            limit_heap_arenas()

            self._whisper = ShortAudioWhisper(
                model.path,
                device="cpu",
                compute_type="int8",
                cpu_threads=cpu_threads or default_threads(),
                local_files_only=model.source != "download",
            )
        except Exception as error:  # CTranslate2 raises RuntimeError/ValueError on broken files
            raise ModelError(f"could not load the Whisper model at {model.path}: {error}".splitlines()[0]) from error
        self.load_seconds = time.perf_counter() - started

    @property
    def model_name(self) -> str:
        return self.model.name

    def with_options(self, **changes: Any) -> Transcriber:
        """The same loaded model with other decoding options (no reload)."""
        clone = object.__new__(Transcriber)
        clone.model, clone._whisper, clone.load_seconds = self.model, self._whisper, self.load_seconds
        clone.options = replace(self.options, **changes)
        return clone

    def transcribe(
        self,
        audio: np.ndarray,
        offset_s: float = 0.0,
        on_segment: Callable[[float], None] | None = None,
        context: str = "",
    ) -> Transcript:
        """Transcribe 16 kHz mono float32 audio. Word times are shifted by `offset_s`; `context` (the words spoken
        just before this audio, when it is a piece of a longer answer) follows the filler prompt.

        With `keep_fillers`, a prompted decode that leaves seconds of audible speech without words (Whisper
        sometimes skips a window after a prompt) is redone without the prompt, and the prompted decode's
        hesitations are merged into it by time, so no words are lost to keep the fillers.
        """
        import numpy as np
        audio = np.asarray(audio, dtype=np.float32)
        kwargs = self.options.kwargs()
        if context:
            kwargs["initial_prompt"] = " ".join(filter(None, [kwargs["initial_prompt"], context]))
        segments, info = self._whisper.transcribe(audio, **kwargs)
        words = list(_words(segments, offset_s, on_segment))
        if self.options.keep_fillers and uncovered_speech_s(audio, words, offset_s) > UNCOVERED_SPEECH_LIMIT_S:
            plain_segments, _ = self._whisper.transcribe(audio, **replace(self.options, keep_fillers=False).kwargs())
            words = merge_hesitations(list(_words(plain_segments, offset_s, None)), words)
        return Transcript(tuple(words), duration=offset_s + audio.size / SAMPLE_RATE, language=info.language)

    def transcribe_file(self, path: str | Path) -> Transcript:
        return self.transcribe(load_audio(path))


def _words(segments: Iterable[Any], offset_s: float, on_segment: Callable[[float], None] | None) -> Iterable[Word]:
    # The generator decodes lazily: iterating here is where the work happens (faster-whisper#67).
    previous_end = offset_s
    for segment in segments:
        for w in segment.words or ():
            text = w.word.strip()
            if not text:
                continue
            start, end = w.start + offset_s, w.end + offset_s
            # The first word after a long silence can be stamped seconds early (faster-whisper#125): clamp.
            start = max(start, previous_end)
            end = max(end, start)
            previous_end = end
            yield Word(text, round(float(start), 3), round(float(end), 3), round(float(w.probability), 3))
        if on_segment is not None:
            on_segment(segment.end + offset_s)


def uncovered_speech_s(audio: np.ndarray, words: list[Word], offset_s: float = 0.0) -> float:
    """Seconds of audible speech (100 ms frames well above the noise floor) more than 0.6 s from any word."""
    import numpy as np
    frame = SAMPLE_RATE // 10
    count = audio.size // frame
    if count == 0:
        return 0.0
    rms = np.sqrt(np.mean(np.square(audio[: count * frame].reshape(count, frame), dtype=np.float64), axis=1))
    loud = rms > max(0.15 * float(np.percentile(rms, 95)), 1e-3)
    covered = np.zeros(count, dtype=bool)
    for word in words:
        first = int(max((word.start or 0.0) - offset_s - 0.6, 0.0) * 10)
        last = int(((word.end or 0.0) - offset_s + 0.6) * 10) + 1
        covered[first:last] = True
    return float(np.count_nonzero(loud & ~covered)) / 10


def merge_hesitations(backbone: list[Word], prompted: list[Word]) -> list[Word]:
    """The backbone's words plus the prompted decode's hesitations ("um", "uh") that fall between them."""
    from mockiv.core.delivery import is_hesitation

    extra = [
        w for w in prompted
        if is_hesitation(w.text)
        and not any((b.start or 0.0) < ((w.start or 0.0) + (w.end or 0.0)) / 2 < (b.end or 0.0) for b in backbone)
    ]
    return sorted(backbone + extra, key=lambda w: (w.start or 0.0, w.end or 0.0))


def load_transcriber(
    model: str | None = None,
    allow_download: bool = False,
    options: DecodeOptions | None = None,
    cpu_threads: int = 0,
) -> Transcriber:
    return Transcriber(resolve_model(model, allow_download), options, cpu_threads)
