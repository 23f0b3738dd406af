"""History: the sessions list; replay one, re-score it with the current rules, or export it."""

from __future__ import annotations

from typing import Any, ClassVar

from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Vertical
from textual.message import Message
from textual.screen import Screen
from textual.widgets import DataTable, Footer, Static

from mockiv import paths
from mockiv.engine.session import one_line
from mockiv.tui.services import Services


class SessionsLoaded(Message):
    def __init__(self, sessions: list[Any]) -> None:
        super().__init__()
        self.sessions = sessions


class Notice(Message):
    """A one-line notice from a worker (posting is thread-safe; notifying from a thread is not)."""

    def __init__(self, text: str, severity: str = "information") -> None:
        super().__init__()
        self.text = text
        self.severity = severity


class HistoryScreen(Screen[None]):
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("enter", "replay", "Replay", show=True, priority=True),
        Binding("r", "rescore", "Re-score", show=True),
        Binding("e", "export", "Export", show=True),
        Binding("escape,q", "back", "Back", show=True),
    ]

    def __init__(self, services: Services) -> None:
        super().__init__()
        self.services = services
        self.sessions: list[Any] = []

    def compose(self) -> ComposeResult:
        with Vertical(id="history"):
            yield Static("History · newest first", id="history-title")
            yield DataTable(id="sessions", cursor_type="row", zebra_stripes=True)
            yield Static("", id="history-note")
        yield Footer(show_command_palette=False)

    def on_mount(self) -> None:
        table = self.query_one("#sessions", DataTable)
        table.add_columns("when", "mode", "pack", "answers", "minutes", "status")
        table.focus()
        if self.services.store is None:
            self.query_one("#history-note", Static).update("Sessions are not saved here (no session store).")
            return
        self.load()

    @work(thread=True, group="history", exclusive=True, exit_on_error=False)
    def load(self) -> None:
        assert self.services.store is not None
        self.post_message(SessionsLoaded(self.services.store.list_sessions(limit=200)))

    @on(SessionsLoaded)
    def show(self, message: SessionsLoaded) -> None:
        self.sessions = message.sessions
        table = self.query_one("#sessions", DataTable)
        table.clear()
        for record in self.sessions:
            minutes = f"{record.duration_s / 60:.1f}" if record.duration_s else "-"
            table.add_row(str(record.started_at)[:16].replace("T", " "), record.mode, record.pack_id,
                          f"{record.done_count}/{record.answer_count}", minutes, record.status, key=record.id)
        count = len(self.sessions)
        note = f"{count} session{'s' if count != 1 else ''}" if count else "No sessions yet: practise one from Home."
        self.query_one("#history-note", Static).update(note)

    def selected(self) -> Any | None:
        table = self.query_one("#sessions", DataTable)
        if not self.sessions or table.cursor_row < 0 or table.cursor_row >= len(self.sessions):
            self.notify("No session selected.")
            return None
        return self.sessions[table.cursor_row]

    def action_replay(self) -> None:
        from mockiv.tui.screens.replay import ReplayScreen

        record = self.selected()
        if record is not None:
            self.app.push_screen(ReplayScreen(self.services, record.id))

    def action_rescore(self) -> None:
        record = self.selected()
        if record is None:
            return
        self.notify(f"Re-scoring session {record.id[:8]}…")
        self.rescore(record.id)

    @work(thread=True, group="rescore", exit_on_error=False)
    def rescore(self, session_id: str) -> None:
        store = self.services.store
        assert store is not None
        detail = store.get_session(session_id)
        done = 0
        for answer in detail.answers:
            if not answer.transcript:
                continue
            try:
                result = self.services.analyzer.analyze_stored(answer, store)
                store.record_result(answer.id, result.result, model=answer.model or "")
                done += 1
            except Exception as error:
                self.post_message(Notice(f"answer {answer.position}: {one_line(error)}", "error"))
        self.post_message(Notice(f"Re-scored {done} answers of session {session_id[:8]} with the current rules."))

    def action_export(self) -> None:
        record = self.selected()
        if record is not None:
            self.export(record.id)

    @work(thread=True, group="export", exit_on_error=False)
    def export(self, session_id: str) -> None:
        assert self.services.store is not None
        from mockiv.export import export_session

        store = self.services.store
        baseline = getattr(store, "latest_baseline", lambda: None)()  # the candidate's own band on the charts
        written = export_session(store.get_session(session_id), paths.sub_dir("exports"), baseline)
        self.post_message(Notice(f"Exported to {written[0].parent}: " + ", ".join(p.name for p in written)))

    @on(Notice)
    def notice(self, message: Notice) -> None:
        self.notify(message.text, severity=message.severity)  # type: ignore[arg-type]

    def on_worker_state_changed(self, event: Any) -> None:
        from textual.worker import WorkerState

        if event.state == WorkerState.ERROR and event.worker.error is not None:
            self.notify(f"{event.worker.group} failed: {one_line(event.worker.error)}", severity="error")

    def action_back(self) -> None:
        self.app.pop_screen()
