"""Human output for the terminal (rich): coloured when a terminal, plain when piped; NO_COLOR is honoured."""

from __future__ import annotations

from typing import Any

from rich.console import Console
from rich.table import Table
from rich.text import Text

from mockiv.core.delivery import DeliveryMetrics
from mockiv.core.transcript import Transcript
from mockiv.engine.analysis import AnswerResult

SEVERITY_STYLE = {"major": "bold red", "moderate": "yellow", "minor": "cyan"}


def _fmt(value: float | None, unit: str = "", digits: int = 1) -> str:
    return "n/a" if value is None else f"{value:.{digits}f}{unit}"


def metrics_table(metrics: DeliveryMetrics) -> Table:
    table = Table(title="Delivery", show_header=False, box=None, padding=(0, 2))
    table.add_column(style="bold")
    table.add_column()
    if not metrics.timed:
        table.add_row("Timing", "unavailable (typed transcript: no word times)")
    table.add_row("Words", str(metrics.word_count))
    table.add_row("Speaking time", _fmt(metrics.speaking_time_s, " s"))
    pace = _fmt(metrics.wpm, " WPM", 0)
    if metrics.timed:
        pace += (f"  (articulation {_fmt(metrics.articulation_wpm, ' WPM', 0)}, "
                 f"variability {_fmt(metrics.pace_variability, '', 2)})")
    table.add_row("Pace", pace)
    table.add_row("Fillers", f"{metrics.filler_count} ({metrics.filler_ratio:.1%} of words"
                  + (f", {metrics.fillers_per_min:.1f}/min)" if metrics.fillers_per_min is not None else ")"))
    repeats = sum(1 for d in metrics.disfluencies if d.category in ("repetition", "false-start"))
    table.add_row("Repetitions / false starts", str(repeats))
    if metrics.timed:
        table.add_row("Pauses ≥ threshold", f"{len(metrics.pauses)} (longest {_fmt(metrics.longest_pause_s, ' s')}, "
                      f"{metrics.long_pause_count} long)")
        table.add_row("Time to first word", _fmt(metrics.time_to_first_word_s, " s"))
    return table


def highlighted_transcript(transcript: Transcript, metrics: DeliveryMetrics, findings: list[dict[str, Any]]) -> Text:
    """The transcript with fillers, pauses and evidence marked, so the candidate sees the exact words."""
    filler_at = {i for d in metrics.disfluencies for i in range(d.start_index, d.end_index)}
    evidence_at: dict[int, str] = {}
    for finding in findings:
        for span in finding.get("evidence", []):
            for i in range(span["start_index"], span["end_index"]):
                evidence_at.setdefault(i, finding["rule"])
    pause_after = {p.after_index: p.duration for p in metrics.pauses}
    text = Text()
    for i, word in enumerate(transcript.words):
        style = ""
        if i in evidence_at:
            style = "underline red"
        if i in filler_at:
            style = (style + " bold yellow").strip()
        text.append(word.text, style=style or None)
        if i in pause_after:
            text.append(f" ⏸{pause_after[i]:.1f}s", style="magenta")
        text.append(" ")
    return text


def render_analysis(analysis: AnswerResult, console: Console | None = None) -> None:
    console = console or Console(highlight=False)
    data = analysis.to_dict()
    if analysis.question:
        console.print(Text("Question: ", style="bold") + Text(analysis.question))
    console.print(Text(f"Kind: {data['kind']}   Rules: {data['rules_version']}", style="dim"))
    console.print()
    console.print(Text("Transcript", style="bold underline"))
    console.print(highlighted_transcript(analysis.transcript, analysis.metrics, data["findings"]))
    console.print(Text("  yellow = filler, underlined = evidence for a finding, ⏸ = pause", style="dim"))
    console.print()
    console.print(metrics_table(analysis.metrics))
    structure = data.get("structure") or []
    if structure:
        console.print()
        console.print(Text("Structure", style="bold underline"))
        for part in structure:
            label = str(part.get("label", "?"))
            console.print(Text(f"  [{label}] ", style="bold cyan") + Text(str(part.get("text", ""))))
    console.print()
    findings = data["findings"]
    console.print(Text(f"Findings ({len(findings)})", style="bold underline"))
    if not findings:
        console.print("  None: nothing in this answer loses the interviewer.")
    for finding in findings:
        style = SEVERITY_STYLE.get(finding["severity"], "")
        console.print(Text(f"● {finding['rule']} ", style=style) + Text(f"[{finding['severity']}] ", style="dim")
                      + Text(finding["message"]))
        for span in finding.get("evidence", [])[:3]:
            when = f" @ {span['start']:.1f}s" if span.get("start") is not None else ""
            console.print(Text(f"    “{span['text']}”{when}", style="italic"))
        if finding.get("rationale"):
            console.print(Text("    Why it costs you: ", style="bold") + Text(finding["rationale"]))
        if finding.get("suggestion"):
            console.print(Text("    Fix: ", style="bold") + Text(finding["suggestion"]))
        if finding.get("follow_up"):
            console.print(Text("    The interviewer will ask: ", style="bold") + Text(finding["follow_up"]))
    strengths = data.get("strengths") or []
    if strengths:
        console.print()
        console.print(Text(f"Strengths ({len(strengths)})", style="bold underline"))
        for strength in strengths:
            quote = f" — “{strength['evidence'][0]['text']}”" if strength.get("evidence") else ""
            console.print(Text("✔ ", style="green") + Text(strength["message"]) + Text(quote, style="italic"))
