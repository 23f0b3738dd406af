"""Redo just this part: where a new take of a weak part goes in an answer, the answer with the take in place, and
what the re-score changed.

The part a take replaces is the sentence(s) of one evidence quote of the finding: by default its last quote,
where the missing piece belongs (the result and the lesson end a story; the "I" belongs in the action, which
follows the "we" of the setup). The take's words replace those sentences; on a timed answer they are placed
where the part began and the words after them move by the difference in length, so pace and pauses stay true.
Pure data, no I/O: the shell records the take, transcribes it and runs `mockiv.analysis.analyze` on the result.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace
from typing import Any

from mockiv.core.transcript import Transcript


class RedoError(ValueError):
    """The finding cannot be redone as asked (one line for the candidate)."""


@dataclass(frozen=True, slots=True)
class Part:
    """Words [start_index, end_index) of the answer a take replaces, with their text and times."""

    start_index: int
    end_index: int
    text: str
    start_s: float | None
    end_s: float | None

    def to_dict(self) -> dict[str, Any]:
        return {"start_index": self.start_index, "end_index": self.end_index, "text": self.text,
                "start": self.start_s, "end": self.end_s}


def quotes(finding: Mapping[str, Any]) -> list[dict[str, Any]]:
    """The finding's evidence quotes that point at words."""
    return [dict(s) for s in finding.get("evidence") or [] if s.get("start_index") is not None]


def part_to_redo(transcript: Transcript, finding: Mapping[str, Any], quote: int | None = None) -> Part:
    """The whole sentence(s) around one evidence quote (`quote`: 1-based, default the last)."""
    spans = quotes(finding)
    if not spans:
        raise RedoError("this finding quotes no words of the answer, so there is no part to redo; "
                        "answer the question again instead")
    if quote is not None and not 1 <= quote <= len(spans):
        raise RedoError(f"the finding has {len(spans)} quote{'s' if len(spans) != 1 else ''}; "
                        f"choose one from 1 to {len(spans)}")
    span = spans[(quote or len(spans)) - 1]
    begin, end = int(span["start_index"]), int(span["end_index"])
    sentences = [s for s in transcript.sentences() if s.start_index < end and s.end_index > begin]
    if not sentences:
        raise RedoError("the finding's words are not in this answer's transcript; re-score the answer first")
    first, last = sentences[0].start_index, sentences[-1].end_index
    words = transcript.words[first:last]
    return Part(first, last, transcript.span_text(first, last), words[0].start, words[-1].end)


def _typed_times(take: Transcript, start_s: float, seconds_per_word: float) -> Transcript:
    """A typed take in a spoken answer: its words spaced at the answer's own pace, from where the part began."""
    words = tuple(replace(w, start=round(start_s + i * seconds_per_word, 3),
                          end=round(start_s + (i + 0.8) * seconds_per_word, 3)) for i, w in enumerate(take.words))
    return Transcript(words, None)


def splice(transcript: Transcript, part: Part, take: Transcript) -> Transcript:
    """The answer with `take`'s words in place of `part`. Linear in the answer's length."""
    if not take.words:
        raise RedoError("the new take has no words; say (or type) the part again")
    before, after = transcript.words[: part.start_index], transcript.words[part.end_index :]
    if not transcript.timed or part.start_s is None or part.end_s is None:
        return Transcript(before + tuple(replace(w, start=None, end=None) for w in take.words) + after, None,
                          transcript.language)
    if not take.timed:
        spoken = [w for w in transcript.words if w.timed]
        seconds_per_word = ((spoken[-1].end - spoken[0].start) / len(spoken)) if len(spoken) > 1 else 0.4
        take = _typed_times(take, part.start_s, seconds_per_word)
        shift = 0.0
    else:
        shift = part.start_s - float(take.words[0].start)
    placed = tuple(replace(w, start=round(w.start + shift, 3), end=round(w.end + shift, 3)) for w in take.words)
    delta = float(placed[-1].end) - part.end_s
    moved = tuple(replace(w, start=round(w.start + delta, 3), end=round(w.end + delta, 3)) if w.timed else w
                  for w in after)
    duration = None if transcript.duration is None else round(max(transcript.duration + delta, 0.0), 3)
    return Transcript(before + placed + moved, duration, transcript.language)


@dataclass(frozen=True, slots=True)
class RedoChanges:
    """What the re-score changed, by rule: a finding whose words moved is the same finding, not a new one."""

    gone: tuple[dict[str, Any], ...]
    new: tuple[dict[str, Any], ...]
    kept: tuple[dict[str, Any], ...]

    @property
    def changed(self) -> bool:
        return bool(self.gone or self.new)

    def to_dict(self) -> dict[str, Any]:
        return {"gone": list(self.gone), "new": list(self.new), "kept": [f["rule"] for f in self.kept]}


def changes(before: Sequence[Mapping[str, Any]], after: Sequence[Mapping[str, Any]]) -> RedoChanges:
    """Findings gone and new between the answer and the answer with the take in place, matched by rule (the
    evidence words differ by construction, so mockiv.core.progress.diff_findings would call every one new)."""
    old_rules = {str(f["rule"]) for f in before}
    new_rules = {str(f["rule"]) for f in after}
    return RedoChanges(
        gone=tuple(dict(f) for f in before if str(f["rule"]) not in new_rules),
        new=tuple(dict(f) for f in after if str(f["rule"]) not in old_rules),
        kept=tuple(dict(f) for f in after if str(f["rule"]) in old_rules),
    )
