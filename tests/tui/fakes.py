"""Test doubles for the app's services: they record what the app asked of them and answer deterministically."""

from __future__ import annotations

import threading
import time
from dataclasses import dataclass
from pathlib import Path
from types import SimpleNamespace
from typing import Any, ClassVar

import numpy as np

from mockiv.core import delivery
from mockiv.core.transcript import Transcript, Word
from mockiv.engine.analysis import Analyzer
from mockiv.engine.model import ModelHolder
from mockiv.tui.services import Services

SPOKEN_ANSWER = ("Um, so I led the migration of our billing service. I rewrote the retry logic myself, "
                 "and we cut failed payments by thirty percent in two months.")


def timed_transcript(text: str = SPOKEN_ANSWER, wpm: float = 150.0, pause_after: int | None = 8) -> Transcript:
    """Words at a steady pace, with one long pause, as Whisper would time them."""
    step = 60.0 / wpm
    words, t = [], 0.5
    for i, token in enumerate(text.split()):
        words.append(Word(token, round(t, 3), round(t + step * 0.8, 3), 0.9))
        t += step
        if pause_after is not None and i == pause_after:
            t += 2.0
    return Transcript(tuple(words), duration=round(t + 0.5, 3))


class FakeSpeaker:
    def __init__(self) -> None:
        self.said: list[str] = []
        self.stops = 0
        self.closed = False

    def say(self, text: str) -> None:
        self.said.append(text)

    def stop(self) -> None:
        self.stops += 1

    def close(self) -> None:
        self.closed = True


def level_speech_probability(batch: np.ndarray) -> np.ndarray:
    """Voice activity for the fakes: a window is speech when it is louder than -40 dBFS (Silero needs a voice)."""
    return (np.sqrt(np.mean(np.square(batch), axis=1)) > 0.01).astype(np.float32)


@dataclass(frozen=True)
class FakeRecording:
    path: Path
    duration_s: float
    stop_reason: str
    peak_dbfs: float
    overflows: int = 0
    problem: str | None = None


# (seconds, amplitude) stretches a fake microphone hears, and how much faster than real time it hears them.
SPEECH_THEN_PAUSE = ((3.0, 0.1), (30.0, 0.0))  # an answer the engine ends by itself, on the pause
KEEPS_TALKING = ((600.0, 0.1),)  # an answer only a key (or the budget) ends


class FakeMicrophone:
    """A microphone that hears `script` (a tone for speech, zeros for silence), `speed` times faster than real
    time, in 0.1 s blocks, and writes it as the real recorder would."""

    instances: ClassVar[list[FakeMicrophone]] = []
    script: ClassVar[tuple[tuple[float, float], ...]] = SPEECH_THEN_PAUSE
    speed: ClassVar[float] = 20.0

    def __init__(self, final_path: Path, partial_path: Path | None, on_audio: Any) -> None:
        self.final_path = final_path
        self.on_audio = on_audio
        self.started = threading.Event()
        self.stopped = threading.Event()
        self.blocks: list[np.ndarray] = []
        self._feeder: threading.Thread | None = None
        FakeMicrophone.instances.append(self)

    def start(self) -> FakeMicrophone:
        self._feeder = threading.Thread(target=self._feed, daemon=True)
        self._feeder.start()
        self.started.set()
        return self

    def _feed(self) -> None:
        block = 1_600
        tone = (np.sin(np.linspace(0, 2 * np.pi * 44, block, endpoint=False))).astype(np.float32)
        for seconds, amplitude in self.script:
            for _ in range(int(seconds * 10)):
                if self.stopped.is_set():
                    return
                samples = amplitude * tone
                self.blocks.append(samples)
                self.on_audio(samples)
                time.sleep(0.1 / self.speed)

    def check_alive(self) -> bool:
        return True

    def stop(self, reason: str = "stopped") -> FakeRecording:
        self.stopped.set()
        if self._feeder is not None:
            self._feeder.join()
        audio = np.concatenate(self.blocks) if self.blocks else np.zeros(0, dtype=np.float32)
        self.final_path.parent.mkdir(parents=True, exist_ok=True)
        import soundfile

        soundfile.write(str(self.final_path), audio, 16_000)
        peak = float(np.abs(audio).max()) if audio.size else 0.0
        return FakeRecording(self.final_path, audio.size / 16_000, reason, peak_dbfs=20 * np.log10(max(peak, 1e-9)))


class FakeTranscriber:
    """Hears the same answer in any audio: the whole of it in the first piece, nothing in the later ones."""

    model_name = "fake-whisper"
    options = SimpleNamespace(language="en")

    def __init__(self, transcript: Transcript | None = None) -> None:
        self.transcript = transcript or timed_transcript()
        self.calls = 0

    def transcribe(self, audio: np.ndarray, offset_s: float = 0.0, context: str = "") -> Transcript:
        self.calls += 1
        return self.transcript if offset_s == 0.0 else Transcript((), duration=0.0)

    def transcribe_file(self, path: str | Path) -> Transcript:
        self.calls += 1
        return self.transcript


class FakePlayer:
    def __init__(self) -> None:
        self.played: list[tuple[Path, float]] = []
        self.ends: list[float | None] = []
        self.position: float | None = None

    def play(self, path: Path, start_s: float = 0.0, end_s: float | None = None) -> None:
        self.played.append((path, start_s))
        self.ends.append(end_s)

    def stop(self) -> None:
        pass


def scripted_analyze(transcript: Transcript, question: str, kind: str | None, question_id: str | None = None,
                     metadata: Any = None, references: Any = (), audio: Any = None,
                     rules_version: str = "test-1") -> tuple[dict[str, Any], dict[str, Any]]:
    """A stand-in rule engine with one rule: flags the first filler, quoting it, so the screens have a finding
    with evidence to draw. The real engine is exercised by tests/core; these tests are about the screens."""
    metrics = delivery.compute(transcript)
    findings = []
    if metrics.fillers:
        filler = metrics.fillers[0]
        findings.append({
            "rule": "opens-with-filler", "family": "delivery", "severity": "minor",
            "message": "The answer opens with a filler.",
            "rationale": "The first seconds set the interviewer's impression.",
            "suggestion": "Start with the headline: what you did and what it changed.",
            "follow_up": "What exactly was your part in that?",
            "evidence": [{"start_index": filler.start_index, "end_index": filler.end_index, "text": filler.text,
                          "start": filler.start, "end": filler.end}],
            "details": {},
        })
    strengths = []
    norms = transcript.norms
    if "percent" in norms:
        at = norms.index("percent")
        strengths.append({"id": "measurable-outcome", "message": "You quantified the outcome.",
                          "signal": "business-impact",
                          "evidence": [{"start_index": at - 1, "end_index": at + 1, "text": transcript.span_text(
                              at - 1, at + 1), "start": transcript.words[at - 1].start, "end": None}]})
    data = {"kind": kind or "behavioral", "findings": findings, "strengths": strengths, "structure": [],
            "rules_version": rules_version}
    return data, data


def make_services(*, microphone: bool = False, speaker: bool = True, store: Any = None,
                  transcriber: FakeTranscriber | None = None, player: bool = True) -> Services:
    FakeMicrophone.instances.clear()
    FakeMicrophone.script, FakeMicrophone.speed = SPEECH_THEN_PAUSE, 20.0
    return Services(
        analyzer=Analyzer(scripted_analyze),
        model=ModelHolder.ready_with(transcriber or FakeTranscriber()),
        speaker=FakeSpeaker() if speaker else None,
        microphone=FakeMicrophone if microphone else None,
        speech_probability=level_speech_probability,
        player=FakePlayer() if player else None,
        store=store,
        clock=lambda: 0.0,
        tick_s=0.05,
        frozen=True,
    )
