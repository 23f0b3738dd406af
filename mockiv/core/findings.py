"""What the rule engine says about an answer: findings (problems) and strengths, as plain data."""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any

from mockiv.core.transcript import Span


class Severity(StrEnum):
    """How much a pattern costs the candidate. `major` loses the interviewer; `minor` dilutes the signal."""

    MINOR = "minor"
    MODERATE = "moderate"
    MAJOR = "major"


# The one severity order, worst first: every list of findings, on every screen and in every export, follows it.
SEVERITY_ORDER: dict[str, int] = {Severity.MAJOR: 0, Severity.MODERATE: 1, Severity.MINOR: 2}


def severity_rank(severity: object) -> int:
    """0 for the worst; an unknown severity sorts last."""
    return SEVERITY_ORDER.get(str(severity), len(SEVERITY_ORDER))


@dataclass(frozen=True, slots=True)
class Finding:
    """One pattern found in one answer, with the candidate's own words as evidence."""

    rule: str
    family: str
    severity: Severity
    message: str
    rationale: str
    suggestion: str
    follow_up: str
    evidence: tuple[Span, ...] = ()
    details: dict[str, Any] = field(default_factory=dict)

    def to_dict(self) -> dict[str, Any]:
        return {
            "rule": self.rule,
            "family": self.family,
            "severity": str(self.severity),
            "message": self.message,
            "rationale": self.rationale,
            "suggestion": self.suggestion,
            "follow_up": self.follow_up,
            "evidence": [s.to_dict() for s in self.evidence],
            "details": self.details,
        }

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Finding:
        return cls(
            rule=data["rule"],
            family=data.get("family", ""),
            severity=Severity(data["severity"]),
            message=data["message"],
            rationale=data.get("rationale", ""),
            suggestion=data.get("suggestion", ""),
            follow_up=data.get("follow_up", ""),
            evidence=tuple(Span.from_dict(s) for s in data.get("evidence", [])),
            details=dict(data.get("details", {})),
        )


@dataclass(frozen=True, slots=True)
class Strength:
    """A senior signal the answer sends (seed 001), reported as such with its evidence."""

    id: str
    message: str
    signal: str
    evidence: tuple[Span, ...] = ()

    def to_dict(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "message": self.message,
            "signal": self.signal,
            "evidence": [s.to_dict() for s in self.evidence],
        }

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Strength:
        return cls(
            data["id"], data["message"], data.get("signal", ""),
            tuple(Span.from_dict(s) for s in data.get("evidence", [])),
        )
