"""Recording through the real audio path: speech played into the virtual microphone, recorded by sounddevice."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
import wave
from pathlib import Path

import numpy as np
import pytest

from mockiv.audio.files import SAMPLE_RATE, load_audio
from tests.live.conftest import REPO, play_into_microphone
from tests.support.evaluation import word_error_rate
from tests.support.speech_fixtures import DISFLUENT, FLUENT, synthesize

pytestmark = pytest.mark.audio


def wav_info(path: Path) -> tuple[int, int, float]:
    with wave.open(str(path), "rb") as handle:
        return handle.getframerate(), handle.getnchannels(), handle.getnframes() / handle.getframerate()


def aligned_similarity(original: np.ndarray, recorded: np.ndarray) -> float:
    """Correlation of the original with the recording at their best alignment (1.0: identical)."""
    size = 1 << int(np.ceil(np.log2(original.size + recorded.size)))
    spectrum = np.fft.rfft(recorded, size) * np.conj(np.fft.rfft(original, size))
    lag = int(np.argmax(np.fft.irfft(spectrum, size)))
    lag = lag if lag < size // 2 else lag - size
    # A null sink rewinds when a stream starts playing, so its monitor can miss ~0.1 s at the very start of the
    # playback (a real microphone has no such rewind); on a loaded 2-core machine that grew to a few tenths.
    # More than half a second would be audio lost by mockiv.
    if lag < -SAMPLE_RATE // 2:
        return 0.0
    original = original[max(0, -lag):]
    piece = recorded[max(0, lag):max(0, lag) + original.size]
    if piece.size < original.size * 0.97:
        return 0.0  # the end of the answer is missing
    reference = original[: piece.size]
    return float(np.dot(piece, reference) / (np.linalg.norm(piece) * np.linalg.norm(reference) + 1e-12))


def record_fixture(path: Path, speech: Path, samplerate: int | None = None) -> object:
    from mockiv.audio.capture import Recorder

    blocks: list[np.ndarray] = []
    recorder = Recorder(path, on_audio=blocks.append, samplerate=samplerate).start()
    player = play_into_microphone(speech)
    assert player.wait(30) == 0
    time.sleep(0.4)  # the last block reaches the recorder
    recording = recorder.stop()
    recording_blocks = np.concatenate(blocks)
    return recording, recording_blocks


@pytest.mark.parametrize("samplerate", [None, 44_100, 48_000], ids=["16k", "44.1k-resampled", "48k-resampled"])
def test_recorded_speech_is_16k_and_transcribes_like_the_original(
    pulse: str, tmp_path: Path, speech_dir: Path, transcriber, samplerate: int | None  # type: ignore[no-untyped-def]
) -> None:
    fixture = FLUENT[0]
    speech = synthesize(fixture, speech_dir)
    recording, blocks = record_fixture(tmp_path / "answer.wav", speech, samplerate)

    assert recording.path == tmp_path / "answer.wav" and recording.path.exists()
    assert not (tmp_path / "answer.partial.wav").exists()  # renamed on a clean stop
    rate, channels, duration = wav_info(recording.path)
    assert (rate, channels) == (SAMPLE_RATE, 1)
    original = load_audio(speech).size / SAMPLE_RATE
    assert duration >= original - 0.3  # nothing of the answer is missing
    assert recording.device_samplerate == (samplerate or SAMPLE_RATE)
    # What the consumers got is exactly what is on disk.
    assert blocks.size == pytest.approx(duration * SAMPLE_RATE, abs=1)
    assert recording.stop_reason == "stopped" and recording.problem is None
    assert oct(recording.path.stat().st_mode & 0o777) == "0o600"
    # The recording is the played speech itself: aligned, the two waveforms match (resampling twice, by
    # PulseAudio to the device rate and by mockiv back to 16 kHz, blurs it a little).
    assert aligned_similarity(load_audio(speech), load_audio(recording.path)) >= 0.95
    # And it still reads as the answer (one word of this short clip is 4 points: a loose bound).
    text = transcriber.transcribe_file(recording.path).text
    assert word_error_rate(fixture.reference, text) <= 0.35, text


RECORD_SCRIPT = """
import sys, time
from mockiv.audio.capture import Recorder
recorder = Recorder(sys.argv[1]).start()
print("recording", flush=True)
time.sleep(60)
"""


def test_kill_9_leaves_a_readable_partial_wav(pulse: str, tmp_path: Path, speech_dir: Path) -> None:
    speech = synthesize(DISFLUENT[1], speech_dir)  # about 10 s
    final = tmp_path / "answer.wav"
    process = subprocess.Popen([sys.executable, "-c", RECORD_SCRIPT, str(final)], cwd=REPO, stdout=subprocess.PIPE,
                               stderr=subprocess.DEVNULL, text=True)
    assert process.stdout is not None and process.stdout.readline().strip() == "recording"
    player = play_into_microphone(speech)
    partial = tmp_path / "answer.partial.wav"
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline and (not partial.exists() or wav_info(partial)[2] < 3.0):
        time.sleep(0.05)  # wait for 3 s of audio on disk, however busy the machine is
    os.kill(process.pid, signal.SIGKILL)
    process.wait(10)
    player.kill()
    player.wait()

    assert partial.exists() and not final.exists()
    rate, channels, duration = wav_info(partial)  # the header matches the data: stdlib wave reads it as is
    assert (rate, channels) == (SAMPLE_RATE, 1)
    assert partial.stat().st_size == 44 + int(duration * SAMPLE_RATE) * 2
    # Every block written before the kill is there, readable: the header was patched on each write.
    assert duration >= 3.0
    audio = load_audio(partial)
    assert float(np.abs(audio).max()) > 0.05  # real speech, not zeros


def test_a_device_that_disappears_ends_the_recording_with_one_line_and_keeps_the_audio(
    pulse: str, tmp_path: Path, speech_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A second private sound server stands for a USB microphone: stopping it mid-answer pulls the device away."""
    from mockiv.audio.capture import Recorder

    env = {k: v for k, v in os.environ.items() if k not in ("PULSE_SERVER", "MOCKIV_PULSE_DIR")}
    exports = subprocess.run([str(REPO / "scripts" / "pulse"), "start"], env=env, capture_output=True, text=True,
                             check=True, stdin=subprocess.DEVNULL).stdout
    second = dict(line.removeprefix("export ").split("=", 1) for line in exports.splitlines())
    second_env = {**env, **second}
    try:
        monkeypatch.setenv("PULSE_SERVER", second["PULSE_SERVER"])
        recorder = Recorder(tmp_path / "answer.wav").start()
        player = play_into_microphone(synthesize(DISFLUENT[1], speech_dir), env=second_env)
        time.sleep(3.0)
    finally:
        subprocess.run([str(REPO / "scripts" / "pulse"), "stop"], env=second_env, check=True,
                       stdin=subprocess.DEVNULL, capture_output=True)
    player.wait(10)
    deadline = time.monotonic() + 10
    while recorder.check_alive() and time.monotonic() < deadline:
        time.sleep(0.05)
    recording = recorder.stop()

    assert recording.stop_reason == "device-lost"
    assert recording.problem is not None and "\n" not in recording.problem
    assert "stopped delivering audio" in recording.problem and str(recording.path) in recording.problem
    _, _, duration = wav_info(recording.path)
    assert duration >= 2.0  # what was said before the device went away is kept
    assert float(np.abs(load_audio(recording.path)).max()) > 0.05


def test_a_slow_consumer_never_holds_up_the_file(pulse: str, tmp_path: Path) -> None:
    """Voice activity and streaming transcription can fall behind on a busy machine; what is on disk must not
    (they shared the writer thread, and kill -9 lost the 1-2 s queued behind them)."""
    from mockiv.audio.capture import Recorder

    handed_on: list[int] = []

    def slow(block: np.ndarray) -> None:
        time.sleep(0.5)  # five times slower than the audio arrives
        handed_on.append(block.size)

    recorder = Recorder(tmp_path / "answer.wav", on_audio=slow).start()
    try:
        deadline = time.monotonic() + 30
        while recorder.first_block_at is None and time.monotonic() < deadline:
            time.sleep(0.01)
        assert recorder.first_block_at is not None
        time.sleep(3.0)
        delivered = time.monotonic() - recorder.first_block_at
        on_disk = wav_info(tmp_path / "answer.partial.wav")[2]
        assert delivered - on_disk <= 0.5, (delivered, on_disk)
    finally:
        recording = recorder.stop()
    # Every block still reaches the consumer, in full, once the recording stops.
    assert sum(handed_on) == pytest.approx(recording.duration_s * SAMPLE_RATE, abs=1)


def test_kill_9_or_ctrl_c_loses_at_most_half_a_second(pulse: str, speech_dir: Path) -> None:
    """Killed at random moments of a spoken answer streamed to Whisper, as in practice (scripts/bench: 10 kills)."""
    from tests.support.capture_loss import worst_loss

    losses = worst_loss(3, synthesize(DISFLUENT[1], speech_dir), seed=14)
    assert max(losses) <= 0.5, losses
    # Ctrl-C stops cleanly: the recording keeps everything the device delivered up to the key.
    (interrupted,) = worst_loss(1, synthesize(DISFLUENT[1], speech_dir), seed=15, signum=signal.SIGINT)
    assert interrupted <= 0.5, interrupted
