"""Playback through a real output device (the virtual PulseAudio speaker `scripts/test` starts)."""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import time
from pathlib import Path

import numpy as np
import pytest
import soundfile

from mockiv.audio import playback
from mockiv.cli import main
from mockiv.errors import AudioError
from mockiv.store import Store
from tests.store.helpers import populate, write_wav

needs_speaker = pytest.mark.skipif(
    not os.environ.get("PULSE_SERVER") or not shutil.which("parec"),
    reason="no virtual PulseAudio speaker: run through scripts/test (it starts scripts/pulse)")


@pytest.mark.audio
@needs_speaker
def test_playback_reaches_the_speaker_and_reports_its_position(tmp_path: Path) -> None:
    wav = write_wav(tmp_path / "answer.wav", 1.5)
    captured = tmp_path / "speaker.wav"
    speaker = os.environ.get("MOCKIV_PULSE_SPEAKER", "mockiv_speaker")
    recorder = subprocess.Popen(["parec", f"--device={speaker}.monitor", "--file-format=wav", "--channels=1",
                                 "--rate=16000", str(captured)], stdin=subprocess.DEVNULL)
    try:
        time.sleep(0.3)
        positions: list[float] = []
        played = playback.play(wav, positions.append, interval_s=0.05)
        time.sleep(0.3)
    finally:
        recorder.send_signal(signal.SIGINT)
        recorder.wait(timeout=10)
    assert played == pytest.approx(1.5, abs=0.01)
    assert len(positions) >= 10 and positions == sorted(positions) and positions[-1] == pytest.approx(1.5, abs=0.01)
    heard, _ = soundfile.read(str(captured), dtype="float32")
    assert float(np.sqrt(np.mean(np.square(heard)))) > 0.05  # the tone came out of the speaker


@pytest.mark.audio
@needs_speaker
def test_replay_plays_a_session_answer(store: Store, capsys: pytest.CaptureFixture[str]) -> None:
    (session_id,) = populate(store, sessions=1, answers=1)
    assert main(["replay", session_id, "--answer", "1"]) == 0
    out = capsys.readouterr().out
    assert "⚑we-without-i [(Um,) so]" in out and "40%." in out


def test_an_unreadable_recording_is_one_line(tmp_path: Path) -> None:
    broken = tmp_path / "broken.wav"
    broken.write_bytes(b"RIFF....WAVEnothing")
    with pytest.raises(AudioError, match="cannot read the recording") as error:
        playback.read_audio(broken)
    assert "\n" not in str(error.value)
    with pytest.raises(AudioError, match="is missing"):
        playback.read_audio(tmp_path / "gone.wav")


def test_no_output_device_is_one_line(store: Store, monkeypatch: pytest.MonkeyPatch,
                                      capsys: pytest.CaptureFixture[str]) -> None:
    """A machine without sound: PortAudio finds no output device; the user gets one line, no traceback."""
    import sounddevice

    def no_device(*args: object, **kwargs: object) -> None:
        raise sounddevice.PortAudioError("Error querying device -1")

    monkeypatch.setattr(sounddevice, "query_devices", no_device)
    (session_id,) = populate(store, sessions=1, answers=1)
    assert main(["replay", session_id]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "no output device" in err and "--no-audio" in err


def test_a_missing_portaudio_library_is_one_line(monkeypatch: pytest.MonkeyPatch) -> None:
    import builtins

    real_import = builtins.__import__

    def without_portaudio(name: str, *args: object, **kwargs: object) -> object:
        if name == "sounddevice":
            raise OSError("PortAudio library not found")
        return real_import(name, *args, **kwargs)

    monkeypatch.setattr(builtins, "__import__", without_portaudio)
    with pytest.raises(AudioError, match="PortAudio library is missing"):
        playback.check_output()
