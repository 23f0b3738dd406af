"""Home: choose a pack and a mode, see recent sessions and progress at a glance."""

from __future__ import annotations

from typing import Any, ClassVar

from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, Vertical
from textual.message import Message
from textual.screen import Screen
from textual.widgets import Footer, OptionList, Static
from textual.widgets.option_list import Option

# Imported here, not when a key is pressed: the model loads in a thread meanwhile, and its imports hold the
# import lock, so a lazy import would make the first question wait for the whole model.
from mockiv.core.progress import progress
from mockiv.debrief import latest_check
from mockiv.packs import load_pack
from mockiv.tui.confirm import CONFIRM_WINDOW_S, SecondPress
from mockiv.tui.screens.baseline import BaselineScreen
from mockiv.tui.screens.debrief import DebriefScreen
from mockiv.tui.screens.history import HistoryScreen
from mockiv.tui.screens.practice import PracticeScreen
from mockiv.tui.screens.rehearsal import RehearsalScreen
from mockiv.tui.services import Services
from mockiv.tui.session import SessionRun

RECENT = 5


TREND_SESSIONS = 20


class RecentSessions(Message):
    def __init__(self, sessions: list[Any], total: int, trends: list[Any], own: list[str] | None = None) -> None:
        super().__init__()
        self.sessions = sessions
        self.total = total
        self.trends = trends
        self.own = own or []


def trends_of(store: Any, sessions: list[Any]) -> tuple[list[Any], list[str]]:
    """Progress across the last sessions (`mockiv.core.progress`), oldest first, and the candidate's own checks:
    pace against their baseline's band, and the rules of their newest debrief's plan, session by session."""
    details = [store.get_session(s.id).to_dict(history=False) for s in sessions[:TREND_SESSIONS]]
    baseline = getattr(store, "latest_baseline", lambda: None)() or {}
    band = (baseline.get("bands") or {}).get("wpm")
    report = progress(details, personal_pace=band)  # oldest first, whatever order the sessions come in
    own = []
    if band and report.pace_chart().strip():
        own.append(f"  {'Pace vs your baseline':<20} {report.pace_chart():<12} your band {band[0]:.0f}-{band[1]:.0f} "
                   "WPM (· inside)")
    if callable(getattr(store, "latest_debrief", None)) and (found := latest_check(store)) is not None:
        stored, checks = found
        marks = ", ".join(f"{c.title} {c.marks or '-'}" for c in checks)
        own.append(f"  Debrief plan ({stored['pack_id']}): {marks}")
    return [t for t in report.metrics if any(v is not None for v in t.values)], own


def recent_text(sessions: list[Any], total: int, trends: list[Any] = ()) -> Text:  # type: ignore[assignment]
    text = Text.assemble(("Recent sessions\n", "bold underline"))
    if not sessions:
        text.append("  None yet: your first session will appear here.\n", style="dim")
        return text
    for record in sessions[:RECENT]:
        when = str(record.started_at)[:16].replace("T", " ")
        answered = f"{record.done_count}/{record.answer_count} answers"
        text.append(f"  {when}  {record.mode:<9} {record.pack_id:<20.20} {answered}  {record.status}\n")
    practice = sum(1 for s in sessions if s.mode == "practice")
    answers = sum(s.done_count for s in sessions)
    noun = "session" if total == 1 else "sessions"
    text.append(f"Progress: {total} {noun} ({practice} of the last {len(sessions)} practice), "
                f"{answers} answers in the last {len(sessions)}; h opens history\n", style="dim")
    for trend in trends:
        last = "n/a" if trend.last is None else f"{trend.last:.2f}".rstrip("0").rstrip(".")
        text.append(f"  {trend.label:<20} {trend.spark:<12} now {last}{trend.unit} ({trend.verdict})\n")
    return text


class HomeScreen(Screen[None]):
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("enter", "start", "Start", show=True, priority=True),
        Binding("p", "start('practice')", "Practice", show=True),
        Binding("t", "start('rehearsal')", "Rehearsal", show=True),
        Binding("m", "switch_mode", "Mode", show=False),  # the mode line says "(m switches)"
        Binding("h", "history", "History", show=True),
        Binding("b", "baseline", "Baseline", show=True),
        Binding("d", "debrief", "Debrief", show=True),
        Binding("q", "app.quit", "Quit", show=True),
        Binding("escape", "ask_quit", "Quit", show=False),
    ]

    def __init__(self, services: Services, packs: list[Any], pack_id: str) -> None:
        super().__init__()
        self.services = services
        self.packs = [p for p in packs if getattr(p, "valid", True)]
        self.pack_id = pack_id
        self.mode = "practice"
        self._escape = SecondPress(services.clock)

    def compose(self) -> ComposeResult:
        with Vertical(id="home"):
            yield Static(Text("mockiv · interview practice", style="bold"), id="home-title")
            yield Static("", id="mode")
            yield Static(self.start_notice(), id="home-notice")
            with Horizontal(id="home-main"):
                yield OptionList(*[Option(self.pack_label(p), id=p.id) for p in self.packs], id="packs")
                yield Static("", id="pack-detail")
            yield Static(Text("Looking up recent sessions…", style="dim"), id="recent")
        yield Footer(show_command_palette=False)

    def start_notice(self) -> Text:
        """What this installation cannot do, and what start-up recovered: said once, as lines of the screen
        (a toast covered the recent sessions at 80x24)."""
        lines = []
        if self.services.unavailable:
            lines.append(Text.assemble(("Running with less: ", "bold yellow"), "; ".join(self.services.unavailable)))
        if self.services.notes:
            lines.append(Text.assemble(("Recovered: ", "bold"), "; ".join(self.services.notes)))
        return Text("\n").join(lines)

    @staticmethod
    def pack_label(info: Any) -> str:
        return f"{info.id} ({info.question_count} q)"

    def on_mount(self) -> None:
        packs = self.query_one("#packs", OptionList)
        ids = [p.id for p in self.packs]
        packs.highlighted = ids.index(self.pack_id) if self.pack_id in ids else 0
        packs.focus()
        self.query_one("#home-notice").display = bool(self.services.unavailable or self.services.notes)
        self.show_mode()
        self.refresh_recent()

    async def action_ask_quit(self) -> None:
        if self._escape.confirmed():
            await self.app.action_quit()
        else:
            self.notify("Press Esc again to quit mockiv (or q).", timeout=CONFIRM_WINDOW_S)

    def on_screen_resume(self) -> None:
        self.refresh_recent()

    def refresh_recent(self) -> None:
        if self.services.store is None:
            self.query_one("#recent", Static).update(Text("Sessions are not being saved (no session store).",
                                                          style="dim"))
            return
        self.load_recent()

    @work(thread=True, group="home", exclusive=True, exit_on_error=False)
    def load_recent(self) -> None:
        store = self.services.store
        assert store is not None
        sessions = store.list_sessions(limit=50)
        counter = getattr(store, "count_sessions", None)
        total = counter() if callable(counter) else len(sessions)
        self.post_message(RecentSessions(sessions, total, *trends_of(store, sessions)))

    @on(RecentSessions)
    def show_recent(self, message: RecentSessions) -> None:
        text = recent_text(message.sessions, message.total, message.trends)
        for line in message.own:
            text.append(f"{line}\n")
        self.query_one("#recent", Static).update(text)

    def show_mode(self) -> None:
        label = ("practice, feedback after each answer" if self.mode == "practice"
                 else "timed rehearsal, the whole pack, report at the end")
        self.query_one("#mode", Static).update(Text.assemble(("Mode: ", "bold"), label, ("  (m switches)", "dim")))

    @on(OptionList.OptionHighlighted, "#packs")
    def pack_highlighted(self, event: OptionList.OptionHighlighted) -> None:
        self.pack_id = str(event.option.id)
        info = next((p for p in self.packs if p.id == self.pack_id), None)
        if info is None:
            return
        detail = Text(f"{info.title}\n", style="bold")
        detail.append(f"{info.description}\n")
        detail.append(f"For: {info.target_role}\n", style="dim")
        self.query_one("#pack-detail", Static).update(detail)

    @on(OptionList.OptionSelected, "#packs")
    def pack_selected(self, event: OptionList.OptionSelected) -> None:
        self.pack_id = str(event.option.id)
        self.action_start()

    def action_switch_mode(self) -> None:
        self.mode = "rehearsal" if self.mode == "practice" else "practice"
        self.show_mode()

    def action_start(self, mode: str | None = None) -> None:
        mode = mode or self.mode
        try:
            pack = load_pack(self.pack_id)
        except Exception as error:
            self.notify(str(error).splitlines()[0], severity="error")
            return
        run = SessionRun.for_pack(pack, mode, self.services)
        screen = PracticeScreen(self.services, run) if mode == "practice" else RehearsalScreen(self.services, run)
        self.app.push_screen(screen)

    def action_history(self) -> None:
        self.app.push_screen(HistoryScreen(self.services))

    def action_baseline(self) -> None:
        self.app.push_screen(BaselineScreen(self.services))

    def action_debrief(self) -> None:
        self.app.push_screen(DebriefScreen(self.services))
