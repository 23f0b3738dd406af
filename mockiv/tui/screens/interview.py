"""What practice and rehearsal share: the question large and centred, the state line, the clock, the level meter,
and the three ways to answer (microphone, typed text, an audio file).

The screen is a view of the practice engine (mockiv.engine.session): it subscribes to the engine's events, which
come from the engine's threads and are posted here as messages, and sends it keys. It never records, transcribes
or analyses itself. After the question the engine listens by itself: the first word starts the answer, a pause
ends it, and Space still starts or stops it by hand.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any, ClassVar

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.message import Message
from textual.screen import Screen
from textual.widgets import Footer, Input, Static, TextArea

from mockiv.core.answer_view import mark_words
from mockiv.core.transcript import Transcript
from mockiv.engine.analysis import AnswerResult
from mockiv.engine.prompts import Prompt
from mockiv.engine.session import MAX_ANSWER_S, AnswerOutcome, EngineEvents
from mockiv.tui.services import Services
from mockiv.tui.session import SessionRun
from mockiv.tui.sound import speech_off
from mockiv.tui.widgets import AnswerClock, HighlightedTranscript, LevelMeter, StateLine


class EngineEvent(Message):
    """One event of the engine, carried from its thread to the screen's loop."""

    def __init__(self, kind: str, attempt: int, payload: Any = None) -> None:
        super().__init__()
        self.kind = kind
        self.attempt = attempt
        self.payload = payload


class AnswerAnalysed(Message):
    def __init__(self, token: int, prompt: Prompt, result: AnswerResult) -> None:
        super().__init__()
        self.token = token
        self.prompt = prompt
        self.result = result


class AnswerFailed(Message):
    def __init__(self, token: int, prompt: Prompt, error: str) -> None:
        super().__init__()
        self.token = token
        self.prompt = prompt
        self.error = error


class _ScreenView(EngineEvents):
    """The engine's events as messages to the screen (post_message is safe from any thread)."""

    def __init__(self, screen: InterviewScreen) -> None:
        self.screen = screen

    def _post(self, kind: str, attempt: int, payload: Any = None) -> None:
        self.screen.post_message(EngineEvent(kind, attempt, payload))

    def spoken(self, attempt: int, prompt: Prompt) -> None:
        self._post("spoken", attempt)

    def loading(self, attempt: int) -> None:
        self._post("loading", attempt)

    def listening(self, attempt: int, prompt: Prompt) -> None:
        self._post("listening", attempt)

    def answer_started(self, attempt: int) -> None:
        self._post("answer-started", attempt)

    def level(self, attempt: int, level: float) -> None:
        self.screen.level = level  # only a float: the tick timer draws it (coalesced)

    def partial_transcript(self, attempt: int, transcript: Transcript) -> None:
        self._post("partial", attempt, transcript)

    def transcribing(self, attempt: int, prompt: Prompt) -> None:
        self._post("transcribing", attempt)

    def answered(self, outcome: AnswerOutcome) -> None:
        self.screen.post_message(AnswerAnalysed(outcome.attempt, outcome.prompt, outcome.result))

    def failed(self, attempt: int, prompt: Prompt, line: str) -> None:
        self.screen.post_message(AnswerFailed(attempt, prompt, line))

    def notice(self, line: str) -> None:
        self._post("notice", 0, line)


class InterviewScreen(Screen[None]):
    """A base for PracticeScreen and RehearsalScreen: asks `self.prompt` through the engine and shows the answer
    as it comes."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("space", "toggle_recording", "Answer/stop", show=True),
        Binding("ctrl+s", "submit", "Submit", show=True),
        Binding("ctrl+o", "audio_file", "Audio file", show=True),
        Binding("ctrl+r", "repeat", "Repeat", show=True),
        Binding("ctrl+n", "skip", "Skip", show=True),
        Binding("escape", "end", "End", show=True),
    ]

    def __init__(self, services: Services, run: SessionRun) -> None:
        super().__init__()
        self.services = services
        self.run = run
        self.engine = run.engine
        self.prompt: Prompt | None = None
        # The engine's attempt number: events of an older attempt (a retry, a skip) are ignored.
        self.token = 0
        self.phase = "idle"
        self.started_at: float | None = None
        self.level = 0.0
        self.engine.subscribe(_ScreenView(self))

    # ---- layout

    def compose(self) -> ComposeResult:
        with Vertical(id="stage"):
            yield Static("", id="progress")
            yield Static("", id="question")
            with Horizontal(id="status"):
                yield StateLine(id="state")
                yield AnswerClock(id="clock")
                yield LevelMeter(id="meter")
            with VerticalScroll(id="live-box"):
                yield HighlightedTranscript(id="live")
            yield TextArea(id="typed", soft_wrap=True, show_line_numbers=False)
            yield Input(placeholder="path to an audio file (wav, flac, ogg, mp3), then enter", id="file-path")
        yield Footer(show_command_palette=False)

    def on_mount(self) -> None:
        mic = self.services.has_microphone
        self.query_one(LevelMeter).display = mic
        self.query_one("#typed", TextArea).display = not mic
        self.query_one("#live-box").display = mic
        self.query_one("#file-path", Input).display = False
        if self.services.tick_s > 0:
            self.set_interval(self.services.tick_s, self.tick)

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action == "toggle_recording":
            return self.services.has_microphone
        return True

    # ---- asking

    def ask(self, prompt: Prompt, progress: str) -> None:
        """Show a question and have the engine ask it; it listens by itself afterwards."""
        self.prompt = prompt
        self.started_at = None
        self.query_one("#progress", Static).update(progress)
        self.query_one("#question", Static).update(prompt.text)
        self.query_one("#live", HighlightedTranscript).show(())
        typed = self.query_one("#typed", TextArea)
        typed.text = ""
        typed.disabled = False
        clock = self.query_one(AnswerClock)
        clock.elapsed = 0.0
        clock.budget = self.budget_for(prompt)
        self.set_phase("speaking")
        painted = getattr(self.app, "question_painted", None)
        if callable(painted):
            self.call_after_refresh(painted)  # the question is on screen first; the model loads behind it
        self.token = self.engine.ask(prompt, listen=self.listens_after_question())

    def listens_after_question(self) -> bool:
        """Whether the microphone opens as soon as the question is asked (a rehearsal waits its thinking time)."""
        return True

    def budget_for(self, prompt: Prompt) -> float | None:
        return float(prompt.time_budget_s)

    @on(EngineEvent)
    def engine_event(self, message: EngineEvent) -> None:
        if message.kind == "notice":
            self.notify(str(message.payload), severity="warning", timeout=8)
            return
        if message.attempt != self.token:
            return
        if message.kind == "spoken" and self.phase == "speaking":
            self.after_question()
        elif message.kind == "loading" and self.phase in ("speaking", "ready", "thinking", "opening-mic"):
            self.query_one(StateLine).state = "loading"
        elif message.kind == "listening" and self.phase in ("speaking", "ready", "opening-mic"):
            self.level = 0.0
            self.set_phase("listening")
        elif message.kind == "answer-started" and self.phase in ("listening", "speaking", "ready", "opening-mic"):
            self.started_at = self.services.clock()
            self.set_phase("recording")
        elif message.kind == "partial" and self.phase in ("recording", "listening") and self.live_transcripts():
            self.query_one("#live", HighlightedTranscript).show(mark_words({"transcript": message.payload.to_dict()}))
            self.query_one("#live-box", VerticalScroll).scroll_end(animate=False)  # the newest words in view
        elif message.kind == "transcribing" and self.phase in ("recording", "listening", "speaking", "ready"):
            self.set_phase("thinking")
            self.answer_stopped()

    def after_question(self) -> None:
        """Ready to answer (RehearsalScreen inserts thinking time here)."""
        self.ready_to_answer()

    def ready_to_answer(self) -> None:
        if self.services.has_microphone:
            self.set_phase("opening-mic")
        else:
            self.set_phase("typing")
            self.started_at = self.services.clock()
            self.query_one("#typed", TextArea).focus()

    def set_phase(self, phase: str) -> None:
        self.phase = phase
        self.query_one(StateLine).state = phase

    def live_transcripts(self) -> bool:
        return True

    # ---- the clock and the meter

    def tick(self) -> None:
        meter = self.query_one(LevelMeter)
        meter.level = self.level if self.phase in ("recording", "listening") else 0.0
        if self.started_at is not None and self.phase in ("recording", "typing"):
            elapsed = self.services.clock() - self.started_at
            self.query_one(AnswerClock).elapsed = elapsed
            self.on_elapsed(elapsed)

    def on_elapsed(self, elapsed: float) -> None:
        """Typed answers: the budget is only shown. Spoken ones: the engine stops them at the budget."""
        if elapsed >= MAX_ANSWER_S and self.phase == "typing":
            self.notify("Ten minutes is the most one answer can take: sending it now.", severity="warning")
            self.finish_answer()

    # ---- keys

    def action_toggle_recording(self) -> None:
        if self.phase in ("speaking", "listening", "recording", "opening-mic"):
            self.engine.press()
        elif self.phase == "ready" and self.prompt is not None:
            self.listen_again()

    def listen_again(self) -> None:
        """After an answer that could not be used (nothing heard): listen for the same question again."""
        assert self.prompt is not None
        self.set_phase("opening-mic")
        self.token = self.engine.ask(self.prompt, speak=False)

    def action_submit(self) -> None:
        typed_phase = self.phase in ("typing", "speaking", "thinking-time", "ready")
        if self.phase in ("recording", "listening", "opening-mic") or (
                typed_phase and not self.services.has_microphone):
            self.finish_answer()
        elif self.phase == "ready":
            self.notify("Press space to answer (ctrl+o to pick an audio file).")

    def finish_answer(self) -> None:
        """Stop the answer now (the candidate, or the clock) and have it analysed."""
        if self.prompt is None:
            return
        if self.phase in ("recording", "listening", "opening-mic"):
            self.engine.stop_answer()
            return
        if self.phase in ("typing", "speaking", "thinking-time", "ready") and not self.services.has_microphone:
            text = self.query_one("#typed", TextArea).text.strip()
            if not text and not self.allow_empty():
                self.notify("Type your answer first (or ctrl+o to pick an audio file, ctrl+n to skip).")
                return
            self.query_one("#typed", TextArea).disabled = True
            self.set_phase("thinking")
            # Hand the answer over before the hook: in a rehearsal the hook already asks the next question.
            self.engine.answer_text(text)
            self.answer_stopped()

    def allow_empty(self) -> bool:
        return False

    def answer_stopped(self) -> None:
        """Hook: the answer has stopped; the engine analyses it."""

    def action_audio_file(self) -> None:
        if self.phase in ("recording", "thinking"):
            return
        field = self.query_one("#file-path", Input)
        field.display = True
        field.focus()

    @on(Input.Submitted, "#file-path")
    def file_chosen(self, event: Input.Submitted) -> None:
        path = Path(event.value.strip()).expanduser()
        if not event.value.strip():
            return
        if not path.is_file():
            self.notify(f"No audio file at {path}", severity="error")
            return
        if self.prompt is None:
            return
        event.input.display = False
        self.set_phase("thinking")
        self.engine.answer_file(path)
        self.answer_stopped()

    @on(AnswerFailed)
    def _answer_failed(self, message: AnswerFailed) -> None:
        self.answer_failed(message)

    def answer_failed(self, message: AnswerFailed) -> None:
        self.notify(message.error, severity="error", timeout=8)
        if message.token == self.token:
            if self.services.has_microphone:
                self.set_phase("ready")
            else:
                self.ready_to_answer()
            self.query_one("#typed", TextArea).disabled = False

    def action_repeat(self) -> None:
        if self.prompt is not None and self.phase not in ("recording", "thinking"):
            silent = speech_off(self.services.speaker)
            if silent:
                self.notify(f"The question is on screen, not spoken: {silent}.", severity="warning")
                return
            self.engine.repeat()

    def action_skip(self) -> None:
        """Subclasses move on."""

    def action_end(self) -> None:
        """Subclasses end the session."""

    def stop_everything(self) -> None:
        """Stop speaking and listening; an answer already being analysed still arrives (and is ignored)."""
        self.engine.cancel()

    def on_unmount(self) -> None:
        self.stop_everything()
