"""The session report the app shows: three strengths and three growth areas with their evidence (seed 003:
"write down three things you did well ... jot down your top three growth areas"), pace and filler series
for the charts, a practice plan, and a comparison with earlier runs of the same pack.

Strengths, growth areas and the plan are the core's (`mockiv.core.report.session_report`), the one ranking
every report uses; nothing invented: with no findings there is no growth area to show, and the report says so.
"""

from __future__ import annotations

import statistics
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from mockiv.core import numbering
from mockiv.core.delivery import thresholds
from mockiv.core.report import session_report
from mockiv.core.rules import RuleResult
from mockiv.core.transcript import Answer, Kind
from mockiv.engine.analysis import AnswerResult


@dataclass(frozen=True, slots=True)
class Point:
    """One strength or growth area: what, why it matters, the candidate's words, and the fix."""

    title: str
    detail: str = ""
    evidence: str = ""
    fix: str = ""
    count: int = 1


@dataclass(frozen=True, slots=True)
class RunFigures:
    """One run's headline numbers, for the comparison between runs of the same pack."""

    label: str
    answers: int
    wpm: float | None
    fillers_per_min: float | None
    findings_per_answer: float | None


@dataclass(frozen=True, slots=True)
class SessionSummary:
    strengths: tuple[Point, ...]
    growth: tuple[Point, ...]
    pace: tuple[tuple[str, float | None], ...]
    fillers: tuple[tuple[str, float | None], ...]
    plan: tuple[str, ...]
    figures: RunFigures
    earlier: tuple[RunFigures, ...] = field(default=())


def _mean(values: Sequence[float | None]) -> float | None:
    present = [v for v in values if v is not None]
    return round(statistics.fmean(present), 1) if present else None


def figures_of(label: str, results: Sequence[AnswerResult]) -> RunFigures:
    return RunFigures(
        label, len(results),
        _mean([r.metrics.wpm for r in results]),
        _mean([r.metrics.fillers_per_min for r in results]),
        round(sum(len(r.findings) for r in results) / len(results), 1) if results else None,
    )


def figures_from_stored(label: str, answers: Sequence[Any]) -> RunFigures:
    """The same figures from stored answers (`mockiv.store` AnswerRecord: metrics dict, latest result)."""
    done = [a for a in answers if getattr(a, "metrics", None)]
    wpm = [a.metrics.get("wpm") for a in done]
    fpm = [a.metrics.get("fillers_per_min") for a in done]
    counts = [len(a.latest.findings) for a in done if getattr(a, "latest", None) is not None]
    return RunFigures(label, len(done), _mean(wpm), _mean(fpm),
                      round(sum(counts) / len(counts), 1) if counts else None)


def _delivery_plan(results: Sequence[AnswerResult]) -> list[str]:
    """The plan's delivery lines, from the metrics (the core plans from the findings)."""
    plan = []
    paces = [r.metrics.wpm for r in results if r.metrics.wpm is not None]
    if paces:
        low, high = pace_target()
        off = [p for p in paces if not low <= p <= high]
        if off:
            plan.append(f"Pace: {len(off)} of {len(paces)} answers were outside {low:.0f}–{high:.0f} WPM; "
                        "rehearse one answer aloud against a timer.")
    heavy = float(thresholds().get("fillers", {}).get("heavy_ratio", 0.05))
    filler_heavy = [r for r in results if r.metrics.word_count and r.metrics.filler_ratio > heavy]
    if filler_heavy:
        plan.append(f"Fillers: {len(filler_heavy)} of {len(results)} answers were above {heavy:.0%} fillers; "
                    "pause silently instead of filling the gap.")
    return plan


def pace_target() -> tuple[float, float]:
    pace = thresholds().get("pace", {})
    return float(pace.get("slow_wpm", 110)), float(pace.get("fast_wpm", 170))


def answer_labels(results: Sequence[AnswerResult]) -> list[str]:
    """Each answer's label as the candidate met the question (mockiv.core.numbering): 1, 1a, 1b, 2."""
    return numbering.answer_labels([(r.question_id, r.question) for r in results])


def final_attempts(results: Sequence[AnswerResult]) -> list[int]:
    """Indices of the answers not answered again later: a retried answer's findings leave the report."""
    return numbering.final_attempts([(r.question_id, r.question) for r in results])


def _core_report(results: Sequence[AnswerResult]) -> tuple[list[Point], list[Point], list[str]]:
    """The core's session report (`mockiv.core.report.session_report`): the one ranking of strengths and growth
    areas, as the app's points, over each question's final attempt, numbered as the questions were."""
    labels = answer_labels(results)
    kept = [i for i in final_attempts(results) if results[i].result is not None]
    scored = [results[i] for i in kept]
    names = [labels[i] for i in kept]
    if not scored:
        return [], [], []
    report = session_report([(Answer(r.question, Kind(r.kind), r.transcript, r.question_id), r.metrics,
                              RuleResult.from_dict(r.result or {})) for r in scored])

    def quote(item: Any) -> str:
        if not item.evidence:
            return ""
        span = item.evidence[0].span
        when = f" @ {span.start:.1f}s" if span.start is not None else ""
        return f"“{span.text}”{when} (answer {names[item.evidence[0].answer_index]})"

    def answers(item: Any) -> str:
        return f" (answer{'s' if len(item.answers) > 1 else ''} {', '.join(names[a] for a in item.answers)})"

    strengths = [Point(s.message + answers(s), "", quote(s), "", len(s.answers)) for s in report.strengths]
    rationale = {str(f.get("rule")): str(f.get("rationale", "")) for r in scored for f in r.findings}
    growth = [Point(g.message + answers(g), rationale.get(g.id, ""), quote(g), g.suggestion, len(g.answers))
              for g in report.growth_areas]
    return strengths, growth, list(report.practice_plan)


def summarize(results: Sequence[AnswerResult], earlier: Sequence[RunFigures] = (), label: str = "this run"
              ) -> SessionSummary:
    strengths, growth, plan = _core_report(results)
    plan = plan + _delivery_plan(results)
    if not plan:
        plan.append("Nothing to fix stood out: run a timed rehearsal of the whole pack to test it under pressure.")
    labels = answer_labels(results)
    final = final_attempts(results)
    pace = tuple((f"Q{labels[i]}", results[i].metrics.wpm) for i in final)
    fillers = tuple((f"Q{labels[i]}", float(results[i].metrics.filler_count)) for i in final)
    return SessionSummary(tuple(strengths), tuple(growth), pace, fillers, tuple(plan), figures_of(label, results),
                          tuple(earlier))


def compare_line(now: RunFigures, before: RunFigures) -> str:
    """One line saying what moved between two runs, in words, not colour."""
    parts = []
    for name, a, b, better in (("pace", now.wpm, before.wpm, None),
                               ("fillers/min", now.fillers_per_min, before.fillers_per_min, "lower"),
                               ("findings/answer", now.findings_per_answer, before.findings_per_answer, "lower")):
        if a is None or b is None:
            continue
        delta = a - b
        if abs(delta) < 0.05:
            parts.append(f"{name} unchanged ({a:g})")
            continue
        verdict = "" if better is None else (" better" if (delta < 0) == (better == "lower") else " worse")
        parts.append(f"{name} {b:g} → {a:g}{verdict}")
    return "; ".join(parts) or "no comparable figures (typed answers have no timing)"
