"""Rehearsed family: `rehearsed` (a recited script delivered like one) and `monotone` (flat pitch).

Seed 000: over-prepared candidates "memorise answers so heavily that the interview stops feeling natural.
Everything sounds rehearsed and robotic, and clients notice it"; prepare structure, not scripts. Seed 001,
week 3: "Don't memorize scripts. Practice telling the same story from different angles."

Both rules need more than the words: the texts the candidate may be reciting (story-bank entries, earlier
answers) and the pitch measured from the audio. The shell passes them to `evaluate` as `context`
(`evaluation_context` builds it; mockiv.recitation_context gathers it from the user's data). Without them
both rules stay silent rather than guess.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from mockiv.core import delivery
from mockiv.core.analysis import Doc
from mockiv.core.pitch import as_summary
from mockiv.core.recitation import Assessment, assess, evaluation_context
from mockiv.core.rules.base import Hit, RuleSpec, check
from mockiv.core.rules.baseline import baseline_note

CONTEXT_KEY = "context"
__all__ = ["CONTEXT_KEY", "assessment", "evaluation_context", "monotone", "rehearsed"]


def _context(doc: Doc) -> Mapping[str, Any]:
    return doc.memo.get(CONTEXT_KEY) or {}


def assessment(doc: Doc, spec: RuleSpec) -> Assessment | None:
    """The combined evidence on this answer, measured once per answer."""
    if "recitation" in doc.memo:
        return doc.memo["recitation"]
    context = _context(doc)
    references = tuple(context.get("references", ()))
    result = None
    if references:
        metrics = doc.metrics if doc.metrics is not None else delivery.compute(doc.transcript)
        result = assess(doc.transcript, metrics, references, as_summary(context.get("pitch")),
                        weights=spec.param("weights"), threshold=spec.param("threshold"))
    doc.memo["recitation"] = result
    return result


@check("rehearsed")
def rehearsed(doc: Doc, spec: RuleSpec) -> Hit | None:
    """Fires when the answer repeats a story or an earlier answer word for word and the delivery adds enough
    robotic cues; the evidence quotes the repeated passages, the details list every cue measured."""
    result = assessment(doc, spec)
    if result is None or not result.rehearsed or result.overlap is None:
        return None
    passages = sorted(result.overlap.passages, key=lambda p: p.words, reverse=True)[: spec.param("max_evidence", 3)]
    longest = passages[0] if passages else None
    return Hit(
        tuple(sorted((p.start_index, p.end_index) for p in passages)),
        {
            "score": result.score,
            "threshold": spec.param("threshold"),
            "source": result.overlap.reference.source,
            "reference": result.overlap.reference.label,
            "repeated_passage": doc.transcript.span_text(longest.start_index, longest.end_index) if longest else "",
            "repeated_share": round(result.overlap.repeated_share, 3),
            "longest_run": result.overlap.longest_run,
            "evidence": [e.text for e in result.found()],
            "not_found": [e.text for e in result.evidence if not e.found],
        },
    )


@check("monotone")
def monotone(doc: Doc, spec: RuleSpec) -> Hit | None:
    """Fires when the pitch measured from the audio moves less than the data threshold."""
    pitch = as_summary(_context(doc).get("pitch"))
    if pitch is None or not pitch.monotone or pitch.spread_semitones is None:
        return None
    return Hit((), {"spread_semitones": round(pitch.spread_semitones, 2), "median_hz": pitch.to_dict()["median_hz"],
                    "voiced_frames": pitch.voiced_frames,
                    "evidence": [f"pitch moves over {pitch.spread_semitones:.1f} semitones"],
                    **baseline_note(doc, "pitch_spread_semitones")})
