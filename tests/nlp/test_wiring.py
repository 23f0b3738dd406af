"""The judgement layer through the one analysis entry point: the encoder a caller gives (or the process-wide
one) reads exactly the answer's sentences; a pasted document past MAX_JUDGED_WORDS is left to the patterns."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

import numpy as np
import pytest

from mockiv.analysis import MAX_JUDGED_WORDS, analyze
from mockiv.core.rules import judged
from mockiv.core.rules.engine import read_answer
from mockiv.core.transcript import Answer, Kind, Transcript
from mockiv.nlp import encoder as encoder_module

QUESTION = "Tell me about a time you failed."
ANSWER = ("The release slipped by two weeks. It was mostly the QA team's fault because they did not test it. "
          "The product manager rushed it too. Since then I write the test plan myself before every release.")


class FakeEncoder:
    """Vectors from a fixed random table, one per distinct text: deterministic, no model."""

    def __init__(self) -> None:
        self.calls: list[list[str]] = []

    def encode(self, texts: Sequence[str]) -> np.ndarray:
        self.calls.append(list(texts))
        rows = [np.random.default_rng(sum(t.encode())).normal(size=384) for t in texts]
        out = np.asarray(rows, dtype=np.float32).reshape(len(texts), 384)
        return out / np.maximum(np.linalg.norm(out, axis=1, keepdims=True), 1e-9)


def test_the_encoder_given_reads_exactly_the_answers_sentences() -> None:
    fake = FakeEncoder()
    analysis = analyze(Transcript.from_text(ANSWER), QUESTION, "failure", encoder=fake)
    doc = read_answer(Answer(QUESTION, Kind.FAILURE, Transcript.from_text(ANSWER)))
    assert fake.calls == [judged.sentence_texts(doc)]
    assert len(fake.calls[0]) == doc.sentence_count == 4
    assert analysis.result.rules_version


def test_without_an_encoder_the_process_wide_one_is_used(monkeypatch: pytest.MonkeyPatch) -> None:
    fake = FakeEncoder()
    monkeypatch.setattr(encoder_module, "_default", fake)
    analyze(Transcript.from_text(ANSWER), QUESTION, "failure")
    assert len(fake.calls) == 1


def test_the_roles_belong_to_the_answers_own_sentences() -> None:
    doc = read_answer(Answer(QUESTION, Kind.FAILURE, Transcript.from_text(ANSWER)), encoder=FakeEncoder())
    judgement = judged.judgement_of(doc)
    assert judgement is not None
    assert judgement.roles.shape == (doc.sentence_count, len(judged.ROLES))
    assert ((judgement.roles >= 0) & (judgement.roles <= 1)).all()


def test_a_pasted_document_is_left_to_the_patterns(monkeypatch: pytest.MonkeyPatch) -> None:
    fake = FakeEncoder()
    monkeypatch.setattr(encoder_module, "_default", fake)
    long_text = " ".join([ANSWER] * (MAX_JUDGED_WORDS // len(ANSWER.split()) + 1))
    analysis = analyze(Transcript.from_text(long_text), QUESTION, "failure", encoder=fake)
    assert fake.calls == []
    assert analysis.result.findings  # the patterns still judge it


def test_the_shipped_heads_were_trained_on_the_shipped_encoders_vectors() -> None:
    heads = judged.role_heads()
    assert heads is not None and heads.encoder == encoder_module.default_encoder().name


def test_a_missing_encoder_is_one_line_and_exit_2_from_the_cli(monkeypatch: pytest.MonkeyPatch, tmp_path: Path,
                                                               capsys: pytest.CaptureFixture[str]) -> None:
    from mockiv.cli import main

    monkeypatch.setattr(encoder_module, "_default", None)
    monkeypatch.setattr(encoder_module, "package_zip", lambda: None)
    answer = tmp_path / "answer.txt"
    answer.write_text(ANSWER, encoding="utf-8")
    assert main(["analyze", str(answer), "--question", QUESTION]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "sentence encoder is not installed" in err and "scripts/setup" in err
