"""Hand-made transcripts, metrics and rule results, so the store is tested without the rule engine."""

from __future__ import annotations

import wave
from pathlib import Path
from typing import Any

import numpy as np

from mockiv.core.delivery import compute
from mockiv.core.findings import Finding, Severity, Strength
from mockiv.core.transcript import Span, Transcript, Word

ANSWER_TEXT = "Um, so we moved the billing service, you know, to a queue. I led the migration and cut errors by 40%."


def timed_transcript(text: str = ANSWER_TEXT, wpm: float = 150.0, gap_after: dict[int, float] | None = None,
                     lead_s: float = 0.6) -> Transcript:
    """Words spaced evenly at `wpm`, with extra silences after the word indices in `gap_after`."""
    step = 60.0 / wpm
    words, t = [], lead_s
    for i, token in enumerate(text.split()):
        words.append(Word(token, round(t, 3), round(t + step * 0.8, 3), 0.9))
        t += step + (gap_after or {}).get(i, 0.0)
    return Transcript.from_words(words, duration=round(t + 0.5, 3))


def finding(transcript: Transcript, rule: str, start: int, end: int, family: str = "ownership",
            severity: Severity = Severity.MODERATE) -> Finding:
    return Finding(rule=rule, family=family, severity=severity, message=f"{rule} message",
                   rationale="why it costs you", suggestion="what to do", follow_up="what they ask next",
                   evidence=(Span.of(transcript, start, end),))


def rule_result(transcript: Transcript, rules_version: str = "2026.1", rules: tuple[str, ...] = ("we-without-i",),
                kind: str = "behavioral") -> dict[str, Any]:
    """The shape of RuleResult.to_dict(): findings, strengths, structure, kind, rules_version."""
    findings = [finding(transcript, rule, i, i + 2, family="ownership" if "we" in rule else "outcome")
                for i, rule in enumerate(rules)]
    strengths = [Strength("owns-decision", "You said what you decided.", "ownership",
                          (Span.of(transcript, 12, 15),))]
    return {
        "kind": kind,
        "rules_version": rules_version,
        "findings": [f.to_dict() for f in findings],
        "strengths": [s.to_dict() for s in strengths],
        "structure": {"parts": {"context": [0, 5], "action": [12, 16], "result": [16, 21]}},
    }


def analysed(text: str = ANSWER_TEXT, **kwargs: Any) -> tuple[Transcript, dict[str, Any]]:
    transcript = timed_transcript(text, **kwargs)
    return transcript, compute(transcript).to_dict()


def write_wav(path: Path, seconds: float = 1.0, rate: int = 16_000) -> Path:
    t = np.arange(int(seconds * rate)) / rate
    samples = (0.3 * np.sin(2 * np.pi * 220 * t) * 32767).astype("<i2")
    with wave.open(str(path), "wb") as out:
        out.setnchannels(1)
        out.setsampwidth(2)
        out.setframerate(rate)
        out.writeframes(samples.tobytes())
    return path


def populate(store: Any, sessions: int = 3, answers: int = 2, audio: bool = True) -> list[str]:
    """Sessions that improve: fewer fillers and fewer findings each time. Returns their ids, oldest first."""
    ids = []
    for k in range(sessions):
        session = store.create_session("general", "practice", started_at=f"2026-11-{k + 1:02d}T10:00:00+00:00")
        for q in range(answers):
            answer = store.begin_answer(session.id, question=f"Tell me about a time you led project {q + 1}",
                                        kind="behavioral", question_id=f"q{q + 1}", record_audio=audio)
            if audio:
                write_wav(answer.audio_path, 1.0).replace(answer.final_audio_path)
            transcript, metrics = analysed(ANSWER_TEXT + " um, like, we did it." * max(sessions - 1 - k, 0),
                                           gap_after={5: 1.5})
            rules = ("we-without-i", "no-outcome") if k < sessions - 1 else ("we-without-i",)
            store.finish_answer(answer.id, transcript=transcript, metrics=metrics,
                                result=rule_result(transcript, rules=rules), model="tiny.en")
        store.end_session(session.id)
        ids.append(session.id)
    return ids
