"""Esc asks before it ends something: on Home it would quit the app, in a timed rehearsal it would throw away the
questions still to come. A first press says what a second press does; only the second does it."""

from __future__ import annotations

from typing import Any

from mockiv.tui.confirm import CONFIRM_WINDOW_S, SecondPress
from mockiv.tui.screens.home import HomeScreen, recent_text
from mockiv.tui.screens.rehearsal import RehearsalScreen
from mockiv.tui.screens.report import ReportScreen
from tests.tui.fakes import make_services
from tests.tui.test_flows import SIZE, app_for, showing, start_rehearsal, text_of, type_answer, until


def test_a_second_press_confirms_only_within_the_window() -> None:
    now = [0.0]
    press = SecondPress(lambda: now[0])
    assert not press.confirmed()
    now[0] += CONFIRM_WINDOW_S + 0.1
    assert not press.confirmed()  # too late: this press asks again
    now[0] += 1.0
    assert press.confirmed()
    assert not press.confirmed()  # confirming disarms


async def test_escape_on_home_asks_before_quitting(mini_pack: str, clock: Any) -> None:
    services = make_services()
    services.clock = clock
    app = app_for(services, mini_pack)
    quits: list[bool] = []

    async def record_quit() -> None:
        quits.append(True)

    app.action_quit = record_quit  # type: ignore[method-assign]
    async with app.run_test(size=SIZE) as pilot:
        await until(pilot, lambda: showing(app, HomeScreen), "home")
        await pilot.press("escape")
        await pilot.pause(0.05)
        assert quits == [] and showing(app, HomeScreen)
        assert any("Esc again to quit" in n.message for n in app._notifications)
        clock.advance(1.0)
        await pilot.press("escape")
        await until(pilot, lambda: quits == [True], "quit on the second press")


async def test_escape_in_a_rehearsal_asks_before_ending_it(mini_pack: str, clock: Any) -> None:
    services = make_services()
    services.clock = clock
    app = app_for(services, mini_pack)
    async with app.run_test(size=SIZE) as pilot:
        screen = await start_rehearsal(pilot)
        await until(pilot, lambda: screen.phase == "typing", "typing")
        await type_answer(pilot)
        await until(pilot, lambda: "time you failed" in text_of(app, "#question"), "second question")
        await pilot.press("escape")
        await pilot.pause(0.05)
        assert showing(app, RehearsalScreen) and "time you failed" in text_of(app, "#question")
        assert any("stop the rehearsal at question 2 of 2" in n.message for n in app._notifications)
        clock.advance(1.0)
        await pilot.press("escape")
        await until(pilot, lambda: showing(app, ReportScreen), "the report after the second press")


def test_one_session_is_singular() -> None:
    class Record:
        started_at, mode, pack_id, done_count, answer_count, status = "2026-12-04T10:00", "practice", "g", 1, 1, "done"

    assert "Progress: 1 session (" in recent_text([Record()], 1).plain
    assert "Progress: 2 sessions (" in recent_text([Record(), Record()], 2).plain


def test_only_the_headings_of_the_report_are_underlined() -> None:
    """A Text's base style covers every line appended to it: the whole report used to be underlined."""
    from rich.style import Style

    from mockiv.tui.reporting import Point
    from mockiv.tui.screens.report import points_text

    text = points_text("Three growth areas", [Point("Opens with a filler", "Why it matters", "“Um,”", "Fix it")],
                       "none", "▲")
    underlined = [text.plain[span.start:span.end] for span in text.spans
                  if Style.parse(str(span.style)).underline]
    assert underlined == ["Three growth areas\n"] and not Style.parse(str(text.style)).underline
    assert not Style.parse(str(recent_text([], 0).style)).underline


async def test_a_session_left_before_any_answer_is_not_kept(mini_pack: str, store: Any) -> None:
    """Enter, then Esc: nothing was said, so nothing is listed as '0/0 answers'."""
    from tests.tui.fakes import make_services as services_with
    from tests.tui.test_flows import PracticeScreen

    app = app_for(services_with(store=store), mini_pack)
    async with app.run_test(size=SIZE) as pilot:
        await until(pilot, lambda: showing(app, HomeScreen), "home")
        await pilot.press("enter")
        await until(pilot, lambda: showing(app, PracticeScreen), "practice")
        await pilot.press("escape")
        await until(pilot, lambda: showing(app, HomeScreen), "back home")
    assert store.list_sessions() == []
