"""Closing family: no-questions (code) and early-negotiation (data-only `existence`), from seed 000.

A question is a sentence ending in "?", one that opens with a question word (Whisper sometimes drops the
mark), or an embedded question ("I was wondering how...").
"""

from __future__ import annotations

from mockiv.core.analysis import Doc, lexicon_set
from mockiv.core.rules.base import Hit, RuleSpec, check


def questions(doc: Doc, min_words: int = 4) -> list[int]:
    """Sentences that ask the interviewer something."""
    if "questions" in doc.memo:
        return doc.memo["questions"]
    openers = lexicon_set("closing", "question_openers")
    embedded = doc.sentences_with("closing.embedded_question")
    out = []
    words = doc.transcript.words
    for s, (begin, end) in enumerate(doc.view.sentence_spans):
        if end <= begin:
            continue
        text_end = words[end - 1].text.rstrip("\"')")
        first = next((doc.norms[i] for i in range(begin, end) if doc.norms[i] and doc.norms[i] not in
                      ("so", "and", "yes", "yeah", "okay", "ok", "well", "um", "uh", "also", "then", "just")), "")
        long_enough = end - begin >= min_words
        if text_end.endswith("?") or s in embedded or (first in openers and long_enough):
            out.append(s)
    doc.memo["questions"] = out
    return out


@check("no-questions")
def no_questions(doc: Doc, spec: RuleSpec) -> Hit | None:
    if questions(doc, spec.param("min_question_words", 4)):
        return None
    if doc.sentence_count == 0:
        return None
    return Hit((doc.view.sentence_spans[0],), {"questions": 0})
