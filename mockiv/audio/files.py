"""Load any audio file PyAV can decode (wav, flac, ogg, mp3; any rate; stereo) as 16 kHz mono float32.

Every failure a user can cause (missing, empty, corrupt, silent, over-long) becomes one AudioError line.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from mockiv.errors import AudioError, UserInputError

if TYPE_CHECKING:  # numpy loads with the first audio, not when the app starts
    import numpy as np

SAMPLE_RATE = 16_000
MAX_DURATION_S = 15 * 60
# Below this RMS (about -60 dBFS) the recording holds no usable speech.
SILENCE_RMS = 0.001


def check_not_silent(audio: np.ndarray, source: str) -> None:
    import numpy as np
    if audio.size == 0:
        raise AudioError(f"{source}: the audio is empty (0 samples); record again or pick another file")
    # Judge loudness on the loudest 100 ms block, so a mostly quiet answer still passes.
    block = SAMPLE_RATE // 10
    usable = audio[: audio.size - audio.size % block] if audio.size >= block else audio
    blocks = usable.reshape(-1, block) if usable.size >= block else usable.reshape(1, -1)
    # Around each block's mean: a constant signal is no sound at any level (an all-NaN float WAV decodes to -1.0).
    varying = blocks - blocks.mean(axis=1, keepdims=True, dtype=np.float64)
    loudest = float(np.sqrt(np.mean(np.square(varying), axis=1)).max())
    if loudest < SILENCE_RMS:
        raise AudioError(
            f"{source}: the recording is silent (peak level {20 * np.log10(max(loudest, 1e-12)):.0f} dBFS); "
            "check that the microphone is on and not muted"
        )


def probe_duration(path: Path) -> float | None:
    """Duration from the container header, without decoding (None when the container does not say)."""
    import av

    try:
        with av.open(str(path), metadata_errors="ignore") as container:
            if container.duration:
                return container.duration / 1_000_000
            stream = next((s for s in container.streams if s.type == "audio"), None)
            if stream is not None and stream.duration and stream.time_base:
                return float(stream.duration * stream.time_base)
    except Exception:  # decode_audio below reports the real problem
        return None
    return None


def load_audio(path: str | Path, max_duration_s: float = MAX_DURATION_S) -> np.ndarray:
    """Decode to 16 kHz mono float32 in [-1, 1]."""
    import numpy as np
    path = Path(path)
    if not path.exists():
        raise UserInputError(f"{path}: no such file")
    if path.is_dir():
        raise UserInputError(f"{path}: is a folder, not an audio file")
    if path.stat().st_size == 0:
        raise AudioError(f"{path}: the file is empty (0 bytes); record again or pick another file")
    duration = probe_duration(path)
    if duration is not None and duration > max_duration_s:
        raise AudioError(
            f"{path}: {duration / 60:.1f} minutes is longer than the {max_duration_s / 60:.0f}-minute limit "
            "for one answer; trim it (for example with sox) and try again"
        )
    from faster_whisper.audio import decode_audio

    try:
        audio = decode_audio(str(path), sampling_rate=SAMPLE_RATE)
    except Exception as error:  # PyAV raises many types (InvalidDataError, ValueError, ...)
        raise AudioError(
            f"{path}: cannot decode this audio ({type(error).__name__}); is it a complete wav, flac, ogg or "
            "mp3 file?"
        ) from error
    audio = np.asarray(audio, dtype=np.float32)
    if audio.size / SAMPLE_RATE > max_duration_s:
        raise AudioError(
            f"{path}: longer than the {max_duration_s / 60:.0f}-minute limit for one answer; trim it and try again"
        )
    check_not_silent(audio, str(path))
    return audio


MP3_BIT_RATE = 32_000  # speech at 16 kHz mono: 4 kB per second, clear enough to hear every word


def encode_mp3(audio: np.ndarray, rate: int = SAMPLE_RATE) -> bytes:
    """16 kHz mono float32 as MP3 (PyAV's libmp3lame): what every browser plays, at a tenth of a WAV's size, so
    an HTML report can carry its recordings inside it."""
    import io

    import av
    import numpy as np

    buffer = io.BytesIO()
    pcm = (np.clip(audio, -1.0, 1.0) * 32767).astype(np.int16)[None, :]
    with av.open(buffer, "w", format="mp3") as out:
        stream = out.add_stream("libmp3lame", rate=rate)
        stream.layout = "mono"
        stream.bit_rate = MP3_BIT_RATE
        frame = av.AudioFrame.from_ndarray(pcm, format="s16", layout="mono")
        frame.sample_rate = rate
        for packet in (*stream.encode(frame), *stream.encode(None)):
            out.mux(packet)
    return buffer.getvalue()
