"""Record the microphone to a WAV that survives a crash, and hand every block on as it arrives.

The PortAudio callback only copies the block into a queue (`indata` is reused by PortAudio; pitfalls.md §2); a
writer thread resamples it to 16 kHz and appends it to `<name>.partial.wav`, and a third thread passes it on to
`on_audio` (voice activity and streaming transcription), so however long those take, no block waits for them to
reach the file (they used to share the writer thread, and kill -9 lost up to 1.9 s queued behind them). CPython's
`wave` rewrites the RIFF/data sizes on every `writeframes`, so the partial file is a valid WAV after kill -9; an
fsync about every second bounds what an OS crash can lose. A clean stop (including Ctrl-C) renames it to the final
name with `os.replace`. A device that disappears ends the recording with one line and keeps everything written so
far.
"""

from __future__ import annotations

import contextlib
import os
import queue
import threading
import time
import wave
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from mockiv.audio.devices import Device, describe_portaudio_error, resolve_input_device, sounddevice
from mockiv.audio.files import SAMPLE_RATE
from mockiv.errors import AudioError

PARTIAL_SUFFIX = ".partial.wav"
BLOCK_S = 0.1
FSYNC_INTERVAL_S = 1.0
# No block for this long while recording means the device went away (PortAudio does not always say so).
STALL_TIMEOUT_S = 2.0
FIRST_BLOCK_TIMEOUT_S = 5.0  # opening a stream can take a moment on a busy sound server

AudioHandler = Callable[[np.ndarray], None]


def partial_path_for(final_path: Path) -> Path:
    name = final_path.name.removesuffix(".wav")
    return final_path.with_name(name + PARTIAL_SUFFIX)


class StreamResampler:
    """Device rate to 16 kHz, with state across blocks (PyAV's libswresample: filtered, any ratio)."""

    def __init__(self, input_rate: int, output_rate: int = SAMPLE_RATE) -> None:
        self.input_rate = input_rate
        self.output_rate = output_rate
        self._resampler: Any = None
        if input_rate != output_rate:
            import av

            self._av = av
            self._resampler = av.AudioResampler(format="s16", layout="mono", rate=output_rate)

    def __call__(self, block: np.ndarray) -> np.ndarray:
        if self._resampler is None:
            return block
        frame = self._av.AudioFrame.from_ndarray(block.reshape(1, -1), format="s16", layout="mono")
        frame.sample_rate = self.input_rate
        return self._collect(self._resampler.resample(frame))

    def flush(self) -> np.ndarray:
        if self._resampler is None:
            return np.zeros(0, dtype=np.int16)
        return self._collect(self._resampler.resample(None))

    @staticmethod
    def _collect(frames: list[Any]) -> np.ndarray:
        if not frames:
            return np.zeros(0, dtype=np.int16)
        return np.concatenate([f.to_ndarray().reshape(-1) for f in frames]).astype(np.int16, copy=False)


class IncrementalWav:
    """A 16-bit mono WAV whose header is right after every write (readable after kill -9)."""

    def __init__(self, path: Path, rate: int = SAMPLE_RATE, fsync_interval_s: float = FSYNC_INTERVAL_S) -> None:
        self.path = path
        path.parent.mkdir(parents=True, exist_ok=True)
        # O_EXCL: never follow or overwrite an existing file or link; 0600: recordings are the user's alone.
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_NOFOLLOW", 0), 0o600)
        self._file = os.fdopen(fd, "wb")
        self._wave = wave.open(self._file, "wb")  # noqa: SIM115 - closed in close(), it outlives this method
        self._wave.setnchannels(1)
        self._wave.setsampwidth(2)
        self._wave.setframerate(rate)
        self._wave.writeframes(b"")  # a valid empty WAV on disk from the start
        self.frames = 0
        self._fsync_interval_s = fsync_interval_s
        self._last_sync = time.monotonic()
        self.sync()

    def write(self, samples: np.ndarray) -> None:
        if samples.size:
            self._wave.writeframes(samples.astype("<i2", copy=False).tobytes())
            self.frames += samples.size
        if time.monotonic() - self._last_sync >= self._fsync_interval_s:
            self.sync()

    def sync(self) -> None:
        self._file.flush()
        os.fsync(self._file.fileno())
        self._last_sync = time.monotonic()

    def close(self) -> None:
        if self._file.closed:
            return
        self._wave.close()  # patches the header a last time; does not close a file it did not open
        self.sync()
        self._file.close()


@dataclass(frozen=True, slots=True)
class Recording:
    path: Path
    duration_s: float
    device_name: str
    device_samplerate: int
    stop_reason: str  # "stopped", "interrupted", "device-lost"
    overflows: int
    peak_dbfs: float
    problem: str | None = None  # the one line to show the user, when something went wrong


def dbfs(peak: float) -> float:
    return float(20 * np.log10(max(peak, 1e-9)))


class Recorder:
    """One answer's recording. `start()`, then `stop()` (or use it as a context manager).

    `on_audio` receives each block as 16 kHz mono float32 in the writer thread, in order, after it is on disk.
    """

    def __init__(
        self,
        final_path: str | os.PathLike[str],
        device: str | int | None = None,
        on_audio: AudioHandler | None = None,
        partial_path: str | os.PathLike[str] | None = None,
        samplerate: int | None = None,
        block_s: float = BLOCK_S,
        stall_timeout_s: float = STALL_TIMEOUT_S,
    ) -> None:
        self.final_path = Path(final_path)
        self.partial_path = Path(partial_path) if partial_path else partial_path_for(self.final_path)
        self.device_spec = device
        self.on_audio = on_audio
        self.requested_samplerate = samplerate
        self.block_s = block_s
        self.stall_timeout_s = stall_timeout_s
        self.device: Device | None = None
        self.samplerate = 0
        self.overflows = 0
        self.peak = 0.0
        self.level = 0.0  # RMS of the latest block, for a level meter
        self.lost = threading.Event()  # the device went away
        self.failed: BaseException | None = None  # the writer thread's error (disk full ...)
        self.first_block_at: float | None = None  # time.monotonic() at which the first block began
        self._queue: queue.Queue[np.ndarray | None] = queue.Queue()
        self._handed_on: queue.Queue[np.ndarray | None] = queue.Queue()  # written blocks for on_audio, in order
        self._stream: Any = None
        self._writer: threading.Thread | None = None
        self._consumer: threading.Thread | None = None
        self._wav: IncrementalWav | None = None
        self._stopping = False
        self._last_block_at = 0.0
        self._blocks_seen = 0
        self._lost_reason = ""
        self._result: Recording | None = None

    # ------------------------------------------------------------------ lifecycle

    def start(self) -> Recorder:
        sd = sounddevice()
        self.device = resolve_input_device(self.device_spec)
        self.samplerate = self._pick_samplerate(sd, self.device)
        self._wav = IncrementalWav(self.partial_path)
        self._resample = StreamResampler(self.samplerate)
        try:
            self._stream = sd.InputStream(
                device=self.device.index,
                channels=1,
                samplerate=self.samplerate,
                dtype="int16",
                blocksize=max(1, int(self.samplerate * self.block_s)),
                # "high" (0.1 s and up) made PulseAudio's ALSA plugin start 1.7-2 s late and drop that audio;
                # the callback only copies, so a low latency costs nothing here.
                latency="low",
                callback=self._callback,
                finished_callback=self._on_stream_finished,
            )
            self._last_block_at = time.monotonic()
            self._writer = threading.Thread(target=self._write_loop, name="mockiv-recorder", daemon=True)
            self._writer.start()
            if self.on_audio is not None:
                self._consumer = threading.Thread(target=self._hand_on_loop, name="mockiv-recorder-consumers",
                                                  daemon=True)
                self._consumer.start()
            self._stream.start()
        except sd.PortAudioError as error:
            self._abandon()
            raise AudioError(f"cannot open the microphone {self.device.name!r}: {describe_portaudio_error(error)}; "
                             "pick another with --input-device (see `mockiv devices`)") from error
        return self

    def stop(self, reason: str = "stopped") -> Recording:
        """Stop, flush everything to disk and rename the partial file. Safe to call more than once."""
        self._stopping = True
        if self._stream is not None:
            with contextlib.suppress(Exception):  # a vanished device can fail to stop; the data is already queued
                self._stream.stop()
            with contextlib.suppress(Exception):
                self._stream.close()
            self._stream = None
        if self._writer is not None:
            self._queue.put(None)
            self._writer.join()
            self._writer = None
        if self._wav is not None:
            tail = self._resample.flush()
            self._wav.write(tail)
            if tail.size and self.failed is None:
                self._handed_on.put(tail.astype(np.float32) / 32768.0)  # after the writer stopped: still in order
            self._finish_handing_on()
            self._wav.close()
            os.replace(self.partial_path, self.final_path)
            frames = self._wav.frames
            self._wav = None
            self._result = Recording(
                path=self.final_path,
                duration_s=frames / SAMPLE_RATE,
                device_name=self.device.name if self.device else "?",
                device_samplerate=self.samplerate,
                stop_reason="device-lost" if self.lost.is_set() else reason,
                overflows=self.overflows,
                peak_dbfs=dbfs(self.peak),
                problem=self._problem(frames),
            )
        if self.failed is not None:
            raise self.failed
        if self._result is None:
            raise AudioError("the recording was never started")
        return self._result

    def __enter__(self) -> Recorder:
        return self.start()

    def __exit__(self, exc_type: Any, exc: Any, tb: Any) -> None:
        self.stop("interrupted" if exc_type is KeyboardInterrupt else "stopped")

    def check_alive(self) -> bool:
        """False once the device has gone (no block for `stall_timeout_s`, or PortAudio ended the stream)."""
        running = not self.lost.is_set() and not self._stopping and self._writer is not None
        limit = self.stall_timeout_s if self._blocks_seen else max(self.stall_timeout_s, FIRST_BLOCK_TIMEOUT_S)
        if running and time.monotonic() - self._last_block_at > limit:
            self._mark_lost(f"no audio for {limit:.0f} s")
        return not self.lost.is_set()

    # ------------------------------------------------------------------ internals

    def _pick_samplerate(self, sd: Any, device: Device) -> int:
        if self.requested_samplerate:
            return int(self.requested_samplerate)
        try:
            sd.check_input_settings(device=device.index, channels=1, dtype="int16", samplerate=SAMPLE_RATE)
            return SAMPLE_RATE
        except Exception:  # -9997 invalid sample rate on most hardware: record natively and resample
            return int(device.default_samplerate) or 48_000

    def _callback(self, indata: np.ndarray, frames: int, time_info: Any, status: Any) -> None:
        # Only a copy and a put here: no I/O, no locks (pitfalls.md §2).
        if status and status.input_overflow:
            self.overflows += 1
        if self.first_block_at is None:
            self.first_block_at = time.monotonic() - frames / self.samplerate
        self._queue.put(indata[:, 0].copy())

    def _on_stream_finished(self) -> None:
        if not self._stopping:
            self._mark_lost("the audio stream ended")

    def _mark_lost(self, why: str) -> None:
        if not self.lost.is_set():
            self._lost_reason = why
            self.lost.set()

    def _write_loop(self) -> None:
        assert self._wav is not None
        while True:
            try:
                block = self._queue.get(timeout=0.2)
            except queue.Empty:
                self.check_alive()
                continue
            if block is None:
                return
            self._last_block_at = time.monotonic()
            self._blocks_seen += 1
            try:
                samples = self._resample(block)
                self._wav.write(samples)
            except BaseException as error:  # disk full: stop writing, report it from stop()
                self.failed = error
                self._mark_lost(f"cannot write the recording: {error}")
                return
            if samples.size:
                audio = samples.astype(np.float32) / 32768.0
                self.level = float(np.sqrt(np.mean(np.square(audio))))
                self.peak = max(self.peak, float(np.abs(audio).max()))
                if self._consumer is not None:
                    self._handed_on.put(audio)

    def _hand_on_loop(self) -> None:
        """`on_audio` for every written block, in order, in its own thread: slow consumers never hold up the file."""
        assert self.on_audio is not None
        while (audio := self._handed_on.get()) is not None:
            self.on_audio(audio)

    def _finish_handing_on(self) -> None:
        """Wait until `on_audio` has had every block (the writer has stopped)."""
        if self._consumer is not None:
            self._handed_on.put(None)
            self._consumer.join()
            self._consumer = None

    def _problem(self, frames: int) -> str | None:
        if self.lost.is_set():
            return (f"the input device {self.device.name if self.device else ''!r} stopped delivering audio after "
                    f"{frames / SAMPLE_RATE:.1f} s ({self._lost_reason}); kept what was recorded in "
                    f"{self.final_path}")
        return None

    def _abandon(self) -> None:
        if self._writer is not None:
            self._queue.put(None)
            self._writer.join()
            self._writer = None
        self._finish_handing_on()
        if self._wav is not None:
            self._wav.close()
            self._wav = None
            with contextlib.suppress(OSError):
                self.partial_path.unlink()
