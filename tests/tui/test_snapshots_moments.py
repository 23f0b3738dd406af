"""Snapshots at 80x24 of a finding's moment (feedback, m) and of a redone part (the redo screen's re-score)."""

from __future__ import annotations

from typing import Any

from textual.pilot import Pilot
from textual.widgets import Input

from mockiv.packs import list_packs
from mockiv.store import Store
from mockiv.tui.app import MockivApp, create_app
from mockiv.tui.screens.feedback import FeedbackScreen
from mockiv.tui.screens.redo import RedoScreen
from tests.tui.fakes import make_services
from tests.tui.test_snapshots import SIZE, wait_for


def spoken_app(store: Store) -> MockivApp:
    packs = [p for p in list_packs() if p.id == "mini"]
    return create_app(make_services(microphone=True, store=store), "mini", packs=packs)


async def feedback_with_a_moment(pilot: Pilot[Any]) -> None:
    await pilot.press("p")
    await wait_for(pilot, lambda: isinstance(pilot.app.screen, FeedbackScreen) and pilot.app.screen.is_mounted)
    await pilot.press("m")
    await wait_for(pilot, lambda: pilot.app.services.player.played)


async def redone(pilot: Pilot[Any]) -> None:
    await feedback_with_a_moment(pilot)
    await pilot.press("d")
    await wait_for(pilot, lambda: isinstance(pilot.app.screen, RedoScreen) and pilot.app.screen.redo is not None)
    typed = pilot.app.screen.query_one("#redo-typed", Input)
    typed.focus()
    typed.value = "I led the migration of our billing service."
    await pilot.press("enter")
    await wait_for(pilot, lambda: pilot.app.screen.outcome is not None and len(pilot.app.services.player.played) > 1)
    await pilot.app.workers.wait_for_complete()
    await pilot.pause()


def test_feedback_plays_a_findings_moment(snap_compare: Any, mini_pack: str, store: Store) -> None:
    assert snap_compare(spoken_app(store), terminal_size=SIZE, run_before=feedback_with_a_moment)


def test_redo_shows_what_changed(snap_compare: Any, mini_pack: str, store: Store) -> None:
    assert snap_compare(spoken_app(store), terminal_size=SIZE, run_before=redone)
