"""Strengths: seed 001's senior signals, found with the same readings the rules use."""

from __future__ import annotations

from mockiv.core.analysis import Doc, lexicon_set, outcomes
from mockiv.core.rules.base import Hit, StrengthSpec, first_spans, strength_check
from mockiv.core.rules.closing import questions
from mockiv.core.rules.failure import failure_parts
from mockiv.core.rules.ownership import i_ownership
from mockiv.core.structure import Part


@strength_check("clear-ownership")
def clear_ownership(doc: Doc, spec: StrengthSpec) -> Hit | None:
    mine = i_ownership(doc)
    if len(mine) < spec.param("min_i_actions", 3) or len(mine) * 2 < len(doc.we_actions()):
        return None
    return Hit(tuple((i, i + 2) for i in mine[:3]))


def is_setback(doc: Doc, start: int, reach: int = 4) -> bool:
    """The number measures a setback: a setback word among the few words before it ("over budget by 30 percent")."""
    setback = lexicon_set("evidence", "setback_words")
    return any(word in setback for word in doc.norms[max(start - reach, 0):start])


@strength_check("quantified-result")
def quantified_result(doc: Doc, spec: StrengthSpec) -> Hit | None:
    found = [q for q in outcomes(doc) if not is_setback(doc, q.start)]
    if not found:
        return None
    spans = []
    for q in found[:3]:
        begin, end = doc.view.sentence_spans[doc.sentence_of_word(q.start)]
        spans.append((begin, end))
    return Hit(tuple(dict.fromkeys(spans)))


@strength_check("business-framing")
def business_framing(doc: Doc, spec: StrengthSpec) -> Hit | None:
    hits = doc.matches("evidence.business")
    if not hits or (doc.kind != "motivation" and len(doc.past_actions()) < spec.param("min_story_actions", 2)):
        return None
    return Hit(first_spans(hits, 2))


@strength_check("proactive-action")
def proactive_action(doc: Doc, spec: StrengthSpec) -> Hit | None:
    hits = doc.matches("ownership.initiative")
    return Hit(first_spans(hits, 2)) if hits else None


@strength_check("lesson-learned")
def lesson_learned(doc: Doc, spec: StrengthSpec) -> Hit | None:
    lesson = failure_parts(doc)["lesson"]
    return Hit(tuple(doc.view.sentence_spans[s] for s in lesson[:2])) if lesson else None


@strength_check("complete-structure")
def complete_structure(doc: Doc, spec: StrengthSpec) -> Hit | None:
    labels = {p.label for p in doc.memo.get("structure", ())}
    if doc.kind == "failure":
        parts = failure_parts(doc)
        return Hit() if all(parts[p] for p in ("what-went-wrong", "response", "lesson")) else None
    has_setup = bool(labels & {Part.SITUATION, Part.TASK})
    if has_setup and Part.ACTION in labels and Part.RESULT in labels:
        return Hit()
    return None


@strength_check("good-questions")
def good_questions(doc: Doc, spec: StrengthSpec) -> Hit | None:
    asked = questions(doc)
    good = doc.sentences_with("strengths.good_question")
    chosen = [s for s in asked if s in good]
    return Hit(tuple(doc.view.sentence_spans[s] for s in chosen[:2])) if chosen else None
