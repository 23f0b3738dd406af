"""One answer as every view shows it: the words marked with fillers, pauses and the findings they are evidence
for, the delivery figures as labelled rows, the findings worst first, the strengths and the structure.

The terminal (`analyze`, `practice --no-tui`), the app's feedback and replay, `sessions show`, `replay` and the
exports all draw an `AnswerView`; none of them works these out on its own. Input is the `analyze --json` shape or
the store's answer dict (findings under `result`). Pure data, no I/O.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from mockiv.core.findings import severity_rank

FILLER_CATEGORIES = ("hesitation", "discourse")  # the disfluencies marked as fillers in the words


@dataclass(frozen=True, slots=True)
class MarkedWord:
    """One word of a transcript, with what the report says about it."""

    index: int
    text: str
    start: float | None
    end: float | None
    rules: tuple[str, ...] = ()  # findings whose evidence covers this word
    severity: str | None = None  # the worst of them
    filler: bool = False
    pause_after_s: float | None = None  # a silence that reads as hesitation follows this word
    opens: tuple[str, ...] = ()  # findings whose evidence starts here (where a replay marks them)


@dataclass(frozen=True, slots=True)
class MetricRow:
    label: str
    value: str


@dataclass(frozen=True, slots=True)
class AnswerView:
    question: str
    kind: str
    words: tuple[MarkedWord, ...]
    metrics: tuple[MetricRow, ...]
    timed: bool
    findings: tuple[dict[str, Any], ...]  # worst first
    strengths: tuple[dict[str, Any], ...]
    structure: tuple[dict[str, Any], ...]
    rules_version: str


def _findings(answer: Mapping[str, Any]) -> list[dict[str, Any]]:
    found = answer.get("findings")
    return list(found if found is not None else (answer.get("result") or {}).get("findings", []))


def _result_part(answer: Mapping[str, Any], key: str) -> list[dict[str, Any]]:
    found = answer.get(key)
    return list(found if found is not None else (answer.get("result") or {}).get(key, []))


def mark_words(answer: Mapping[str, Any]) -> list[MarkedWord]:
    transcript = answer.get("transcript") or {}
    metrics = answer.get("metrics") or {}
    rules_at: dict[int, list[str]] = {}
    severity_at: dict[int, str] = {}
    opens_at: dict[int, list[str]] = {}
    for finding in _findings(answer):
        for span in finding.get("evidence", []):
            start, end = span.get("start_index"), span.get("end_index")
            if start is None or end is None:
                continue
            opens_at.setdefault(start, []).append(finding["rule"])
            for i in range(start, end):
                rules_at.setdefault(i, []).append(finding["rule"])
                old = severity_at.get(i)
                if old is None or severity_rank(finding["severity"]) < severity_rank(old):
                    severity_at[i] = finding["severity"]
    fillers = {i for d in metrics.get("disfluencies", []) if d.get("category") in FILLER_CATEGORIES
               for i in range(d["start_index"], d["end_index"])}
    pauses = {p["after_index"]: round(p["end"] - p["start"], 2) for p in metrics.get("pauses", [])}
    return [
        MarkedWord(i, w["text"], w.get("start"), w.get("end"), tuple(dict.fromkeys(rules_at.get(i, ()))),
                   severity_at.get(i), i in fillers, pauses.get(i), tuple(dict.fromkeys(opens_at.get(i, ()))))
        for i, w in enumerate(transcript.get("words", []))
    ]


def _fmt(value: float | None, unit: str = "", digits: int = 1) -> str:
    return "n/a" if value is None else f"{value:.{digits}f}{unit}"


def metric_rows(metrics: Mapping[str, Any]) -> list[MetricRow]:
    """The delivery figures every view shows, in order; "n/a" where a typed answer has no timing."""
    timed = bool(metrics.get("timed"))
    rows = []
    if not timed:
        rows.append(MetricRow("Timing", "unavailable (typed answer: no word times)"))
    rows.append(MetricRow("Words", str(metrics.get("word_count", 0))))
    rows.append(MetricRow("Speaking time", _fmt(metrics.get("speaking_time_s"), " s")))
    pace = _fmt(metrics.get("wpm"), " WPM", 0)
    if timed:
        pace += (f" (articulation {_fmt(metrics.get('articulation_wpm'), ' WPM', 0)}, "
                 f"variability {_fmt(metrics.get('pace_variability'), '', 2)})")
    rows.append(MetricRow("Pace", pace))
    per_min = metrics.get("fillers_per_min")
    rows.append(MetricRow("Fillers", f"{metrics.get('filler_count', 0)} ({metrics.get('filler_ratio', 0.0):.1%} of "
                                     f"words" + (f", {per_min:.1f}/min)" if per_min is not None else ")")))
    repeats = sum(1 for d in metrics.get("disfluencies", []) if d.get("category") in ("repetition", "false-start"))
    rows.append(MetricRow("Repetitions / false starts", str(repeats)))
    if timed:
        pauses = metrics.get("pauses", [])
        longest = f"longest {_fmt(metrics.get('longest_pause_s'), ' s')}, " if pauses else ""
        rows.append(MetricRow("Pauses", f"{len(pauses)} ({longest}{metrics.get('long_pause_count', 0)} long)"))
        rows.append(MetricRow("Time to first word", _fmt(metrics.get("time_to_first_word_s"), " s")))
    return rows


def worst_first(findings: Sequence[Mapping[str, Any]]) -> list[dict[str, Any]]:
    """Findings in the one severity order (stable: the rule engine's order within a severity)."""
    return sorted((dict(f) for f in findings), key=lambda f: severity_rank(f.get("severity")))


def answer_view(answer: Mapping[str, Any]) -> AnswerView:
    metrics = answer.get("metrics") or {}
    result = answer.get("result") or {}
    return AnswerView(
        question=str(answer.get("question", "")),
        kind=str(answer.get("kind") or result.get("kind") or ""),
        words=tuple(mark_words(answer)),
        metrics=tuple(metric_rows(metrics)),
        timed=bool(metrics.get("timed")),
        findings=tuple(worst_first(_findings(answer))),
        strengths=tuple(_result_part(answer, "strengths")),
        structure=tuple(_result_part(answer, "structure")),
        rules_version=str(answer.get("rules_version") or result.get("rules_version") or ""),
    )
