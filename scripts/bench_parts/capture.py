"""Crash safety of a live answer: `kill9_audio_lost_s` is the most audio the microphone had delivered but the
recording did not hold, worst of 10 kill -9 at random moments (3-25 s) of a spoken answer streamed to Whisper as in
practice, through the virtual microphone (scripts/pulse; tests.support.capture_loss). Goal: <= 0.5 s.
`ctrl_c_audio_lost_s`: the same for Ctrl-C (the clean stop), worst of 3 (negative: the stop also kept what the
device still held when the key was pressed)."""

from __future__ import annotations

import os
import re
import signal
import subprocess
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]


def run(figures: dict[str, float]) -> None:
    from tests.support.capture_loss import worst_loss
    from tests.support.speech_fixtures import long_answer, synthesize

    started_here = not os.environ.get("PULSE_SERVER")
    if started_here:  # scripts/pulse prints `export NAME=value` lines
        exports = subprocess.run([str(REPO / "scripts" / "pulse"), "start"], capture_output=True, text=True,
                                 check=True, cwd=REPO).stdout
        os.environ.update(re.findall(r"^export (\w+)=['\"]?([^'\"\n]*)['\"]?$", exports, re.MULTILINE))
    try:
        speech = synthesize(long_answer(40), REPO / "tests" / "fixtures" / "generated")
        figures["kill9_audio_lost_s"] = round(max(worst_loss(10, speech)), 3)
        figures["ctrl_c_audio_lost_s"] = round(max(worst_loss(3, speech, seed=1, signum=signal.SIGINT)), 3)
    finally:
        if started_here:
            subprocess.run([str(REPO / "scripts" / "pulse"), "stop"], capture_output=True, cwd=REPO)
