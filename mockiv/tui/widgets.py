"""Small widgets: the microphone level meter, the answer clock/countdown, the state line, the highlighted
transcript (fillers, pauses, evidence, and the word being replayed) and text bar charts."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from rich.table import Table
from rich.text import Text
from textual.reactive import reactive
from textual.widgets import Static

from mockiv.core.delivery import DeliveryMetrics
from mockiv.core.transcript import Transcript

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


def _evidence_index(findings: Sequence[dict[str, Any]]) -> dict[int, str]:
    at: dict[int, str] = {}
    for finding in findings:
        for span in finding.get("evidence", []) or []:
            for i in range(int(span.get("start_index", 0)), int(span.get("end_index", 0))):
                at.setdefault(i, str(finding.get("rule", "")))
    return at


def highlight(transcript: Transcript, metrics: DeliveryMetrics | None, findings: Sequence[dict[str, Any]] = (),
              current: int | None = None) -> Text:
    """The transcript as rich Text: fillers bold+[brackets], evidence underlined, pauses ⏸, the replayed word
    reversed. Marks are characters as well as styles, so they read in monochrome too."""
    filler_at = {i for d in (metrics.disfluencies if metrics else ()) for i in range(d.start_index, d.end_index)}
    pause_after = {p.after_index: p.duration for p in (metrics.pauses if metrics else ())}
    evidence_at = _evidence_index(findings)
    text = Text()
    for i, word in enumerate(transcript.words):
        style: list[str] = []
        shown = word.text.strip()
        if i in filler_at:
            style.append("bold yellow")
            shown = f"[{shown}]"
        if i in evidence_at:
            style.append("underline")
        if current is not None and i == current:
            style.append("reverse")
        text.append(shown, style=" ".join(style) or None)
        if i in pause_after:
            text.append(f" ⏸{pause_after[i]:.1f}s", style="magenta")
        text.append(" ")
    return text


class HighlightedTranscript(Static):
    """A transcript with its marks; `current` is the word being replayed."""

    current: reactive[int | None] = reactive(None)

    def __init__(self, transcript: Transcript | None = None, metrics: DeliveryMetrics | None = None,
                 findings: Sequence[dict[str, Any]] = (), **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.transcript = transcript or Transcript(())
        self.metrics = metrics
        self.findings = list(findings)

    def show(self, transcript: Transcript, metrics: DeliveryMetrics | None = None,
             findings: Sequence[dict[str, Any]] = ()) -> None:
        self.transcript, self.metrics, self.findings = transcript, metrics, list(findings)
        self.refresh(layout=True)  # the text grows by lines: without a new layout it stays one line high

    def render(self) -> Text:
        if not self.transcript.words:
            return Text("(no words yet)", style="dim")
        return highlight(self.transcript, self.metrics, self.findings, self.current)


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


SEVERITY_STYLE = {"major": "bold red", "moderate": "yellow", "minor": "cyan"}


def _fmt(value: float | None, unit: str = "", digits: int = 1) -> str:
    return "n/a" if value is None else f"{value:.{digits}f}{unit}"


def metrics_table(metrics: DeliveryMetrics) -> Table:
    """Delivery metrics as a two-column table; "n/a" where a typed answer has no timing."""
    table = Table(title="Delivery", title_justify="left", show_header=False, box=None, padding=(0, 2))
    table.add_column(style="bold")
    table.add_column()
    if not metrics.timed:
        table.add_row("Timing", "unavailable (typed answer: no word times)")
    table.add_row("Words", str(metrics.word_count))
    table.add_row("Speaking time", _fmt(metrics.speaking_time_s, " s"))
    table.add_row("Pace", _fmt(metrics.wpm, " WPM", 0))
    per_min = f", {metrics.fillers_per_min:.1f}/min" if metrics.fillers_per_min is not None else ""
    table.add_row("Fillers", f"{metrics.filler_count} ({metrics.filler_ratio:.1%} of words{per_min})")
    if metrics.timed:
        table.add_row("Pauses", f"{len(metrics.pauses)} (longest {_fmt(metrics.longest_pause_s, ' s')}, "
                      f"{metrics.long_pause_count} long)")
        table.add_row("Time to first word", _fmt(metrics.time_to_first_word_s, " s"))
    return table
