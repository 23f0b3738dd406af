"""Evidence family: no-problem, no-outcome, vague, no-business-impact (seed 001, patterns 2, 4, 5 and 7).

Each asks whether the story gives the interviewer something to score. They judge stories only (an answer
with at least `min_story_actions` past-tense "I"/"we" actions), so an explanation of how a hash map works
is not told it lacks a customer.
"""

from __future__ import annotations

from mockiv.core.analysis import Doc, outcomes
from mockiv.core.kinds import asks_about_people, asks_for_story
from mockiv.core.phrases import starting_outside
from mockiv.core.rules.base import Hit, RuleSpec, check, first_spans
from mockiv.core.structure import Part

_CAPITALISED_COMMON = frozenset({"i", "i'm", "i've", "i'd", "i'll", "ok", "okay", "so", "and", "but", "the", "we"})


def is_story(doc: Doc, spec: RuleSpec) -> bool:
    """A story with past actions, told to a question that asks for one (when the question is known)."""
    if doc.question and not asks_for_story(doc.question):
        return False
    return len(doc.past_actions()) >= spec.param("min_story_actions", 2)


def _sentences_labelled(doc: Doc, *labels: Part) -> list[int]:
    return [p.index for p in doc.memo.get("structure", ()) if p.label in labels]


def _ending_evidence(doc: Doc) -> tuple[tuple[int, int], ...]:
    """Where a missing result should have been: the result part if any, else the last sentence."""
    sentences = _sentences_labelled(doc, Part.RESULT) or [doc.sentence_count - 1]
    return tuple(doc.view.sentence_spans[s] for s in sentences[-2:])


@check("no-problem")
def no_problem(doc: Doc, spec: RuleSpec) -> Hit | None:
    if not is_story(doc, spec):
        return None
    # "fixed the issues that came up" is a generic claim, not a problem statement.
    # ("fixed various bugs": the words right after a generic verb belong to the claim too.)
    generic = doc.matches("evidence.generic_claim")
    problems = starting_outside(doc.matches("structure.problem") + doc.matches("evidence.problem"), generic, reach=2)
    if problems or _scarce(doc) or _sets_the_scene(doc, spec):
        return None
    return Hit((doc.view.sentence_spans[0],), {"problem_signals": 0})


def _sets_the_scene(doc: Doc, spec: RuleSpec) -> bool:
    """The answer opens with a situation of some length before any action: it does not jump straight to the
    solution, even if the problem is told in words no lexicon lists."""
    scene = 0
    for part in doc.memo.get("structure", ()):
        if part.label != Part.SITUATION:
            break
        scene += part.end_index - part.start_index
    return scene >= spec.param("min_scene_words", 10**6)


def _scarce(doc: Doc) -> bool:
    """"Only 40% of installs finished sign-up": a number framed as too low states the problem."""
    return any(q.start > 0 and doc.norms[q.start - 1] in ("only", "just", "barely", "under")
               for q in doc.quantities() if q.sort in ("percent", "count", "money"))


@check("no-outcome")
def no_outcome(doc: Doc, spec: RuleSpec) -> Hit | None:
    if not is_story(doc, spec) or outcomes(doc):
        return None
    ignored = [doc.transcript.span_text(q.start, q.end) + f" ({q.sort})" for q in doc.quantities()]
    return Hit(_ending_evidence(doc), {"numbers_not_outcomes": ignored})


def specificity(doc: Doc) -> int:
    """Named tools, technical terms, numbers and reasons ("instead of", "because the") in the answer."""
    if "specificity" in doc.memo:
        return doc.memo["specificity"]
    terms = {doc.norms[m.start] for m in doc.matches("evidence.tech_terms")}
    starts = {b for b, _ in doc.view.sentence_spans}
    for i, word in enumerate(doc.transcript.words):
        raw = word.text.strip("\"'(")
        if raw[:1].isupper() and i not in starts and doc.norms[i] not in _CAPITALISED_COMMON:
            terms.add(doc.norms[i])
    numbers = sum(1 for q in doc.quantities() if q.sort not in ("year",))
    score = len(terms) + numbers + 2 * doc.count("evidence.tradeoff")
    doc.memo["specificity"] = score
    return score


@check("vague")
def vague(doc: Doc, spec: RuleSpec) -> Hit | None:
    # "I did everything" is an ownership claim (exaggeration), not a vague one.
    claims = starting_outside(doc.matches("evidence.generic_claim"), doc.matches("ownership.own_everything"))
    generic = first_spans(claims, limit=100)
    specific = specificity(doc)
    # In a longer answer one stock phrase among real details is not vagueness; among none, it is.
    long_and_concrete = doc.word_count >= spec.param("long_answer_words", 10**6) and specific > spec.param(
        "max_specific_long_single", 1)
    needed = spec.param("min_generic") + (1 if long_and_concrete else 0)
    if len(generic) < needed or specific > spec.param("max_specific"):
        return None
    return Hit(generic[:3], {"generic_claims": len(generic), "specific_details": specificity(doc)})


@check("no-business-impact")
def no_business_impact(doc: Doc, spec: RuleSpec) -> Hit | None:
    if not is_story(doc, spec) or doc.has("evidence.business") or not doc.has("evidence.work_terms"):
        return None
    if doc.question and asks_about_people(doc.question):
        return None
    if any(q.sort == "money" for q in doc.quantities()):
        return None
    return Hit(_ending_evidence(doc), {"business_signals": 0})
