"""From a finding to its moment, and redo just this part, in the app (Pilot, fake services, a real store)."""

from __future__ import annotations

from typing import Any

from textual.widgets import Input

from mockiv.tui.screens.feedback import FeedbackScreen
from mockiv.tui.screens.redo import RedoScreen
from mockiv.tui.screens.replay import ReplayScreen
from mockiv.tui.screens.report import ReportScreen
from mockiv.tui.widgets import HighlightedTranscript
from tests.tui.fakes import FakeTranscriber, make_services, timed_transcript
from tests.tui.test_flows import SIZE, app_for, open_practice, showing, text_of, until


async def spoken_feedback(pilot: Any) -> FeedbackScreen:
    await open_practice(pilot)
    await until(pilot, lambda: showing(pilot.app, FeedbackScreen), "feedback")
    screen = pilot.app.screen
    assert isinstance(screen, FeedbackScreen)
    return screen


async def test_m_plays_each_moment_from_just_before_it_with_its_words_highlighted(mini_pack: str,
                                                                                   store: Any) -> None:
    services = make_services(microphone=True, store=store)
    app = app_for(services, mini_pack)
    async with app.run_test(size=SIZE) as pilot:
        screen = await spoken_feedback(pilot)
        assert "m hears each from its moment · d redoes its part" in text_of(app, "#fb-findings-heading")
        audio = screen.result.audio_path
        await pilot.press("m")  # the finding first: it quotes "Um," at 0.5 s
        await until(pilot, lambda: services.player.played, "the moment plays")
        assert services.player.played[-1] == (audio, 0.0)  # 0.5 s before 0.5 s
        line = text_of(app, "#fb-moment")
        assert "▶ Opens with filler (1 of 2) at 00:00.5 “Um,”" in line and "playing from 00:00.0" in line
        chosen = screen.query_one("#fb-transcript").content.renderables[0]
        assert [chosen.plain[s.start:s.end] for s in chosen.spans if "reverse" in str(s.style)] == ["[Um,]"]
        await pilot.press("m")  # then the filler itself; a third m comes back to the finding
        await until(pilot, lambda: len(services.player.played) == 2, "two moments played")
        assert "▶ filler “Um” (2 of 2)" in text_of(app, "#fb-moment") and "d: redo" not in text_of(app, "#fb-moment")
        await pilot.press("m")
        await until(pilot, lambda: len(services.player.played) == 3, "round again")
        assert "(1 of 2)" in text_of(app, "#fb-moment")


async def test_d_redoes_the_part_typed_and_shows_what_changed(mini_pack: str, store: Any) -> None:
    services = make_services(microphone=True, store=store)
    app = app_for(services, mini_pack)
    async with app.run_test(size=SIZE) as pilot:
        screen = await spoken_feedback(pilot)
        answer_id = screen.result.answer_id
        await pilot.press("d")
        await until(pilot, lambda: showing(app, RedoScreen), "the redo screen")
        assert "“Um, so I led the migration of our billing service.”" in text_of(app, "#redo-part")
        assert "Try: Start with the headline" in text_of(app, "#redo-part")
        app.screen.query_one("#redo-typed", Input).focus()
        app.screen.query_one("#redo-typed", Input).value = "I led the migration of our billing service."
        await pilot.press("enter")
        await until(pilot, lambda: "What changed" in text_of(app, "#redo-changes"), "the re-score")
        assert "✔ Gone: Opens with filler" in text_of(app, "#redo-changes")
        # A (the part as said, from just before it, to its end) is played; a typed take has no B
        original = store.get_answer(answer_id).audio_path
        await until(pilot, lambda: services.player.played, "A played")
        assert services.player.played[0] == (original, 0.0)
        assert services.player.ends[0] == timed_transcript().words[9].end  # the part's last word
        await pilot.press("escape")
        await until(pilot, lambda: showing(app, FeedbackScreen), "back to feedback")
    (take,) = store.takes_of(answer_id)
    assert take.status == "done" and take.audio_path is None
    assert take.result["transcript"]["text"].startswith("I led the migration of our billing service. I rewrote")


async def test_a_spoken_take_is_recorded_beside_the_answer_and_a_and_b_play(mini_pack: str, store: Any) -> None:
    transcriber = FakeTranscriber()
    services = make_services(microphone=True, store=store, transcriber=transcriber)
    app = app_for(services, mini_pack)
    async with app.run_test(size=SIZE) as pilot:
        screen = await spoken_feedback(pilot)
        answer = store.get_answer(screen.result.answer_id)
        transcriber.transcript = timed_transcript("I led the migration of our billing service.", pause_after=None)
        await pilot.press("d")
        await until(pilot, lambda: showing(app, RedoScreen), "the redo screen")
        await pilot.press("space")  # the fake microphone speaks, then falls silent: the take ends by itself
        await until(pilot, lambda: "What changed" in text_of(app, "#redo-changes"), "the re-score", steps=2000)
        assert "✔ Gone: Opens with filler" in text_of(app, "#redo-changes")
        await until(pilot, lambda: len(services.player.played) == 2, "A then B")
    (take,) = store.takes_of(answer.id)
    assert take.audio_path is not None and take.audio_path.exists()
    assert take.audio_path.parent == store.recordings_dir / answer.session_id / "takes"
    assert services.player.played == [(answer.audio_path, 0.0), (take.audio_path, 0.0)]


async def test_replay_m_goes_to_each_moment(mini_pack: str, store: Any) -> None:
    services = make_services(microphone=True, store=store)
    app = app_for(services, mini_pack)
    async with app.run_test(size=SIZE) as pilot:
        await spoken_feedback(pilot)
        session_id = store.list_sessions()[0].id
        app.push_screen(ReplayScreen(services, session_id))
        await until(pilot, lambda: showing(app, ReplayScreen) and app.screen.current is not None, "replay")
        services.player.played.clear()
        await pilot.press("m")
        await until(pilot, lambda: services.player.played, "the moment plays")
        assert services.player.played[-1][1] == 0.0
        assert "Opens with filler" in text_of(app, "#replay-moment")
        assert app.screen.query_one(HighlightedTranscript).chosen == range(0, 1)


async def test_report_m_goes_to_each_finding_of_the_session_and_d_redoes_it(mini_pack: str, store: Any) -> None:
    services = make_services(microphone=True, store=store)
    app = app_for(services, mini_pack)
    async with app.run_test(size=SIZE) as pilot:
        screen = await spoken_feedback(pilot)
        audio, answer_id = screen.result.audio_path, screen.result.answer_id
        await pilot.press("escape")  # end the session: the report
        await until(pilot, lambda: showing(app, ReportScreen), "the report")
        assert "m: hear each finding, filler and long pause (2)" in text_of(app, "#report-moment")
        await pilot.press("m")
        await until(pilot, lambda: services.player.played, "the moment plays")
        assert services.player.played[-1] == (audio, 0.0)
        assert "▶ Q1 · Opens with filler (1 of 2) at 00:00.5 “Um,”" in text_of(app, "#report-moment")
        await pilot.press("d")
        await until(pilot, lambda: showing(app, RedoScreen), "the redo screen")
        assert app.screen.answer_id == answer_id and app.screen.rule == "opens-with-filler"


async def test_esc_while_recording_a_take_keeps_it_interrupted_and_scores_nothing(mini_pack: str,
                                                                                  store: Any) -> None:
    from tests.tui.fakes import KEEPS_TALKING, FakeMicrophone

    services = make_services(microphone=True, store=store)
    app = app_for(services, mini_pack)
    async with app.run_test(size=SIZE) as pilot:
        screen = await spoken_feedback(pilot)
        answer_id = screen.result.answer_id
        await pilot.press("d")
        await until(pilot, lambda: showing(app, RedoScreen), "the redo screen")
        FakeMicrophone.script = KEEPS_TALKING  # the take goes on until a key
        await pilot.press("space")
        await until(pilot, lambda: app.screen.take is not None, "recording the take")
        await pilot.press("escape")
        await until(pilot, lambda: showing(app, FeedbackScreen), "back to feedback")
        await until(pilot, lambda: store.takes_of(answer_id) and store.takes_of(answer_id)[0].status != "recording",
                    "the take closed")
    (take,) = store.takes_of(answer_id)
    assert take.status == "interrupted" and take.result is None
