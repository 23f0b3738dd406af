"""Spelled numbers are read as one amount, the same way everywhere (text2num's alpha2digit)."""

from __future__ import annotations

from mockiv.core.analysis import outcomes, read
from mockiv.core.numbers import number_runs
from mockiv.core.recitation import Tokens, tokenize
from mockiv.core.transcript import Kind, Transcript
from tests.support.evaluation import normalize_for_wer


def test_a_spelled_amount_is_one_number() -> None:
    assert number_runs("we saved two thousand five hundred dollars".split()) == {2: (6, "2500")}
    assert number_runs("five hundred and twelve ms".split()) == {0: (4, "512")}
    assert number_runs("one of the services came first".split()) == {}


def test_the_rules_quote_the_whole_amount() -> None:
    doc = read(Transcript.from_text("I cut the bill by two thousand five hundred dollars a month."), Kind.BEHAVIORAL)
    (money,) = [q for q in outcomes(doc) if q.sort == "money"]
    assert doc.span(money.start, money.end).text == "two thousand five hundred"
    (percent,) = outcomes(read(Transcript.from_text("Errors fell by twenty-five percent."), Kind.BEHAVIORAL))
    assert percent.sort == "percent"


def test_rehearsal_and_wer_fold_spelled_and_written_numbers_alike() -> None:
    assert tokenize("two thousand five hundred users") == ["2500", "users"]
    spoken = Tokens.of(Transcript.from_text("we moved two thousand five hundred users"))
    assert spoken.tokens == ("we", "moved", "2500", "users") and spoken.word_index == (0, 1, 2, 6)
    assert normalize_for_wer("Two thousand five hundred users, forty teams") == "2500 users 40 teams"
