"""What practice and rehearsal share: the question large and centred, the state line, the clock, the level meter,
and the three ways to answer (microphone, typed text, an audio file).

Blocking work runs in thread workers, each in its own group: "tts" speaks, "rec-N" records one answer (and
transcribes it live), "stt" transcribes and scores. They report back only by posting messages; loops check a
stop Event so quitting never waits on them.
"""

from __future__ import annotations

import contextlib
import threading
from pathlib import Path
from typing import Any, ClassVar

from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.message import Message
from textual.screen import Screen
from textual.widgets import Footer, Input, Static, TextArea
from textual.worker import Worker, WorkerState, get_current_worker

from mockiv.core.transcript import Transcript
from mockiv.tui.services import AnswerResult, Recorder, Recording, Services
from mockiv.tui.session import Prompt, SessionRun, StartedAnswer
from mockiv.tui.widgets import AnswerClock, HighlightedTranscript, LevelMeter, StateLine

MAX_ANSWER_S = 600  # a hard cap: 10 minutes per answer (pitfalls.md §6)
LIVE_TRANSCRIBE_EVERY_S = 2.0


class SpeechDone(Message):
    def __init__(self, token: int) -> None:
        super().__init__()
        self.token = token


class PartialTranscript(Message):
    def __init__(self, token: int, transcript: Transcript) -> None:
        super().__init__()
        self.token = token
        self.transcript = transcript


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


class StateHint(Message):
    """From a worker: what the wait is for right now (the state line shows it)."""

    def __init__(self, token: int, state: str) -> None:
        super().__init__()
        self.token = token
        self.state = state


class RecordingStarted(Message):
    def __init__(self, token: int) -> None:
        super().__init__()
        self.token = token


class RecordingStopped(Message):
    def __init__(self, token: int) -> None:
        super().__init__()
        self.token = token


def one_line(error: BaseException) -> str:
    text = str(error).splitlines()[0] if str(error) else ""
    return text or type(error).__name__


class InterviewScreen(Screen[None]):
    """A base for PracticeScreen and RehearsalScreen: asks `self.prompt`, captures one answer, analyses it."""

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
        self.prompt: Prompt | None = None
        # Each answer attempt has a token; messages from an older attempt (a retry, a skip) are ignored.
        self.token = 0
        self.phase = "idle"
        self.started_at: float | None = None
        self.level = 0.0
        self.recorder: Recorder | None = None
        self.stop_recording = threading.Event()
        self.started_answer = StartedAnswer(None, None)

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
        """Show and speak a question, then get ready for the answer."""
        self.token += 1
        self.prompt = prompt
        self.started_at = None
        self.query_one("#progress", Static).update(progress)
        self.query_one("#question", Static).update(prompt.text)
        self.query_one("#live", HighlightedTranscript).show(Transcript(()))
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
        if self.services.speaker is not None:
            self.speak(prompt.text, self.token)
        else:
            self.post_message(SpeechDone(self.token))

    def budget_for(self, prompt: Prompt) -> float | None:
        return None

    @work(thread=True, group="tts", exclusive=True, exit_on_error=False)
    def speak(self, text: str, token: int) -> None:
        speaker = self.services.speaker
        try:
            if speaker is not None:
                speaker.say(text)
        finally:
            self.post_message(SpeechDone(token))

    @on(SpeechDone)
    def spoken(self, message: SpeechDone) -> None:
        if message.token == self.token and self.phase == "speaking":
            self.after_question()

    def after_question(self) -> None:
        """Ready to answer (RehearsalScreen inserts thinking time here)."""
        self.ready_to_answer()

    def ready_to_answer(self) -> None:
        if self.services.has_microphone:
            self.set_phase("ready")
        else:
            self.set_phase("typing")
            self.started_at = self.services.clock()
            self.query_one("#typed", TextArea).focus()

    def set_phase(self, phase: str) -> None:
        self.phase = phase
        self.query_one(StateLine).state = phase

    # ---- the clock and the meter

    def tick(self) -> None:
        meter = self.query_one(LevelMeter)
        meter.level = self.level if self.phase == "recording" else 0.0
        if self.started_at is not None and self.phase in ("recording", "typing"):
            elapsed = self.services.clock() - self.started_at
            self.query_one(AnswerClock).elapsed = elapsed
            self.on_elapsed(elapsed)

    def on_elapsed(self, elapsed: float) -> None:
        if elapsed >= MAX_ANSWER_S:
            self.notify("Ten minutes is the most one answer can take: stopping here.", severity="warning")
            self.finish_answer()

    # ---- answering with the microphone

    def action_toggle_recording(self) -> None:
        if self.phase in ("recording", "opening-mic"):
            self.finish_answer()
        elif self.phase in ("ready", "speaking") and self.services.has_microphone:
            self.start_recording()

    def start_recording(self) -> None:
        assert self.prompt is not None and self.services.recorder_factory is not None
        if self.services.speaker is not None:
            self.services.speaker.stop()  # answering over the question: the candidate has heard enough
        self.started_answer = self.run.begin_answer(self.prompt, record_audio=True)
        self.stop_recording = threading.Event()
        self.level = 0.0
        self.started_at = None
        # "Recording" is shown only once the stream is open: words said before that would be lost.
        self.set_phase("opening-mic")
        self.record(self.prompt, self.token, self.started_answer, self.stop_recording)

    @on(StateHint)
    def state_hint(self, message: StateHint) -> None:
        if message.token == self.token and self.phase == "thinking":
            self.query_one(StateLine).state = message.state

    def wait_for_model(self, token: int) -> Any:
        """In a worker: the model, saying "loading" on screen while it is not ready yet."""
        if not self.services.model.done:
            self.post_message(StateHint(token, "loading"))
        model = self.services.model.get()
        self.post_message(StateHint(token, "thinking"))
        return model

    @on(RecordingStarted)
    def recording_started(self, message: RecordingStarted) -> None:
        if message.token == self.token and self.phase == "opening-mic":
            self.started_at = self.services.clock()
            self.set_phase("recording")

    def on_level(self, level: float) -> None:
        """From the audio thread: only a float is stored; the tick timer draws it (coalesced)."""
        self.level = level

    @work(thread=True, group="rec", exit_on_error=False)
    def record(self, prompt: Prompt, token: int, started: StartedAnswer, stop: threading.Event) -> None:
        assert self.services.recorder_factory is not None
        recorder = self.services.recorder_factory()
        worker = get_current_worker()
        live = self.live_transcripts()
        model = self.services.model.get(timeout=0)
        # A recorder that can stream decodes finished pieces while the candidate speaks (pitfalls.md §7), so the
        # findings are ready when they stop; in a rehearsal too, where the words are not shown until the end.
        streaming = model is not None and callable(getattr(recorder, "stream_to", None))
        if streaming:
            recorder.stream_to(model)  # type: ignore[attr-defined]
        try:
            recorder.start(started.audio_path, self.on_level)
        except Exception as error:
            self.run.interrupt_answer(started)
            self.post_message(AnswerFailed(token, prompt, f"the microphone could not start: {one_line(error)}"))
            return
        self.recorder = recorder
        self.post_message(RecordingStarted(token))
        shown = -1
        while not stop.wait(0.5 if streaming else LIVE_TRANSCRIBE_EVERY_S if live else 0.2):
            if worker.is_cancelled:
                break
            if not live:
                continue
            if streaming:
                partial = recorder.partial()  # type: ignore[attr-defined]
                if partial is not None and len(partial.words) != shown:
                    shown = len(partial.words)
                    self.post_message(PartialTranscript(token, partial))
            else:
                self.transcribe_so_far(recorder, token)
        try:
            recording = recorder.stop()
        except Exception as error:
            self.run.interrupt_answer(started)
            self.post_message(AnswerFailed(token, prompt, f"the recording failed: {one_line(error)}"))
            return
        finally:
            self.recorder = None
        self.post_message(RecordingStopped(token))
        if worker.is_cancelled:
            self.run.interrupt_answer(started)
            return
        self.analyse_recording(prompt, token, started, recording, recorder if streaming else None)

    def live_transcripts(self) -> bool:
        return True

    def transcribe_so_far(self, recorder: Recorder, token: int) -> None:
        model = self.services.model.get(timeout=0)
        if model is None:
            return
        audio = recorder.snapshot()
        if audio.size < 8000:
            return
        try:
            with self.services.model.lock:
                transcript = model.transcribe(audio)
        except Exception:  # a live preview failing is not worth a notice: the final pass reports errors
            return
        self.post_message(PartialTranscript(token, transcript))

    @on(PartialTranscript)
    def show_partial(self, message: PartialTranscript) -> None:
        if message.token == self.token and self.phase == "recording":
            self.query_one("#live", HighlightedTranscript).show(message.transcript)

    def analyse_recording(self, prompt: Prompt, token: int, started: StartedAnswer, recording: Recording,
                          streamer: Any = None) -> None:
        """In the recording worker: the final transcription, the rules, the store."""
        try:
            model = self.wait_for_model(token)
            if model is None:
                raise RuntimeError(f"speech recognition is unavailable ({self.services.model.error}); "
                                   "type the answer instead")
            transcript = streamer.finish_transcript() if streamer is not None else None
            if transcript is None:
                with self.services.model.lock:
                    transcript = model.transcribe(recording.audio)
            if not transcript.words:
                raise RuntimeError("no words were recognised in the recording; check that the microphone is on "
                                   "and not muted, then answer again (or type it)")
            result = self.services.analyzer.analyze(transcript, prompt.text, prompt.kind,
                                                    question_id=prompt.question_id, source="microphone")
        except Exception as error:
            self.run.interrupt_answer(started)
            self.post_message(AnswerFailed(token, prompt, one_line(error)))
            return
        self.run.finish_answer(started, result, model.model_name, recording.path)
        self.post_message(AnswerAnalysed(token, prompt, _with_ids(result, started, recording.path)))

    # ---- answering by typing or with a file

    def action_submit(self) -> None:
        typed_phase = self.phase in ("typing", "speaking", "thinking-time", "ready")
        if self.phase in ("recording", "opening-mic") or (typed_phase and not self.services.has_microphone):
            self.finish_answer()
        elif self.phase == "ready":
            self.notify("Press space to start answering (ctrl+o to pick an audio file).")

    def finish_answer(self) -> None:
        """Stop the answer now (the candidate, or the clock) and analyse it."""
        if self.prompt is None:
            return
        if self.phase in ("recording", "opening-mic"):
            self.stop_recording.set()
            self.set_phase("thinking")
            self.answer_stopped()
            return
        if self.phase in ("typing", "speaking", "thinking-time", "ready") and not self.services.has_microphone:
            text = self.query_one("#typed", TextArea).text.strip()
            if not text and not self.allow_empty():
                self.notify("Type your answer first (or ctrl+o to pick an audio file, ctrl+n to skip).")
                return
            if self.services.speaker is not None:
                self.services.speaker.stop()
            self.query_one("#typed", TextArea).disabled = True
            self.set_phase("thinking")
            started = self.run.begin_answer(self.prompt, record_audio=False)
            # Start the analysis before the hook: in a rehearsal the hook already asks the next question.
            self.analyse_text(self.prompt, self.token, started, text)
            self.answer_stopped()

    def allow_empty(self) -> bool:
        return False

    def answer_stopped(self) -> None:
        """Hook: the answer has stopped; analysis runs in a worker."""

    @work(thread=True, group="stt", exit_on_error=False)
    def analyse_text(self, prompt: Prompt, token: int, started: StartedAnswer, text: str) -> None:
        try:
            transcript = Transcript.from_text(text)
            result = self.services.analyzer.analyze(transcript, prompt.text, prompt.kind,
                                                    question_id=prompt.question_id, source="typed")
        except Exception as error:
            self.run.interrupt_answer(started)
            self.post_message(AnswerFailed(token, prompt, one_line(error)))
            return
        self.run.finish_answer(started, result, None)
        self.post_message(AnswerAnalysed(token, prompt, _with_ids(result, started, None)))

    def action_audio_file(self) -> None:
        if self.phase in ("recording", "opening-mic", "thinking"):
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
        if self.services.speaker is not None:
            self.services.speaker.stop()
        self.set_phase("thinking")
        started = self.run.begin_answer(self.prompt, record_audio=False)
        self.analyse_file(self.prompt, self.token, started, path)
        self.answer_stopped()

    @work(thread=True, group="stt", exit_on_error=False)
    def analyse_file(self, prompt: Prompt, token: int, started: StartedAnswer, path: Path) -> None:
        try:
            model = self.wait_for_model(token)
            if model is None:
                raise RuntimeError(f"speech recognition is unavailable ({self.services.model.error}); "
                                   "type the answer instead")
            with self.services.model.lock:
                transcript = model.transcribe_file(path)
            result = self.services.analyzer.analyze(transcript, prompt.text, prompt.kind,
                                                    question_id=prompt.question_id, source="file")
        except Exception as error:
            self.run.interrupt_answer(started)
            self.post_message(AnswerFailed(token, prompt, one_line(error)))
            return
        self.run.finish_answer(started, result, model.model_name, path)
        self.post_message(AnswerAnalysed(token, prompt, _with_ids(result, started, path)))

    @on(AnswerFailed)
    def _answer_failed(self, message: AnswerFailed) -> None:
        self.answer_failed(message)

    def answer_failed(self, message: AnswerFailed) -> None:
        self.notify(message.error, severity="error", timeout=8)
        if message.token == self.token:
            self.ready_to_answer()
            self.query_one("#typed", TextArea).disabled = False

    # ---- other keys

    def action_repeat(self) -> None:
        if self.prompt is not None and self.phase not in ("recording", "opening-mic", "thinking"):
            if self.services.speaker is None:
                self.notify("Speech output is off: the question is on screen.")
                return
            self.speak(self.prompt.text, self.token)

    def action_skip(self) -> None:
        """Subclasses move on."""

    def action_end(self) -> None:
        """Subclasses end the session."""

    def stop_everything(self) -> None:
        """Cooperative cancel: stop recording and speech; workers see the Event and return."""
        self.stop_recording.set()
        if self.services.speaker is not None:
            with contextlib.suppress(Exception):
                self.services.speaker.stop()
        # Only this screen's workers: `self.workers` is the app's manager, and cancelling all of it would
        # also stop the next screen's (the report's look-up of earlier runs) and the model load.
        self.workers.cancel_node(self)

    def on_unmount(self) -> None:
        self.stop_everything()

    def on_worker_state_changed(self, event: Worker.StateChanged) -> None:
        if event.state == WorkerState.ERROR and event.worker.error is not None:
            what = {"tts": "speaking the question", "rec": "recording", "stt": "analysing"}.get(
                event.worker.group, event.worker.group)
            self.notify(f"{what} failed: {one_line(event.worker.error)}", severity="error", timeout=8)


def _with_ids(result: AnswerResult, started: StartedAnswer, audio: Path | None) -> AnswerResult:
    from dataclasses import replace

    return replace(result, answer_id=started.answer_id, audio_path=audio)


def summary_line(result: AnswerResult) -> str:
    parts: list[Any] = [f"{result.metrics.word_count} words"]
    if result.metrics.wpm is not None:
        parts.append(f"{result.metrics.wpm:.0f} WPM")
    parts.append(f"{result.metrics.filler_count} fillers")
    parts.append(f"{len(result.findings)} findings" if result.rules_available else "rules unavailable")
    return " · ".join(str(p) for p in parts)
