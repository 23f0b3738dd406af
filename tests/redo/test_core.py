"""The pure parts: where a moment plays from, which part a take replaces, the answer with the take in place."""

from __future__ import annotations

import pytest

from mockiv.core.answer_view import answer_view
from mockiv.core.moments import LEAD_IN_S, moment_for_rule, moments, play_from
from mockiv.core.redo import RedoError, changes, part_to_redo, splice
from mockiv.core.transcript import Span, Transcript, Word
from tests.store.helpers import timed_transcript

TEXT = "We had a deadline. We shipped it on time. The team was happy."


def _finding(transcript: Transcript, rule: str, *spans: tuple[int, int]) -> dict:
    return {"rule": rule, "severity": "major", "message": "m", "suggestion": "say the number",
            "evidence": [Span.of(transcript, a, b).to_dict() for a, b in spans]}


def test_playback_starts_half_a_second_before_the_evidence_and_never_before_zero() -> None:
    assert play_from(3.2) == pytest.approx(3.2 - LEAD_IN_S) and LEAD_IN_S == 0.5
    assert play_from(0.3) == 0.0 and play_from(None) is None


def test_moments_are_the_findings_worst_first_then_fillers_and_long_pauses() -> None:
    transcript = timed_transcript("Um, we shipped it. The team was happy.", gap_after={3: 3.0})
    answer = {"transcript": transcript.to_dict(),
              "metrics": {"disfluencies": [{"category": "hesitation", "start_index": 0, "end_index": 1}],
                          "pauses": [{"after_index": 3, "start": 2.0, "end": 5.1}]},
              "findings": [_finding(transcript, "vague", (4, 8)) | {"severity": "minor"},
                           _finding(transcript, "no-outcome", (1, 4))]}
    found = moments(answer_view(answer))
    assert [(m.kind, m.rule, m.start_index) for m in found] == [
        ("finding", "no-outcome", 1), ("finding", "vague", 4), ("filler", None, 0), ("pause", None, 3)]
    assert found[0].start_s == transcript.words[1].start and found[0].play_from_s == pytest.approx(
        transcript.words[1].start - 0.5)
    assert "3.1 s" in found[3].label
    assert moment_for_rule(answer_view(answer), "vague").start_index == 4
    assert moment_for_rule(answer_view(answer), "blame") is None


def test_the_part_is_the_whole_sentence_of_the_last_quote_by_default() -> None:
    transcript = timed_transcript(TEXT)
    finding = _finding(transcript, "no-outcome", (4, 6), (9, 12))
    part = part_to_redo(transcript, finding)
    assert (part.start_index, part.end_index, part.text) == (9, 13, "The team was happy.")
    assert part.start_s == transcript.words[9].start and part.end_s == transcript.words[12].end
    assert part_to_redo(transcript, finding, quote=1).text == "We shipped it on time."
    with pytest.raises(RedoError, match="choose one from 1 to 2"):
        part_to_redo(transcript, finding, quote=3)
    with pytest.raises(RedoError, match="quotes no words"):
        part_to_redo(transcript, {"rule": "too-short", "evidence": []})


def test_a_spoken_take_replaces_the_part_and_moves_the_words_after_it() -> None:
    transcript = timed_transcript(TEXT)
    part = part_to_redo(transcript, _finding(transcript, "we-without-i", (4, 6)))
    take = Transcript((Word("I", 0.4, 0.5), Word("shipped", 0.6, 1.0), Word("it", 1.1, 1.2),
                       Word("myself.", 1.3, 1.9)), 2.2)
    spliced = splice(transcript, part, take)
    assert spliced.text == "We had a deadline. I shipped it myself. The team was happy."
    assert spliced.words[4].start == pytest.approx(part.start_s)  # the take starts where the part started
    delta = (part.start_s + 1.5) - part.end_s
    assert spliced.words[8].start == pytest.approx(transcript.words[9].start + delta, abs=1e-3)
    assert spliced.duration == pytest.approx(transcript.duration + delta, abs=1e-3)
    assert spliced.timed and [w.start for w in spliced.words] == sorted(w.start for w in spliced.words)


def test_a_typed_take_in_a_spoken_answer_is_timed_at_the_answers_own_pace() -> None:
    transcript = timed_transcript(TEXT, wpm=120)
    part = part_to_redo(transcript, _finding(transcript, "no-outcome", (9, 12)))
    spliced = splice(transcript, part, Transcript.from_text("It cut costs by 40%."))
    assert spliced.timed and spliced.text.endswith("It cut costs by 40%.")
    step = spliced.words[10].start - spliced.words[9].start
    assert step == pytest.approx((transcript.words[-1].end - transcript.words[0].start) / len(transcript), rel=0.01)


def test_a_typed_answer_stays_untimed_and_an_empty_take_is_refused() -> None:
    transcript = Transcript.from_text(TEXT)
    part = part_to_redo(transcript, _finding(transcript, "no-outcome", (9, 12)))
    assert splice(transcript, part, Transcript.from_text("Costs fell 40%.")).text.endswith("Costs fell 40%.")
    with pytest.raises(RedoError, match="no words"):
        splice(transcript, part, Transcript(()))


def test_changes_match_findings_by_rule_not_by_their_words() -> None:
    before = [{"rule": "no-outcome", "evidence": [{"text": "a"}]}, {"rule": "vague", "evidence": [{"text": "b"}]}]
    after = [{"rule": "vague", "evidence": [{"text": "c"}]}, {"rule": "monotone", "evidence": []}]
    found = changes(before, after)
    assert [f["rule"] for f in found.gone] == ["no-outcome"] and [f["rule"] for f in found.new] == ["monotone"]
    assert [f["rule"] for f in found.kept] == ["vague"] and found.changed
    assert not changes(before, before).changed
