"""The session report: three strengths and three growth areas with the evidence, charts of pace and fillers, a
practice plan, and (for a rehearsal) how this run compares with earlier runs of the same pack. m goes to each
finding of the session (then fillers, long pauses) and plays it from just before it; d redoes its part."""

from __future__ import annotations

from collections.abc import Sequence
from typing import ClassVar

from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import VerticalScroll
from textual.message import Message
from textual.screen import Screen
from textual.widgets import Footer, Static
from textual.worker import Worker, WorkerState

from mockiv.core.answer_view import answer_view
from mockiv.engine.analysis import AnswerResult
from mockiv.engine.session import one_line
from mockiv.tui.moments import MomentChoice, MomentCursor, choices_of, moment_line, why_silent
from mockiv.tui.reporting import (
    Point,
    RunFigures,
    SessionSummary,
    answer_labels,
    compare_line,
    figures_from_stored,
    final_attempts,
    pace_target,
    summarize,
)
from mockiv.tui.services import Services
from mockiv.tui.session import SessionRun
from mockiv.tui.widgets import bar_chart

EARLIER_RUNS = 5


class EarlierRuns(Message):
    def __init__(self, runs: list[RunFigures]) -> None:
        super().__init__()
        self.runs = runs


def points_text(title: str, points: Sequence[Point], empty: str, mark: str, detail_label: str = "Why") -> Text:
    # Headings are styled alone (Text.assemble): a Text's base style would underline every line appended to it.
    text = Text.assemble((title + "\n", "bold underline"))
    if not points:
        text.append(f"  {empty}\n", style="dim")
    for point in points:
        text.append(f"{mark} {point.title}\n", style="bold")
        if point.evidence:
            text.append(f"    {point.evidence}\n", style="italic")
        if point.detail:
            text.append(f"    {detail_label}: {point.detail}\n")
        if point.fix:
            text.append(f"    Fix: {point.fix}\n")
    return text


def comparison_text(summary: SessionSummary, earlier: Sequence[RunFigures]) -> Text:
    text = Text.assemble(("Compared with earlier runs of this pack\n", "bold underline"))
    if not earlier:
        text.append("  This is the first run of this pack: the next one will be compared with it.\n", style="dim")
        return text
    now = summary.figures
    text.append(f"  {'run':<18}{'answers':>8}{'WPM':>8}{'fillers/min':>13}{'findings/ans':>14}\n", style="bold")
    for figures in [now, *earlier]:
        text.append(f"  {figures.label:<18}{figures.answers:>8}{_num(figures.wpm):>8}"
                    f"{_num(figures.fillers_per_min):>13}{_num(figures.findings_per_answer):>14}\n")
    text.append(f"  Since the last run: {compare_line(now, earlier[0])}\n")
    return text


def _num(value: float | None) -> str:
    return "n/a" if value is None else f"{value:g}"


class ReportScreen(Screen[None]):
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("h", "history", "History", show=True),
        Binding("m", "next_moment", "Moment", show=True),
        Binding("d", "redo", "Redo part", show=True),
        Binding("escape,q", "home", "Home", show=True),
    ]

    def __init__(self, services: Services, run: SessionRun) -> None:
        super().__init__()
        self.services = services
        self.run = run
        self.summary = summarize(run.results)
        self.moments = MomentCursor(session_choices(run.results))

    def compose(self) -> ComposeResult:
        summary = self.summary
        mode = "Timed rehearsal" if self.run.mode == "rehearsal" else "Practice"
        with VerticalScroll(id="report"):
            yield Static(Text(f"{mode} report · {self.run.pack_title}", style="bold"), id="report-title")
            yield Static(Text(_overview(self.run.results, len(self.run.skipped))), id="report-overview")
            yield Static(moment_line(None, len(self.moments.choices), None), id="report-moment")
            yield Static(points_text("Three strengths", summary.strengths,
                                     "No strength was detected in these answers yet.", "✔", "Signal"),
                         id="strengths")
            yield Static(points_text("Three growth areas", summary.growth,
                                     "No finding: nothing here lost the interviewer.", "▲"), id="growth")
            yield Static(bar_chart("Pace per answer (WPM)", summary.pace, " WPM", target=pace_target()), id="pace")
            yield Static(bar_chart("Fillers per answer", summary.fillers), id="fillers")
            plan = Text.assemble(("Practice plan for the next session\n", "bold underline"))
            for i, step in enumerate(summary.plan, 1):
                plan.append(f"  {i}. {step}\n")
            yield Static(plan, id="plan")
            yield Static(Text("Looking up earlier runs…", style="dim"), id="comparison")
        yield Footer(show_command_palette=False)

    def on_mount(self) -> None:
        self.query_one("#report").focus()
        if self.services.store is None:
            self.query_one("#comparison", Static).update(Text("Sessions are not saved here, so there is nothing "
                                                              "to compare with.", style="dim"))
            return
        self.load_earlier()

    @work(thread=True, group="report", exit_on_error=False)
    def load_earlier(self) -> None:
        store = self.services.store
        assert store is not None
        earlier: list[RunFigures] = []
        for record in store.list_sessions(limit=200):
            if record.id == self.run.session_id or record.pack_id != self.run.pack_id:
                continue
            if record.mode != self.run.mode:
                continue
            detail = store.get_session(record.id)
            earlier.append(figures_from_stored(str(record.started_at)[:16].replace("T", " "), detail.answers))
            if len(earlier) >= EARLIER_RUNS:
                break
        self.post_message(EarlierRuns(earlier))

    def on_worker_state_changed(self, event: Worker.StateChanged) -> None:
        if event.state == WorkerState.ERROR and event.worker.error is not None:
            line = f"could not look up earlier runs: {one_line(event.worker.error)}"
            self.query_one("#comparison", Static).update(Text(line, style="dim"))
            self.notify(line, severity="warning")

    @on(EarlierRuns)
    def show_earlier(self, message: EarlierRuns) -> None:
        self.query_one("#comparison", Static).update(comparison_text(self.summary, message.runs))

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        allowed = self.moments.allows(action, self.services.store is not None)
        return True if allowed is None else allowed

    def action_next_moment(self) -> None:
        choice = self.moments.step()
        if choice is None:
            return
        silent = why_silent(choice, self.services.player is not None)
        self.query_one("#report-moment", Static).update(
            moment_line(choice, len(self.moments.choices), silent, self.moments.index))
        self.query_one("#report", VerticalScroll).scroll_home(animate=False)
        if silent is None:
            self.play_moment(choice)
        self.refresh_bindings()

    @work(thread=True, group="moment", exclusive=True, exit_on_error=False)
    def play_moment(self, choice: MomentChoice) -> None:
        assert self.services.player is not None and choice.audio is not None
        self.services.player.stop()
        try:
            self.services.player.play(choice.audio, choice.moment.play_from_s or 0.0)
        except Exception as error:  # no output device: the moment is on screen all the same
            line = one_line(error)
            self.app.call_from_thread(self.query_one("#report-moment", Static).update,
                                      moment_line(choice, len(self.moments.choices), line, self.moments.index))

    def action_redo(self) -> None:
        choice = self.moments.current
        if choice is None or not choice.redoable or choice.answer_id is None or choice.moment.rule is None:
            return
        if self.services.player is not None:
            self.services.player.stop()
        from mockiv.tui.screens.redo import RedoScreen

        self.app.push_screen(RedoScreen(self.services, choice.answer_id, choice.moment.rule))

    def on_unmount(self) -> None:
        if self.services.player is not None:
            self.services.player.stop()

    def action_history(self) -> None:
        from mockiv.tui.screens.history import HistoryScreen

        self.app.switch_screen(HistoryScreen(self.services))

    def action_home(self) -> None:
        self.app.pop_screen()


def session_choices(results: Sequence[AnswerResult]) -> list[MomentChoice]:
    """The moments of each question's final answer, labelled as the report numbers them: every finding first (by
    answer, worst first), then the fillers and long pauses."""
    labels = answer_labels(results)
    choices = [c for i in final_attempts(results)
               for c in choices_of(answer_view(results[i].to_dict()), results[i].audio_path, results[i].answer_id,
                                   f"Q{labels[i]} · ")]
    return [c for c in choices if c.moment.kind == "finding"] + [c for c in choices if c.moment.kind != "finding"]


def _overview(results: Sequence[AnswerResult], skipped: int) -> str:
    findings = sum(len(r.findings) for r in results)
    line = f"{len(results)} answer{'s' if len(results) != 1 else ''} · {findings} findings"
    if skipped:
        line += f" · {skipped} skipped"
    typed = sum(1 for r in results if r.source == "typed")
    if typed:
        line += f" · {typed} typed (no timing: pace and pauses need speech)"
    return line


