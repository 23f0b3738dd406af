"""Test doubles for the app's services: they record what the app asked of them and answer deterministically."""

from __future__ import annotations

import threading
from dataclasses import dataclass
from pathlib import Path
from typing import Any, ClassVar

import numpy as np

from mockiv.core import delivery
from mockiv.core.transcript import Transcript, Word
from mockiv.tui.services import Analyzer, ModelHolder, Recording, Services

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


class FakeRecorder:
    """A microphone that 'hears' a fixed one-second tone per call of snapshot, and reports levels."""

    instances: ClassVar[list[FakeRecorder]] = []

    def __init__(self) -> None:
        self.path: Path | None = None
        self.started = threading.Event()
        self.stopped = threading.Event()
        self.audio = (0.1 * np.sin(np.linspace(0, 2 * np.pi * 440, 16_000 * 3))).astype(np.float32)
        FakeRecorder.instances.append(self)

    def start(self, path: Path | None, on_level: Any) -> None:
        self.path = path
        on_level(0.5)
        self.started.set()

    def snapshot(self) -> np.ndarray:
        return self.audio

    def stop(self) -> Recording:
        self.stopped.set()
        if self.path is not None:
            final = self.path.with_name(self.path.name.replace(".partial.wav", ".wav"))
            final.parent.mkdir(parents=True, exist_ok=True)
            import soundfile

            soundfile.write(str(final), self.audio, 16_000)
            return Recording(self.audio, final)
        return Recording(self.audio, None)


class StreamingFakeRecorder(FakeRecorder):
    """A recorder that transcribes while it records, like tui.real.MicrophoneRecorder with `stream_to`."""

    def __init__(self) -> None:
        super().__init__()
        self.streams_to: Any = None
        self.partials_asked = 0

    def stream_to(self, transcriber: Any) -> None:
        self.streams_to = transcriber

    def partial(self) -> Transcript | None:
        self.partials_asked += 1
        return Transcript(self.streams_to.transcript.words[:3], duration=1.0)

    def finish_transcript(self) -> Transcript | None:
        return self.streams_to.transcript  # decoded piece by piece while recording: no whole-file pass


class FakeTranscriber:
    model_name = "fake-whisper"

    def __init__(self, transcript: Transcript | None = None) -> None:
        self.transcript = transcript or timed_transcript()
        self.calls = 0

    def transcribe(self, audio: np.ndarray) -> Transcript:
        self.calls += 1
        return self.transcript

    def transcribe_file(self, path: str | Path) -> Transcript:
        self.calls += 1
        return self.transcript


class FakePlayer:
    def __init__(self) -> None:
        self.played: list[tuple[Path, float]] = []
        self.position: float | None = None

    def play(self, path: Path, start_s: float = 0.0) -> None:
        self.played.append((path, start_s))

    def stop(self) -> None:
        pass


@dataclass(frozen=True)
class _Result:
    data: dict[str, Any]

    def to_dict(self) -> dict[str, Any]:
        return self.data


@dataclass(frozen=True)
class _Analysis:
    metrics: Any
    result: _Result

    def to_dict(self) -> dict[str, Any]:
        return {**self.result.data, "kind": self.result.data["kind"]}


def scripted_analyze(transcript: Transcript, question: str, kind: str | None, question_id: str | None = None,
                     rules_version: str = "test-1") -> _Analysis:
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
    return _Analysis(metrics, _Result(data))


def make_services(*, microphone: bool = False, speaker: bool = True, store: Any = None, rules: bool = True,
                  transcriber: FakeTranscriber | None = None, player: bool = True) -> Services:
    FakeRecorder.instances.clear()
    return Services(
        analyzer=Analyzer(scripted_analyze) if rules else Analyzer(None),
        model=ModelHolder.ready_with(transcriber or FakeTranscriber()),
        speaker=FakeSpeaker() if speaker else None,
        recorder_factory=FakeRecorder if microphone else None,
        player=FakePlayer() if player else None,
        store=store,
        clock=lambda: 0.0,
        tick_s=0.05,
        frozen=True,
    )
