"""The report numbers answers as the candidate met the questions (follow-ups 1a, 1b), and a question answered
again counts once: its retried answer's findings leave the growth areas."""

from __future__ import annotations

from mockiv.core import delivery
from mockiv.core.rules import evaluate
from mockiv.core.transcript import Answer, Kind, Transcript
from mockiv.engine.analysis import AnswerResult
from mockiv.tui.reporting import answer_labels, final_attempts, summarize

WEAK = "We migrated the platform and we improved the automation. We handled it and the team was happy."
STRONG = ("Our checkout failed for one in ten customers, which cost us sales. I profiled the payment service, "
          "found a retry storm and rewrote the client. Failed payments fell from 9% to 2% within a month.")


def result(question: str, question_id: str, text: str) -> AnswerResult:
    transcript = Transcript.from_text(text)
    metrics = delivery.compute(transcript)
    rules = evaluate(Answer(question, Kind.BEHAVIORAL, transcript), metrics)
    data = rules.to_dict()
    return AnswerResult(question, "behavioral", transcript, metrics, tuple(data.get("findings", [])),
                        tuple(data.get("strengths", [])), (), rules.rules_version, data, question_id)


def test_follow_ups_are_lettered_under_their_question_and_retries_keep_the_label() -> None:
    results = [result("Tell me about a project.", "q1", WEAK),
               result("What exactly was your part?", "q1-follow-up", WEAK),
               result("What exactly was your part?", "q1-follow-up", STRONG),  # retried
               result("And what did it change?", "q1-follow-up", STRONG),
               result("Tell me about a failure.", "q2", STRONG)]
    assert answer_labels(results) == ["1", "1a", "1a", "1b", "2"]
    assert final_attempts(results) == [0, 2, 3, 4]


def test_a_retried_answers_findings_leave_the_growth_areas() -> None:
    first_try = result("Tell me about a project.", "q1", WEAK)
    summary = summarize([first_try, result("Tell me about a project.", "q1", STRONG)])
    assert not any("we" in point.title.lower() and "carries the story" in point.title for point in summary.growth)
    assert [label for label, _ in summary.pace] == ["Q1"]
    # Answered once, the same weak answer is a growth area, numbered by its question.
    once = summarize([first_try, result("Tell me about a failure.", "q2", STRONG)])
    assert any("carries the story" in point.title and point.title.endswith("(answer 1)") for point in once.growth)
