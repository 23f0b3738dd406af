"""Baseline family: `off-baseline`, the answer's delivery against the candidate's own relaxed self.

Seed 003: the candidate "know[s] the basics, but my nerves and emotions got in the way of me showing that". One
fixed band cannot hear nerves in a naturally fast talker, nor calm in a naturally slow one; the candidate's own
baseline (mockiv.core.baseline, measured by `mockiv baseline`) can. The shell passes it in the rule engine's
`context` under "baseline"; without one this family stays silent and the general bands decide alone.

The general delivery rules (pace, fillers) say where the answer sits against their band; `baseline_note` adds
the same metric against the personal band to their details (monotone's too), and `off-baseline` reports the
moves the general rules do not already report (pace inside the general band but far from the candidate's own,
pauses, a narrower pitch range that is not yet monotone).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from mockiv.core.analysis import Doc
from mockiv.core.baseline import Shift, compare, from_context
from mockiv.core.delivery import thresholds
from mockiv.core.pitch import as_summary
from mockiv.core.rules.base import Hit, RuleSpec, check

_SHIFTS = "baseline_shifts"


def shifts(doc: Doc) -> dict[str, Shift]:
    """The answer against the baseline of `context`, once per answer (empty without one)."""
    if _SHIFTS not in doc.memo:
        context: Mapping[str, Any] = doc.memo.get("context") or {}
        baseline = from_context(context)
        found = {}
        if baseline is not None and doc.metrics is not None:
            found = compare(doc.metrics, as_summary(context.get("pitch")), baseline)
        doc.memo[_SHIFTS] = found
    return doc.memo[_SHIFTS]


def baseline_note(doc: Doc, metric: str) -> dict[str, Any]:
    """Details for a general delivery finding: the same metric against the personal band ({} without one)."""
    shift = shifts(doc).get(metric)
    return {"baseline": shift.line, "baseline_band": [shift.low, shift.high]} if shift is not None else {}


def _reported_by_general_rule(doc: Doc, shift: Shift) -> bool:
    """Whether a general delivery rule already reports this metric (its finding then carries the note)."""
    metrics = doc.metrics
    if metrics is None:
        return False
    t = thresholds()
    if shift.metric == "wpm":
        return shift.value > t["pace"]["fast_wpm"] or shift.value < t["pace"]["slow_wpm"]
    if shift.metric == "fillers_per_min":
        return metrics.filler_ratio >= t["fillers"]["heavy_ratio"] or shift.value >= t["fillers"]["heavy_per_min"]
    if shift.metric == "pitch_spread_semitones":
        pitch = as_summary((doc.memo.get("context") or {}).get("pitch"))
        return pitch is not None and pitch.monotone  # the monotone rule reports it
    return False


@check("off-baseline")
def off_baseline(doc: Doc, spec: RuleSpec) -> Hit | None:
    moved = [s for s in shifts(doc).values() if s.concern and not _reported_by_general_rule(doc, s)]
    if not moved:
        return None
    whole = ((0, doc.word_count),) if doc.word_count else ()
    return Hit(whole, {"baseline": "; ".join(s.line for s in moved),
                       "shifts": [s.to_dict() for s in moved]})
