"""From a finding to its moment, in the app: one key (m) steps through an answer's findings, fillers and long
pauses (mockiv.core.moments), highlights the words and plays the recording from just before them; d redoes the
chosen finding's part (mockiv.tui.screens.redo). Feedback, the report and replay each keep a `MomentCursor`.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from rich.text import Text

from mockiv.core.answer_view import AnswerView
from mockiv.core.moments import Moment, moments
from mockiv.present import clock

MOMENT_KEYS = "m: next moment · d: redo this part"


@dataclass(frozen=True, slots=True)
class MomentChoice:
    """One moment of one answer, with where its recording is and which stored answer it belongs to."""

    moment: Moment
    audio: Path | None
    answer_id: str | None
    prefix: str = ""  # "Q2 · " where a screen holds several answers (the report)
    quote: str = ""

    @property
    def words(self) -> range:
        return range(self.moment.start_index, self.moment.end_index)

    @property
    def redoable(self) -> bool:
        return self.moment.kind == "finding" and self.answer_id is not None


def choices_of(view: AnswerView, audio: Path | None, answer_id: str | None, prefix: str = "") -> list[MomentChoice]:
    """An answer's moments as the app offers them (findings first, then fillers and long pauses)."""
    out = []
    for moment in moments(view):
        quote = " ".join(w.text.strip() for w in view.words[moment.start_index:moment.end_index])
        out.append(MomentChoice(moment, audio if audio is not None and audio.is_file() else None, answer_id, prefix,
                                quote))
    return out


class MomentCursor:
    """Which moment is chosen; `step()` moves to the next, wrapping round."""

    def __init__(self, choices: Sequence[MomentChoice] = ()) -> None:
        self.choices = list(choices)
        self.index: int | None = None

    @property
    def current(self) -> MomentChoice | None:
        return None if self.index is None or not self.choices else self.choices[self.index]

    def allows(self, action: str, can_store: bool) -> bool | None:
        """Whether a screen's moment actions apply now: `next_moment` needs a moment, `redo` a chosen redoable
        one and a store; None for any other action (the screen decides)."""
        if action == "next_moment":
            return bool(self.choices)
        if action == "redo":
            return can_store and self.current is not None and self.current.redoable
        return None

    def step(self) -> MomentChoice | None:
        if not self.choices:
            return None
        self.index = 0 if self.index is None else (self.index + 1) % len(self.choices)
        return self.choices[self.index]


def moment_line(choice: MomentChoice | None, count: int, sound: str | None, index: int | None = None) -> Text:
    """What the chosen moment is and where it plays from; `sound` says why nothing is heard (None: playing)."""
    if choice is None:
        if not count:
            return Text("No finding, filler or long pause to go to in this answer.", style="dim")
        return Text(f"m: hear each finding, filler and long pause ({count}) from just before it", style="dim")
    moment = choice.moment
    text = Text.assemble(("▶ ", "bold"), (f"{choice.prefix}{moment.label}", "bold"),
                         "" if index is None else f" ({index + 1} of {count})")
    if moment.start_s is not None:
        text.append(f" at {clock(moment.start_s)}")
    if choice.quote:
        text.append(f" “{choice.quote}”", style="italic")
    if sound:
        text.append(f"\n  {sound}", style="dim")
    elif moment.play_from_s is not None:
        text.append(f"\n  playing from {clock(moment.play_from_s)}", style="dim")
    text.append(f" · {MOMENT_KEYS if choice.redoable else 'm: next moment'}", style="dim")
    return text


def why_silent(choice: MomentChoice, has_player: bool) -> str | None:
    """Why a moment is not heard (shown, not played), or None when it plays."""
    if choice.moment.play_from_s is None:
        return "typed answer: nothing to play"
    if choice.audio is None:
        return "no recording kept for this answer"
    if not has_player:
        return "without sound (no audio player)"
    return None
