"""Progress across sessions, and what changed between two analyses of one answer. Pure functions on plain dicts.

Input is the store's JSON shape (`SessionDetail.to_dict()`): a session with `started_at` and `answers`, each
answer with `transcript`, `metrics` and `result` (findings, strengths, rules_version). The TUI and
`mockiv progress` call `progress(sessions)`; `mockiv rescore` calls `diff_findings(old, new)`.

Per answer: fillers per minute and pace (from delivery metrics), outcome (no outcome rule fired, seed 001
"no measurable outcomes"), ownership (share of "I" among I + we, seed 001 "disappearing into the team"),
and per signal whether the answer was clean (no finding for that signal). Per session: the means and rates.
"""

from __future__ import annotations

import statistics
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from functools import cache
from typing import Any

from mockiv.core import data, delivery
from mockiv.core.transcript import normalize_token

SPARK = "▁▂▃▄▅▆▇█"


@cache
def settings() -> dict[str, Any]:
    return data.load("progress")


# ---------------------------------------------------------------------------------------------------- findings


def finding_signal(finding: dict[str, Any]) -> str:
    """The rubric signal a finding costs: its own `signal`, else `details.signal`, else its rule family."""
    return str(finding.get("signal") or (finding.get("details") or {}).get("signal") or finding.get("family")
               or "other")


def finding_key(finding: dict[str, Any]) -> tuple[str, int | None, int | None]:
    """Same rule on the same words = the same finding, whatever its message says in another rules version."""
    evidence = (finding.get("evidence") or [{}])[0]
    return (str(finding["rule"]), evidence.get("start_index"), evidence.get("end_index"))


@dataclass(frozen=True, slots=True)
class FindingsDiff:
    gained: tuple[dict[str, Any], ...]
    lost: tuple[dict[str, Any], ...]
    kept: tuple[dict[str, Any], ...]

    @property
    def changed(self) -> bool:
        return bool(self.gained or self.lost)

    def to_dict(self) -> dict[str, Any]:
        return {"gained": list(self.gained), "lost": list(self.lost), "kept": len(self.kept)}


def diff_findings(old: Sequence[dict[str, Any]], new: Sequence[dict[str, Any]]) -> FindingsDiff:
    """Findings the new analysis gained and lost against the old one, matched by rule and evidence words."""
    old_keys = {finding_key(f) for f in old}
    new_keys = {finding_key(f) for f in new}
    return FindingsDiff(
        gained=tuple(f for f in new if finding_key(f) not in old_keys),
        lost=tuple(f for f in old if finding_key(f) not in new_keys),
        kept=tuple(f for f in new if finding_key(f) in old_keys),
    )


# ---------------------------------------------------------------------------------------------------- per answer


def ownership_ratio(tokens: Iterable[str]) -> float | None:
    """Share of first-person singular among I + we (None when the answer uses neither)."""
    own = settings()["ownership"]
    singular, plural = set(own["singular"]), set(own["plural"])
    mine = ours = 0
    for token in tokens:
        norm = normalize_token(token)
        mine += norm in singular
        ours += norm in plural
    return round(mine / (mine + ours), 3) if mine + ours else None


@dataclass(frozen=True, slots=True)
class AnswerPoint:
    session_id: str
    position: int
    kind: str | None
    fillers_per_min: float | None
    wpm: float | None
    outcome: bool
    ownership: float | None
    clean_signals: dict[str, bool]
    strengths: dict[str, int]


def answer_point(session_id: str, answer: dict[str, Any], signals: Sequence[str] = ()) -> AnswerPoint | None:
    """An answer's figures, or None when it was never analysed (interrupted before its transcript)."""
    result = answer.get("result")
    transcript = answer.get("transcript")
    if not result or not transcript:
        return None
    metrics = answer.get("metrics") or {}
    findings = result.get("findings", [])
    outcome_rules = set(settings()["outcome"]["rules"])
    flagged = {finding_signal(f) for f in findings}
    strengths: dict[str, int] = {}
    for strength in result.get("strengths", []):
        strengths[strength.get("signal") or "other"] = strengths.get(strength.get("signal") or "other", 0) + 1
    every = list(dict.fromkeys([*signals, *sorted(flagged)]))  # strengths are counted apart, not as signals
    return AnswerPoint(
        session_id=session_id,
        position=int(answer.get("position", 0)),
        kind=answer.get("kind") or result.get("kind"),
        fillers_per_min=metrics.get("fillers_per_min"),
        wpm=metrics.get("wpm"),
        outcome=not any(f["rule"] in outcome_rules for f in findings),
        ownership=ownership_ratio(w["text"] for w in transcript.get("words", [])),
        clean_signals={s: s not in flagged for s in every},
        strengths=strengths,
    )


# ---------------------------------------------------------------------------------------------------- per session


def _mean(values: Iterable[float | None]) -> float | None:
    present = [v for v in values if v is not None]
    return round(statistics.fmean(present), 3) if present else None


@dataclass(frozen=True, slots=True)
class SessionPoint:
    session_id: str
    started_at: str
    pack_id: str
    mode: str
    answers: int
    fillers_per_min: float | None
    wpm: float | None
    outcome_rate: float | None
    ownership: float | None
    signal_scores: dict[str, float]  # per signal: share of answers with no finding for it (0..1)

    def to_dict(self) -> dict[str, Any]:
        return {
            "session_id": self.session_id, "started_at": self.started_at, "pack_id": self.pack_id,
            "mode": self.mode, "answers": self.answers, "fillers_per_min": self.fillers_per_min, "wpm": self.wpm,
            "outcome_rate": self.outcome_rate, "ownership": self.ownership, "signal_scores": self.signal_scores,
        }


def session_point(session: dict[str, Any], signals: Sequence[str] = ()) -> SessionPoint:
    points = [p for a in session.get("answers", []) if (p := answer_point(session["id"], a, signals))]
    every = list(dict.fromkeys(s for p in points for s in p.clean_signals))
    return SessionPoint(
        session_id=session["id"],
        started_at=session.get("started_at", ""),
        pack_id=session.get("pack_id", ""),
        mode=session.get("mode", ""),
        answers=len(points),
        fillers_per_min=_mean(p.fillers_per_min for p in points),
        wpm=_mean(p.wpm for p in points),
        outcome_rate=round(sum(p.outcome for p in points) / len(points), 3) if points else None,
        ownership=_mean(p.ownership for p in points),
        signal_scores={s: round(sum(p.clean_signals.get(s, True) for p in points) / len(points), 3)
                       for s in every} if points else {},
    )


# ---------------------------------------------------------------------------------------------------- trends

# (name, label, unit, which way is better): "down", "up", or "band" (inside the conversational pace band).
METRICS: tuple[tuple[str, str, str, str], ...] = (
    ("fillers_per_min", "Fillers per minute", "/min", "down"),
    ("wpm", "Pace", " WPM", "band"),
    ("outcome_rate", "Outcome rate", "", "up"),
    ("ownership", "Ownership (I vs we)", "", "up"),
)


@dataclass(frozen=True, slots=True)
class Trend:
    name: str
    label: str
    unit: str
    values: tuple[float | None, ...]  # one per session, oldest first
    first: float | None
    last: float | None
    verdict: str  # "better" | "worse" | "steady" | "not enough data"

    @property
    def spark(self) -> str:
        return sparkline(self.values)

    def to_dict(self) -> dict[str, Any]:
        return {"name": self.name, "label": self.label, "unit": self.unit, "values": list(self.values),
                "first": self.first, "last": self.last, "verdict": self.verdict, "spark": self.spark}


def _distance_to_band(wpm: float) -> float:
    pace = delivery.thresholds()["pace"]
    return max(pace["slow_wpm"] - wpm, 0.0, wpm - pace["fast_wpm"])


def verdict(values: Sequence[float | None], better: str) -> str:
    present = [v for v in values if v is not None]
    if len(present) < 2:
        return "not enough data"
    first, last = present[0], present[-1]
    if better == "band":
        first, last = -_distance_to_band(first), -_distance_to_band(last)
        if first == last:
            return "steady"
        return "better" if last > first else "worse"
    steady = settings()["trend"]["steady_ratio"] * max(abs(first), 1e-9)
    if abs(last - first) <= steady:
        return "steady"
    return "better" if (last > first) == (better == "up") else "worse"


def sparkline(values: Sequence[float | None]) -> str:
    """One character per value, scaled between the smallest and largest; a gap is a space."""
    present = [v for v in values if v is not None]
    if not present:
        return ""
    low, high = min(present), max(present)
    span = high - low
    return "".join(
        " " if v is None else SPARK[len(SPARK) // 2 if span == 0 else min(int((v - low) / span * len(SPARK)),
                                                                          len(SPARK) - 1)]
        for v in values)


@dataclass(frozen=True, slots=True)
class Progress:
    sessions: tuple[SessionPoint, ...]
    metrics: tuple[Trend, ...]
    signals: tuple[Trend, ...] = field(default=())
    # The candidate's own relaxed pace (their baseline's band, low and high WPM), None without a baseline.
    personal_pace: tuple[float, float] | None = None

    def pace_chart(self) -> str:
        """Each session's pace as a mark against the candidate's own band: "·" inside it, "▲" above, "▼" below,
        " " without a timed answer ("" without a baseline)."""
        if self.personal_pace is None:
            return ""
        low, high = self.personal_pace
        return "".join(" " if s.wpm is None else "▲" if s.wpm > high else "▼" if s.wpm < low else "·"
                       for s in self.sessions)

    def to_dict(self) -> dict[str, Any]:
        return {"sessions": [s.to_dict() for s in self.sessions], "metrics": [t.to_dict() for t in self.metrics],
                "signals": [t.to_dict() for t in self.signals],
                "personal_pace": list(self.personal_pace) if self.personal_pace else None,
                "personal_pace_chart": self.pace_chart()}


def progress(sessions: Iterable[dict[str, Any]], signals: Sequence[str] = (),
             personal_pace: Sequence[float] | None = None) -> Progress:
    """Per metric and per signal across sessions, oldest first. Sessions with no analysed answer are left out.

    `signals` fixes the order of the rubric signals (the packs' signals.toml); signals only findings name
    are added after them. `personal_pace`: the candidate's baseline band of pace (low, high), when measured.
    """
    materialised = list(sessions)
    named = [finding_signal(f) for s in materialised for a in s.get("answers", [])
             for f in (a.get("result") or {}).get("findings", [])]
    signals = list(dict.fromkeys([*signals, *sorted(set(named))]))  # every session scored on every signal
    points = sorted((p for s in materialised if (p := session_point(s, signals)).answers),
                    key=lambda p: (p.started_at, p.session_id))
    trends = []
    for name, label, unit, better in METRICS:
        values = tuple(getattr(p, name) for p in points)
        present = [v for v in values if v is not None]
        trends.append(Trend(name, label, unit, values, present[0] if present else None,
                            present[-1] if present else None, verdict(values, better)))
    every = list(dict.fromkeys([*signals, *(s for p in points for s in p.signal_scores)]))
    signal_trends = []
    for signal in every:
        values = tuple(p.signal_scores.get(signal) for p in points)
        present = [v for v in values if v is not None]
        if not present:
            continue
        signal_trends.append(Trend(signal, signal, "", values, present[0], present[-1], verdict(values, "up")))
    band = (float(personal_pace[0]), float(personal_pace[1])) if personal_pace else None
    return Progress(tuple(points), tuple(trends), tuple(signal_trends), band)
