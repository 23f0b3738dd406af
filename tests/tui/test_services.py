"""The real wiring: what `mockiv app` gets on a machine without a microphone or speech, and crash recovery."""

from __future__ import annotations

import sqlite3
from pathlib import Path

from mockiv.store import Store
from mockiv.tui.real import meter_level
from mockiv.tui.reporting import RunFigures, compare_line
from mockiv.tui.services import build_services


def test_without_microphone_or_speech_the_services_say_so_and_keep_the_rest(private_home: Path) -> None:
    services = build_services(tts=False, microphone=False)
    try:
        assert services.recorder_factory is None and services.speaker is None
        assert any("--no-mic" in line for line in services.unavailable)
        assert services.store is not None  # sessions are still saved
        assert not services.model.done  # the model loads later, in the app's worker
    finally:
        services.close()


def test_answers_a_crash_left_recording_are_recovered_and_said_once(private_home: Path) -> None:
    with Store.open() as store:
        session = store.create_session("general", "practice")
        store.begin_answer(session.id, question="Tell me about a project.", record_audio=False)
        db = store.path
    with sqlite3.connect(db) as conn:  # the process that was recording is gone
        conn.execute("UPDATE answers SET recorder_pid = 999999999")
        conn.execute("UPDATE sessions SET owner_pid = 999999999")
    services = build_services(tts=False, microphone=False)
    try:
        assert services.notes == ["1 answer was interrupted by a crash or power cut and kept, with its audio; "
                                  "find it in History (h)"]
    finally:
        services.close()


def test_the_meter_reads_decibels_not_raw_amplitude() -> None:
    assert meter_level(0.0) == 0.0
    assert meter_level(1.0) == 1.0
    assert 0.45 < meter_level(0.03) < 0.55  # about -30 dBFS, ordinary speech, is mid-scale


def test_run_comparison_says_what_moved_in_words() -> None:
    before = RunFigures("before", 5, 180.0, 9.0, 3.0)
    now = RunFigures("now", 5, 150.0, 4.0, 3.0)
    line = compare_line(now, before)
    assert "fillers/min 9 → 4 better" in line and "findings/answer unchanged" in line and "pace 180 → 150" in line
