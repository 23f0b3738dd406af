"""Snapshots of the main screens at 80x24 (the smallest size the app promises), with a frozen clock, fake
services and a fixed pack, so a frame depends only on the code. Review the HTML report before updating."""

from __future__ import annotations

from typing import Any

from textual.pilot import Pilot
from textual.widgets import DataTable, TextArea

from mockiv.core import delivery
from mockiv.packs import list_packs
from mockiv.tui.app import MockivApp, create_app
from mockiv.tui.screens.feedback import FeedbackScreen
from mockiv.tui.screens.history import HistoryScreen
from mockiv.tui.screens.replay import ReplayScreen
from mockiv.tui.screens.report import ReportScreen
from mockiv.tui.widgets import HighlightedTranscript
from tests.tui.fakes import FakeMicrophone, make_services, scripted_analyze, timed_transcript

SIZE = (80, 24)
ANSWER = "Um, so I led the billing migration myself and we cut failed payments by thirty percent."


def mini_app(microphone: bool = False) -> MockivApp:
    packs = [p for p in list_packs() if p.id == "mini"]
    return create_app(make_services(microphone=microphone), "mini", packs=packs)


async def wait_for(pilot: Pilot[Any], condition: Any) -> None:
    for _ in range(200):
        if condition():
            await pilot.pause()
            return
        await pilot.pause(0.02)
    raise AssertionError("the screen never appeared")


async def answer_first_question(pilot: Pilot[Any]) -> None:
    await pilot.press("p")
    await wait_for(pilot, lambda: getattr(pilot.app.screen, "phase", "") == "typing")
    pilot.app.screen.query_one("#typed", TextArea).insert(ANSWER)
    await pilot.press("ctrl+s")
    await wait_for(pilot, lambda: isinstance(pilot.app.screen, FeedbackScreen) and pilot.app.screen.is_mounted)


def test_home(snap_compare: Any, mini_pack: str) -> None:
    assert snap_compare(mini_app(), terminal_size=SIZE)


def test_home_first_run_without_a_microphone(snap_compare: Any, mini_pack: str) -> None:
    """What a new user without a microphone sees first: the notice is a line of Home, covering nothing."""
    app = mini_app()
    app.services.unavailable = ["no microphone found: type your answer (or ctrl+o for an audio file)"]
    assert snap_compare(app, terminal_size=SIZE)


def test_practice_question_typed(snap_compare: Any, mini_pack: str) -> None:
    async def run_before(pilot: Pilot[Any]) -> None:
        await pilot.press("p")
        await wait_for(pilot, lambda: getattr(pilot.app.screen, "phase", "") == "typing")

    assert snap_compare(mini_app(), terminal_size=SIZE, run_before=run_before)


def test_practice_question_microphone(snap_compare: Any, mini_pack: str) -> None:
    async def run_before(pilot: Pilot[Any]) -> None:
        await pilot.press("p")
        await wait_for(pilot, lambda: getattr(pilot.app.screen, "phase", "") == "listening")

    app = mini_app(microphone=True)
    FakeMicrophone.script, FakeMicrophone.speed = ((600.0, 0.0),), 1.0  # the candidate has not begun yet
    assert snap_compare(app, terminal_size=SIZE, run_before=run_before)


def test_feedback(snap_compare: Any, mini_pack: str) -> None:
    assert snap_compare(mini_app(), terminal_size=SIZE, run_before=answer_first_question)


def test_report(snap_compare: Any, mini_pack: str) -> None:
    async def run_before(pilot: Pilot[Any]) -> None:
        await answer_first_question(pilot)
        await pilot.press("escape")
        await wait_for(pilot, lambda: isinstance(pilot.app.screen, ReportScreen) and pilot.app.screen.is_mounted)

    assert snap_compare(mini_app(), terminal_size=SIZE, run_before=run_before)


def stored_app(store: Any) -> MockivApp:
    """A store holding one finished spoken answer, at a fixed time, for History and Replay."""
    session = store.create_session("mini", "practice", started_at="2026-11-20T09:30:00+00:00")
    answer = store.begin_answer(session.id, question="Tell me about the project you are proudest of.",
                                kind="behavioral", record_audio=False, started_at="2026-11-20T09:30:05+00:00")
    spoken = timed_transcript()
    _, scored = scripted_analyze(spoken, answer.question, "behavioral")
    store.finish_answer(answer.id, transcript=spoken, metrics=delivery.compute(spoken), result=scored, model="fake")
    store.end_session(session.id)
    packs = [p for p in list_packs() if p.id == "mini"]
    return create_app(make_services(store=store), "mini", packs=packs)


def test_history(snap_compare: Any, mini_pack: str, store: Any) -> None:
    async def run_before(pilot: Pilot[Any]) -> None:
        await pilot.press("h")
        await wait_for(pilot, lambda: isinstance(pilot.app.screen, HistoryScreen)
                       and pilot.app.screen.query_one(DataTable).row_count == 1)

    assert snap_compare(stored_app(store), terminal_size=SIZE, run_before=run_before)


def test_replay(snap_compare: Any, mini_pack: str, store: Any) -> None:
    async def run_before(pilot: Pilot[Any]) -> None:
        await pilot.press("h")
        await wait_for(pilot, lambda: isinstance(pilot.app.screen, HistoryScreen)
                       and pilot.app.screen.query_one(DataTable).row_count == 1)
        await pilot.press("enter")
        await wait_for(pilot, lambda: isinstance(pilot.app.screen, ReplayScreen)
                       and pilot.app.screen.query_one(HighlightedTranscript).words)
        pilot.app.screen.query_one(HighlightedTranscript).current = 3  # mid-replay: the fourth word is lit

    assert snap_compare(stored_app(store), terminal_size=SIZE, run_before=run_before)
