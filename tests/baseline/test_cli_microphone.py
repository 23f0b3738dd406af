"""`mockiv baseline` on the real audio path: the passage and the easy answer played into the virtual PulseAudio
microphone while the command listens (no key: each answer ends on its pause), the baseline kept."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from pathlib import Path

import pytest

from mockiv.baseline import passage
from tests.live.conftest import MIC, play_into_microphone, pulse_reachable
from tests.support.speech_fixtures import SpeechFixture, synthesize
from tests.tui.test_e2e_baseline_debrief import EASY

REPO = Path(__file__).resolve().parents[2]


def _wait_for(path: Path, text: str, count: int, timeout_s: float = 180.0) -> None:
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        if path.exists() and path.read_text(errors="replace").count(text) >= count:
            return
        time.sleep(0.2)
    raise AssertionError(f"never saw {text!r} {count} times:\n{path.read_text(errors='replace')}")


@pytest.mark.audio
@pytest.mark.model
def test_baseline_from_the_virtual_microphone(speech_dir: Path, private_home: Path, tmp_path: Path) -> None:
    reason = pulse_reachable()
    if reason:
        pytest.skip(reason)
    recordings = [synthesize(SpeechFixture("baseline-passage-160", passage(), "en-us", 160), speech_dir),
                  synthesize(SpeechFixture("baseline-easy-e2e-160", EASY, "en-us", 160), speech_dir)]
    out = tmp_path / "out.txt"
    with out.open("w") as stdout:
        process = subprocess.Popen([sys.executable, "-m", "mockiv.cli", "baseline", "--no-tts"], cwd=REPO,
                                   stdout=stdout, stderr=subprocess.PIPE, stdin=subprocess.DEVNULL, text=True,
                                   env={**os.environ, "MOCKIV_HOME": str(private_home)})
        try:
            for number, recording in enumerate(recordings, 1):
                _wait_for(out, "● Recording", number)
                assert play_into_microphone(recording, MIC).wait(timeout=120) == 0
            assert process.wait(timeout=180) == 0, process.stderr.read() if process.stderr else ""
        finally:
            if process.poll() is None:
                process.kill()
    text = out.read_text()
    assert "When the sunlight strikes raindrops" in text and "Your baseline (measured" in text
    assert "Pace: " in text and "Pitch range: " in text and "not measured" not in text
    done = subprocess.run([sys.executable, "-m", "mockiv.cli", "baseline", "--show", "--json"], cwd=REPO,
                          capture_output=True, text=True, env={**os.environ, "MOCKIV_HOME": str(private_home)})
    kept = json.loads(done.stdout)
    assert 120 < kept["wpm"] < 260 and kept["pitch_spread_semitones"] is not None
