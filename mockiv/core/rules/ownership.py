"""Ownership family: we-without-i, exaggeration (data-only, an `existence` check), reactive, hedging.

Seeds 000 and 001: interviewers score what YOU did; the team's "we", a walked-back claim, waiting to be
told, and softened verbs all hide it.
"""

from __future__ import annotations

from mockiv.core.analysis import Doc
from mockiv.core.rules.base import Hit, RuleSpec, check, first_spans
from mockiv.core.transcript import Kind


def i_ownership(doc: Doc) -> list[int]:
    """Where the candidate's own part shows: "I" + an action verb, or "my role was", "I led"..."""
    if "i_ownership" not in doc.memo:
        marks = set(doc.i_actions()) | {m.start for m in doc.matches("ownership.my_role")}
        doc.memo["i_ownership"] = sorted(marks)
    return doc.memo["i_ownership"]


@check("we-without-i")
def we_without_i(doc: Doc, spec: RuleSpec) -> Hit | None:
    we = doc.we_actions()
    mine = i_ownership(doc)
    # A short answer told only in "we" ("We launched it and it performed well.") needs no count.
    # Only a literal "we" counts here: "the way the team had designed it" is a clause, not the story's subject.
    past_we = {index for index, subject, verb, _at in doc.subject_verbs() if subject == "we" and doc.is_past(verb)}
    literal_we = [i for i in we if doc.norms[i] == "we" and i in past_we]  # a story told in "we", not a plan
    alone = (bool(literal_we) and not mine and doc.word_count <= spec.param("max_words_alone", 0)
             and doc.kind != Kind.FAILURE)  # "we built the wrong thing" may honestly be the team's failure
    if not alone:
        if len(we) < spec.param("min_we") or len(mine) > spec.param("max_i_actions"):
            return None
        if len(we) < spec.param("min_ratio") * max(len(mine), 1):
            return None
    return Hit(tuple((i, i + 2) for i in we[:3]), {"we_actions": len(we), "i_actions": len(mine)})


@check("reactive")
def reactive(doc: Doc, spec: RuleSpec) -> Hit | None:
    told = doc.matches("ownership.reactive")
    if not told:
        return None
    if doc.count("ownership.initiative") > spec.param("max_initiative", 0):
        return None
    return Hit(first_spans(told), {"reactive": len(told), "initiative": 0})


def hedges(doc: Doc) -> list[tuple[int, int]]:
    """Hedge phrases, plus "kind of"/"sort of" only where delivery marked them as fillers (so "what kind of
    tool" is not a hedge)."""
    spans = {(m.start, m.end) for m in doc.matches("ownership.hedge")}
    if doc.metrics is not None and doc.metrics.word_count == doc.word_count:
        for d in doc.metrics.disfluencies:
            if d.category == "discourse" and d.text.lower().strip(",.;") in ("kind of", "sort of"):
                spans.add((d.start_index, d.end_index))
    # Overlapping hedges ("I was kind of" + "kind of") count once.
    out: list[tuple[int, int]] = []
    for start, end in sorted(spans):
        if out and start < out[-1][1]:
            continue
        out.append((start, end))
    return out


@check("hedging")
def hedging(doc: Doc, spec: RuleSpec) -> Hit | None:
    found = hedges(doc)
    own = doc.count("ownership.ownership_hedge")
    per_100 = 100.0 * len(found) / max(doc.word_count, 1)
    dense = len(found) >= spec.param("min_count") and per_100 >= spec.param("min_per_100_words")
    if not dense and own < spec.param("min_ownership_hedges"):
        return None
    return Hit(tuple(found[:4]), {"count": len(found), "ownership_hedges": own, "per_100_words": round(per_100, 2)})
