"""Failure family: failure-no-lesson, the four-part failure story of seed 002.

It reads the parts the structure tagger found, and double-checks with the phrase lists so a lesson told
in the middle of the story still counts.
"""

from __future__ import annotations

from mockiv.core.analysis import Doc
from mockiv.core.rules.attitude import mistake_claims
from mockiv.core.rules.base import Hit, RuleSpec, check
from mockiv.core.structure import Part


def failure_parts(doc: Doc) -> dict[str, list[int]]:
    """Sentences per part of the failure story."""
    if "failure_parts" in doc.memo:
        return doc.memo["failure_parts"]
    parts: dict[str, list[int]] = {str(p): [] for p in (Part.CONTEXT, Part.WHAT_WENT_WRONG, Part.RESPONSE, Part.LESSON)}
    for sentence in doc.memo.get("structure", ()):
        if str(sentence.label) in parts:
            parts[str(sentence.label)].append(sentence.index)
    # "I don't think I've failed" names no failure, whatever words it shares with one.
    claimed = {m.sentence for m in mistake_claims(doc)}
    wrong = sorted(s for s in doc.sentences_with("structure.went_wrong") if s not in claimed)
    parts["what-went-wrong"] = [s for s in parts["what-went-wrong"] if s not in claimed]
    if not parts["what-went-wrong"] and wrong:
        parts["what-went-wrong"] = wrong
    acted = sorted({doc.sentence_of_word(i) for i in doc.past_actions()})
    first_wrong = parts["what-went-wrong"][0] if parts["what-went-wrong"] else None
    if acted and acted[0] == 0 and (first_wrong is None or first_wrong > 0) and wrong:
        # A failure answer that opens with a past action opens with the failure ("I once dropped a column").
        first_wrong = 0
    if not parts["lesson"]:
        lessons = doc.sentences_with("structure.lesson")
        parts["lesson"] = sorted(s for s in lessons if first_wrong is None or s >= first_wrong)
    # What the candidate did after: a past action told after the failure (a habit is not a response).
    responded = set(acted) & ({doc.sentence_of_word(i) for i in doc.i_actions()} | doc.sentences_with(
        "structure.response") | {doc.sentence_of_word(i) for i in doc.we_actions()})
    parts["response"] = sorted(s for s in responded if first_wrong is not None and s > first_wrong)
    doc.memo["failure_parts"] = parts
    return parts


@check("failure-no-lesson")
def failure_no_lesson(doc: Doc, spec: RuleSpec) -> Hit | None:
    parts = failure_parts(doc)
    missing = [p for p in spec.param("required") if not parts[p]]
    if not missing:
        return None
    last = doc.sentence_count - 1
    where = {
        "what-went-wrong": 0,
        "response": parts["what-went-wrong"][0] if parts["what-went-wrong"] else 0,
        "lesson": last,
    }
    evidence = tuple(sorted({doc.view.sentence_spans[where[p]] for p in missing}))
    return Hit(evidence, {"missing": missing, "present": [p for p, s in parts.items() if s]})
