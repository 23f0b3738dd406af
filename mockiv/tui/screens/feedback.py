"""Feedback on one answer: metrics, the transcript with fillers, pauses and evidence marked, findings with their
fix, and the follow-up question, asked aloud, which the candidate may answer or skip."""

from __future__ import annotations

import contextlib
from typing import ClassVar

from rich.console import Group
from rich.text import Text
from textual import work
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import VerticalScroll
from textual.screen import Screen
from textual.widgets import Footer, Static

from mockiv.core.answer_view import answer_view
from mockiv.engine.analysis import AnswerResult
from mockiv.present import (
    LEGEND,
    findings_text,
    heading,
    metrics_table,
    strengths_text,
    structure_text,
    transcript_text,
)
from mockiv.tui.services import Services
from mockiv.tui.sound import speech_off


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
        view = answer_view(result.to_dict())
        with VerticalScroll(id="feedback"):
            yield Static(Text(f"Feedback · {view.kind} · {result.source} answer", style="bold"), id="fb-title")
            yield Static(Text(view.question, style="italic"), id="fb-question")
            if self.follow_up:  # the follow-up sits below the fold at 80x24: say at the top that it is there
                yield Static(Text.assemble(("↓ ", "bold"), ("The interviewer has a follow-up, at the end: ", "bold"),
                                           ("a answers it, n moves on", "dim")), id="fb-pointer")
            yield Static(heading("Transcript"), classes="heading")
            yield Static(Group(transcript_text(view.words), Text(LEGEND, style="dim")), id="fb-transcript")
            yield Static(metrics_table(view.metrics), id="fb-metrics")
            if view.structure:
                yield Static(heading("Structure"), classes="heading")
                yield Static(structure_text(view.structure), id="fb-structure")
            yield Static(heading(f"Findings ({len(view.findings)})"), classes="heading")
            yield Static(findings_text(view.findings), id="fb-findings")
            if view.strengths:
                yield Static(heading(f"Strengths ({len(view.strengths)})"), classes="heading")
                yield Static(strengths_text(view.strengths), id="fb-strengths")
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
        if not self.follow_up:
            return
        silent = speech_off(self.services.speaker)
        if silent:
            self.notify(f"The follow-up is on screen, not spoken: {silent}.", severity="warning")
            return
        self.speak(self.follow_up)

    def action_choose(self, choice: str) -> None:
        if self.services.speaker is not None:
            with contextlib.suppress(Exception):
                self.services.speaker.stop()
        self.dismiss(choice)
