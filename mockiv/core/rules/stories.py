"""Stories family: hypothetical (seed 001, pattern 1) and chronological-recital (seed 000).

A hypothetical marker counts only outside a real story: "I told them I would fix it" reports a past
promise, "I would have tested it" is a lesson, and a story full of past actions is a story.
"""

from __future__ import annotations

from mockiv.core.analysis import Doc, lexicon_set
from mockiv.core.rules.base import Hit, RuleSpec, check


def hypothetical_marks(doc: Doc) -> list[tuple[int, int]]:
    """"I would", "if I were", "I usually"... not reported speech, not "I would have", not "I'd already"."""
    if "hypothetical" in doc.memo:
        return doc.memo["hypothetical"]
    excluded = {m.start for m in doc.matches("stories.not_hypothetical")}
    reporting = lexicon_set("stories", "reporting_verbs")
    position_of = {p: k for k, p in enumerate(doc.view.positions)}
    tokens = doc.view.tokens
    out: list[tuple[int, int]] = []
    last_end = -1
    for m in sorted(doc.matches("stories.hypothetical"), key=lambda m: (m.start, -m.end)):
        if m.start in excluded or m.start < last_end:
            continue
        k = position_of[m.start]
        if tokens[k] in ("i'd", "we'd") and k + 1 < len(tokens) and doc.is_past(tokens[k + 1]):
            continue  # "an export I'd promised": I had promised
        before = tokens[max(0, k - 3):k]
        if any(t in reporting for t in before):
            continue
        out.append((m.start, m.end))
        last_end = m.end
    doc.memo["hypothetical"] = out
    return out


@check("hypothetical")
def hypothetical(doc: Doc, spec: RuleSpec) -> Hit | None:
    marks = hypothetical_marks(doc)
    if not marks:
        return None
    story = len(doc.past_actions()) + doc.count("stories.real_story")
    single = len(marks) == 1 and story <= spec.param("max_past_actions_single", 0)
    if not single and not (len(marks) >= 2 and len(marks) > story):
        return None
    return Hit(tuple(marks[:3]), {"hypothetical": len(marks), "past_actions": story})


@check("chronological-recital")
def chronological_recital(doc: Doc, spec: RuleSpec) -> Hit | None:
    years = [q for q in doc.quantities() if q.sort == "year"]
    moves = doc.matches("stories.career_move")
    if len(years) + len(moves) < spec.param("min_chronology"):
        return None
    if max(len(years), len(moves)) < spec.param("min_years_or_moves"):
        return None
    if doc.count("stories.relevance") > spec.param("max_relevance"):
        return None
    marks = sorted([(q.start, q.end) for q in years] + [(m.start, m.end) for m in moves])
    return Hit(tuple(marks[:4]), {"dates": len(years), "career_moves": len(moves), "relevance": 0})


