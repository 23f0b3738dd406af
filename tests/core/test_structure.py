from __future__ import annotations

from mockiv.core.structure import FAILURE_PARTS, Part, SentencePart, tag
from mockiv.core.transcript import Kind, Transcript

STAR = ("At my last job, our checkout was timing out for 4% of customers during peaks. My task was to find out why "
        "before Black Friday. I profiled the endpoint and found forty queries per cart load. I rewrote them as one "
        "join and added a cache. As a result, timeouts dropped to almost zero and p95 latency went from 2 seconds "
        "to 300 milliseconds.")

FAILURE = ("I was leading a database migration for the orders team. I forgot to test the rollback, and the migration "
           "failed halfway, locking orders for forty minutes. I stopped the job, restored from the snapshot and "
           "wrote the incident report. I learned to rehearse every rollback, and now no migration of mine ships "
           "without one.")


def test_star_labels_each_sentence() -> None:
    parts = tag(Transcript.from_text(STAR), Kind.BEHAVIORAL)
    assert [p.label for p in parts] == [Part.SITUATION, Part.TASK, Part.ACTION, Part.ACTION, Part.RESULT]
    assert parts[0].start_index == 0 and parts[-1].end_index == len(STAR.split())


def test_failure_story_has_four_parts() -> None:
    parts = tag(Transcript.from_text(FAILURE), Kind.FAILURE)
    assert [p.label for p in parts] == list(FAILURE_PARTS)


def test_failure_without_lesson_has_no_lesson_part() -> None:
    text = "I pushed a config change on a Friday and it took down logins. I rolled it back and told my manager."
    labels = {p.label for p in tag(Transcript.from_text(text), Kind.FAILURE)}
    assert Part.LESSON not in labels
    assert Part.WHAT_WENT_WRONG in labels


def test_problem_sentence_with_a_number_is_situation_not_result() -> None:
    text = "We were losing 30% of new users at sign-up. I redesigned the form. Sign-ups rose by 12 percent."
    labels = [p.label for p in tag(Transcript.from_text(text), Kind.BEHAVIORAL)]
    assert labels == [Part.SITUATION, Part.ACTION, Part.RESULT]


def test_sentence_part_round_trips() -> None:
    part = SentencePart(2, Part.LESSON, 10, 20, "I learned to test.")
    assert SentencePart.from_dict(part.to_dict()) == part


def test_empty_transcript_has_no_parts() -> None:
    assert tag(Transcript.from_text(""), Kind.BEHAVIORAL) == ()
