"""Which kind of question was asked: it decides which rules judge the answer.

The patterns live in rules/data/kinds.toml; the first kind in its `order` that matches the question wins
(a failure question is "tell me about a time you failed", so failure is tried before behavioural).
"""

from __future__ import annotations

from functools import cache, lru_cache

from mockiv.core.phrases import Match, PhraseSet, load_rules_data, text_view
from mockiv.core.transcript import Kind, Transcript


@cache
def _compiled() -> tuple[PhraseSet, tuple[Kind, ...], Kind]:
    data = load_rules_data("kinds")
    order = tuple(Kind(k) for k in data["order"])
    patterns = dict(data["patterns"], story_request=data["story_request"], people_question=data["people_question"],
                    terms_question=data["terms_question"])
    return PhraseSet(patterns, {}), order, Kind(data["default"])


@lru_cache(maxsize=4096)  # a session asks the same questions again and again
def _scan(question: str) -> dict[str, list[Match]]:
    transcript = Transcript.from_text(question)
    norms = transcript.norms
    view = text_view(norms, [(0, len(norms))])
    return _compiled()[0].scan(view.tokens, view.positions, view.sentence_of)


def asks_for_story(question: str) -> bool:
    """Whether the question asks for something that happened ("tell me about a system you built") rather than
    an explanation or a design ("how would you design a URL shortener?")."""
    return bool(_scan(question).get("story_request"))


def asks_about_people(question: str) -> bool:
    """Whether the question is about working with people (a colleague, feedback, a conflict)."""
    return bool(_scan(question).get("people_question"))


def asks_about_terms(question: str) -> bool:
    """Whether the interviewer asked about salary, rate, benefits, remote work or hours: answering that is not
    raising terms early (shared/labelling.md, early-negotiation)."""
    return bool(question) and bool(_scan(question).get("terms_question"))


def infer_kind(question: str) -> Kind:
    """The kind of an interview question, from its wording; behavioural when nothing more specific fits."""
    _phrases, order, default = _compiled()
    hits = _scan(question)
    for kind in order:
        if hits.get(str(kind)):
            return kind
    return default


def parse_kind(value: str | None, question: str) -> Kind:
    """A kind given by name, or inferred from the question when not given."""
    if value:
        return Kind(value.strip().lower())
    return infer_kind(question)
