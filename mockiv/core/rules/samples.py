"""Answers built from the examples in the rules' data files (and the test corpus): typed text, or text
with synthetic word timings at a given pace with chosen silences. Pure; used by tests and the benchmark."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from mockiv.core import delivery
from mockiv.core.delivery import DeliveryMetrics
from mockiv.core.transcript import Answer, Kind, Transcript, Word


def timed_transcript(text: str, wpm: float, pauses: Sequence[Sequence[float]] = ()) -> Transcript:
    """Words at an even `wpm`, with a silence of `seconds` after word `index` for each (index, seconds)."""
    gaps = {int(i): float(s) for i, s in pauses}
    step = 60.0 / wpm
    t = 0.0
    words = []
    for i, token in enumerate(text.split()):
        words.append(Word(token, round(t, 3), round(t + step * 0.9, 3), 0.9))
        t += step + gaps.get(i, 0.0)
    return Transcript.from_words(words, duration=round(t, 3))


def example_answer(example: str | dict[str, Any], default_kind: Kind) -> tuple[Answer, DeliveryMetrics]:
    """An example from a data file: a string, or {text, kind?, question?, repeat?, timing? {wpm, pauses}}."""
    spec: dict[str, Any] = {"text": example} if isinstance(example, str) else dict(example)
    text = " ".join([spec["text"]] * int(spec.get("repeat", 1)))
    kind = Kind(spec.get("kind", default_kind))
    timing = spec.get("timing")
    transcript = (timed_transcript(text, timing["wpm"], timing.get("pauses", ())) if timing
                  else Transcript.from_text(text))
    answer = Answer(spec.get("question", ""), kind, transcript)
    return answer, delivery.compute(transcript)
