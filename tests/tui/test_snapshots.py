"""Snapshots of the main screens at 80x24 (the smallest size the app promises), with a frozen clock, fake
services and a fixed pack, so a frame depends only on the code. Review the HTML report before updating."""

from __future__ import annotations

from typing import Any

from textual.pilot import Pilot
from textual.widgets import TextArea

from mockiv.packs import list_packs
from mockiv.tui.app import MockivApp, create_app
from mockiv.tui.screens.feedback import FeedbackScreen
from mockiv.tui.screens.report import ReportScreen
from tests.tui.fakes import make_services

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
    await wait_for(pilot, lambda: isinstance(pilot.app.screen, FeedbackScreen))


def test_home(snap_compare: Any, mini_pack: str) -> None:
    assert snap_compare(mini_app(), terminal_size=SIZE)


def test_practice_question_typed(snap_compare: Any, mini_pack: str) -> None:
    async def run_before(pilot: Pilot[Any]) -> None:
        await pilot.press("p")
        await wait_for(pilot, lambda: getattr(pilot.app.screen, "phase", "") == "typing")

    assert snap_compare(mini_app(), terminal_size=SIZE, run_before=run_before)


def test_practice_question_microphone(snap_compare: Any, mini_pack: str) -> None:
    async def run_before(pilot: Pilot[Any]) -> None:
        await pilot.press("p")
        await wait_for(pilot, lambda: getattr(pilot.app.screen, "phase", "") == "ready")

    assert snap_compare(mini_app(microphone=True), terminal_size=SIZE, run_before=run_before)


def test_feedback(snap_compare: Any, mini_pack: str) -> None:
    assert snap_compare(mini_app(), terminal_size=SIZE, run_before=answer_first_question)


def test_report(snap_compare: Any, mini_pack: str) -> None:
    async def run_before(pilot: Pilot[Any]) -> None:
        await answer_first_question(pilot)
        await pilot.press("escape")
        await wait_for(pilot, lambda: isinstance(pilot.app.screen, ReportScreen))

    assert snap_compare(mini_app(), terminal_size=SIZE, run_before=run_before)
