"""Feedback on one answer: metrics, the transcript with fillers, pauses and evidence marked, findings with their
fix, and the follow-up question, asked aloud, which the candidate may answer or skip."""

from __future__ import annotations

import contextlib
from typing import Any, ClassVar

from rich.console import Group
from rich.text import Text
from textual import work
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import VerticalScroll
from textual.screen import Screen
from textual.widgets import Footer, Static

from mockiv.engine.analysis import AnswerResult
from mockiv.tui.services import Services
from mockiv.tui.widgets import SEVERITY_STYLE, highlight, metrics_table

LEGEND = "[word] = filler · underlined = evidence for a finding · ⏸ = pause"


def findings_text(findings: tuple[dict[str, Any], ...]) -> Text:
    text = Text()
    if not findings:
        text.append("None: nothing in this answer loses the interviewer.\n")
    for finding in findings:
        severity = str(finding.get("severity", ""))
        text.append(f"● {finding.get('rule')} [{severity}] ", style=SEVERITY_STYLE.get(severity, ""))
        text.append(f"{finding.get('message', '')}\n")
        for span in (finding.get("evidence") or [])[:2]:
            when = f" @ {span['start']:.1f}s" if span.get("start") is not None else ""
            text.append(f"    “{span.get('text', '')}”{when}\n", style="italic")
        if finding.get("rationale"):
            text.append("    Why it costs you: ", style="bold")
            text.append(f"{finding['rationale']}\n")
        if finding.get("suggestion"):
            text.append("    Fix: ", style="bold")
            text.append(f"{finding['suggestion']}\n")
    return text


def strengths_text(strengths: tuple[dict[str, Any], ...]) -> Text:
    text = Text()
    for strength in strengths:
        quote = ""
        if strength.get("evidence"):
            quote = f" — “{strength['evidence'][0].get('text', '')}”"
        text.append("✔ ", style="green")
        text.append(str(strength.get("message", "")))
        text.append(quote + "\n", style="italic")
    return text


class FeedbackScreen(Screen[str]):
    """Dismisses with "follow-up", "next", "retry" or "end"."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("a", "choose('follow-up')", "Answer follow-up", show=True),
        Binding("n", "choose('next')", "Next question", show=True),
        Binding("r", "choose('retry')", "Retry", show=True),
        Binding("s", "say_follow_up", "Say again", show=True),
        Binding("escape,q", "choose('end')", "End+report", show=True),
    ]

    def __init__(self, services: Services, result: AnswerResult, follow_up: str, *, is_follow_up: bool = False
                 ) -> None:
        super().__init__()
        self.services = services
        self.result = result
        self.follow_up = follow_up
        self.is_follow_up = is_follow_up

    def compose(self) -> ComposeResult:
        result = self.result
        with VerticalScroll(id="feedback"):
            yield Static(Text(f"Feedback · {result.kind} · {result.source} answer", style="bold"), id="fb-title")
            yield Static(Text(result.question, style="italic"), id="fb-question")
            yield Static(Text("Transcript", style="bold underline"), classes="heading")
            yield Static(Group(highlight(result.transcript, result.metrics, result.findings),
                               Text(LEGEND, style="dim")), id="fb-transcript")
            yield Static(metrics_table(result.metrics), id="fb-metrics")
            if result.rules_available:
                yield Static(Text(f"Findings ({len(result.findings)})", style="bold underline"), classes="heading")
                yield Static(findings_text(result.findings), id="fb-findings")
                if result.strengths:
                    yield Static(Text(f"Strengths ({len(result.strengths)})", style="bold underline"),
                                 classes="heading")
                    yield Static(strengths_text(result.strengths), id="fb-strengths")
            else:
                yield Static(Text("Findings: the rule engine is not installed, so only delivery is measured.",
                                  style="bold"), id="fb-findings")
            if self.follow_up:
                yield Static(Text.assemble(("The interviewer asks: ", "bold"), self.follow_up,
                                           ("\n  a answers it · n skips to the next question", "dim")),
                             id="fb-follow-up")
        yield Footer(show_command_palette=False)

    def on_mount(self) -> None:
        self.query_one("#feedback").focus()
        if self.follow_up and self.services.speaker is not None:
            self.speak(self.follow_up)

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action == "say_follow_up":
            return bool(self.follow_up) and self.services.speaker is not None
        if action == "choose" and parameters and parameters[0] == "follow-up":
            return bool(self.follow_up)
        return True

    @work(thread=True, group="tts", exclusive=True, exit_on_error=False)
    def speak(self, text: str) -> None:
        if self.services.speaker is not None:
            self.services.speaker.say(text)

    def action_say_follow_up(self) -> None:
        if self.follow_up:
            self.speak(self.follow_up)

    def action_choose(self, choice: str) -> None:
        if self.services.speaker is not None:
            with contextlib.suppress(Exception):
                self.services.speaker.stop()
        self.dismiss(choice)
