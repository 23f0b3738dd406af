"""Redo just this part: the part of the answer a finding points at, the fix to aim for, a new take of only that
part (spoken, or typed), A and B played back to back, and what the re-score changed (mockiv.engine.redo)."""

from __future__ import annotations

from pathlib import Path
from typing import Any, ClassVar

from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import VerticalScroll
from textual.screen import Screen
from textual.widgets import Footer, Input, Static

from mockiv.core.rules import rule_title
from mockiv.engine.session import one_line
from mockiv.present import clock
from mockiv.tui.services import Services


def changes_text(outcome: Any) -> Text:
    """Findings gone (✔) and new (▲) after the re-score, and the ones still there."""
    changes = outcome.changes
    text = Text.assemble(("What changed\n", "bold underline"))
    if not changes.changed:
        text.append("  No change: the same findings as before.\n")
    for mark, label, findings, style in (("✔", "Gone", changes.gone, "green"), ("▲", "New", changes.new, "yellow")):
        for finding in findings:
            text.append(f"  {mark} {label}: ", style=f"bold {style}")
            text.append(f"{rule_title(str(finding['rule']))}\n")
    if changes.kept:
        still = ", ".join(dict.fromkeys(rule_title(str(f["rule"])) for f in changes.kept))
        text.append(f"  Still there: {still}\n", style="dim")
    return text


class RedoScreen(Screen[None]):
    """Opened from a finding (feedback, report, replay) of a stored answer."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("space", "record", "Record take", show=True),
        Binding("p", "play_ab", "Play A/B", show=True),
        Binding("escape", "back", "Back", show=True),
    ]

    def __init__(self, services: Services, answer_id: str, rule: str) -> None:
        super().__init__()
        self.services = services
        self.answer_id = answer_id
        self.rule = rule
        self.redo: Any = None
        self.take: Any = None  # the microphone take in progress (listening.Take)
        self.outcome: Any = None

    def compose(self) -> ComposeResult:
        with VerticalScroll(id="redo"):
            yield Static(Text(f"Redo just this part · {rule_title(self.rule)}", style="bold"), id="redo-title")
            yield Static("", id="redo-part")
            yield Static("", id="redo-status")
            yield Input(placeholder="…or type the new part and press Enter", id="redo-typed")
            yield Static("", id="redo-changes")
        yield Footer(show_command_palette=False)

    def on_mount(self) -> None:
        from mockiv.engine.redo import RedoRun

        store = self.services.store
        try:
            if store is None:
                raise RuntimeError("sessions are not saved here, so there is no recording to redo")
            self.redo = RedoRun.prepare(store, store.get_answer(self.answer_id), self.rule)
        except Exception as error:
            self.query_one("#redo-part", Static).update(Text(one_line(error)))
            self.query_one("#redo-typed", Input).display = False
            return
        part = self.redo.part
        when = f" ({clock(part.start_s)}–{clock(part.end_s)})" if part.start_s is not None else ""
        self.query_one("#redo-part", Static).update(Text.assemble(
            ("The part", "bold"), when, ": ", (f"“{part.text}”", "italic"), "\n",
            ("Try: ", "bold"), self.redo.hint))
        if self.services.microphone is not None:
            self.status("space records the new take of just this part (it ends after a silence, or space "
                        "again); tab to type it instead")
            self.query_one("#redo").focus()
        else:
            self.status("No microphone here: type the new part below (or use `mockiv redo` with an audio file)")
            self.query_one("#redo-typed", Input).focus()
        self.refresh_bindings()

    def status(self, line: str) -> None:
        if self.is_attached:  # a worker may report after the candidate went back
            self.query_one("#redo-status", Static).update(Text(line, style="dim"))

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action == "record":
            return self.redo is not None and self.services.microphone is not None
        if action == "play_ab":
            return self.outcome is not None and self.services.player is not None
        return True

    def action_record(self) -> None:
        if self.take is not None:  # space again: the take ends
            self.take.stop("key")
            return
        if self.redo is None or self.services.microphone is None:
            return
        # RECORDING shows once the microphone is open (`recording_opened`): said earlier, while the model loads on
        # a busy machine, the first words of the take went unheard.
        self.status("… getting the microphone ready")
        self.record()

    def recording_opened(self, take: Any) -> None:
        """In the worker, once the take listens: space can end it, and the candidate may speak."""
        self.take = take
        self.app.call_from_thread(self.status, "● RECORDING the new take: say just this part (space ends it)")

    @work(thread=True, group="redo", exclusive=True, exit_on_error=False)
    def record(self) -> None:
        try:
            transcriber = self.services.model.get()
            if transcriber is None:
                raise RuntimeError(f"speech recognition is unavailable ({self.services.model.error}); "
                                   "type the new part instead")
            take_id, words, audio = self.redo.record(
                transcriber, self.services.microphone, settings=self.services.listen,
                speech_probability=self.services.speech_probability,
                on_take=self.recording_opened)
        except Exception as error:
            self.app.call_from_thread(self.failed, one_line(error))
            return
        finally:
            self.take = None
        self.app.call_from_thread(self.status, "… THINKING: scoring the answer with the new take in place")
        self.score(take_id, words, audio)

    @on(Input.Submitted, "#redo-typed")
    def typed(self, event: Input.Submitted) -> None:
        if self.redo is None or not event.value.strip():
            return
        self.status("… THINKING: scoring the answer with the new take in place")
        self.score_typed(event.value)

    @work(thread=True, group="redo", exclusive=True, exit_on_error=False)
    def score_typed(self, text: str) -> None:
        try:
            take_id, words = self.redo.typed(text)
        except Exception as error:
            self.app.call_from_thread(self.failed, one_line(error))
            return
        self.score(take_id, words, None)

    def score(self, take_id: str, words: Any, audio: Path | None) -> None:
        """In a worker: re-score, show what changed, then play A and B."""
        try:
            outcome = self.redo.apply(take_id, words, self.services.analyzer, audio)
        except Exception as error:
            self.app.call_from_thread(self.failed, f"the re-score failed: {one_line(error)}")
            return
        self.app.call_from_thread(self.scored, outcome)
        self.play_pair(outcome)

    def scored(self, outcome: Any) -> None:
        self.outcome = outcome
        if not self.is_attached:
            return
        text = Text.assemble(("New take: ", "bold"), (f"“{outcome.take.text}”\n\n", "italic"))
        text.append_text(changes_text(outcome))
        self.query_one("#redo-changes", Static).update(text)
        self.status("p plays A (as you said it) and B (the new take) again · esc goes back")
        self.query_one("#redo").focus()  # off the text box, whose typing would take p and space
        self.refresh_bindings()

    def failed(self, line: str) -> None:
        self.status(line)
        self.notify(line, severity="warning")

    def action_play_ab(self) -> None:
        if self.outcome is not None:
            self.play_again(self.outcome)

    @work(thread=True, group="redo-play", exclusive=True, exit_on_error=False)
    def play_again(self, outcome: Any) -> None:
        self.play_pair(outcome)

    def play_pair(self, outcome: Any) -> None:
        """A (the part as said, from just before it) then B (the take), back to back, when there is sound."""
        player = self.services.player
        original = self.redo.answer.audio_path
        if player is None:
            return
        try:
            if original is not None and Path(original).is_file() and self.redo.original_from_s is not None:
                self.app.call_from_thread(self.status, "▶ A: the part as you said it")
                player.play(Path(original), self.redo.original_from_s, self.redo.part.end_s)
            if outcome.take_audio is not None:
                self.app.call_from_thread(self.status, "▶ B: the new take")
                player.play(Path(outcome.take_audio), 0.0)
        except Exception as error:  # no output device: the changes are on screen all the same
            self.app.call_from_thread(self.status, f"not played: {one_line(error)}")
            return
        self.app.call_from_thread(self.status, "p plays A and B again · esc goes back")

    def action_back(self) -> None:
        if self.take is not None:
            self.take.stop("cancelled")
        if self.services.player is not None:
            self.services.player.stop()
        self.app.pop_screen()
