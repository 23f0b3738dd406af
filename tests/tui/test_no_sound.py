"""With no output device, every key that would make a sound says, in one line, that nothing is heard: Repeat,
"Say again" and the replay (whose status used to read "playing ... with sound")."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from textual.widgets import DataTable

from mockiv.errors import AudioError
from mockiv.tui.screens.feedback import FeedbackScreen
from mockiv.tui.screens.history import HistoryScreen
from mockiv.tui.screens.replay import ReplayScreen
from mockiv.tui.screens.report import ReportScreen
from tests.tui.fakes import make_services
from tests.tui.test_flows import SIZE, app_for, open_practice, showing, start_practice, text_of, type_answer, until

SILENT = "cannot play audio: aplay exited with code 1 (no output device?)"


def notices(app: Any) -> list[str]:
    return [n.message for n in app._notifications]


async def test_repeat_and_say_again_say_the_voice_is_silent(mini_pack: str) -> None:
    services = make_services()
    services.speaker.silent_reason = SILENT  # type: ignore[union-attr]  # went silent at the first question
    app = app_for(services, mini_pack)
    async with app.run_test(size=SIZE) as pilot:
        await start_practice(pilot)
        await pilot.press("ctrl+r")
        await until(pilot, lambda: any(SILENT in n and "on screen" in n for n in notices(app)), "repeat says why")
        await type_answer(pilot)
        await until(pilot, lambda: showing(app, FeedbackScreen), "feedback")
        said_before = list(services.speaker.said)  # type: ignore[union-attr]
        await pilot.press("s")
        await until(pilot, lambda: any("follow-up is on screen" in n for n in notices(app)), "say again says why")
        assert services.speaker.said == said_before  # type: ignore[union-attr]


async def test_replay_without_an_output_device_says_so(mini_pack: str, store: Any) -> None:
    services = make_services(microphone=True, store=store)

    def no_device(path: Path, start_s: float = 0.0) -> None:
        raise AudioError("cannot play audio: no usable output device (Error querying device -1)")

    services.player.play = no_device  # type: ignore[union-attr,method-assign]
    app = app_for(services, mini_pack)
    async with app.run_test(size=SIZE) as pilot:
        await open_practice(pilot)
        await until(pilot, lambda: showing(app, FeedbackScreen), "feedback")
        await pilot.press("escape")
        await until(pilot, lambda: showing(app, ReportScreen), "report")
        await pilot.press("h")
        await until(pilot, lambda: showing(app, HistoryScreen), "history")
        table = app.screen.query_one("#sessions", DataTable)
        await until(pilot, lambda: table.row_count == 1, "one session listed")
        await pilot.press("enter")
        await until(pilot, lambda: showing(app, ReplayScreen), "replay")
        await pilot.press("space")
        await until(pilot, lambda: "no output device" in text_of(app, "#replay-status"), "status without sound")
        assert [n for n in notices(app) if "no usable output device" in n] != []


async def test_the_follow_up_below_the_fold_is_pointed_to_at_the_top(mini_pack: str) -> None:
    app = app_for(make_services(), mini_pack)
    async with app.run_test(size=SIZE) as pilot:
        await start_practice(pilot)
        await type_answer(pilot)
        await until(pilot, lambda: showing(app, FeedbackScreen), "feedback")
        pointer = app.screen.query_one("#fb-pointer")
        assert "follow-up" in text_of(app, "#fb-pointer") and pointer.region.y < SIZE[1] - 2  # on the first screen
