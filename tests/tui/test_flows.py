"""Every screen and flow of the app, driven with Textual's Pilot against fake services and a real store."""

from __future__ import annotations

import functools
import io
import threading
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from rich.console import Console
from rich.text import Text
from textual.pilot import Pilot
from textual.widgets import DataTable, OptionList, Static, TextArea
from textual.widgets._footer import FooterKey

from mockiv.core import delivery
from mockiv.engine.analysis import Analyzer
from mockiv.engine.model import ModelHolder
from mockiv.packs import list_packs
from mockiv.store import Store
from mockiv.tui.app import MockivApp, create_app
from mockiv.tui.screens.feedback import FeedbackScreen
from mockiv.tui.screens.history import HistoryScreen
from mockiv.tui.screens.home import HomeScreen
from mockiv.tui.screens.practice import PracticeScreen
from mockiv.tui.screens.rehearsal import RehearsalScreen
from mockiv.tui.screens.replay import ReplayScreen, word_at
from mockiv.tui.screens.report import ReportScreen
from mockiv.tui.widgets import AnswerClock, HighlightedTranscript, LevelMeter, StateLine
from tests.tui.fakes import (
    KEEPS_TALKING,
    SPOKEN_ANSWER,
    FakeMicrophone,
    FakeTranscriber,
    make_services,
    scripted_analyze,
    timed_transcript,
)

SIZE = (80, 24)
TYPED = "Um, so I led the billing migration myself and we cut failed payments by thirty percent."


async def until(pilot: Pilot[Any], condition: Callable[[], bool], what: str, steps: int = 1000) -> None:
    """Let the app run until `condition` holds (workers finish in their own time), or fail saying what."""
    for _ in range(steps):
        if condition():
            return
        await pilot.pause(0.02)
    notices = [n.message for n in pilot.app._notifications]
    raise AssertionError(f"the app never reached: {what} (screen {type(pilot.app.screen).__name__}, "
                         f"notices {notices})")


def showing(app: MockivApp, screen_type: type) -> bool:
    """The screen is on top and mounted (its widgets exist), not merely pushed."""
    return isinstance(app.screen, screen_type) and app.screen.is_mounted


def text_of(app: MockivApp, selector: str) -> str:
    """The plain text a Static shows (whatever rich renderable it holds)."""
    return plain(app.screen.query_one(selector, Static).content)


def plain(renderable: Any) -> str:
    if isinstance(renderable, str):
        return renderable
    if isinstance(renderable, Text):
        return renderable.plain
    console = Console(width=200, record=True, file=io.StringIO(), color_system=None)
    console.print(renderable)
    return console.export_text()


def app_for(services: Any, pack: str) -> MockivApp:
    return create_app(services, pack, packs=list_packs())


async def start_practice(pilot: Pilot[Any]) -> PracticeScreen:
    await until(pilot, lambda: showing(pilot.app, HomeScreen), "home")
    await pilot.press("p")
    await until(pilot, lambda: showing(pilot.app, PracticeScreen), "practice")
    screen = pilot.app.screen
    assert isinstance(screen, PracticeScreen)
    await until(pilot, lambda: screen.phase in ("typing", "ready"), "ready to answer")
    return screen


async def open_practice(pilot: Pilot[Any]) -> PracticeScreen:
    """From home into practice with a microphone: the screen is there, whatever the engine is doing."""
    await until(pilot, lambda: showing(pilot.app, HomeScreen), "home")
    await pilot.press("p")
    await until(pilot, lambda: any(isinstance(s, PracticeScreen) for s in pilot.app.screen_stack), "practice")
    [screen] = [s for s in pilot.app.screen_stack if isinstance(s, PracticeScreen)]
    return screen


async def start_rehearsal(pilot: Pilot[Any]) -> RehearsalScreen:
    """From home to the first question of a rehearsal, its thinking time skipped."""
    await until(pilot, lambda: showing(pilot.app, HomeScreen), "home")
    await pilot.press("t")
    await until(pilot, lambda: showing(pilot.app, RehearsalScreen), "rehearsal")
    screen = pilot.app.screen
    assert isinstance(screen, RehearsalScreen)
    await pilot.press("ctrl+s")  # skip the thinking time
    return screen


async def type_answer(pilot: Pilot[Any], text: str = TYPED) -> None:
    area = pilot.app.screen.query_one("#typed", TextArea)
    area.focus()
    area.insert(text)
    await pilot.press("ctrl+s")


# ---------------------------------------------------------------------------------------------------- home


async def test_home_lists_packs_switches_mode_and_shows_recent_sessions(mini_pack: str, store: Any) -> None:
    old = store.create_session(mini_pack, "practice", started_at="2026-11-01T09:00:00+00:00")
    answer = store.begin_answer(old.id, question="Tell me about a project.", kind="behavioral", record_audio=False)
    spoken = timed_transcript()
    _, scored = scripted_analyze(spoken, "Tell me about a project.", "behavioral")
    store.finish_answer(answer.id, transcript=spoken, metrics=delivery.compute(spoken), result=scored, model="fake")
    store.end_session(old.id)
    app = app_for(make_services(store=store), mini_pack)
    async with app.run_test(size=SIZE) as pilot:
        await until(pilot, lambda: showing(app, HomeScreen), "home")
        packs = app.screen.query_one("#packs", OptionList)
        assert packs.get_option_at_index(packs.highlighted or 0).id == mini_pack
        await until(pilot, lambda: "2026-11-01 09:00" in text_of(app, "#recent"), "recent sessions listed")
        assert "Progress: 1 session (" in text_of(app, "#recent")
        assert "Pace" in text_of(app, "#recent") and "WPM" in text_of(app, "#recent")  # trends at a glance
        assert "practice" in text_of(app, "#mode")
        await pilot.press("m")
        assert "rehearsal" in text_of(app, "#mode")
        assert "Mini pack for tests" in text_of(app, "#pack-detail")
        await pilot.press("q")
    assert app.return_code == 0


async def test_unavailable_pieces_are_said_once_on_home_not_over_the_sessions(mini_pack: str) -> None:
    services = make_services()
    services.unavailable = ["no microphone found: type your answer", "speech output is not installed yet"]
    app = app_for(services, mini_pack)
    async with app.run_test(size=SIZE) as pilot:
        await until(pilot, lambda: showing(app, HomeScreen), "home")
        notice = text_of(app, "#home-notice")
        assert notice.startswith("Running with less: no microphone found") and "speech output" in notice
        # A line of the screen, not a toast over the recent sessions at 80x24.
        assert not [n for n in app._notifications if "microphone" in n.message]
        await start_practice(pilot)


# ---------------------------------------------------------------------------------------------------- practice


async def test_practice_typed_answer_feedback_follow_up_retry_and_report(mini_pack: str, store: Any) -> None:
    services = make_services(store=store)
    app = app_for(services, mini_pack)
    async with app.run_test(size=SIZE) as pilot:
        screen = await start_practice(pilot)
        # The question is on screen and was spoken; with no microphone the state says to type.
        assert "proudest" in text_of(app, "#question")
        assert services.speaker.said[0] == "Tell me about the project you are proudest of."  # type: ignore[union-attr]
        assert screen.query_one(StateLine).state == "typing"
        assert not screen.query_one(LevelMeter).display
        await type_answer(pilot)
        await until(pilot, lambda: showing(app, FeedbackScreen), "feedback")
        feedback = app.screen
        assert "[Um,]" in text_of(app, "#fb-transcript")  # the filler is marked in the transcript
        findings = text_of(app, "#fb-findings")
        assert "Opens with filler" in findings and "opens-with-filler" not in findings  # a title, not the id
        assert "Fix: Start with the headline" in findings
        assert "“Um,”" in findings  # the evidence quotes the candidate's words
        assert "You quantified the outcome." in text_of(app, "#fb-strengths")
        # The follow-up is the finding's, on screen and asked aloud.
        assert "What exactly was your part in that?" in text_of(app, "#fb-follow-up")
        await until(pilot, lambda: services.speaker.said[-1] == "What exactly was your part in that?",  # type: ignore[union-attr]
                    "follow-up spoken")
        await pilot.press("a")
        await until(pilot, lambda: app.screen is screen and screen.phase == "typing", "follow-up asked")
        assert text_of(app, "#question") == "What exactly was your part in that?"
        assert "follow-up" in text_of(app, "#progress")
        await type_answer(pilot, "I designed the retry queue and wrote the alerting.")
        await until(pilot, lambda: showing(app, FeedbackScreen) and app.screen is not feedback,
                    "feedback on the follow-up")
        await pilot.press("r")  # retry the same question
        await until(pilot, lambda: app.screen is screen and screen.phase == "typing", "retry")
        assert text_of(app, "#question") == "What exactly was your part in that?"
        assert screen.query_one("#typed", TextArea).text == ""
        await pilot.press("escape")
        await until(pilot, lambda: showing(app, ReportScreen), "report")
    sessions = store.list_sessions()
    assert len(sessions) == 1 and sessions[0].status == "done" and sessions[0].done_count == 2
    detail = store.get_session(sessions[0].id)
    assert detail.answers[0].transcript["text"] == TYPED
    assert detail.answers[0].latest.findings[0]["rule"] == "opens-with-filler"


async def test_a_spoken_answer_ends_by_itself_on_the_pause_and_is_kept(mini_pack: str, store: Any) -> None:
    transcriber = FakeTranscriber()
    services = make_services(microphone=True, store=store, transcriber=transcriber)
    app = app_for(services, mini_pack)
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_practice(pilot)
        assert not screen.query_one("#typed", TextArea).display
        # No key at all: the microphone opens after the question, the tone starts the answer, the pause ends it.
        await until(pilot, lambda: showing(app, FeedbackScreen), "feedback")
        assert "microphone answer" in text_of(app, "#fb-title")
        assert "⏸" in text_of(app, "#fb-transcript")  # the timed transcript shows its pause
        assert "WPM" in text_of(app, "#fb-metrics")
    assert transcriber.calls >= 1  # decoded piece by piece while it was heard
    answer = store.get_session(store.list_sessions()[0].id).answers[0]
    assert answer.status == "done" and answer.model == "fake-whisper"
    assert answer.audio_path is not None and answer.audio_path.name.endswith(".wav")
    assert not answer.audio_path.name.endswith(".partial.wav") and answer.audio_path.exists()
    assert answer.latest is not None


async def test_space_still_ends_an_answer_and_the_meter_moves(mini_pack: str, store: Any) -> None:
    services = make_services(microphone=True, store=store)
    FakeMicrophone.script, FakeMicrophone.speed = KEEPS_TALKING, 1.0
    app = app_for(services, mini_pack)
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_practice(pilot)
        await until(pilot, lambda: screen.phase == "recording", "the first word starts the answer")
        assert screen.query_one(StateLine).state == "recording"
        await until(pilot, lambda: screen.query_one(LevelMeter).level > 0.5, "level meter moves")
        await pilot.press("space")
        await until(pilot, lambda: showing(app, FeedbackScreen), "feedback")
    assert FakeMicrophone.instances[0].stopped.is_set()


async def test_quitting_while_answering_keeps_the_recording(mini_pack: str, store: Any) -> None:
    services = make_services(microphone=True, store=store)
    FakeMicrophone.script, FakeMicrophone.speed = KEEPS_TALKING, 1.0
    app = app_for(services, mini_pack)
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_practice(pilot)
        await until(pilot, lambda: screen.phase == "recording", "answering")
        await pilot.press("ctrl+q")
    with Store.open() as reopened:  # quitting closed the app's store
        [answer] = reopened.get_session(reopened.list_sessions()[0].id).answers
    assert answer.status == "interrupted"  # kept, and resumable: not thrown away, not 'done'
    kept = answer.final_audio_path  # the recorder renamed the partial file: a complete WAV
    assert kept is not None and kept.exists() and not kept.name.endswith(".partial.wav")
    assert FakeMicrophone.instances[0].stopped.is_set()


async def test_skipping_a_question_while_listening_keeps_the_audio_and_moves_on(mini_pack: str, store: Any) -> None:
    services = make_services(microphone=True, store=store)
    FakeMicrophone.script, FakeMicrophone.speed = ((600.0, 0.0),), 1.0  # the candidate says nothing
    app = app_for(services, mini_pack)
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_practice(pilot)
        await until(pilot, lambda: screen.phase == "listening", "listening")
        await pilot.press("ctrl+n")
        await until(pilot, lambda: "time you failed" in text_of(app, "#question"), "the next question")
        first = FakeMicrophone.instances[0]
        await until(pilot, lambda: first.stopped.is_set(), "the first microphone closed")
        await until(pilot, lambda: store.get_session(store.list_sessions()[0].id).answers[0].status == "skipped",
                    "the skipped answer recorded as such")
    answer = store.get_session(store.list_sessions()[0].id).answers[0]
    assert answer.audio_path is not None and answer.audio_path.exists()  # what the microphone heard is kept


async def test_the_time_budget_ends_a_spoken_answer_with_one_line(mini_pack: str, store: Any) -> None:
    services = make_services(microphone=True, store=store)
    FakeMicrophone.script, FakeMicrophone.speed = KEEPS_TALKING, 100.0  # a minute of talking in 0.6 s
    app = app_for(services, mini_pack)
    async with app.run_test(size=SIZE) as pilot:
        await open_practice(pilot)
        await until(pilot, lambda: showing(app, FeedbackScreen), "feedback")
        budget = [n.message for n in app._notifications if "budget" in n.message]
        assert budget == ["time: stopped at the 60 s budget"]
    recorded = FakeMicrophone.instances[0].blocks
    # At the budget, counted from the first word (0.25 s in), give or take the 50 ms poll (5 s of audio here).
    assert 60.0 <= sum(b.size for b in recorded) / 16_000 <= 66.0


async def test_a_silent_microphone_ends_the_answer_with_one_line(mini_pack: str, store: Any) -> None:
    services = make_services(microphone=True, store=store)
    FakeMicrophone.script, FakeMicrophone.speed = ((600.0, 0.0),), 100.0
    app = app_for(services, mini_pack)
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_practice(pilot)
        await until(pilot, lambda: any("microphone is silent" in n.message for n in app._notifications),
                    "the silent-microphone line")
        await until(pilot, lambda: screen.phase == "ready", "ready to answer again")
        silent = [n.message for n in app._notifications if "silent" in n.message]
        assert len(silent) == 1 and "not muted" in silent[0]
    # The mini pack's first question has 5 s of thinking time: 15 + 5 s of silence, then the line (give or take
    # the 50 ms poll: 5 s here).
    assert 20.0 <= sum(b.size for b in FakeMicrophone.instances[0].blocks) / 16_000 <= 26.0
    [answer] = store.get_session(store.list_sessions()[0].id).answers
    assert answer.audio_path is not None and answer.audio_path.exists()  # the recording is kept


async def test_answer_from_an_audio_file(mini_pack: str, tmp_path: Path, store: Any) -> None:
    import numpy as np
    import soundfile

    clip = tmp_path / "answer.wav"
    soundfile.write(str(clip), (0.1 * np.sin(np.arange(16_000) / 4)).astype(np.float32), 16_000)
    broken = tmp_path / "broken.wav"
    broken.write_bytes(b"RIFF")
    app = app_for(make_services(store=store), mini_pack)
    async with app.run_test(size=SIZE) as pilot:
        await start_practice(pilot)
        await pilot.press("ctrl+o")
        field = app.screen.query_one("#file-path")
        assert field.display and field.has_focus
        field.value = str(tmp_path / "missing.wav")  # type: ignore[attr-defined]
        await pilot.press("enter")
        await until(pilot, lambda: any("No audio file" in n.message for n in app._notifications), "missing file")
        field.value = str(broken)  # type: ignore[attr-defined]
        await pilot.press("enter")
        await until(pilot, lambda: any("broken.wav" in n.message for n in app._notifications), "a bad file")
        await pilot.press("ctrl+o")
        field.value = str(clip)  # type: ignore[attr-defined]
        await pilot.press("enter")
        await until(pilot, lambda: showing(app, FeedbackScreen), "feedback")
        assert "audio-file answer" in text_of(app, "#fb-title")
    # The session keeps its own copy of the audio: the original can go.
    clip.unlink()
    [answer] = store.get_session(store.list_sessions()[0].id).answers
    assert answer.audio_path is not None and answer.audio_path.exists() and answer.audio_path != clip
    assert str(answer.audio_path).startswith(str(store.recordings_dir))


async def test_failures_become_notices_and_the_candidate_can_type_instead(mini_pack: str) -> None:
    class BrokenTranscriber(FakeTranscriber):
        def transcribe(self, audio: Any, offset_s: float = 0.0, context: str = "") -> Any:
            raise RuntimeError("decoder exploded\nwith a second line")

    app = app_for(make_services(microphone=True, transcriber=BrokenTranscriber()), mini_pack)
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_practice(pilot)
        await until(pilot, lambda: any(n.message == "the recording failed: decoder exploded"
                                       for n in app._notifications), "notice")
        await until(pilot, lambda: screen.phase == "ready", "back to answering")
        assert app.screen is screen  # nothing crashed


async def test_a_model_that_fails_to_load_is_one_notice(mini_pack: str) -> None:
    def broken() -> Any:
        raise RuntimeError("model.bin is missing")

    services = make_services()
    services.model = ModelHolder(broken)
    app = app_for(services, mini_pack)
    async with app.run_test(size=SIZE) as pilot:
        await until(pilot, lambda: any("model.bin is missing" in n.message for n in app._notifications), "notice")
        await start_practice(pilot)
        await type_answer(pilot)  # typed answers need no model
        await until(pilot, lambda: showing(app, FeedbackScreen), "feedback")


async def test_follow_ups_asked_unbidden_with_practice_follow_ups(mini_pack: str) -> None:
    services = make_services()
    services.follow_ups = 1  # `mockiv practice --follow-ups 1`
    app = app_for(services, mini_pack)
    async with app.run_test(size=SIZE) as pilot:
        screen = await start_practice(pilot)
        await type_answer(pilot)
        await until(pilot, lambda: showing(app, FeedbackScreen), "feedback")
        await pilot.press("n")  # "next": the follow-up comes first, as an interviewer would ask it
        await until(pilot, lambda: app.screen is screen and screen.phase == "typing", "the follow-up")
        assert "What exactly was your part in that?" in text_of(app, "#question")
        assert "follow-up" in text_of(app, "#progress")
        await type_answer(pilot)
        await until(pilot, lambda: showing(app, FeedbackScreen), "feedback on the follow-up")
        await pilot.press("n")  # one follow-up per question: now the next question
        await until(pilot, lambda: app.screen is screen and "time you failed" in text_of(app, "#question"), "q2")


async def test_skip_moves_on_and_the_last_question_ends_in_the_report(mini_pack: str) -> None:
    app = app_for(make_services(), mini_pack)
    async with app.run_test(size=SIZE) as pilot:
        screen = await start_practice(pilot)
        await pilot.press("ctrl+n")
        await until(pilot, lambda: "time you failed" in text_of(app, "#question"), "second question")
        assert "question 2 of 2" in text_of(app, "#progress")
        await until(pilot, lambda: screen.phase == "typing", "typing")
        await type_answer(pilot)
        await until(pilot, lambda: showing(app, FeedbackScreen), "feedback")
        await pilot.press("n")
        await until(pilot, lambda: showing(app, ReportScreen), "report after the last question")
        assert "1 skipped" in text_of(app, "#report-overview")


# ---------------------------------------------------------------------------------------------------- rehearsal


async def test_rehearsal_counts_down_stops_at_budget_and_reports_against_earlier_runs(
        mini_pack: str, store: Any, clock: Any) -> None:
    services = make_services(microphone=True, store=store)
    services.clock = clock
    app = app_for(services, mini_pack)

    async def rehearse(pilot: Pilot[Any]) -> None:
        FakeMicrophone.script, FakeMicrophone.speed = KEEPS_TALKING, 1.0
        await until(pilot, lambda: showing(app, HomeScreen), "home")
        await pilot.press("t")
        await until(pilot, lambda: showing(app, RehearsalScreen), "rehearsal")
        screen = app.screen
        await until(pilot, lambda: screen.phase == "thinking-time", "thinking time")  # type: ignore[attr-defined]
        assert "think" in plain(screen.query_one(AnswerClock).render())
        clock.advance(5.1)
        await until(pilot, lambda: screen.phase == "recording", "the mic opens after thinking")  # type: ignore[attr-defined]
        clock.advance(30)
        await pilot.pause(0.1)
        assert "0:30 left of 1:00" in plain(screen.query_one(AnswerClock).render())
        FakeMicrophone.speed = 400.0  # the rest of the 60 s budget at once: the answer stops by itself
        await until(pilot, lambda: "time you failed" in text_of(app, "#question"), "second question")
        assert not any(isinstance(s, FeedbackScreen) for s in app.screen_stack)
        await until(pilot, lambda: showing(app, ReportScreen), "report")  # the 30 s budget, at once too

    async with app.run_test(size=SIZE) as pilot:
        await rehearse(pilot)
        await until(pilot, lambda: "first run of this pack" in text_of(app, "#comparison"), "no earlier run")
        await pilot.press("escape")
        await rehearse(pilot)
        await until(pilot, lambda: "Since the last run" in text_of(app, "#comparison"), "compared with run 1")
        assert "Three growth areas" in text_of(app, "#growth")
        growth = text_of(app, "#growth")
        assert "The answer opens with a filler. (answers 1, 2)" in growth and "“Um,”" in growth
        assert "Why: The first seconds set the interviewer's impression." in growth
        assert "Pace per answer" in text_of(app, "#pace") and "Q2" in text_of(app, "#pace")
        assert "Start with the headline" in text_of(app, "#plan")
    runs = [s for s in store.list_sessions() if s.mode == "rehearsal"]
    assert len(runs) == 2 and all(r.done_count == 2 for r in runs)


async def test_rehearsal_transcribes_while_recording_without_showing_the_words(mini_pack: str, store: Any,
                                                                               clock: Any) -> None:
    transcriber = FakeTranscriber()
    services = make_services(microphone=True, store=store, transcriber=transcriber)
    services.clock = clock
    app = app_for(services, mini_pack)
    async with app.run_test(size=SIZE) as pilot:
        screen = await start_rehearsal(pilot)
        # Both answers end on their pauses, each decoded while it was heard: the next question did not wait.
        await until(pilot, lambda: showing(app, ReportScreen), "the report")
    assert transcriber.calls >= 2
    # No words on screen until the report: none are drawn, and no live previews are decoded for them.
    assert not screen.live_transcripts() and screen.engine.settings.listen.preview_every_s is None
    first, second = screen.run.results
    assert first.question == "Tell me about the project you are proudest of." and first.source == "microphone"
    assert second.question == "Tell me about a time you failed."


async def test_rehearsal_typed_answers_are_scored_against_their_own_question(mini_pack: str, clock: Any) -> None:
    services = make_services()
    services.clock = clock
    app = app_for(services, mini_pack)
    async with app.run_test(size=SIZE) as pilot:
        screen = await start_rehearsal(pilot)
        await until(pilot, lambda: screen.phase == "typing", "typing")
        await type_answer(pilot)  # the next question comes at once: no feedback in a rehearsal
        await until(pilot, lambda: "time you failed" in text_of(app, "#question"), "second question")
        await until(pilot, lambda: screen.phase == "typing", "typing the second answer")
        clock.advance(31)  # a blank page at the budget is a skipped question
        await until(pilot, lambda: showing(app, ReportScreen), "report")
        assert "1 answer · " in text_of(app, "#report-overview") and "1 skipped" in text_of(app, "#report-overview")
        [result] = screen.run.results
        assert result.question == "Tell me about the project you are proudest of." and result.kind == "behavioral"


# ---------------------------------------------------------------------------------------------------- history


async def test_history_lists_replays_rescore_and_exports(mini_pack: str, store: Any) -> None:
    services = make_services(microphone=True, store=store)
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
        session_id = store.list_sessions()[0].id
        # A newer rules version: re-scoring keeps the old result and adds the new one.
        services.analyzer = Analyzer(functools.partial(scripted_analyze, rules_version="test-2"))
        await pilot.press("r")
        await until(pilot, lambda: len(store.get_session(session_id).answers[0].results) == 2, "rescored")
        await pilot.press("e")
        exports = Path(store.root) / "exports"
        await until(pilot, lambda: exports.is_dir() and len(list(exports.iterdir())) == 2, "exported")
        assert {p.suffix for p in exports.iterdir()} == {".md", ".html"}
        await pilot.press("enter")
        await until(pilot, lambda: showing(app, ReplayScreen), "replay")
        replay = app.screen
        assert isinstance(replay, ReplayScreen)
        await until(pilot, lambda: "billing" in plain(replay.query_one(HighlightedTranscript).render()), "transcript")
        assert "with sound" in text_of(app, "#replay-status")
        services.clock = lambda: 100.0
        await pilot.press("space")
        assert services.player.played and services.player.played[0][1] == 0.0  # type: ignore[union-attr]
        services.clock = lambda: 101.0  # one second in: the second word is being spoken
        await until(pilot, lambda: replay.query_one(HighlightedTranscript).current == 1, "word highlighted")
        await pilot.press("space")
        assert "paused" in text_of(app, "#replay-status")
        await pilot.press("escape")
        await until(pilot, lambda: showing(app, HistoryScreen), "back to history")


def test_word_at_follows_the_word_being_spoken() -> None:
    starts = [0.5, 0.9, 1.3]
    assert word_at(starts, 0.0) is None
    assert word_at(starts, 0.5) == 0
    assert word_at(starts, 1.0) == 1
    assert word_at(starts, 99) == 2


def test_the_fake_answer_has_a_filler_for_the_screens_to_mark() -> None:
    assert SPOKEN_ANSWER.startswith("Um,")


@pytest.mark.parametrize("size", [(80, 24), (120, 40)])
async def test_every_action_is_in_the_footer(mini_pack: str, size: tuple[int, int]) -> None:
    services = make_services(microphone=True)
    FakeMicrophone.script, FakeMicrophone.speed = KEEPS_TALKING, 1.0
    app = app_for(services, mini_pack)
    async with app.run_test(size=size) as pilot:
        screen = await open_practice(pilot)
        await until(pilot, lambda: screen.phase == "recording", "answering")
        keys = {key for key, active in screen.active_bindings.items() if active.binding.show and active.enabled}
        assert {"space", "ctrl+s", "ctrl+o", "ctrl+r", "ctrl+n", "escape"} <= keys
        # ... and the footer draws every one of them inside the screen, even at 80 columns.
        shown = list(screen.query(FooterKey))
        assert {k.action for k in shown} >= {"toggle_recording", "submit", "audio_file", "repeat", "skip", "end"}
        assert all(k.region.right <= size[0] and k.region.width > 0 for k in shown)


async def test_a_store_failure_is_a_notice_and_the_interview_goes_on(mini_pack: str, store: Any) -> None:
    class FullDisk:
        def __init__(self, inner: Any) -> None:
            self.inner = inner

        def __getattr__(self, name: str) -> Any:
            return getattr(self.inner, name)

        def finish_answer(self, *args: Any, **kwargs: Any) -> Any:
            raise OSError(28, "No space left on device")

    app = app_for(make_services(store=FullDisk(store)), mini_pack)
    async with app.run_test(size=SIZE) as pilot:
        await start_practice(pilot)
        await type_answer(pilot)
        await until(pilot, lambda: showing(app, FeedbackScreen), "feedback despite the store")
        await until(pilot, lambda: any("could not save the answer" in n.message for n in app._notifications),
                    "a notice about the store")


async def test_an_answer_given_while_the_model_loads_says_loading_then_gets_feedback(mini_pack: str) -> None:
    release = threading.Event()

    def slow_model() -> Any:
        release.wait(30)
        return FakeTranscriber()

    services = make_services(microphone=True)
    services.model = ModelHolder(slow_model)
    app = app_for(services, mini_pack)
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_practice(pilot)  # the first question does not wait for the model
        await until(pilot, lambda: screen.query_one(StateLine).state == "loading", "the loading state")
        release.set()
        await until(pilot, lambda: showing(app, FeedbackScreen), "feedback once the model is ready")
