"""Adapters from the real audio pieces (`mockiv.audio.capture`, `mockiv.audio.playback`) to the app's small
Recorder and Player interfaces. Imported only by `build_services`, so tests of the app never touch PortAudio."""

from __future__ import annotations

import tempfile
import threading
from pathlib import Path

import numpy as np

from mockiv import paths
from mockiv.core.transcript import Transcript
from mockiv.tui.services import LevelCallback, Recording

PARTIAL_SUFFIX = ".partial.wav"
# dBFS mapped onto the meter: -60 dBFS (silence) is empty, 0 dBFS full.
METER_FLOOR_DBFS = -60.0


def meter_level(rms: float) -> float:
    db = 20 * np.log10(max(rms, 1e-9))
    return float(min(1.0, max(0.0, (db - METER_FLOOR_DBFS) / -METER_FLOOR_DBFS)))


class MicrophoneRecorder:
    """One answer from the default input device, written crash-safe by `mockiv.audio.capture.Recorder`."""

    def __init__(self, device: str | int | None = None) -> None:
        self.device = device
        self._chunks: list[np.ndarray] = []
        self._lock = threading.Lock()
        self._recorder: object | None = None
        self._stream: object | None = None
        self._transcriber: object | None = None

    def stream_to(self, transcriber: object) -> None:
        """Transcribe finished pieces while the candidate speaks (`mockiv.asr.streaming`), so only the last
        piece is left when they stop. Call before `start`."""
        self._transcriber = transcriber

    def start(self, path: Path | None, on_level: LevelCallback) -> None:
        from mockiv.audio.capture import Recorder

        if path is None:  # not saved in a session: a private scratch file
            path = Path(tempfile.mkdtemp(dir=paths.sub_dir("tmp"))) / f"answer{PARTIAL_SUFFIX}"
        name = path.name
        final = path.with_name(name[: -len(PARTIAL_SUFFIX)] + ".wav") if name.endswith(PARTIAL_SUFFIX) else path
        partial = path if name.endswith(PARTIAL_SUFFIX) else None

        if self._transcriber is not None:
            from mockiv.asr.streaming import StreamingTranscriber

            self._stream = StreamingTranscriber(self._transcriber)  # type: ignore[arg-type]
        stream = self._stream

        def on_audio(block: np.ndarray) -> None:
            with self._lock:
                self._chunks.append(block)
            if stream is not None:
                stream.feed(block)  # type: ignore[attr-defined]
            on_level(meter_level(float(np.sqrt(np.mean(np.square(block)))) if block.size else 0.0))

        recorder = Recorder(final, device=self.device, on_audio=on_audio, partial_path=partial)
        recorder.start()
        self._recorder = recorder

    def snapshot(self) -> np.ndarray:
        with self._lock:
            return np.concatenate(self._chunks) if self._chunks else np.zeros(0, dtype=np.float32)

    def partial(self) -> Transcript | None:
        """The words decoded so far (None when not streaming)."""
        return self._stream.partial() if self._stream is not None else None  # type: ignore[attr-defined]

    def finish_transcript(self) -> Transcript | None:
        """After `stop`: the whole transcript, decoding only what was left (None when not streaming)."""
        return self._stream.finish() if self._stream is not None else None  # type: ignore[attr-defined]

    def stop(self) -> Recording:
        recorder = self._recorder
        if recorder is None:
            raise RuntimeError("the recording was never started")
        try:
            result = recorder.stop()  # type: ignore[attr-defined]
        except BaseException:
            if self._stream is not None:
                self._stream.close()  # type: ignore[attr-defined]
            raise
        self._recorder = None
        return Recording(self.snapshot(), Path(result.path))


def check_microphone(device: str | int | None = None) -> None:
    """Raises a one-line AudioError when there is no usable input device."""
    from mockiv.audio.devices import resolve_input_device

    resolve_input_device(device)


class AudioPlayer:
    """Plays a recording in the calling (worker) thread; `position` follows what has been heard."""

    def __init__(self) -> None:
        self._stop = threading.Event()
        self.position: float | None = None

    def play(self, path: Path, start_s: float = 0.0) -> None:
        from mockiv.audio import playback

        self._stop = threading.Event()
        source = path
        scratch: Path | None = None
        if start_s > 0:
            import soundfile

            samples, rate = playback.read_audio(path)
            scratch = Path(tempfile.mkstemp(dir=paths.sub_dir("tmp"), suffix=".wav")[1])
            soundfile.write(str(scratch), samples[int(start_s * rate):], rate)
            source = scratch

        def at(seconds: float) -> None:
            self.position = start_s + seconds

        try:
            playback.play(source, at, stop=self._stop)
        finally:
            self.position = None
            if scratch is not None:
                scratch.unlink(missing_ok=True)

    def stop(self) -> None:
        self._stop.set()
