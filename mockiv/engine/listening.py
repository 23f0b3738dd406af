"""One spoken answer from the microphone: listen, know when the candidate has finished, and have the transcript
ready the moment they stop.

The microphone opens as soon as the question has been asked. Voice activity (Silero) hears the first word (the
answer has started), the pauses, and the end: `end_silence_s` of silence after speech, the question's time
budget, or nothing heard at all for `no_speech_timeout_s` (a muted microphone). A key ends it too, and a device
that stops delivering audio. The audio is written crash-safe as it arrives (mockiv.audio.capture) and transcribed
piece by piece while the candidate speaks (mockiv.asr.streaming), so only the last piece is left at the end.

Every callback comes from the recorder's writer thread; `press`/`stop` may come from any thread.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any, Protocol

from mockiv.asr.streaming import PREVIEW_EVERY_S
from mockiv.core.transcript import Transcript

if TYPE_CHECKING:  # numpy loads with the first audio, not when the app starts
    import numpy as np

# A microphone quieter than this never carried speech (same floor as mockiv.audio.files.SILENCE_RMS).
SILENT_MIC_DBFS = -60.0
# dBFS mapped onto a level meter: -60 dBFS (silence) is empty, 0 dBFS full.
METER_FLOOR_DBFS = -60.0
POLL_S = 0.05
ABANDON_WAIT_S = 5.0  # the longest a piece being decoded is waited for when an answer is given up


def meter_level(rms: float) -> float:
    """A block's RMS as 0..1 for a level meter (dB scale)."""
    import numpy as np
    db = 20 * np.log10(max(rms, 1e-9))
    return float(min(1.0, max(0.0, (db - METER_FLOOR_DBFS) / -METER_FLOOR_DBFS)))


class Microphone(Protocol):
    """What mockiv.audio.capture.Recorder offers: start, stop with a reason, and whether the device is alive."""

    def start(self) -> Any: ...

    def stop(self, reason: str = ...) -> Any: ...

    def check_alive(self) -> bool: ...


# (final WAV path, partial WAV path or None, the handler for each 16 kHz float32 block) -> a microphone
MicrophoneFactory = Callable[[Path, "Path | None", Callable[["np.ndarray"], None]], Microphone]


@dataclass(frozen=True, slots=True)
class ListenSettings:
    end_silence_s: float = 2.5
    # With nothing heard this long after the question (plus its thinking time), the microphone is probably muted.
    no_speech_timeout_s: float = 15.0
    # Decode the unfinished piece this often for the live words (None: only finished pieces; a view that shows no
    # words, like a rehearsal, saves the work).
    preview_every_s: float | None = PREVIEW_EVERY_S


class ListenEvents(Protocol):
    def level(self, level: float) -> None: ...

    def answer_started(self) -> None: ...

    def partial_transcript(self, transcript: Transcript) -> None: ...


@dataclass(frozen=True, slots=True)
class SpokenAnswer:
    """What one take produced. `problem` is the one line to show when it ended badly (silent mic, lost device,
    nothing said); the recording is kept either way."""

    audio_path: Path
    audio: np.ndarray
    transcript: Transcript
    stop_reason: str  # silence, key, time-budget, no-speech, device-lost
    heard_speech: bool
    problem: str | None
    duration_s: float
    overflows: int
    transcript_latency_s: float
    pieces: int


class Take:
    """One answer through the microphone. `start()`, then `wait()` for the end (or `press()`/`stop()` from
    another thread), then `finish()`; `abandon()` when the answer is given up (Ctrl-C, quitting)."""

    def __init__(self, transcriber: Any, final_path: Path, partial_path: Path | None, *, settings: ListenSettings,
                 time_budget_s: float | None, thinking_time_s: float, events: ListenEvents,
                 open_microphone: MicrophoneFactory, speech_probability: Any = None) -> None:
        from mockiv.asr.streaming import StreamingTranscriber
        from mockiv.audio.vad import EndOfAnswer, EndpointSettings, VoiceActivity

        self.events = events
        self.activity = VoiceActivity(speech_probability)
        self.streamer = StreamingTranscriber(transcriber, self.activity, on_partial=events.partial_transcript,
                                             preview_every_s=settings.preview_every_s)
        # The budget is the answer's: it runs from the first word (or the key), as the app's clock does; before
        # that only the no-speech timeout (plus the question's thinking time) can end the take.
        self.endpoint = EndOfAnswer(self.activity, EndpointSettings(
            end_silence_s=settings.end_silence_s,
            time_budget_s=None,
            no_speech_timeout_s=settings.no_speech_timeout_s + thinking_time_s,
        ))
        self.time_budget_s = time_budget_s
        self._started_at_s: float | None = None  # audio time of the first word (or of the key)
        self.final_path = final_path
        self._chunks: list[np.ndarray] = []
        self._key = threading.Event()
        self._stop_reason: str | None = None
        self._started = threading.Event()  # the first word, or a key before it
        self.microphone = open_microphone(final_path, partial_path, self._on_audio)

    @property
    def answer_started(self) -> bool:
        return self._started.is_set()

    def _on_audio(self, block: np.ndarray) -> None:
        import numpy as np
        self._chunks.append(block)
        self.streamer.feed(block)
        self.events.level(meter_level(float(np.sqrt(np.mean(np.square(block)))) if block.size else 0.0))
        if self.activity.heard_speech and not self._started.is_set():
            self._started_at_s = self.activity.speech_started_s
            self._started.set()
            self.events.answer_started()

    def start(self) -> None:
        """Open the microphone; an error leaves nothing running."""
        try:
            self.microphone.start()
        except BaseException:
            self.streamer.close()
            raise

    def press(self) -> None:
        """The answer key: before the first word it starts the answer, after it ends the answer."""
        if self._started.is_set():
            self.stop("key")
        else:
            self._started_at_s = self.activity.now_s
            self._started.set()
            self.events.answer_started()

    def stop(self, reason: str = "key") -> None:
        if self._stop_reason is None:
            self._stop_reason = reason
        self._key.set()

    def wait(self) -> str:
        """Block until the answer ends; returns why."""
        while not self._key.wait(POLL_S):
            if not self.microphone.check_alive():
                return "device-lost"
            reason = self.endpoint.reason
            if reason is not None:
                return str(reason)
            started = self._started_at_s
            if (self.time_budget_s is not None and started is not None
                    and self.activity.now_s - started >= self.time_budget_s):
                return "time-budget"
        return self._stop_reason or "key"

    def finish(self, reason: str) -> SpokenAnswer:
        """Stop the microphone, decode what is left, and say what went wrong if anything did."""
        import numpy as np
        ended = time.perf_counter()
        try:
            recording = self.microphone.stop(reason)
        except BaseException:
            self.streamer.close()
            raise
        transcript = self.streamer.finish()
        latency = time.perf_counter() - ended
        heard = self.activity.heard_speech and bool(transcript.words)
        problem = recording.problem
        if problem is None and not heard:
            problem = no_speech_line(recording.peak_dbfs, recording.duration_s, recording.path)
        audio = np.concatenate(self._chunks) if self._chunks else np.zeros(0, dtype=np.float32)
        return SpokenAnswer(Path(recording.path), audio, transcript, recording.stop_reason, heard, problem,
                            recording.duration_s, recording.overflows, latency, self.streamer.stats.pieces)

    def abandon(self) -> Any:
        """Stop without transcribing (interrupted): the recording is kept under its final name."""
        try:
            return self.microphone.stop("interrupted")
        finally:
            self.streamer.close(wait_s=ABANDON_WAIT_S)


def no_speech_line(peak_dbfs: float, duration_s: float, path: Path) -> str:
    if peak_dbfs < SILENT_MIC_DBFS:
        return (f"the microphone is silent (peak level {peak_dbfs:.0f} dBFS in {duration_s:.0f} s): check that it "
                f"is on, not muted, and the right one (`mockiv devices`); the recording is kept in {path}")
    return (f"no speech was heard in {duration_s:.0f} s (peak level {peak_dbfs:.0f} dBFS); the recording is kept "
            f"in {path}")


def real_microphone(device: str | int | None = None, samplerate: int | None = None) -> MicrophoneFactory:
    """The factory for the real input device (mockiv.audio.capture.Recorder)."""

    def open_microphone(final_path: Path, partial_path: Path | None,
                        on_audio: Callable[[np.ndarray], None]) -> Microphone:
        from mockiv.audio.capture import Recorder

        return Recorder(final_path, device=device, on_audio=on_audio, partial_path=partial_path,
                        samplerate=samplerate)

    return open_microphone
