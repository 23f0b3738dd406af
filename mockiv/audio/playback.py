"""Play a recording (WAV/FLAC/OGG) through sounddevice, reporting the playback position as it goes.

The position callback runs on the calling thread (never on PortAudio's audio thread), so it may print or
update a UI. sounddevice is imported lazily: a missing PortAudio library or a machine with no output device
becomes one AudioError line, not a traceback.
"""

from __future__ import annotations

import os
import threading
from collections.abc import Callable
from pathlib import Path
from typing import Any

from mockiv.errors import AudioError

PositionCallback = Callable[[float], None]


def _sounddevice() -> Any:
    try:
        import sounddevice
    except OSError as error:  # "PortAudio library not found"
        raise AudioError("cannot play audio: the PortAudio library is missing (install libportaudio2); "
                         "use --no-audio to read the transcript without sound") from error
    return sounddevice


def read_audio(path: str | os.PathLike[str]) -> tuple[Any, int]:
    """Samples as float32 (frames x channels) and the sample rate; one AudioError line when unreadable."""
    import soundfile

    source = Path(path)
    if not source.exists():
        raise AudioError(f"the recording {source} is missing; use --no-audio to read the transcript without sound")
    try:
        samples, rate = soundfile.read(str(source), dtype="float32", always_2d=True)
    except (RuntimeError, soundfile.LibsndfileError) as error:
        raise AudioError(f"cannot read the recording {source}: {str(error).splitlines()[0]}") from error
    if len(samples) == 0:
        raise AudioError(f"the recording {source} holds no audio")
    return samples, int(rate)


def check_output(device: int | str | None = None) -> None:
    """Fail with one AudioError line, before anything is printed, when no output device can play."""
    sd = _sounddevice()
    try:
        sd.query_devices(device, kind="output")
    except (sd.PortAudioError, ValueError) as error:
        raise AudioError(f"cannot play audio: no output device ({str(error).splitlines()[0]}); "
                         "use --no-audio to read the transcript without sound") from error


def play(path: str | os.PathLike[str], on_position: PositionCallback | None = None, *,
         interval_s: float = 0.05, device: int | str | None = None, stop: threading.Event | None = None,
         start_s: float = 0.0, end_s: float | None = None) -> float:
    """Play the file from `start_s` to `end_s` (default the end; or until `stop` is set); call
    `on_position(seconds)` about every `interval_s`, in seconds from the file's start.

    Returns the seconds played. The position is what PortAudio has consumed minus its output latency, so a
    transcript driven by it appears as the words are heard. Starting part-way is an index into the samples
    already read: the first sample heard is the one at `start_s` (a finding's moment, mockiv.core.moments).
    """
    samples, rate = read_audio(path)
    sd = _sounddevice()
    first = min(max(0, round(start_s * rate)), len(samples))
    last = len(samples) if end_s is None else min(max(first, round(end_s * rate)), len(samples))
    samples = samples[first:last]
    if len(samples) == 0:
        return 0.0
    offset = first / rate
    played = 0
    finished = threading.Event()
    stop = stop or threading.Event()

    def feed(outdata: Any, frames: int, _time: Any, _status: Any) -> None:
        nonlocal played
        chunk = samples[played : played + frames]
        outdata[: len(chunk)] = chunk
        if len(chunk) < frames:
            outdata[len(chunk) :] = 0
            played += len(chunk)
            raise sd.CallbackStop
        played += frames

    try:
        stream = sd.OutputStream(samplerate=rate, channels=samples.shape[1], dtype="float32", callback=feed,
                                 finished_callback=finished.set, device=device)
    except (sd.PortAudioError, ValueError) as error:
        raise AudioError(f"cannot play audio: no usable output device ({str(error).splitlines()[0]}); "
                         "use --no-audio to read the transcript without sound") from error
    latency = float(stream.latency or 0.0)
    try:
        with stream:
            while not finished.wait(interval_s):
                if stop.is_set():
                    stream.abort()
                    break
                if on_position is not None:
                    on_position(offset + max(played / rate - latency, 0.0))
    except sd.PortAudioError as error:
        raise AudioError(f"audio playback failed ({str(error).splitlines()[0]}); "
                         "use --no-audio to read the transcript without sound") from error
    seconds = played / rate
    if on_position is not None:
        on_position(offset + (seconds if not stop.is_set() else max(seconds - latency, 0.0)))
    return seconds
