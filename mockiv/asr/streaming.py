"""Transcribe an answer while it is being spoken, so that only its last piece is left when the candidate stops.

Audio arrives in 16 kHz blocks. Voice activity (Silero) finds pauses; once a pause has lasted `cut_pause_s`, the
piece since the last cut is at least `min_segment_s` long and the signal is really quiet there, the piece is cut in
the middle of the quiet and a worker thread transcribes it with its offset while the candidate goes on. When the
candidate falls silent, the tail is decoded ahead of time, so an answer ended by silence has its transcript at once.
Re-decoding a growing buffer, as ufal/whisper_streaming does, costs seconds of latency; decoding finished pieces
does not (pitfalls.md §7). One worker, one model, one transcription at a time (pitfalls.md §4).

Quality: every cut is a place where Whisper could lose its context, so each piece is prompted with the words before
it. tests/live/test_streaming.py and scripts/bench_parts/live.py measure the word error rate against transcribing
the whole recording afterwards, on the same audio.
"""

from __future__ import annotations

import queue
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING

from mockiv.asr.memory import release_freed_memory
from mockiv.asr.transcriber import Transcriber
from mockiv.audio.files import SAMPLE_RATE
from mockiv.audio.vad import VoiceActivity
from mockiv.core.transcript import Transcript, Word

if TYPE_CHECKING:  # numpy loads with the first audio, not when the app starts
    import numpy as np

# Every cut is a place where Whisper could lose its context; each piece is therefore decoded with the last words
# before it as its prompt (what Whisper's own condition_on_previous_text does between 30 s windows). With that prompt,
# 10 s pieces came as close to transcribing the whole file as 20 s pieces without it did (12 espeak-ng answers, 15 min:
# aggregate WER 10.7 % streamed, 11.0 % whole; shorter pieces lose context: 12.9 % at 8 s, 12.7 % at 6 s), and a short
# last piece keeps the wait after a key press short: it is decoded after the candidate stops, about 0.15 s for 5 s,
# 0.5 s for 20 s on AVX-512, twice that on AVX2.
MIN_SEGMENT_S = 10.0
# A piece with no real pause is cut at its quietest moment after this long, so the last piece stays short.
MAX_SEGMENT_S = 16.0
CONTEXT_WORDS = 60  # words of the transcript so far given to the next piece as its prompt
CUT_PAUSE_S = 0.5
QUIET_S = 0.3  # a cut needs this much real quiet ...
QUIET_RATIO = 0.1  # ... below a tenth of the piece's loud-speech level (20 dB down), so words stay whole
MIN_SPEECH_IN_PIECE_S = 0.2
# After this much silence the tail is decoded ahead of time: if the candidate says nothing more, it is the last
# piece and the transcript is ready when the answer ends (2.5 s of silence). Not at every sentence pause (0.5-1 s):
# those early decodes kept the worker busy, and a key pressed mid-answer then waited for one to finish.
SPECULATE_AFTER_SILENCE_S = 1.2  # a piece with less speech than this (only silence, a click) is not decoded
# For the live words on screen, the unfinished piece is decoded this often while the candidate speaks, when the
# worker is idle: pieces are 10-16 s, so without it the words would move twice in a 25 s answer. A preview is only
# shown, never part of the transcript; the piece is decoded again when it is cut. tiny.en takes about 0.1-0.3 s
# for a piece this size on 2 cores, so a key pressed during one waits at most that much more.
PREVIEW_EVERY_S = 2.5

PartialHandler = Callable[[Transcript], None]


@dataclass(frozen=True, slots=True)
class Piece:
    index: int
    start: int  # samples
    end: int
    speculative: bool = False  # decoded ahead of time; used only if nothing was said after it
    preview: bool = False  # the unfinished piece, decoded only to show the words so far
    speech_mark: float = 0.0  # seconds of speech heard when it was queued

    @property
    def offset_s(self) -> float:
        return self.start / SAMPLE_RATE


@dataclass(frozen=True, slots=True)
class StreamingStats:
    pieces: int
    decode_seconds: float  # time the worker spent transcribing
    audio_seconds: float
    final_piece_seconds: float  # length of the piece left at the end
    speculations_used: int = 0  # final pieces already decoded during the closing silence


class StreamingTranscriber:
    """Feed 16 kHz float32 blocks with `feed()` (from the recorder's writer thread), then call `finish()`."""

    def __init__(
        self,
        transcriber: Transcriber,
        activity: VoiceActivity | None = None,
        on_partial: PartialHandler | None = None,
        min_segment_s: float = MIN_SEGMENT_S,
        max_segment_s: float = MAX_SEGMENT_S,
        cut_pause_s: float = CUT_PAUSE_S,
        preview_every_s: float | None = None,
    ) -> None:
        import numpy as np
        self.transcriber = transcriber
        self.activity = activity or VoiceActivity()
        self.on_partial = on_partial
        self.min_segment = int(min_segment_s * SAMPLE_RATE)
        self.max_segment = int(max_segment_s * SAMPLE_RATE)
        self.cut_pause_s = cut_pause_s
        self._blocks: list[np.ndarray] = []
        self._audio = np.zeros(0, dtype=np.float32)  # joined lazily, see _samples()
        self.total = 0
        self._cut = 0
        self._speech_at_cut = 0.0
        self._pieces: list[Piece] = []
        self._results: dict[int, tuple[Word, ...]] = {}
        self._lock = threading.Lock()
        self._queue: queue.Queue[Piece | None] = queue.Queue()
        self._error: BaseException | None = None
        self._decode_seconds = 0.0
        self._final_piece_s = 0.0
        self._finished = False
        self._speculation: tuple[Piece, tuple[Word, ...]] | None = None
        self._speculated_mark: tuple[int, float] | None = None  # (cut, speech heard) of the latest speculation
        self._speculations_used = 0
        self._preview_every = int(preview_every_s * SAMPLE_RATE) if preview_every_s else 0
        self._previewed_at = 0  # samples heard when the last preview was queued
        self._preview: tuple[Piece, tuple[Word, ...]] | None = None
        self._worker = threading.Thread(target=self._work, name="mockiv-stream-asr", daemon=True)
        self._worker.start()

    # ------------------------------------------------------------------ feeding

    def feed(self, block: np.ndarray) -> None:
        import numpy as np
        block = np.asarray(block, dtype=np.float32).reshape(-1)
        if block.size == 0:
            return
        with self._lock:
            self._blocks.append(block)
            self.total += block.size
        self.activity.feed(block)
        self._maybe_cut()
        self._maybe_preview()

    def _maybe_preview(self) -> None:
        if (self._preview_every and self.activity.in_speech and self._queue.unfinished_tasks == 0
                and self.total - self._previewed_at >= self._preview_every
                and self.total - self._cut >= SAMPLE_RATE and self._has_speech_since_cut()):
            self._previewed_at = self.total
            self._queue.put(Piece(-2, self._cut, self.total, preview=True))

    def _maybe_cut(self) -> None:
        activity = self.activity
        length = self.total - self._cut
        if not self._has_speech_since_cut():
            return
        if length < self.min_segment:
            mark = (self._cut, activity.speech_s)
            if (not activity.in_speech and activity.silence_s >= SPECULATE_AFTER_SILENCE_S
                    and self._speculated_mark != mark and self._queue.empty()):
                self._speculated_mark = mark
                self._queue.put(Piece(-1, self._cut, self.total, speculative=True,
                                      speech_mark=activity.speech_s))
            return
        if not activity.in_speech and activity.silence_s >= self.cut_pause_s and activity.last_speech_end_s:
            # Silero also calls some gaps inside a phrase silence: cut only where the signal is really quiet.
            cut = self._quiet_point(int(activity.last_speech_end_s * SAMPLE_RATE), self.total)
            if cut is not None and cut - self._cut >= self.min_segment:
                self._enqueue(cut)
                return
        if length >= self.max_segment:
            self._enqueue(self._quietest_point(self._cut + self.max_segment // 2, self.total))

    def _has_speech_since_cut(self) -> bool:
        return self.activity.speech_s - self._speech_at_cut >= MIN_SPEECH_IN_PIECE_S

    def _quiet_point(self, start: int, end: int) -> int | None:
        """The middle of the first stretch of QUIET_S that is quiet next to the speech before it, or None."""
        import numpy as np
        frame = SAMPLE_RATE // 50  # 20 ms
        audio = self._samples(max(self._cut, start - SAMPLE_RATE // 5), end)
        if audio.size < frame * 4:
            return None
        frames = audio[: audio.size - audio.size % frame].reshape(-1, frame)
        rms = np.sqrt(np.mean(np.square(frames), axis=1))
        reference = self._speech_level()
        quiet = rms < max(reference * QUIET_RATIO, 1e-4)
        needed = int(QUIET_S * 50)
        run = 0
        for index, is_quiet in enumerate(quiet):
            run = run + 1 if is_quiet else 0
            if run >= needed:
                middle = index - run // 2
                return max(self._cut, start - SAMPLE_RATE // 5) + middle * frame + frame // 2
        return None

    def _speech_level(self) -> float:
        """A loud-speech level of the current piece: its 90th percentile 20 ms RMS."""
        import numpy as np
        audio = self._samples(self._cut, self.total)
        frame = SAMPLE_RATE // 50
        if audio.size < frame:
            return 0.0
        frames = audio[: audio.size - audio.size % frame].reshape(-1, frame)
        return float(np.percentile(np.sqrt(np.mean(np.square(frames), axis=1)), 90))

    def _quietest_point(self, start: int, end: int) -> int:
        """The middle of the quietest QUIET_S stretch in the last 8 s: the least bad cut when there is no pause."""
        import numpy as np
        start = max(start, end - 8 * SAMPLE_RATE)
        audio = self._samples(start, end)
        frame = SAMPLE_RATE // 50
        width = int(QUIET_S * 50)
        if audio.size < frame * width * 2:
            return end
        frames = audio[: audio.size - audio.size % frame].reshape(-1, frame)
        energy = np.convolve(np.mean(np.square(frames), axis=1), np.ones(width), mode="valid")
        quietest = int(np.argmin(energy))
        return start + (quietest + width // 2) * frame + frame // 2

    def _enqueue(self, cut: int) -> None:
        piece = Piece(len(self._pieces), self._cut, cut, speech_mark=self.activity.speech_s)
        self._pieces.append(piece)
        self._cut = cut
        self._speech_at_cut = self.activity.speech_s
        self._queue.put(piece)

    def _samples(self, start: int, end: int) -> np.ndarray:
        import numpy as np
        with self._lock:
            if self._blocks:
                self._audio = np.concatenate([self._audio, *self._blocks])
                self._blocks = []
            return self._audio[start:end]

    # ------------------------------------------------------------------ worker

    def _work(self) -> None:
        while True:
            piece = self._queue.get()
            try:
                if piece is None:
                    return
                self._decode(piece)
            finally:
                self._queue.task_done()

    def _decode(self, piece: Piece) -> None:
        if self._error is not None or ((piece.speculative or piece.preview) and self._finished):
            return  # a speculation or preview queued before the end is useless now: the final piece is next
        if piece.preview and piece.start != self._cut:
            return  # the piece was cut meanwhile: it is decoded for real
        speculation = self._speculation
        if (speculation is not None and not piece.speculative and speculation[0].start == piece.start
                and speculation[0].speech_mark == piece.speech_mark):
            # Nothing was said after the speculative decode: its words are this piece's.
            self._results[piece.index] = speculation[1]
            self._speculations_used += 1
            return
        try:
            audio = self._samples(piece.start, piece.end)
            started = time.perf_counter()
            transcript = self.transcriber.transcribe(audio, offset_s=piece.offset_s, context=self._context(piece))
            self._decode_seconds += time.perf_counter() - started
        except BaseException as error:  # reported by finish(); the recording itself is safe on disk
            self._error = error
            return
        if piece.speculative:
            self._speculation = (piece, transcript.words)
            return
        if piece.preview:
            self._preview = (piece, transcript.words)
            if self.on_partial is not None:
                self.on_partial(self.partial())
            return
        self._results[piece.index] = transcript.words
        if self.on_partial is not None:
            self.on_partial(self.partial())
        if not self._finished:  # off the critical path: the candidate is still speaking
            release_freed_memory()

    @property
    def busy(self) -> bool:
        """Whether a piece is queued or being decoded (the partial transcript is behind the audio)."""
        return self._queue.unfinished_tasks > 0

    def _context(self, piece: Piece) -> str:
        """The last words decoded before this piece: its prompt. Pieces are decoded in order, so they are there."""
        words = [w.text for index in sorted(self._results) for w in self._results[index]
                 if (w.end or 0.0) <= piece.offset_s + 0.05]
        return " ".join(words[-CONTEXT_WORDS:]) if CONTEXT_WORDS else ""

    def partial(self) -> Transcript:
        """The words of the pieces decoded so far, in order (gaps while an earlier piece is still decoding), then
        the latest preview of the unfinished piece."""
        words: list[Word] = []
        for index in sorted(self._results):
            words.extend(self._results[index])
        preview = self._preview
        # Shown until its piece's own words arrive (the words do not shrink between a cut and its decode).
        decoded = {p.start for p in self._pieces if p.index in self._results}
        if preview is not None and preview[0].start not in decoded and not self._finished:
            words.extend(preview[1])
        return Transcript(tuple(words), duration=self.total / SAMPLE_RATE)

    # ------------------------------------------------------------------ the end

    def finish(self, timeout_s: float | None = None) -> Transcript:
        """Decode what is left and return the whole transcript. Call once, after the last `feed()`."""
        if not self._finished:
            self._finished = True
            if self.total > self._cut and self._has_speech_since_cut():
                self._final_piece_s = (self.total - self._cut) / SAMPLE_RATE
                self._enqueue(self.total)
            self._queue.put(None)
        self._worker.join(timeout_s)
        if self._worker.is_alive():
            raise TimeoutError("the transcription did not finish in time")
        if self._error is not None:
            raise self._error
        words: list[Word] = []
        for piece in self._pieces:
            words.extend(self._results.get(piece.index, ()))
        return Transcript(tuple(words), duration=self.total / SAMPLE_RATE, language=self.transcriber.options.language)

    def audio(self) -> np.ndarray:
        return self._samples(0, self.total).copy()

    @property
    def stats(self) -> StreamingStats:
        return StreamingStats(len(self._pieces), self._decode_seconds, self.total / SAMPLE_RATE, self._final_piece_s,
                              self._speculations_used)

    def close(self, wait_s: float = 0.0) -> None:
        """Stop the worker without decoding the pieces still queued (the answer was abandoned). With `wait_s`,
        wait that long for a decode already running to end: a process about to exit (Ctrl-C) must not tear
        the model down under it (that crashed the interpreter at exit)."""
        if not self._finished:
            self._finished = True
            while True:
                try:
                    self._queue.get_nowait()
                except queue.Empty:
                    break
                self._queue.task_done()
            self._queue.put(None)
        if wait_s > 0:
            self._worker.join(wait_s)
