from __future__ import annotations

import pytest

from mockiv.core.kinds import asks_about_people, asks_about_terms, asks_for_story, infer_kind, parse_kind
from mockiv.core.transcript import Kind


@pytest.mark.parametrize(("question", "kind"), [
    ("Tell me about yourself.", Kind.INTRO),
    ("Walk me through your background.", Kind.INTRO),
    ("Tell me about a time you failed.", Kind.FAILURE),
    ("What's the biggest mistake you've made at work?", Kind.FAILURE),
    ("Tell me about a time a project didn't go as planned.", Kind.FAILURE),
    ("Do you have any questions for us?", Kind.CLOSING),
    ("Is there anything you'd like to ask us?", Kind.CLOSING),
    ("Why do you want to work here?", Kind.MOTIVATION),
    ("Why are you leaving your current job?", Kind.MOTIVATION),
    ("Tell me about a time you disagreed with your manager.", Kind.BEHAVIORAL),
    ("Give me an example of a time you took the initiative.", Kind.BEHAVIORAL),
    ("How would you design a URL shortener?", Kind.TECHNICAL),
    ("Walk me through a system you designed.", Kind.TECHNICAL),
    ("What is your greatest strength?", Kind.BEHAVIORAL),  # nothing specific: behavioural by default
])
def test_infer_kind(question: str, kind: Kind) -> None:
    assert infer_kind(question) == kind


def test_given_kind_wins_over_the_question() -> None:
    assert parse_kind("technical", "Tell me about yourself.") == Kind.TECHNICAL
    assert parse_kind(None, "Tell me about yourself.") == Kind.INTRO


@pytest.mark.parametrize(("question", "story"), [
    ("Walk me through a system you designed.", True),
    ("Tell me about a hard technical problem you solved.", True),
    ("How would you design a URL shortener?", False),
    ("Explain how your team scaled the database.", False),
])
def test_asks_for_story(question: str, story: bool) -> None:
    assert asks_for_story(question) is story


def test_asks_about_people() -> None:
    assert asks_about_people("Tell me about a time you disagreed with a colleague.")
    assert asks_about_people("Tell me about a time you received difficult feedback.")
    assert not asks_about_people("Tell me about a system you built.")


# Questions of the corpus whose answers talk pay, an offer's terms or part-time hours because they were asked
# (early-negotiation must stay silent there), and look-alikes that ask about the work, not its terms.
@pytest.mark.parametrize(("question", "terms"), [
    ("What are your salary expectations?", True),
    ("How important is money to you?", True),
    ("What are you making now?", True),
    ("How much money did you make last year?", True),
    ("We'd like to offer you the position. Do you have any questions before you decide?", True),
    ("Do you have any questions about the offer?", True),
    ("Why are you looking for a part-time role?", True),
    ("Are you planning to take any time off in the next six months?", True),
    ("What improvements did you make?", False),
    ("Tell me about a time you saved the company money.", False),
    ("Tell me about a time you had to work part-time while studying.", False),
    ("Do you have any questions for us?", False),
])
def test_asks_about_terms(question: str, terms: bool) -> None:
    assert asks_about_terms(question) is terms
