"""Small widgets: the microphone level meter, the answer clock/countdown, the state line, the highlighted
transcript (drawn by mockiv.present, with the word being replayed) and text bar charts."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from rich.text import Text
from textual.reactive import reactive
from textual.widgets import Static

from mockiv.core.answer_view import MarkedWord
from mockiv.present import transcript_text

STATE_LABELS = {
    "speaking": "◆ ASKING: listen to the question",
    "thinking-time": "◇ THINK before you answer",
    "ready": "○ READY: space to answer",
    "typing": "✎ TYPE your answer, ctrl+s sends",
    "opening-mic": "… OPENING the microphone",
    # At 80 columns about 20 characters fit beside the clock and the meter; the footer names the keys.
    "recording": "● RECORDING",
    "listening": "◌ LISTENING: speak",
    "thinking": "… THINKING: scoring your answer",
    "loading": "… LOADING the speech model",
    "done": "✔ DONE",
}


class StateLine(Static):
    """Where the interview is, in words (never by colour alone)."""

    state: reactive[str] = reactive("ready")

    def render(self) -> Text:
        label = STATE_LABELS.get(self.state, self.state)
        return Text(label, style="bold")

    def watch_state(self, old: str, new: str) -> None:
        self.remove_class(f"state-{old}")
        self.add_class(f"state-{new}")


def format_clock(seconds: float) -> str:
    seconds = max(0, int(seconds))
    return f"{seconds // 60:d}:{seconds % 60:02d}"


class AnswerClock(Static):
    """Elapsed time, or a countdown when a budget is set; shows "over" past the budget."""

    elapsed: reactive[float] = reactive(0.0)
    budget: reactive[float | None] = reactive(None)
    label: reactive[str] = reactive("")

    def render(self) -> Text:
        prefix = f"{self.label} " if self.label else ""
        if self.budget is None:
            return Text(f"{prefix}⏱ {format_clock(self.elapsed)}")
        left = self.budget - self.elapsed
        if left >= 0:
            return Text(f"{prefix}⏳ {format_clock(left)} left of {format_clock(self.budget)}")
        return Text(f"{prefix}⏳ over by {format_clock(-left)} (budget {format_clock(self.budget)})", style="bold")


class LevelMeter(Static):
    """Microphone level as a bar, with the level as a number so it does not rely on colour."""

    level: reactive[float] = reactive(0.0)
    enabled: reactive[bool] = reactive(True)
    WIDTH = 24

    def render(self) -> Text:
        if not self.enabled:
            return Text("mic: off", style="dim")
        level = min(1.0, max(0.0, self.level))
        filled = round(level * self.WIDTH)
        text = Text("mic ")
        text.append("▮" * filled, style="green" if level < 0.8 else "red")
        text.append("▯" * (self.WIDTH - filled), style="dim")
        text.append(f" {round(level * 100):3d}%")
        return text


class HighlightedTranscript(Static):
    """An answer's marked words (mockiv.core.answer_view); `current` is the word being replayed."""

    current: reactive[int | None] = reactive(None)
    chosen: reactive[range | None] = reactive(None)  # the words of a chosen moment (mockiv.tui.moments)

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.words: tuple[MarkedWord, ...] = ()

    def show(self, words: Sequence[MarkedWord]) -> None:
        self.words = tuple(words)
        self.refresh(layout=True)  # the text grows by lines: without a new layout it stays one line high

    def render(self) -> Text:
        if not self.words:
            return Text("(no words yet)", style="dim")
        return transcript_text(self.words, self.current, self.chosen)


def bar_chart(title: str, rows: Sequence[tuple[str, float | None]], unit: str = "", width: int = 30,
              target: tuple[float, float] | None = None) -> Text:
    """Horizontal bars, one per row, scaled to the largest value; None reads "n/a" (typed answers)."""
    text = Text(title + "\n", style="bold")
    values = [v for _, v in rows if v is not None]
    top = max([*values, *(target or ())], default=0.0) or 1.0
    label_width = max((len(label) for label, _ in rows), default=0)
    for label, value in rows:
        text.append(f"{label:<{label_width}} ")
        if value is None:
            text.append("n/a\n", style="dim")
            continue
        filled = max(1 if value > 0 else 0, round(value / top * width))
        inside = target is None or target[0] <= value <= target[1]
        text.append("█" * filled, style="green" if inside else "yellow")
        text.append(f" {value:.0f}{unit}" + ("" if inside else " (outside target)") + "\n")
    if target:
        text.append(f"target {target[0]:.0f}–{target[1]:.0f}{unit}\n", style="dim")
    return text
