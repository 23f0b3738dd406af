"""Attitude family: negativity (data-only `existence`), blame, no-mistakes-claim (seeds 000 and 002).

Negativity needs a person or an organisation as its target, so "the legacy code was terrible" describes a
problem, not a former employer.
"""

from __future__ import annotations

from mockiv.core.analysis import Doc, lexicon_set
from mockiv.core.phrases import Match, overlapping_none
from mockiv.core.rules.base import Hit, RuleSpec, check, first_spans


def _outside(matches: list[Match], excluded: list[Match]) -> list[Match]:
    return overlapping_none(matches, excluded)


@check("blame")
def blame(doc: Doc, spec: RuleSpec) -> Hit | None:
    negated = doc.matches("attitude.blame_negated")
    strong = _outside(doc.matches("attitude.blame_strong"), negated)
    weak = _outside(doc.matches("attitude.blame_weak"), negated)
    if not strong and not weak:
        return None
    # "my fault" inside "wasn't my fault" owns nothing.
    owned = _outside(doc.matches("attitude.accountability"), strong)
    if len(owned) > spec.param("max_accountability", 0):
        return None
    weak_starts = {m.start for m in weak}
    if not strong and len(weak_starts) < spec.param("min_weak") and doc.i_actions():
        return None
    marks = sorted(strong + weak, key=lambda m: m.start)
    return Hit(first_spans(marks), {"blame": len(strong) + len(weak_starts), "accountability": 0})


def mistake_claims(doc: Doc) -> list[Match]:
    """"I've never really failed", "nothing comes to mind"... but not "never made that mistake again"."""
    if "mistake_claims" in doc.memo:
        return doc.memo["mistake_claims"]
    after_ok = lexicon_set("attitude", "no_mistakes_after")
    failed_to = lexicon_set("attitude", "no_mistakes_failed_to")
    claims = []
    for m in doc.matches("attitude.no_mistakes"):
        nxt = doc.norms[m.end] if m.end < doc.word_count else ""
        if nxt in after_ok or (nxt in failed_to and doc.norms[m.end - 1] in ("failed", "fail")):
            continue  # "never made that mistake again", "never failed to deliver"
        claims.append(m)
    doc.memo["mistake_claims"] = claims
    return claims


@check("no-mistakes-claim")
def no_mistakes_claim(doc: Doc, spec: RuleSpec) -> Hit | None:
    claims = mistake_claims(doc)
    if not claims:
        return None
    return Hit(first_spans(sorted(claims, key=lambda m: m.start)), {"claims": len(claims)})
