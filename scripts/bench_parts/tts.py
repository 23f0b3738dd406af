"""The interviewer's voice: how soon a question is heard after it appears, and which voice spoke.

Measured on the virtual speaker of a private PulseAudio server (scripts/pulse; started here when none runs): a
recorder (parec, 10 ms latency) stamps the speaker's audio as it arrives, and the clock runs from the moment a
question appears (`Speaker.speak`, as the engine calls it) to the first 10 ms that is louder than -40 dBFS.
- `tts_first_audio_s`: median over five questions asked as in a session after the first: each one prepared while
  the answer before it runs (`Engine.prepare`, which practice and the app call). Goal <= 0.3 s.
- `tts_first_audio_cold_s`: the same questions not prepared (the first question of a session): its first chunk
  (sentence, or first clause of a long sentence) is rendered after it appears.
- `tts_first_audio_espeak_s`: the same, cold, with the espeak-ng voice, for comparison.
- `tts_voice_ready_s`: from making the Speaker to the natural voice loaded and warmed up (it loads beside the
  Whisper model, behind the first screen).
- `tts_voice`: the voice that spoke (engine:voice).
Other work on the machine inflates every figure: compare within one run.

Standalone: .venv/bin/python scripts/bench_parts/tts.py   (prints the figures as JSON)
"""

from __future__ import annotations

import json
import os
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import numpy as np

REPO = Path(__file__).resolve().parents[2]
RATE = 16000
BLOCK = RATE // 100  # 10 ms
LOUD_RMS = 32768 * 10 ** (-40 / 20)
QUESTIONS = (
    "Tell me about yourself.",
    "Tell me about a time you disagreed with your manager, and what you did about it.",
    "Why do you want to work here?",
    "Describe a project that failed. What did you learn from it?",
    "What is the hardest technical problem you have solved, and how did you approach it?",
)


@contextmanager
def pulse_server() -> Iterator[str]:
    """The mockiv PulseAudio server this environment names, or a private one for the bench."""
    if os.environ.get("PULSE_SERVER", "").startswith("unix:/tmp/mockiv-pulse-"):
        yield os.environ.get("MOCKIV_PULSE_SPEAKER", "mockiv_speaker")
        return
    started = subprocess.run([str(REPO / "scripts" / "pulse"), "start"], capture_output=True, text=True, check=True)
    exported = dict(line.removeprefix("export ").split("=", 1) for line in started.stdout.splitlines()
                    if line.startswith("export "))
    saved = {key: os.environ.get(key) for key in exported}
    os.environ.update(exported)
    try:
        yield exported["MOCKIV_PULSE_SPEAKER"]
    finally:
        subprocess.run([str(REPO / "scripts" / "pulse"), "stop"], capture_output=True, check=False)
        for key, value in saved.items():
            if value is None:
                os.environ.pop(key, None)
            else:
                os.environ[key] = value


class SpeakerListener:
    """parec on the speaker's monitor; `first_sound_after(t)` is when audio first got loud after monotonic t."""

    def __init__(self, speaker_sink: str) -> None:
        self._process = subprocess.Popen(
            ["parec", f"--device={speaker_sink}.monitor", "--raw", "--format=s16le", f"--rate={RATE}",
             "--channels=1", "--latency-msec=10"], stdout=subprocess.PIPE, stderr=subprocess.DEVNULL)
        self._loud: list[float] = []
        self._blocks = 0
        self._lock = threading.Lock()
        threading.Thread(target=self._read, daemon=True).start()
        deadline = time.monotonic() + 10
        while self._blocks < 20 and time.monotonic() < deadline:  # the monitor streams silence once live
            time.sleep(0.01)

    def _read(self) -> None:
        assert self._process.stdout is not None
        pending = b""
        while chunk := self._process.stdout.read1(BLOCK * 2):  # type: ignore[attr-defined]
            now = time.monotonic()
            pending += chunk
            while len(pending) >= BLOCK * 2:
                block, pending = np.frombuffer(pending[:BLOCK * 2], dtype=np.int16), pending[BLOCK * 2:]
                self._blocks += 1
                if float(np.sqrt(np.mean(block.astype(np.float64) ** 2))) > LOUD_RMS:
                    with self._lock:
                        self._loud.append(now)

    def first_sound_after(self, since: float) -> float | None:
        with self._lock:
            return next((t for t in self._loud if t >= since), None)

    def close(self) -> None:
        self._process.terminate()
        self._process.wait(5)


def first_audio(listener: SpeakerListener, speaker, text: str) -> float:  # type: ignore[no-untyped-def]
    appeared = time.monotonic()
    utterance = speaker.speak(text)
    utterance.wait(120)
    time.sleep(0.3)  # the tail of the audio through the server
    heard = listener.first_sound_after(appeared)
    if not utterance.spoken or heard is None:
        raise RuntimeError(f"the question was not heard on the virtual speaker ({utterance.error or 'silent'})")
    return heard - appeared


def run(figures: dict[str, float | str]) -> None:
    from mockiv.speech import Speaker, VoiceSettings

    with pulse_server() as sink, tempfile.TemporaryDirectory(prefix="mockiv-bench-tts-") as folder:
        listener = SpeakerListener(sink)
        try:
            made = time.monotonic()
            with Speaker(VoiceSettings(), log_path=Path(folder) / "tts.log") as speaker:
                # Ready: the warm-up word is rendered; then a short word renders at once.
                speaker.say("Hello.")
                figures["tts_voice_ready_s"] = round(time.monotonic() - made, 3)
                cold = [first_audio(listener, speaker, q) for q in QUESTIONS]
                prepared = []
                for question in QUESTIONS:
                    speaker.prepare(question)
                    time.sleep(2.0)  # the candidate answers the question before
                    prepared.append(first_audio(listener, speaker, question))
                figures["tts_voice"] = speaker.voice or "none"
            with Speaker(VoiceSettings(backend="espeak-ng"), log_path=Path(folder) / "tts.log") as speaker:
                espeak = [first_audio(listener, speaker, q) for q in QUESTIONS]
        finally:
            listener.close()
    figures["tts_first_audio_s"] = round(statistics.median(prepared), 3)
    figures["tts_first_audio_max_s"] = round(max(prepared), 3)
    figures["tts_first_audio_cold_s"] = round(statistics.median(cold), 3)
    figures["tts_first_audio_espeak_s"] = round(statistics.median(espeak), 3)
    print(f"  prepared {[round(x, 2) for x in prepared]}, cold {[round(x, 2) for x in cold]}, espeak-ng "
          f"{[round(x, 2) for x in espeak]}", file=sys.stderr)


if __name__ == "__main__":
    results: dict[str, float | str] = {}
    run(results)
    print(json.dumps(results, indent=2))
