"""Practice: one question at a time, feedback after each answer, follow-ups, retry at will."""

from __future__ import annotations

from textual import on

from mockiv.engine.analysis import AnswerResult
from mockiv.engine.prompts import Prompt
from mockiv.tui.screens.feedback import FeedbackScreen
from mockiv.tui.screens.interview import AnswerAnalysed, InterviewScreen
from mockiv.tui.services import Services
from mockiv.tui.session import SessionRun


class PracticeScreen(InterviewScreen):
    def __init__(self, services: Services, run: SessionRun) -> None:
        super().__init__(services, run)

    def on_mount(self) -> None:
        super().on_mount()
        self.run.start()
        self.ask_current()

    def progress_text(self, prompt: Prompt) -> str:
        where = f"Practice · {self.run.pack_id} · question {self.run.plan.number} of {self.run.plan.total}"
        if prompt.is_follow_up:
            where += " · follow-up"
        return f"{where} · {prompt.kind}"

    def ask_current(self) -> None:
        self.ask_prompt(self.run.plan.current)

    def ask_prompt(self, prompt: Prompt) -> None:
        self.ask(prompt, self.progress_text(prompt))
        self.engine.prepare(self.run.plan.upcoming)

    @on(AnswerAnalysed)
    def analysed(self, message: AnswerAnalysed) -> None:
        if message.token != self.token:
            return
        self.run.results.append(message.result)
        self.set_phase("done")
        prompt, result = message.prompt, message.result
        follow_up = self.run.plan.follow_up_for(prompt, result)
        self.app.push_screen(FeedbackScreen(self.services, result, follow_up, is_follow_up=prompt.is_follow_up),
                             lambda choice: self.after_feedback(prompt, result, choice))

    def after_feedback(self, prompt: Prompt, result: AnswerResult | None, choice: str | None) -> None:
        if choice == "end":
            self.action_end()
            return
        following = self.run.plan.after(prompt, result, choice or "next")
        if following is None:
            self.notify("That was the last question of the pack.")
            self.action_end()
            return
        self.ask_prompt(following)

    def action_skip(self) -> None:
        if self.phase in ("recording", "opening-mic", "thinking"):
            return
        if self.prompt is not None:
            self.run.skipped.append(self.prompt)
        self.stop_everything()
        self.after_feedback(self.prompt or self.run.plan.current, None, "next")

    def action_end(self) -> None:
        from mockiv.tui.screens.report import ReportScreen

        self.stop_everything()
        self.run.end()
        if not self.run.results:
            self.app.pop_screen()
            return
        self.app.switch_screen(ReportScreen(self.services, self.run))
