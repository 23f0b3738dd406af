"""What a rule is: its data (from rules/data/<family>.toml) plus, for rules that need more than a phrase
list, one registered check function. Checks return a `Hit` (evidence + details); the engine turns it into
the shared `Finding` shape, so every rule speaks the same way whatever its kind of check."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from mockiv.core.analysis import Doc
from mockiv.core.findings import Severity
from mockiv.core.phrases import overlapping_none
from mockiv.core.transcript import Kind, Span


@dataclass(frozen=True, slots=True)
class RuleSpec:
    """One rule as declared in its data file."""

    id: str
    family: str
    kinds: tuple[Kind, ...]
    severity: Severity
    check: str
    message: str
    rationale: str
    seed: str
    suggestion: str
    follow_up: str
    practice: str
    params: dict[str, Any] = field(default_factory=dict)
    title: str = ""  # a few words a person reads where the id would be ("No measurable result")
    flag: tuple[Any, ...] = ()
    passes: tuple[Any, ...] = ()

    def param(self, name: str, default: Any = None) -> Any:
        return self.params.get(name, default)

    def catalog_entry(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "title": self.title,
            "family": self.family,
            "kinds": [str(k) for k in self.kinds],
            "severity": str(self.severity),
            "check": self.check,
            "message": self.message,
            "rationale": self.rationale,
            "seed": self.seed,
            "suggestion": self.suggestion,
            "follow_up": self.follow_up,
            "practice": self.practice,
            "params": {k: v for k, v in self.params.items()},
            "examples": {"flag": len(self.flag), "pass": len(self.passes)},
        }


@dataclass(frozen=True, slots=True)
class StrengthSpec:
    """A senior signal (seed 001) the engine reports as a strength."""

    id: str
    kinds: tuple[Kind, ...]
    message: str
    signal: str
    seed: str
    unless: tuple[str, ...] = ()
    params: dict[str, Any] = field(default_factory=dict)
    flag: tuple[Any, ...] = ()
    passes: tuple[Any, ...] = ()

    def param(self, name: str, default: Any = None) -> Any:
        return self.params.get(name, default)


@dataclass(frozen=True, slots=True)
class Hit:
    """A check's verdict: the words that show the pattern (word index pairs) and what was measured."""

    evidence: tuple[tuple[int, int], ...] = ()
    details: dict[str, Any] = field(default_factory=dict)

    def spans(self, doc: Doc) -> tuple[Span, ...]:
        return tuple(doc.span(a, b) for a, b in self.evidence)


Check = Callable[[Doc, RuleSpec], Hit | None]
StrengthCheck = Callable[[Doc, StrengthSpec], Hit | None]

CHECKS: dict[str, Check] = {}
STRENGTH_CHECKS: dict[str, StrengthCheck] = {}


def check(name: str) -> Callable[[Check], Check]:
    """Register a check function under the name a rule's `check` field gives."""

    def register(func: Check) -> Check:
        if name in CHECKS:
            raise ValueError(f"check {name!r} registered twice")
        CHECKS[name] = func
        return func

    return register


def strength_check(name: str) -> Callable[[StrengthCheck], StrengthCheck]:
    def register(func: StrengthCheck) -> StrengthCheck:
        STRENGTH_CHECKS[name] = func
        return func

    return register


def first_spans(matches: Any, limit: int = 3) -> tuple[tuple[int, int], ...]:
    """Evidence from phrase matches, in order, overlaps merged into the first ("It went well" swallows "went
    well"), at most `limit` of them (a finding quotes, it does not list)."""
    out: list[tuple[int, int]] = []
    for m in sorted(matches, key=lambda m: (m.start, -m.end)):
        if out and m.start < out[-1][1]:
            continue
        out.append((m.start, m.end))
    return tuple(out[:limit])


def label(spec: RuleSpec | StrengthSpec, name: str) -> str:
    """A phrase-list label in the rule's own data file ("ownership.backtrack")."""
    family = getattr(spec, "family", "strengths")
    return name if "." in name else f"{family}.{name}"


# -- the generic kinds of check (Vale's "existence" and "occurrence") -------------------------------------


@check("existence")
def existence(doc: Doc, spec: RuleSpec) -> Hit | None:
    """Fires when the rule's phrase lists match at least `min` times (outside its `except` lists) and none of
    its `unless` lists matches anywhere."""
    matches = [m for name in spec.param("patterns", []) for m in doc.matches(label(spec, name))]
    # `except` lists cancel the matches they overlap ("not about the salary" is no salary talk).
    negations = [m for name in spec.param("except", []) for m in doc.matches(label(spec, name))]
    matches = overlapping_none(matches, negations)
    if len(matches) < spec.param("min", 1):
        return None
    if any(doc.has(label(spec, name)) for name in spec.param("unless", [])):
        return None
    matches.sort(key=lambda m: m.start)
    return Hit(first_spans(matches, spec.param("max_evidence", 3)), {"count": len(matches)})


@check("occurrence")
def occurrence(doc: Doc, spec: RuleSpec) -> Hit | None:
    """Fires when the phrase lists match more than `max` times, or more than `max_per_100_words`."""
    matches = sorted((m for name in spec.param("patterns", []) for m in doc.matches(label(spec, name))),
                     key=lambda m: m.start)
    count = len(matches)
    per_100 = 100.0 * count / max(doc.word_count, 1)
    if count <= spec.param("max", 0) or per_100 < spec.param("min_per_100_words", 0.0):
        return None
    details = {"count": count, "per_100_words": round(per_100, 2)}
    return Hit(first_spans(matches, spec.param("max_evidence", 4)), details)
