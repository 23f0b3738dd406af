"""Timed rehearsal: the whole pack back to back, like the real interview. Thinking time, a countdown per answer,
an automatic stop at the budget, no feedback until the end, then the report (compared with earlier runs)."""

from __future__ import annotations

from typing import ClassVar

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.widgets import ProgressBar, Static, TextArea

from mockiv.tui.confirm import CONFIRM_WINDOW_S, SecondPress
from mockiv.tui.screens.interview import AnswerAnalysed, AnswerFailed, InterviewScreen
from mockiv.tui.services import Services
from mockiv.tui.session import SessionRun
from mockiv.tui.widgets import AnswerClock


class RehearsalScreen(InterviewScreen):
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("space", "toggle_recording", "Answer/stop", show=True),
        Binding("ctrl+s", "submit", "Done, next", show=True),
        Binding("ctrl+n", "skip", "Skip", show=True),
        Binding("escape", "ask_end", "Stop rehearsal", show=True),
    ]

    def __init__(self, services: Services, run: SessionRun) -> None:
        super().__init__(services, run)
        self.index = 0
        self.pending = 0  # answers still being transcribed or scored
        self.submitted = 0
        self.finished_asking = False
        self.thinking_until: float | None = None
        self._escape = SecondPress(services.clock)

    def compose(self) -> ComposeResult:
        yield from super().compose()
        yield ProgressBar(total=len(self.run.prompts), show_eta=False, id="rehearsal-progress")

    def on_mount(self) -> None:
        super().on_mount()
        self.query_one("#live-box").display = False  # no feedback until the end, not even the live transcript
        self.query_one("#rehearsal-progress", ProgressBar).display = False
        self.run.start()
        self.ask_current()

    def live_transcripts(self) -> bool:
        return False

    def listens_after_question(self) -> bool:
        return False  # the microphone opens when the thinking time ends

    def ask_current(self) -> None:
        prompt = self.run.prompts[self.index]
        self.ask(prompt, f"Rehearsal · {self.run.pack_id} · question {self.index + 1} of "
                         f"{len(self.run.prompts)} · {prompt.time_budget_s // 60}:{prompt.time_budget_s % 60:02d} "
                         "to answer")
        following = self.index + 1
        self.engine.prepare(self.run.prompts[following] if following < len(self.run.prompts) else None)

    # ---- thinking time, then the answer clock

    def after_question(self) -> None:
        assert self.prompt is not None
        if self.prompt.thinking_time_s > 0:
            self.thinking_until = self.services.clock() + self.prompt.thinking_time_s
            clock = self.query_one(AnswerClock)
            clock.label = "think"
            clock.budget = float(self.prompt.thinking_time_s)
            clock.elapsed = 0.0
            self.set_phase("thinking-time")
        else:
            self.begin_answer_clock()

    def begin_answer_clock(self) -> None:
        assert self.prompt is not None
        self.thinking_until = None
        clock = self.query_one(AnswerClock)
        clock.label = ""
        clock.budget = float(self.prompt.time_budget_s)
        clock.elapsed = 0.0
        self.ready_to_answer()
        if self.services.has_microphone:
            self.engine.listen_now()  # the interview does not wait: the mic opens when thinking time ends

    def tick(self) -> None:
        if self.phase == "thinking-time" and self.thinking_until is not None:
            left = self.thinking_until - self.services.clock()
            assert self.prompt is not None
            self.query_one(AnswerClock).elapsed = self.prompt.thinking_time_s - max(0.0, left)
            if left <= 0:
                self.begin_answer_clock()
            return
        super().tick()

    def on_elapsed(self, elapsed: float) -> None:
        """A typed answer stops at its budget too (the engine stops spoken ones)."""
        if self.prompt is not None and elapsed >= self.prompt.time_budget_s and self.phase == "typing":
            self.notify("Time: the answer stopped at its budget.", timeout=3)
            self.finish_answer()

    def action_submit(self) -> None:
        if self.phase == "thinking-time":
            self.begin_answer_clock()
            return
        super().action_submit()

    def allow_empty(self) -> bool:
        return True  # the clock ran out on a blank page: that is an answer too (it is scored as such)

    def finish_answer(self) -> None:
        typed = self.query_one("#typed", TextArea).text.strip()
        if self.phase in ("typing", "thinking-time") and not typed:
            self.skip_current()
            return
        super().finish_answer()

    def answer_stopped(self) -> None:
        self.pending += 1
        self.submitted += 1
        if not self.finished_asking:
            self.advance()

    # ---- no feedback until the end

    @on(AnswerAnalysed)
    def analysed(self, message: AnswerAnalysed) -> None:
        self.run.results.append(message.result)
        self.pending -= 1
        self.update_waiting()

    def answer_failed(self, message: AnswerFailed) -> None:
        # No retry mid-rehearsal: the interview moves on; the error is a notice.
        self.notify(message.error, severity="error", timeout=8)
        self.pending -= 1
        self.update_waiting()

    def skip_current(self) -> None:
        if self.prompt is not None:
            self.run.skipped.append(self.prompt)
        self.stop_everything()
        if not self.finished_asking:
            self.advance()

    def action_skip(self) -> None:
        if self.phase == "thinking" or self.finished_asking:
            return
        if self.phase == "recording":
            self.finish_answer()  # what was said so far still counts
            return
        self.skip_current()

    def advance(self) -> None:
        if self.index + 1 < len(self.run.prompts):
            self.index += 1
            self.ask_current()
        else:
            self.finished_asking = True
            self.wait_for_scores()

    def wait_for_scores(self) -> None:
        self.set_phase("thinking")
        self.started_at = None
        done = "That was the last question." if self.index + 1 >= len(self.run.prompts) else "Rehearsal stopped."
        self.query_one("#question", Static).update(f"{done} Scoring your answers…")
        self.query_one("#typed", TextArea).display = False
        bar = self.query_one("#rehearsal-progress", ProgressBar)
        bar.display = True
        self.update_waiting()

    def update_waiting(self) -> None:
        if not self.finished_asking:
            return
        self.query_one("#rehearsal-progress", ProgressBar).update(total=max(1, self.submitted),
                                                                  progress=self.submitted - self.pending)
        if self.pending <= 0:
            self.show_report()

    def action_ask_end(self) -> None:
        """Esc: stop the rehearsal, after a second press (the rest of the questions would be lost)."""
        if self.finished_asking or self._escape.confirmed():
            self.action_end()
        else:
            self.notify(f"Press Esc again to stop the rehearsal at question {self.index + 1} of "
                        f"{len(self.run.prompts)} and see the report.", timeout=CONFIRM_WINDOW_S)

    def action_end(self) -> None:
        if self.finished_asking:
            return
        self.finished_asking = True
        if self.phase == "recording":
            self.finish_answer()  # what was said so far still counts
        elif self.phase in ("typing", "thinking-time"):
            self.finish_answer()  # an empty page is skipped
        else:
            self.stop_everything()
        self.wait_for_scores()

    def show_report(self) -> None:
        from mockiv.tui.screens.report import ReportScreen

        if self.run.ended:
            return  # the last score and the end key can both get here
        self.stop_everything()
        self.run.end()
        if not self.run.results:
            self.notify("No answers were given, so there is nothing to report.")
            self.app.pop_screen()
            return
        self.app.switch_screen(ReportScreen(self.services, self.run))
