"""Snapshots at 80x24 of the Baseline and Debrief screens (fake services, frozen clock; the Debrief plan with the
real rules, whose findings it rests on). Review the HTML report before updating."""

from __future__ import annotations

from typing import Any

from textual.pilot import Pilot

from mockiv.engine.analysis import Analyzer
from tests.tui.fakes import make_services
from tests.tui.test_baseline_debrief import DEBRIEF_ENTRIES, app_for, type_debrief, wait_for

SIZE = (80, 24)


def test_baseline_passage(snap_compare: Any, mini_pack: str) -> None:
    async def run_before(pilot: Pilot[Any]) -> None:
        await pilot.press("b")
        await wait_for(pilot, lambda: getattr(pilot.app.screen, "phase", "") == "typing")

    assert snap_compare(app_for(make_services()), terminal_size=SIZE, run_before=run_before)


def test_baseline_measured(snap_compare: Any, mini_pack: str, store: Any) -> None:
    async def run_before(pilot: Pilot[Any]) -> None:
        await pilot.press("b")
        await wait_for(pilot, lambda: getattr(pilot.app.screen, "measured", False))

    assert snap_compare(app_for(make_services(microphone=True, store=store)), terminal_size=SIZE,
                        run_before=run_before)


def test_debrief_entering(snap_compare: Any, mini_pack: str) -> None:
    async def run_before(pilot: Pilot[Any]) -> None:
        await pilot.press("d")
        await wait_for(pilot, lambda: type(pilot.app.screen).__name__ == "DebriefScreen")
        await type_debrief(pilot, DEBRIEF_ENTRIES[:5])

    assert snap_compare(app_for(make_services()), terminal_size=SIZE, run_before=run_before)


def test_debrief_plan(snap_compare: Any, mini_pack: str, store: Any) -> None:
    services = make_services(store=store)
    services.analyzer = Analyzer()

    async def run_before(pilot: Pilot[Any]) -> None:
        await pilot.press("d")
        await wait_for(pilot, lambda: type(pilot.app.screen).__name__ == "DebriefScreen")
        await type_debrief(pilot, DEBRIEF_ENTRIES)
        await pilot.press("ctrl+s")
        await wait_for(pilot, lambda: pilot.app.screen.pack_id is not None, rounds=1500)

    assert snap_compare(app_for(services), terminal_size=SIZE, run_before=run_before)
