"""Practice: one question at a time, feedback after each answer, follow-ups, retry at will."""

from __future__ import annotations

from textual import on

from mockiv.tui.screens.feedback import FeedbackScreen
from mockiv.tui.screens.interview import AnswerAnalysed, InterviewScreen
from mockiv.tui.services import Services
from mockiv.tui.session import Prompt, SessionRun


class PracticeScreen(InterviewScreen):
    def __init__(self, services: Services, run: SessionRun, start_index: int = 0) -> None:
        super().__init__(services, run)
        self.index = start_index

    def on_mount(self) -> None:
        super().on_mount()
        self.run.start()
        self.ask_current()

    def progress_text(self, prompt: Prompt) -> str:
        where = f"Practice · {self.run.pack_id} · question {self.index + 1} of {len(self.run.prompts)}"
        if prompt.follow_up_of:
            where += " · follow-up"
        return f"{where} · {prompt.kind}"

    def ask_current(self) -> None:
        prompt = self.run.prompts[self.index]
        self.ask(prompt, self.progress_text(prompt))

    def ask_prompt(self, prompt: Prompt) -> None:
        self.ask(prompt, self.progress_text(prompt))

    @on(AnswerAnalysed)
    def analysed(self, message: AnswerAnalysed) -> None:
        if message.token != self.token:
            return
        self.run.results.append(message.result)
        self.set_phase("done")
        prompt = message.prompt
        follow_up = message.result.follow_up(prompt.follow_ups)
        self.app.push_screen(FeedbackScreen(self.services, message.result, follow_up,
                                            is_follow_up=prompt.follow_up_of is not None),
                             lambda choice: self.after_feedback(prompt, follow_up, choice))

    def after_feedback(self, prompt: Prompt, follow_up: str, choice: str | None) -> None:
        if choice == "retry":
            self.ask_prompt(prompt)
        elif choice == "follow-up" and follow_up:
            self.ask_prompt(prompt.follow_up(follow_up))
        elif choice == "end":
            self.action_end()
        else:
            self.next_question()

    def next_question(self) -> None:
        if self.index + 1 >= len(self.run.prompts):
            self.notify("That was the last question of the pack.")
            self.action_end()
            return
        self.index += 1
        self.ask_current()

    def action_skip(self) -> None:
        if self.phase in ("recording", "opening-mic", "thinking"):
            return
        if self.prompt is not None:
            self.run.skipped.append(self.prompt)
        self.stop_everything()
        self.next_question()

    def action_end(self) -> None:
        from mockiv.tui.screens.report import ReportScreen

        self.stop_everything()
        self.run.end()
        if not self.run.results:
            self.app.pop_screen()
            return
        self.app.switch_screen(ReportScreen(self.services, self.run))
