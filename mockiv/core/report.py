"""The session report: several analysed answers -> three strengths, three growth areas, a practice plan.

Seed 003's recovery routine: write down three things you did well, then your top three growth areas, then
build a curriculum from them. Strengths rank by how many answers showed them; growth areas by how much they
cost (severity) times how often they came back. Each item quotes the answer it came from.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from mockiv.core.delivery import DeliveryMetrics
from mockiv.core.findings import Severity
from mockiv.core.rules.engine import RuleResult, rule_specs, strength_specs
from mockiv.core.transcript import Answer, Span

SEVERITY_WEIGHT = {Severity.MAJOR: 3, Severity.MODERATE: 2, Severity.MINOR: 1}
TOP = 3


@dataclass(frozen=True, slots=True)
class Quote:
    """Evidence from one answer of the session."""

    answer_index: int
    question: str
    span: Span

    def to_dict(self) -> dict[str, Any]:
        return {"answer_index": self.answer_index, "question": self.question, **self.span.to_dict()}


@dataclass(frozen=True, slots=True)
class ReportItem:
    """A strength or a growth area across the session."""

    id: str
    message: str
    answers: tuple[int, ...]
    evidence: tuple[Quote, ...] = ()
    suggestion: str = ""
    follow_up: str = ""
    practice: str = ""
    score: float = 0.0

    def to_dict(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "message": self.message,
            "answers": list(self.answers),
            "evidence": [q.to_dict() for q in self.evidence],
            "suggestion": self.suggestion,
            "follow_up": self.follow_up,
            "practice": self.practice,
            "score": self.score,
        }


@dataclass(frozen=True, slots=True)
class SessionReport:
    answer_count: int
    strengths: tuple[ReportItem, ...]
    growth_areas: tuple[ReportItem, ...]
    practice_plan: tuple[str, ...]
    rules_versions: tuple[str, ...] = field(default=())

    def to_dict(self) -> dict[str, Any]:
        return {
            "answer_count": self.answer_count,
            "strengths": [s.to_dict() for s in self.strengths],
            "growth_areas": [g.to_dict() for g in self.growth_areas],
            "practice_plan": list(self.practice_plan),
            "rules_versions": list(self.rules_versions),
        }

    def lines(self) -> list[str]:
        """A plain-text rendering (the TUI and the CLI may style it further)."""
        out = [f"Session report: {self.answer_count} answer(s)", "", "What you did well:"]
        out += [f"  + {s.message} (answers {', '.join(str(a + 1) for a in s.answers)})" for s in self.strengths]
        if not self.strengths:
            out.append("  (no clear strength yet: tell a full story with your own actions and a number)")
        out += ["", "Top growth areas:"]
        for g in self.growth_areas:
            out.append(f"  - {g.message} (answers {', '.join(str(a + 1) for a in g.answers)})")
            if g.evidence:
                out.append(f"      you said: \"{g.evidence[0].span.text}\"")
            out.append(f"      try: {g.suggestion}")
        if not self.growth_areas:
            out.append("  (nothing flagged)")
        out += ["", "Practice plan for next time:"] + [f"  {i}. {step}" for i, step in enumerate(self.practice_plan, 1)]
        return out


def session_report(items: Sequence[tuple[Answer, DeliveryMetrics | None, RuleResult]]) -> SessionReport:
    """Three strengths and three growth areas with evidence, and a practice plan, from a session's answers."""
    rules = {s.id: s for s in rule_specs()}
    strength_order = {s.id: i for i, s in enumerate(strength_specs())}
    growth: dict[str, dict[str, Any]] = {}
    strong: dict[str, dict[str, Any]] = {}
    for index, (answer, _metrics, result) in enumerate(items):
        for finding in result.findings:
            row = growth.setdefault(finding.rule, {"answers": [], "evidence": [], "score": 0.0, "finding": finding})
            if index not in row["answers"]:
                row["answers"].append(index)
                row["score"] += SEVERITY_WEIGHT.get(finding.severity, 1)
            row["evidence"].extend(Quote(index, answer.question, span) for span in finding.evidence[:1])
        for strength in result.strengths:
            row = strong.setdefault(strength.id, {"answers": [], "evidence": [], "strength": strength})
            if index not in row["answers"]:
                row["answers"].append(index)
            row["evidence"].extend(Quote(index, answer.question, span) for span in strength.evidence[:1])

    growth_items = []
    for rule_id, row in growth.items():
        finding = row["finding"]
        spec = rules.get(rule_id)
        growth_items.append(ReportItem(
            id=rule_id, message=finding.message, answers=tuple(row["answers"]), evidence=tuple(row["evidence"][:3]),
            suggestion=finding.suggestion, follow_up=finding.follow_up,
            practice=spec.practice if spec else finding.suggestion, score=row["score"],
        ))
    growth_items.sort(key=lambda g: (-g.score, -len(g.answers), g.id))
    strength_items = [
        ReportItem(id=sid, message=row["strength"].message, answers=tuple(row["answers"]),
                   evidence=tuple(row["evidence"][:3]), score=float(len(row["answers"])))
        for sid, row in strong.items()
    ]
    strength_items.sort(key=lambda s: (-s.score, strength_order.get(s.id, 99)))
    top_growth = tuple(growth_items[:TOP])
    plan = [g.practice for g in top_growth if g.practice]
    plan.append("Before the next session, write down three things you did well in this one and keep them "
                "in your answers.")
    versions = tuple(sorted({r.rules_version for _a, _m, r in items if r.rules_version}))
    return SessionReport(len(items), tuple(strength_items[:TOP]), top_growth, tuple(plan), versions)
