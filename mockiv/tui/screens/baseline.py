"""Baseline: the candidate reads a short passage aloud and answers one easy question, through the same engine as
practice; mockiv keeps their own pace, pause, filler and pitch-range norms (mockiv.baseline) and from then on
judges delivery against them too. Redo it with r once it is shown."""

from __future__ import annotations

from typing import Any, ClassVar

from rich.text import Text
from textual import on, work
from textual.binding import Binding, BindingType
from textual.containers import VerticalScroll
from textual.message import Message
from textual.widgets import Static

from mockiv.baseline import PASSAGE_ID, calibration_plan, describe, measure_results, passage
from mockiv.engine.session import Engine, EngineSettings
from mockiv.errors import MockivError
from mockiv.tui.screens.interview import AnswerAnalysed, InterviewScreen
from mockiv.tui.services import Services
from mockiv.tui.session import SessionRun


class BaselineMeasured(Message):
    def __init__(self, baseline: Any, error: str | None) -> None:
        super().__init__()
        self.baseline = baseline
        self.error = error


def calibration_run(services: Services) -> SessionRun:
    """The calibration as a run of the engine: not a practice session, so nothing is kept in the session list."""
    engine = Engine(pack_id="baseline", mode="baseline", analyzer=services.analyzer, model=services.model,
                    speaker=services.speaker, store=None, microphone=services.microphone,
                    speech_probability=services.speech_probability, settings=EngineSettings(services.listen))
    return SessionRun("baseline", "Your baseline", "baseline", calibration_plan(), engine)


class BaselineScreen(InterviewScreen):
    DEFAULT_CSS = """
    BaselineScreen #passage { height: auto; padding: 0 2; margin: 1 0 0 0; color: $text; }
    BaselineScreen #baseline-result { height: 1fr; padding: 0 1; }
    """
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("r", "redo", "Measure again", show=True),
    ]

    def __init__(self, services: Services) -> None:
        super().__init__(services, calibration_run(services))
        self.measured = False

    def on_mount(self) -> None:
        super().on_mount()
        self.query_one("#stage").mount(Static("", id="passage"), after="#question")
        self.mount(VerticalScroll(Static("", id="baseline-result"), id="baseline-box"), before=1)
        self.query_one("#baseline-box").display = False
        self.run.start()
        self.ask_current()

    def ask_current(self) -> None:
        prompt = self.run.plan.current
        how = "speak as you would to a friend" if self.services.has_microphone else \
            "no microphone: ctrl+o picks a recording"  # typed words have no pace to measure
        self.ask(prompt, f"Your baseline · step {self.run.plan.number} of {self.run.plan.total} · {how}")
        self.query_one("#passage", Static).update(passage() if prompt.question_id == PASSAGE_ID else "")

    @on(AnswerAnalysed)
    def analysed(self, message: AnswerAnalysed) -> None:
        if message.token != self.token:
            return
        self.run.results.append(message.result)
        following = self.run.plan.after(message.prompt, None)
        if following is None:
            self.set_phase("thinking")
            self.measure()
            return
        self.ask_current()

    @work(thread=True, group="baseline", exit_on_error=False)
    def measure(self) -> None:
        """The pitch of both recordings takes a moment: measured off the screen's loop, then kept."""
        from mockiv.store.store import now_iso

        try:
            baseline = measure_results(self.run.results, now_iso())
        except MockivError as error:
            self.post_message(BaselineMeasured(None, str(error)))
            return
        saver = getattr(self.services.store, "save_baseline", None)
        try:
            if callable(saver):
                saver(baseline)
        except MockivError as error:
            self.post_message(BaselineMeasured(baseline, f"measured, but not kept for next time: {error}"))
            return
        self.post_message(BaselineMeasured(baseline, None))

    @on(BaselineMeasured)
    def measured_now(self, message: BaselineMeasured) -> None:
        self.run.end()
        self.measured = True
        self.set_phase("done")
        text = Text.assemble(("Your baseline\n", "bold"))
        if message.baseline is not None:
            self.services.analyzer.baseline = message.baseline.to_dict()  # every later answer is judged with it
            for line in describe(message.baseline):
                text.append(f"  {line}\n")
            text.append("\nFrom now on, feedback on delivery also compares each answer with your own relaxed "
                        "self: the general band and your band, side by side.\n")
        if message.error:
            text.append(f"\n{message.error}\n", style="bold red" if message.baseline is None else "yellow")
        self.query_one("#stage").display = False
        self.query_one("#baseline-box").display = True
        self.query_one("#baseline-result", Static).update(text)
        self.refresh_bindings()

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action == "redo":
            return self.measured
        if self.measured and action != "end":
            return False  # the result is on screen: nothing left to answer
        return super().check_action(action, parameters)

    def action_redo(self) -> None:
        if not self.measured:
            return
        self.app.switch_screen(BaselineScreen(self.services))

    def action_skip(self) -> None:
        self.notify("The baseline needs both steps; Esc leaves without changing it.")

    def action_end(self) -> None:
        self.stop_everything()
        self.run.end()
        self.app.pop_screen()
