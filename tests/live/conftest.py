"""The real audio path without hardware: a private PulseAudio server with null sinks (scripts/pulse).

scripts/test starts it and exports PULSE_SERVER, PULSE_SOURCE (the virtual microphone's monitor) and PULSE_SINK
(the virtual speaker). Speech is played into the microphone sink with paplay and recorded by mockiv through
sounddevice; what mockiv says is recorded from the speaker's monitor with parec. Tests that need it are marked
`audio` and skipped, with the reason, only when no such server is reachable.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
MIC = os.environ.get("MOCKIV_PULSE_MIC", "mockiv_mic")
SPEAKER = os.environ.get("MOCKIV_PULSE_SPEAKER", "mockiv_speaker")


def pulse_reachable() -> str | None:
    """None when a mockiv PulseAudio server answers; else why not."""
    if not os.environ.get("PULSE_SERVER"):
        return "no PulseAudio server: run the tests with scripts/test (it starts one with scripts/pulse)"
    if shutil.which("pactl") is None or shutil.which("paplay") is None:
        return "pactl/paplay are not installed (scripts/setup installs pulseaudio-utils)"
    done = subprocess.run(["pactl", "list", "short", "sinks"], capture_output=True, text=True, timeout=10)
    if done.returncode != 0:
        return f"the PulseAudio server at {os.environ['PULSE_SERVER']} does not answer"
    if MIC not in done.stdout:
        return f"the PulseAudio server has no {MIC} sink (start it with scripts/pulse start)"
    return None


@pytest.fixture(scope="session")
def pulse() -> str:
    reason = pulse_reachable()
    if reason:
        pytest.skip(reason)
    return os.environ["PULSE_SERVER"]


def play_into_microphone(path: Path, sink: str = MIC, env: dict[str, str] | None = None) -> subprocess.Popen[bytes]:
    """Start playing a WAV into the virtual microphone; returns the paplay process."""
    return subprocess.Popen(["paplay", f"--device={sink}", str(path)], env=env)


@contextmanager
def record_speaker(path: Path) -> Iterator[Path]:
    """Record the virtual speaker (what mockiv says) to a 16 kHz mono WAV while the block runs."""
    process = subprocess.Popen(["parec", f"--device={SPEAKER}.monitor", "--file-format=wav", "--rate=16000",
                                "--channels=1", "--format=s16le", str(path)])
    deadline = time.monotonic() + 15
    # The monitor streams silence continuously: once the file grows, the recording is live.
    while time.monotonic() < deadline and (not path.exists() or path.stat().st_size < 44 + 16_000):
        time.sleep(0.05)
    try:
        yield path
    finally:
        time.sleep(0.3)
        process.terminate()
        process.wait(5)
