"""Feedback on one answer: metrics, the transcript with fillers, pauses and evidence marked, findings with their
fix, and the follow-up question, asked aloud, which the candidate may answer or skip. m hears each finding (and
filler, long pause) from just before it, its words highlighted; d redoes just that part (mockiv.tui.moments)."""

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
from mockiv.engine.session import one_line
from mockiv.present import (
    LEGEND,
    findings_text,
    heading,
    metrics_table,
    strengths_text,
    structure_text,
    transcript_text,
)
from mockiv.tui.moments import MomentChoice, MomentCursor, choices_of, moment_line, why_silent
from mockiv.tui.services import Services
from mockiv.tui.sound import speech_off


class FeedbackScreen(Screen[str]):
    """Dismisses with "follow-up", "next", "retry" or "end"."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("a", "choose('follow-up')", "Answer follow-up", show=True),
        Binding("n", "choose('next')", "Next question", show=True),
        Binding("r", "choose('retry')", "Retry", show=True),
        Binding("s", "say_follow_up", "Say again", show=True),
        # Named on the findings' heading: at 80 columns the footer has no room left for them.
        Binding("m", "next_moment", "Moment", show=False),
        Binding("d", "redo", "Redo part", show=False),
        Binding("escape,q", "choose('end')", "End+report", show=True),
    ]

    def __init__(self, services: Services, result: AnswerResult, follow_up: str, *, is_follow_up: bool = False
                 ) -> None:
        super().__init__()
        self.services = services
        self.result = result
        self.follow_up = follow_up
        self.is_follow_up = is_follow_up
        self.view = answer_view(result.to_dict())
        self.moments = MomentCursor(choices_of(self.view, result.audio_path, result.answer_id))

    def compose(self) -> ComposeResult:
        result = self.result
        view = self.view
        with VerticalScroll(id="feedback"):
            yield Static(Text(f"Feedback · {view.kind} · {result.source} answer", style="bold"), id="fb-title")
            yield Static(Text(view.question, style="italic"), id="fb-question")
            if self.follow_up:  # the follow-up sits below the fold at 80x24: say at the top that it is there
                yield Static(Text.assemble(("↓ ", "bold"), ("The interviewer has a follow-up, at the end: ", "bold"),
                                           ("a answers it, n moves on", "dim")), id="fb-pointer")
            yield Static("", id="fb-moment")
            yield Static(heading("Transcript"), classes="heading")
            yield Static(Group(transcript_text(view.words), Text(LEGEND, style="dim")), id="fb-transcript")
            yield Static(metrics_table(view.metrics), id="fb-metrics")
            if view.structure:
                yield Static(heading("Structure"), classes="heading")
                yield Static(structure_text(view.structure), id="fb-structure")
            keys = Text()
            if self.moments.choices:
                keys.append(" · m hears each from its moment", style="dim")
                if self.services.store is not None and any(c.redoable for c in self.moments.choices):
                    keys.append(" · d redoes its part", style="dim")
            yield Static(Text.assemble(heading(f"Findings ({len(view.findings)})"), keys), classes="heading",
                         id="fb-findings-heading")
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
        self.query_one("#fb-moment", Static).display = False  # a line only once a moment is chosen
        self.query_one("#feedback").focus()
        if self.follow_up and self.services.speaker is not None:
            self.speak(self.follow_up)

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action == "next_moment":
            return bool(self.moments.choices)
        if action == "redo":
            return self.services.store is not None and any(c.redoable for c in self.moments.choices)
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

    def action_next_moment(self) -> None:
        choice = self.moments.step()
        if choice is None:
            return
        self.query_one("#fb-transcript", Static).update(
            Group(transcript_text(self.view.words, chosen=choice.words), Text(LEGEND, style="dim")))
        silent = why_silent(choice, self.services.player is not None)
        self.query_one("#fb-moment", Static).display = True
        self.query_one("#fb-moment", Static).update(
            moment_line(choice, len(self.moments.choices), silent, self.moments.index))
        if silent is None:
            self.play_moment(choice)

    @work(thread=True, group="moment", exclusive=True, exit_on_error=False)
    def play_moment(self, choice: MomentChoice) -> None:
        assert self.services.player is not None and choice.audio is not None
        self.services.player.stop()  # the moment before it, if still playing
        try:
            self.services.player.play(choice.audio, choice.moment.play_from_s or 0.0)
        except Exception as error:  # no output device: the words are highlighted all the same
            line = one_line(error)
            self.app.call_from_thread(self.query_one("#fb-moment", Static).update,
                                      moment_line(choice, len(self.moments.choices), line, self.moments.index))

    def action_redo(self) -> None:
        current = self.moments.current
        choice = current if current is not None and current.redoable else next(
            (c for c in self.moments.choices if c.redoable), None)
        if choice is None or choice.answer_id is None or choice.moment.rule is None:
            return
        if self.services.player is not None:
            self.services.player.stop()
        from mockiv.tui.screens.redo import RedoScreen

        self.app.push_screen(RedoScreen(self.services, choice.answer_id, choice.moment.rule))

    def action_choose(self, choice: str) -> None:
        if self.services.player is not None:
            with contextlib.suppress(Exception):
                self.services.player.stop()
        if self.services.speaker is not None:
            with contextlib.suppress(Exception):
                self.services.speaker.stop()
        self.dismiss(choice)
