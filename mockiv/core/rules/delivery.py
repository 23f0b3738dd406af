"""Delivery family: filler-heavy, pace-fast, pace-slow, long-pause, too-long, too-short.

They read `DeliveryMetrics` and the thresholds of mockiv/core/data/delivery.toml (the lead's file, with its
sources). With the candidate's baseline in the context, each finding also says where the same metric sits against
their own relaxed band (`baseline` in its details; mockiv.core.rules.baseline). Timing rules never fire on an
untimed (typed) answer; length then falls back to word counts.
"""

from __future__ import annotations

from mockiv.core.analysis import Doc
from mockiv.core.delivery import DeliveryMetrics, thresholds
from mockiv.core.rules.base import Hit, RuleSpec, check
from mockiv.core.rules.baseline import baseline_note


def _metrics(doc: Doc) -> DeliveryMetrics | None:
    return doc.metrics


def _timed(metrics: DeliveryMetrics | None) -> bool:
    return metrics is not None and metrics.timed and metrics.wpm is not None


def _whole(doc: Doc) -> tuple[tuple[int, int], ...]:
    return ((0, doc.word_count),) if doc.word_count else ()


@check("filler-heavy")
def filler_heavy(doc: Doc, spec: RuleSpec) -> Hit | None:
    m = _metrics(doc)
    if m is None or m.filler_count < spec.param("min_fillers", 3):
        return None
    t = thresholds()["fillers"]
    by_ratio = m.filler_ratio >= t["heavy_ratio"]
    by_rate = m.fillers_per_min is not None and m.fillers_per_min >= t["heavy_per_min"]
    if not (by_ratio or by_rate):
        return None
    spans = tuple((d.start_index, d.end_index) for d in m.fillers[:6])
    return Hit(spans, {"filler_count": m.filler_count, "filler_ratio": m.filler_ratio,
                       "fillers_per_min": m.fillers_per_min, **baseline_note(doc, "fillers_per_min")})


def _pace(doc: Doc, spec: RuleSpec, fast: bool) -> Hit | None:
    m = _metrics(doc)
    if not _timed(m) or (m.speaking_time_s or 0.0) < spec.param("min_speaking_s", 8.0):
        return None
    t = thresholds()["pace"]
    wpm = m.wpm or 0.0
    if (fast and wpm <= t["fast_wpm"]) or (not fast and wpm >= t["slow_wpm"]):
        return None
    # Evidence: the fastest (or slowest) window of the answer when there are several, else all of it.
    evidence = _whole(doc)
    if len(m.pace_windows) >= 2:
        window = (max if fast else min)(m.pace_windows, key=lambda w: w.wpm)
        inside = [i for i, w in enumerate(doc.transcript.words)
                  if w.start is not None and window.start <= w.start < window.end]
        if inside:
            evidence = ((inside[0], inside[-1] + 1),)
    limit = t["fast_wpm"] if fast else t["slow_wpm"]
    return Hit(evidence, {"wpm": wpm, "limit_wpm": limit, **baseline_note(doc, "wpm")})


@check("pace-fast")
def pace_fast(doc: Doc, spec: RuleSpec) -> Hit | None:
    return _pace(doc, spec, fast=True)


@check("pace-slow")
def pace_slow(doc: Doc, spec: RuleSpec) -> Hit | None:
    return _pace(doc, spec, fast=False)


@check("long-pause")
def long_pause(doc: Doc, spec: RuleSpec) -> Hit | None:
    m = _metrics(doc)
    if not _timed(m):
        return None
    t = thresholds()["pauses"]
    if m.long_pause_count <= t["max_long_pauses"]:
        return None
    long_ones = [p for p in m.pauses if p.duration >= t["long_pause_s"]]
    # Quote the words either side of each silence.
    spans = tuple((p.after_index, min(p.after_index + 2, doc.word_count)) for p in long_ones[:5])
    return Hit(spans, {"long_pauses": m.long_pause_count, "longest_pause_s": m.longest_pause_s,
                       "pauses_s": [round(p.duration, 2) for p in long_ones], **baseline_note(doc, "pauses_per_min")})


def _length(doc: Doc) -> tuple[str, float]:
    m = _metrics(doc)
    if _timed(m) and m.speaking_time_s is not None:
        return "seconds", m.speaking_time_s
    return "words", float(doc.word_count)


@check("too-long")
def too_long(doc: Doc, spec: RuleSpec) -> Hit | None:
    unit, value = _length(doc)
    t = thresholds()["length"]
    limit = t["too_long_s"] if unit == "seconds" else t["too_long_words"]
    if value <= limit:
        return None
    return Hit(_whole(doc), {unit: round(value, 1), "limit": limit})


@check("too-short")
def too_short(doc: Doc, spec: RuleSpec) -> Hit | None:
    unit, value = _length(doc)
    t = thresholds()["length"]
    limit = t["too_short_s"] if unit == "seconds" else t["too_short_words"]
    if value >= limit:
        return None
    return Hit(_whole(doc), {unit: round(value, 1), "limit": limit})
