"""How an answer looks on a terminal (rich), for the plain terminal (`analyze`, `practice --no-tui`) and the app
alike: both draw the same `AnswerView` (mockiv.core.answer_view) with these pieces. Also the times and durations
every report writes. Coloured when a terminal, plain when piped; NO_COLOR is honoured; marks are characters as
well as colours, so they read in monochrome too.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

from rich.console import Console, Group
from rich.table import Table
from rich.text import Text

from mockiv.core.answer_view import AnswerView, MarkedWord, MetricRow, answer_view
from mockiv.core.rules import rule_title

SEVERITY_STYLE = {"major": "bold red", "moderate": "yellow", "minor": "cyan"}
LEGEND = "[word] = filler · underlined = evidence for a finding · ⏸ = pause"
PLAIN_LEGEND = "[word] = filler · ⏸ = pause"  # piped or NO_COLOR: nothing is underlined, so it says nothing of it


def transcript_text(words: Sequence[MarkedWord], current: int | None = None, chosen: range | None = None) -> Text:
    """The words: fillers bold and [bracketed], evidence underlined, pauses ⏸, the replayed word and the words of
    a chosen moment (mockiv.core.moments) reversed."""
    text = Text()
    for word in words:
        style: list[str] = []
        shown = word.text.strip()
        if word.filler:
            style.append("bold yellow")
            shown = f"[{shown}]"
        if word.rules:
            style.append("underline")
        if (current is not None and word.index == current) or (chosen is not None and word.index in chosen):
            style.append("reverse")
        text.append(shown, style=" ".join(style) or None)
        if word.pause_after_s is not None:
            text.append(f" ⏸{word.pause_after_s:.1f}s", style="magenta")
        text.append(" ")
    return text


def metrics_table(rows: Sequence[MetricRow]) -> Table:
    table = Table(title="Delivery", title_justify="left", show_header=False, box=None, padding=(0, 2))
    table.add_column(style="bold")
    table.add_column()
    for row in rows:
        table.add_row(row.label, row.value)
    return table


def structure_text(structure: Sequence[dict[str, Any]]) -> Text:
    text = Text()
    for part in structure:
        text.append(f"  [{part.get('label', '?')}] ", style="bold cyan")
        text.append(f"{part.get('text', '')}\n")
    return text


def findings_text(findings: Sequence[dict[str, Any]]) -> Text:
    text = Text()
    if not findings:
        text.append("None: nothing in this answer loses the interviewer.\n")
    for finding in findings:
        severity = str(finding.get("severity", ""))
        text.append(f"● {rule_title(str(finding.get('rule')))} [{severity}] ", style=SEVERITY_STYLE.get(severity, ""))
        text.append(f"{finding.get('message', '')}\n")
        for span in (finding.get("evidence") or [])[:3]:
            when = f" @ {span['start']:.1f}s" if span.get("start") is not None else ""
            text.append(f"    “{span.get('text', '')}”{when}\n", style="italic")
        for label, key in (("Why it costs you: ", "rationale"), ("Fix: ", "suggestion"),
                           ("The interviewer will ask: ", "follow_up")):
            if finding.get(key):
                text.append(f"    {label}", style="bold")
                text.append(f"{finding[key]}\n")
    return text


def strengths_text(strengths: Sequence[dict[str, Any]]) -> Text:
    text = Text()
    for strength in strengths:
        quote = f" — “{strength['evidence'][0].get('text', '')}”" if strength.get("evidence") else ""
        text.append("✔ ", style="green")
        text.append(str(strength.get("message", "")))
        text.append(quote + "\n", style="italic")
    return text


def heading(text: str) -> Text:
    return Text(text, style="bold underline")


def render_answer(view: AnswerView, console: Console | None = None) -> None:
    """The whole answer, top to bottom, on the plain terminal."""
    console = console or Console(highlight=False)
    parts: list[Any] = []
    if view.question:
        parts.append(Text("Question: ", style="bold") + Text(view.question))
    legend = LEGEND if console.is_terminal and not console.no_color else PLAIN_LEGEND
    parts += [Text(f"Kind: {view.kind}   Rules: {view.rules_version or '-'}", style="dim"), Text(),
              heading("Transcript"), transcript_text(view.words), Text(f"  {legend}", style="dim"), Text(),
              metrics_table(view.metrics)]
    if view.structure:
        parts += [Text(), heading("Structure"), structure_text(view.structure)]
    parts += [Text(), heading(f"Findings ({len(view.findings)})"), findings_text(view.findings)]
    if view.strengths:
        parts += [heading(f"Strengths ({len(view.strengths)})"), strengths_text(view.strengths)]
    console.print(Group(*parts))


def render_analysis(result: Any, console: Console | None = None) -> None:
    """An `AnswerResult` (mockiv.engine.analysis) on the plain terminal."""
    render_answer(answer_view(result.to_dict()), console)


# ---------------------------------------------------------------------------------------------------- times


def local_time(iso: str | None) -> str:
    if not iso:
        return "-"
    try:
        return datetime.fromisoformat(iso).astimezone().strftime("%Y-%m-%d %H:%M")
    except ValueError:
        return iso


def duration(seconds: float | None) -> str:
    if seconds is None:
        return "-"
    minutes, secs = divmod(round(seconds), 60)
    return f"{minutes}:{secs:02d}"


def clock(seconds: float | None) -> str:
    if seconds is None:
        return "--:--.-"
    minutes, secs = divmod(seconds, 60)
    return f"{int(minutes):02d}:{secs:04.1f}"
