"""Audio input: any container, rate and channel count becomes 16 kHz mono; bad input gets one clear line."""

from __future__ import annotations

import subprocess
import wave
from pathlib import Path

import numpy as np
import pytest

from mockiv.audio.files import SAMPLE_RATE, load_audio
from mockiv.errors import AudioError, UserInputError
from tests.support.speech_fixtures import FLUENT, synthesize


@pytest.fixture(scope="module")
def speech_wav(speech_dir: Path) -> Path:
    return synthesize(FLUENT[1], speech_dir)


@pytest.mark.parametrize("suffix, options", [(".flac", ("rate", "44100")), (".ogg", ("rate", "48000")),
                                             (".wav", ("rate", "8000"))])
def test_other_rates_and_stereo_become_16k_mono(speech_wav: Path, tmp_path: Path, suffix: str,
                                                options: tuple[str, ...]) -> None:
    reference = load_audio(speech_wav)
    converted = tmp_path / f"answer{suffix}"
    subprocess.run(["sox", str(speech_wav), "-c", "2", str(converted), *options], check=True, capture_output=True)
    audio = load_audio(converted)
    assert audio.dtype == np.float32 and audio.ndim == 1
    assert abs(audio.size - reference.size) < SAMPLE_RATE * 0.1
    assert 0.05 < float(np.abs(audio).max()) <= 1.0


def test_mp3(speech_wav: Path, tmp_path: Path) -> None:
    import av

    reference = load_audio(speech_wav)
    out = tmp_path / "answer.mp3"
    with av.open(str(out), "w") as container:
        stream = container.add_stream("libmp3lame", rate=SAMPLE_RATE)
        pcm = (reference * 32767).astype(np.int16).reshape(1, -1)
        frame = av.AudioFrame.from_ndarray(pcm, format="s16", layout="mono")
        frame.sample_rate = SAMPLE_RATE
        for packet in stream.encode(frame):
            container.mux(packet)
        for packet in stream.encode(None):
            container.mux(packet)
    audio = load_audio(out)
    assert abs(audio.size - reference.size) < SAMPLE_RATE * 0.2


def write_wav(path: Path, samples: np.ndarray, rate: int = SAMPLE_RATE) -> Path:
    with wave.open(str(path), "wb") as handle:
        handle.setnchannels(1)
        handle.setsampwidth(2)
        handle.setframerate(rate)
        handle.writeframes((np.clip(samples, -1, 1) * 32767).astype(np.int16).tobytes())
    return path


def test_missing_and_folder(tmp_path: Path) -> None:
    with pytest.raises(UserInputError, match="no such file"):
        load_audio(tmp_path / "nope.wav")
    with pytest.raises(UserInputError, match="is a folder"):
        load_audio(tmp_path)


def test_empty_file(tmp_path: Path) -> None:
    (tmp_path / "empty.wav").write_bytes(b"")
    with pytest.raises(AudioError, match="empty"):
        load_audio(tmp_path / "empty.wav")


def test_header_only_wav_is_empty(tmp_path: Path) -> None:
    with pytest.raises(AudioError, match=r"empty|decode"):
        load_audio(write_wav(tmp_path / "header.wav", np.zeros(0)))


def test_corrupt_file(tmp_path: Path) -> None:
    (tmp_path / "corrupt.wav").write_bytes(b"RIFF\x10\x00\x00\x00WAVEjunk" + bytes(range(256)) * 20)
    with pytest.raises(AudioError, match="cannot decode"):
        load_audio(tmp_path / "corrupt.wav")


def test_silent_recording(tmp_path: Path) -> None:
    rng = np.random.default_rng(1)
    with pytest.raises(AudioError, match="silent"):
        load_audio(write_wav(tmp_path / "silent.wav", rng.normal(0, 0.0001, SAMPLE_RATE * 3)))


def test_over_long_recording(tmp_path: Path) -> None:
    tone = 0.1 * np.sin(np.arange(SAMPLE_RATE * 4) / SAMPLE_RATE * 2 * np.pi * 220)
    path = write_wav(tmp_path / "long.wav", tone)
    with pytest.raises(AudioError, match="longer than"):
        load_audio(path, max_duration_s=3)
    assert load_audio(path, max_duration_s=5).size == tone.size
