"""From a finding to its moment: where in the recording each finding, filler and long pause of an answer happens,
and where playback starts to hear it (a little before its evidence, so the candidate hears the words lead in).

Every view that plays a moment (the app's feedback, report and replay, `mockiv replay --finding`, the HTML
export's links) takes it from here. Pure data, no I/O.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from mockiv.core.answer_view import AnswerView, MarkedWord
from mockiv.core.delivery import thresholds
from mockiv.core.rules import rule_title

LEAD_IN_S = 0.5  # playback starts this long before the evidence: the words are heard arriving, not cut into


@dataclass(frozen=True, slots=True)
class Moment:
    """One thing worth hearing again: a finding's evidence, a filler, or a long pause."""

    kind: str  # "finding" | "filler" | "pause"
    label: str  # what the candidate reads ("No measurable result", "filler “um”", "pause 3.1 s")
    start_index: int  # the words to highlight: [start_index, end_index)
    end_index: int
    start_s: float | None  # where the evidence starts in the recording (None: typed, no times)
    rule: str | None = None  # the finding's rule id

    @property
    def play_from_s(self) -> float | None:
        return play_from(self.start_s)

    @property
    def timed(self) -> bool:
        return self.start_s is not None


def play_from(evidence_start_s: float | None) -> float | None:
    """Where playback starts for evidence that starts at `evidence_start_s`: `LEAD_IN_S` before, never before 0."""
    return None if evidence_start_s is None else max(0.0, evidence_start_s - LEAD_IN_S)


def finding_moments(findings: Sequence[dict], words: Sequence[MarkedWord]) -> list[Moment]:
    """One moment per finding with evidence in the words, in the findings' order (worst first)."""
    out = []
    for finding in findings:
        spans = [s for s in finding.get("evidence") or [] if s.get("start_index") is not None]
        if not spans:
            continue
        span = spans[0]
        start = span.get("start")
        if start is None and 0 <= span["start_index"] < len(words):
            start = words[span["start_index"]].start
        out.append(Moment("finding", rule_title(str(finding["rule"])), int(span["start_index"]),
                          int(span["end_index"]), start, str(finding["rule"])))
    return out


def delivery_moments(words: Sequence[MarkedWord]) -> list[Moment]:
    """Fillers and long pauses, in the order they were said (a pause's moment is the word before it)."""
    long_pause = float(thresholds().get("pauses", {}).get("long_pause_s", 2.5))
    out = []
    for word in words:
        if word.filler:
            out.append(Moment("filler", f"filler “{word.text.strip(' ,.')}”", word.index, word.index + 1,
                              word.start))
        if word.pause_after_s is not None and word.pause_after_s >= long_pause:
            out.append(Moment("pause", f"pause {word.pause_after_s:.1f} s after “{word.text.strip(' ,.')}”",
                              word.index, word.index + 1, word.start))
    return out


def moments(view: AnswerView) -> list[Moment]:
    """Everything one key steps through: the findings first (worst first), then fillers and long pauses."""
    return finding_moments(view.findings, view.words) + delivery_moments(view.words)


def moment_for_rule(view: AnswerView, rule: str) -> Moment | None:
    """The moment of the finding of `rule` (its first evidence), or None when the answer has no such finding."""
    return next((m for m in finding_moments(view.findings, view.words) if m.rule == rule), None)
