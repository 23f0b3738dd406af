"""Sentences are split where pysbd's rules end them: abbreviations, initials and "U.S." do not end one."""

from __future__ import annotations

import tomllib
from pathlib import Path

import pysbd
import pytest

from mockiv.core.transcript import Transcript

CORPUS = Path(__file__).resolve().parent / "rules" / "corpus.toml"


def texts(answer: str) -> list[str]:
    return [s.text for s in Transcript.from_text(answer).sentences()]


@pytest.mark.parametrize(("answer", "expected"), [
    ("I moved to the U.S. in 2019. Then I joined Acme Inc. as a lead.",
     ["I moved to the U.S. in 2019.", "Then I joined Acme Inc. as a lead."]),
    ("Dr. Smith asked me to own it. I did.", ["Dr. Smith asked me to own it.", "I did."]),
    ("Sales rose 2.5 times, e.g. in the U.K. market. Why? Focus!",
     ["Sales rose 2.5 times, e.g. in the U.K. market.", "Why?", "Focus!"]),
    ("The answer was no. We moved on... and it was fine.", ["The answer was no.", "We moved on... and it was fine."]),
    ("no punctuation at all", ["no punctuation at all"]),
])
def test_abbreviations_do_not_end_a_sentence(answer: str, expected: list[str]) -> None:
    assert texts(answer) == expected


def test_the_split_equals_pysbd_on_every_corpus_answer() -> None:
    """Only doubtful full stops are shown to pysbd; over whole answers that must change nothing."""
    segmenter = pysbd.Segmenter(language="en", clean=False)
    for entry in tomllib.loads(CORPUS.read_text(encoding="utf-8"))["answers"]:
        text = " ".join(entry["text"].split())
        expected = [s.strip() for s in segmenter.segment(text) if s.strip()]
        assert texts(text) == expected, text
