"""The app's Baseline and Debrief screens, driven with Pilot on fake services (tests/tui/fakes.py)."""

from __future__ import annotations

from typing import Any

import pytest
from textual.pilot import Pilot
from textual.widgets import Input, Static, TextArea

from mockiv import packs
from mockiv.engine.analysis import Analyzer
from mockiv.packs import list_packs
from mockiv.tui.app import MockivApp, create_app
from mockiv.tui.screens.baseline import BaselineScreen
from mockiv.tui.screens.debrief import DebriefScreen
from mockiv.tui.screens.practice import PracticeScreen
from tests.tui.fakes import make_services

SIZE = (80, 24)


def app_for(services: Any) -> MockivApp:
    return create_app(services, "mini", packs=[p for p in list_packs() if p.id == "mini"])


async def wait_for(pilot: Pilot[Any], condition: Any, rounds: int = 400) -> None:
    for _ in range(rounds):
        if condition():
            await pilot.pause()
            return
        await pilot.pause(0.02)
    raise AssertionError("the condition never held")


def result_text(app: MockivApp) -> str:
    return str(app.screen.query_one("#baseline-result", Static).render())


async def test_baseline_measures_two_spoken_answers_and_judges_later_ones(mini_pack: str, store: Any) -> None:
    services = make_services(microphone=True, store=store)
    app = app_for(services)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("b")
        await wait_for(pilot, lambda: isinstance(app.screen, BaselineScreen))
        screen = app.screen
        await wait_for(pilot, lambda: screen.measured)
        text = result_text(app)
        assert "Your baseline" in text and "Pace: 127 WPM (your band 108-147)" in text
        assert services.speaker.said[:2] == ["Please read the passage on the screen aloud, at your usual, relaxed "
                                             "pace.", "What do you enjoy doing when you are not working?"]
    kept = store.latest_baseline()
    assert kept["wpm"] == pytest.approx(127, abs=0.5) and services.analyzer.baseline == kept
    assert store.list_sessions() == []  # the calibration is not a practice session


async def test_baseline_redo_and_typed_answers_keep_nothing(mini_pack: str, store: Any) -> None:
    services = make_services(microphone=False, store=store)
    app = app_for(services)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("b")
        for _ in range(2):
            await wait_for(pilot, lambda: getattr(app.screen, "phase", "") == "typing")
            app.screen.query_one("#typed", TextArea).insert("I like hiking with my family on weekends.")
            await pilot.press("ctrl+s")
        await wait_for(pilot, lambda: app.screen.measured)
        assert "no baseline kept: only 0 s of speech was heard" in result_text(app)
        first = app.screen
        await pilot.press("r")
        await wait_for(pilot, lambda: isinstance(app.screen, BaselineScreen) and app.screen is not first)
        await pilot.press("escape")
        await wait_for(pilot, lambda: not isinstance(app.screen, BaselineScreen))
    assert store.latest_baseline() is None and services.analyzer.baseline is None


async def type_debrief(pilot: Pilot[Any], entries: list[str]) -> None:
    for entry in entries:
        field = pilot.app.screen.query_one("#debrief-input", Input)
        field.value = entry
        await pilot.press("enter")


DEBRIEF_ENTRIES = [
    "Acme, backend engineer", "2026-12-03",
    "Tell me about a time you improved the performance of a system.",
    "We had a slow checkout page. We looked at the database and we added some caching, and it was much better "
    "after that. The team was happy with it.",
    "Do you have any questions for us?", "", "",
    "I explained the caching design clearly", "",
    "I said we instead of I", "no numbers in my results",
]


async def test_debrief_typed_makes_a_plan_and_practises_it(mini_pack: str, store: Any) -> None:
    services = make_services(store=store)
    services.analyzer = Analyzer()  # the real rules: the plan rests on their findings
    app = app_for(services)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("d")
        await wait_for(pilot, lambda: isinstance(app.screen, DebriefScreen))
        screen = app.screen
        await type_debrief(pilot, DEBRIEF_ENTRIES)
        assert "Something to work on (3 of 3" in str(screen.query_one("#debrief-ask", Static).render())
        await pilot.press("ctrl+s")
        await wait_for(pilot, lambda: screen.pack_id is not None, rounds=1500)
        plan = str(screen.query_one("#debrief-so-far", Static).render())
        assert '(you named it too: "I said we instead of I")' in plan
        assert "Your plan: practise pack 'debrief-2026-12-03' (2 questions)" in plan
        assert packs.validate_pack_file(packs.user_dir() / "debrief-2026-12-03.toml") == []
        assert store.latest_debrief()["pack_id"] == "debrief-2026-12-03"
        await pilot.press("p")
        await wait_for(pilot, lambda: isinstance(app.screen, PracticeScreen))
        assert app.screen.run.pack_id == "debrief-2026-12-03"


async def test_debrief_needs_a_question_and_speaks_with_a_microphone(mini_pack: str) -> None:
    services = make_services(microphone=True)
    app = app_for(services)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("d")
        await wait_for(pilot, lambda: isinstance(app.screen, DebriefScreen))
        screen = app.screen
        await type_debrief(pilot, ["", "", ""])
        assert screen.step == "question"  # an empty first question is not the end of the questions
        await pilot.press("ctrl+t")
        field = screen.query_one("#debrief-input", Input)
        await wait_for(pilot, lambda: field.value.startswith("Um, so I led the migration"))
        assert not screen.dictating
    from mockiv import paths

    assert not [p for p in paths.sub_dir("recordings").rglob("*") if p.is_file()]  # the voice is not kept


@pytest.mark.parametrize("key", ["b", "d"])
async def test_escape_goes_back_home(mini_pack: str, key: str) -> None:
    app = app_for(make_services())
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press(key)
        await wait_for(pilot, lambda: isinstance(app.screen, BaselineScreen | DebriefScreen))
        await pilot.press("escape")
        await wait_for(pilot, lambda: type(app.screen).__name__ == "HomeScreen")


async def test_home_checks_pace_against_the_baseline_and_the_debrief_plan(mini_pack: str, store: Any) -> None:
    from mockiv.core.baseline import Baseline
    from mockiv.debrief import debrief_from, run_debrief
    from tests.store.helpers import populate

    populate(store, sessions=1, answers=1)
    store.save_baseline(Baseline(300.0, 1.0, 1.0, None, 60.0, "2026-11-30T10:00:00+00:00"))
    debrief = debrief_from({"questions": [{"question": "Why us?"}], "growth": ["more numbers"]})
    run_debrief(debrief, Analyzer(), store, "2026-10-01T10:00:00+00:00")  # before the session: it is checked
    app = app_for(make_services(store=store))
    async with app.run_test(size=(100, 40)) as pilot:
        await wait_for(pilot, lambda: "Debrief plan" in str(app.screen.query_one("#recent", Static).render()))
        recent = str(app.screen.query_one("#recent", Static).render())
    assert "Pace vs your baseline ▼" in recent and "your band 255-345 WPM" in recent
    assert "Debrief plan (debrief): No measurable result " in recent
