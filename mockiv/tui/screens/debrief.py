"""Debrief: after a real interview, the candidate types (or, with a microphone, speaks) the questions they were
asked, their answers as they remember them, three wins and three growth areas, one at a time; mockiv scores the
answers and writes the plan (mockiv.debrief, as `mockiv debrief` does): a personal pack to practise at once (p),
drills, and a check in the progress view after each session."""

from __future__ import annotations

from typing import Any, ClassVar

from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Vertical, VerticalScroll
from textual.message import Message
from textual.screen import Screen
from textual.widgets import Footer, Input, Static

from mockiv.debrief import MAX_ITEMS, MAX_QUESTIONS
from mockiv.engine.prompts import Prompt
from mockiv.engine.session import AnswerOutcome, Engine, EngineEvents, EngineSettings
from mockiv.errors import MockivError
from mockiv.tui.services import Services

# The steps, in order: (key in the debrief, what the candidate is asked)
STEPS = ("title", "date", "question", "answer", "wins", "growth")


class Dictated(Message):
    def __init__(self, text: str | None, problem: str | None = None) -> None:
        super().__init__()
        self.text = text
        self.problem = problem


class PlanReady(Message):
    def __init__(self, lines: list[str] | None, pack_id: str | None, problem: str | None = None) -> None:
        super().__init__()
        self.lines = lines
        self.pack_id = pack_id
        self.problem = problem


class _Dictation(EngineEvents):
    """The engine's answer to a dictation, as the words to put in the field."""

    def __init__(self, screen: DebriefScreen) -> None:
        self.screen = screen

    def listening(self, attempt: int, prompt: Prompt) -> None:
        self.screen.post_message(Dictated(None, "Listening: speak, then pause (space stops)."))

    def answered(self, outcome: AnswerOutcome) -> None:
        from mockiv.baseline import discard_scratch

        discard_scratch([outcome.result.audio_path])  # the words are in the field; the voice is not kept
        self.screen.post_message(Dictated(outcome.result.transcript.text))

    def failed(self, attempt: int, prompt: Prompt, line: str) -> None:
        self.screen.post_message(Dictated(None, line))


class DebriefScreen(Screen[None]):
    DEFAULT_CSS = """
    DebriefScreen #debrief { height: 1fr; padding: 0 1; }
    DebriefScreen #debrief-progress { color: $text-muted; height: 1; }
    DebriefScreen #debrief-ask { height: auto; text-style: bold; margin: 1 0 0 0; }
    DebriefScreen #debrief-input { height: 3; }
    DebriefScreen #debrief-box { height: 1fr; border: tall $panel; }
    """
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("ctrl+t", "dictate", "Speak", show=True),
        Binding("ctrl+s", "finish", "Make the plan", show=True),
        Binding("p", "practise", "Practise it", show=True),
        Binding("escape", "back", "Back", show=True),
    ]

    def __init__(self, services: Services) -> None:
        super().__init__()
        self.services = services
        self.step = "title"
        self.value: dict[str, Any] = {"questions": [], "wins": [], "growth": []}
        self.pack_id: str | None = None
        self.busy = False
        self.dictating = False
        self.engine: Engine | None = None
        if services.has_microphone:
            self.engine = Engine(pack_id="debrief", mode="debrief", analyzer=services.analyzer,
                                 model=services.model, speaker=None, store=None, microphone=services.microphone,
                                 speech_probability=services.speech_probability,
                                 settings=EngineSettings(services.listen))
            self.engine.subscribe(_Dictation(self))

    def compose(self) -> ComposeResult:
        with Vertical(id="debrief"):
            yield Static("Debrief · a real interview, while you remember it", id="debrief-progress")
            yield Static("", id="debrief-ask")
            yield Input(id="debrief-input")
            with VerticalScroll(id="debrief-box"):
                yield Static("", id="debrief-so-far")
        yield Footer(show_command_palette=False)

    def on_mount(self) -> None:
        if self.engine is not None:
            self.engine.start()
        self.show_step()

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action == "dictate":
            return self.engine is not None and self.pack_id is None
        if action == "practise":
            return self.pack_id is not None
        if action == "finish":
            return self.pack_id is None
        return True

    # ---- the steps

    def ask_text(self) -> str:
        questions = self.value["questions"]
        if self.step == "title":
            return "The interview: company and role (optional; Enter to go on)"
        if self.step == "date":
            return "When was it? (optional, e.g. 2026-12-03)"
        if self.step == "question":
            return f"Question {len(questions) + 1} you were asked (Enter on an empty line: no more questions)"
        if self.step == "answer":
            return f"How you answered question {len(questions)}, as you remember it (optional)"
        key = "wins" if self.step == "wins" else "growth"
        what = "Something you did well" if key == "wins" else "Something to work on"
        return f"{what} ({len(self.value[key]) + 1} of {MAX_ITEMS}; Enter on an empty line: none more)"

    def show_step(self) -> None:
        self.query_one("#debrief-ask", Static).update(self.ask_text())
        field = self.query_one("#debrief-input", Input)
        field.value = ""
        field.focus()
        self.query_one("#debrief-so-far", Static).update(self.so_far())
        self.refresh_bindings()

    def so_far(self) -> Text:
        text = Text()
        if self.value.get("title") or self.value.get("date"):
            text.append(f"{self.value.get('title') or 'Interview'} {self.value.get('date') or ''}\n", style="bold")
        for number, item in enumerate(self.value["questions"], 1):
            text.append(f"Q{number}. {item['question']}\n")
            if item.get("answer"):
                text.append(f"    {item['answer']}\n", style="dim")
        for key, mark in (("wins", "+"), ("growth", "-")):
            for item in self.value[key]:
                text.append(f"{mark} {item}\n")
        if not text.plain:
            text.append("What you type appears here. A debrief needs at least one question; answers are "
                        "optional, and mockiv scores those you give.", style="dim")
        return text

    @on(Input.Submitted, "#debrief-input")
    def submitted(self, event: Input.Submitted) -> None:
        if self.pack_id is not None or self.busy:
            return
        self.take(event.value.strip())

    def take(self, entry: str) -> None:
        """The entry for the current step; an empty one moves to the next step."""
        questions = self.value["questions"]
        if self.step in ("title", "date"):
            if entry:
                self.value[self.step] = entry
            self.step = "date" if self.step == "title" else "question"
        elif self.step == "question":
            if entry:
                questions.append({"question": entry})
                self.step = "answer"
            elif not questions:
                self.notify("Type at least one question you were asked.", severity="warning")
            else:
                self.step = "wins"
        elif self.step == "answer":
            if entry:
                questions[-1]["answer"] = entry
            self.step = "question" if len(questions) < MAX_QUESTIONS else "wins"
        else:
            if entry:
                self.value[self.step].append(entry)
            if not entry or len(self.value[self.step]) >= MAX_ITEMS:
                if self.step == "growth":
                    self.show_step()
                    self.action_finish()
                    return
                self.step = "growth"
        self.show_step()

    # ---- speaking instead of typing

    def action_dictate(self) -> None:
        if self.engine is None or self.busy:
            return
        if self.dictating:
            self.engine.press()  # a second press ends the dictation
            return
        self.dictating = True
        self.engine.ask(Prompt(self.ask_text(), "intro", time_budget_s=180), speak=False)

    @on(Dictated)
    def dictated(self, message: Dictated) -> None:
        if message.text is not None or not (message.problem or "").startswith("Listening"):
            self.dictating = False  # the words came, or the dictation failed
        if message.problem:
            self.notify(message.problem, severity="warning" if message.text is None else "information")
        if message.text:
            field = self.query_one("#debrief-input", Input)
            field.value = f"{field.value} {message.text}".strip()
            field.focus()

    # ---- the plan

    def action_finish(self) -> None:
        if self.busy or self.pack_id is not None:
            return
        pending = self.query_one("#debrief-input", Input).value.strip()
        if pending and self.step != "growth":
            self.take(pending)
        elif pending:
            self.value["growth"].append(pending)
        if not self.value["questions"]:
            self.notify("Type at least one question you were asked first.", severity="warning")
            return
        self.busy = True
        self.query_one("#debrief-ask", Static).update("Scoring your remembered answers and writing the plan…")
        self.make_plan(dict(self.value))

    @work(thread=True, group="debrief", exit_on_error=False)
    def make_plan(self, value: dict[str, Any]) -> None:
        from mockiv.debrief import debrief_from, plan_lines, run_debrief
        from mockiv.store.store import now_iso

        try:
            debrief = debrief_from(value, "your debrief")
            store = self.services.store if callable(getattr(self.services.store, "save_debrief", None)) else None
            debrief_plan, pack_id, _path = run_debrief(debrief, self.services.analyzer, store, now_iso())
        except MockivError as error:
            self.post_message(PlanReady(None, None, str(error)))
            return
        self.post_message(PlanReady(plan_lines(debrief_plan, pack_id, debrief.wins), pack_id))

    @on(PlanReady)
    def plan_ready(self, message: PlanReady) -> None:
        self.busy = False
        if message.lines is None:
            self.notify(message.problem or "the debrief could not be used", severity="error", timeout=10)
            self.show_step()
            return
        self.pack_id = message.pack_id
        self.query_one("#debrief-input", Input).display = False
        self.query_one("#debrief-ask", Static).update(
            Text.assemble(("Your plan", "bold"), ("  p practises your pack now · Esc back to Home", "dim")))
        self.query_one("#debrief-so-far", Static).update("\n".join(message.lines))
        self.refresh_bindings()

    def action_practise(self) -> None:
        if self.pack_id is None:
            return
        from mockiv.packs import load_pack
        from mockiv.tui.screens.practice import PracticeScreen
        from mockiv.tui.session import SessionRun

        run = SessionRun.for_pack(load_pack(self.pack_id), "practice", self.services)
        self.app.switch_screen(PracticeScreen(self.services, run))

    def action_back(self) -> None:
        self.app.pop_screen()

    def on_unmount(self) -> None:
        if self.engine is not None:
            self.engine.end()
