"""Encoding while the candidate speaks: the finished sentences of a partial answer reach the encoder's cache, so
the end of the answer waits for its last sentence only."""

from __future__ import annotations

import threading
from collections.abc import Sequence

import numpy as np
import pytest

from mockiv.core.rules import evaluate
from mockiv.core.rules.engine import read_answer
from mockiv.core.rules.judged import sentence_texts
from mockiv.core.transcript import Answer, Kind, Transcript
from mockiv.engine.analysis import Analyzer, analyze_answer, prepare_answer
from mockiv.nlp import encoder as encoder_module

QUESTION = "Tell me about a time you improved a process."
SPOKEN = ("Our deploys took two hours and failed often. I wrote a pipeline that ran the checks in parallel. "
          "Deploys now take twelve minutes. And")


class RecordingEncoder:
    """Stands in for the process-wide encoder: remembers what it was asked, answers with fixed vectors."""

    name = "recording"

    def __init__(self) -> None:
        self.warmed: list[str] = []
        self.encoded: list[str] = []

    def warm(self, texts: Sequence[str]) -> None:
        self.warmed.extend(texts)

    def encode(self, texts: Sequence[str]) -> np.ndarray:
        self.encoded.extend(texts)
        out = np.zeros((len(texts), 384), dtype=np.float32)
        out[:, 0] = 1.0
        return out


@pytest.fixture
def recording(monkeypatch: pytest.MonkeyPatch) -> RecordingEncoder:
    fake = RecordingEncoder()
    monkeypatch.setattr(encoder_module, "_default", fake)
    return fake


def test_the_finished_sentences_are_encoded_not_the_one_being_spoken(recording: RecordingEncoder) -> None:
    prepare_answer(Transcript.from_text(SPOKEN), QUESTION, "behavioral")
    assert recording.warmed == ["Our deploys took two hours and failed often.",
                                "I wrote a pipeline that ran the checks in parallel.",
                                "Deploys now take twelve minutes."]


def test_the_final_analysis_reads_the_sentences_as_they_were_prepared(recording: RecordingEncoder) -> None:
    partial = Transcript.from_text(SPOKEN)
    prepare_answer(partial, QUESTION, "behavioral")
    final = Transcript.from_text(SPOKEN + " that freed an afternoon a week for the team.")
    evaluate(Answer(QUESTION, Kind.BEHAVIORAL, final), encoder=recording)
    doc_sentences = sentence_texts(read_answer(Answer(QUESTION, Kind.BEHAVIORAL, final)))
    assert recording.encoded == doc_sentences
    assert doc_sentences[:3] == recording.warmed  # only the last sentence was new at the end


def test_a_short_answer_with_one_sentence_prepares_nothing(recording: RecordingEncoder) -> None:
    prepare_answer(Transcript.from_text("I think that"), QUESTION, None)
    assert recording.warmed == []


def test_the_analyzer_prepares_in_the_background_one_at_a_time() -> None:
    release, calls = threading.Event(), []

    def slow_prepare(transcript: Transcript, question: str, kind: str | None) -> None:
        calls.append(transcript.text)
        release.wait(5)

    analyzer = Analyzer(analyze_answer, prepare=slow_prepare)
    analyzer.prepare(Transcript.from_text("First part."), QUESTION, None)  # returns at once
    analyzer.prepare(Transcript.from_text("First part. Second."), QUESTION, None)  # skipped: one in flight
    release.set()
    analyzer._preparing.join(5)
    analyzer.prepare(Transcript.from_text("First part. Second. Third."), QUESTION, None)
    analyzer._preparing.join(5)
    assert calls == ["First part.", "First part. Second. Third."]


def test_a_stand_in_analysis_is_not_prepared_for() -> None:
    calls: list[str] = []
    analyzer = Analyzer(lambda *args: ({}, {}), prepare=lambda t, q, k: calls.append(t.text))
    analyzer.prepare(Transcript.from_text("Anything."), QUESTION, None)
    assert calls == [] and analyzer._preparing is None


def test_preparing_never_starts_the_analysis_process() -> None:
    """A partial transcript arriving after the app closed its analyzer must not spawn a new process."""
    analyzer = Analyzer(isolated=True)
    analyzer.prepare(Transcript.from_text("First part. Second."), QUESTION, None)
    assert analyzer._pool is None and analyzer._preparing is None


def test_an_answer_too_long_to_be_judged_is_not_prepared(recording: RecordingEncoder) -> None:
    from mockiv.analysis import MAX_JUDGED_WORDS

    long_text = " ".join([SPOKEN.removesuffix(" And")] * (MAX_JUDGED_WORDS // 20 + 1))
    prepare_answer(Transcript.from_text(long_text), QUESTION, None)
    assert recording.warmed == []
