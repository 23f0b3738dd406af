"""The real wiring: what `mockiv app` gets on a machine without a microphone or speech, and crash recovery."""

from __future__ import annotations

import sqlite3
import threading
import time
from pathlib import Path

import pytest

from mockiv.engine.listening import meter_level
from mockiv.store import Store
from mockiv.tui.real import AudioPlayer
from mockiv.tui.reporting import RunFigures, compare_line
from mockiv.tui.services import build_services
from tests.live.conftest import pulse_reachable


def test_without_microphone_or_speech_the_services_say_so_and_keep_the_rest(private_home: Path) -> None:
    services = build_services(tts=False, microphone=False)
    try:
        assert services.microphone is None and services.speaker is None
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


@pytest.mark.audio
def test_the_replay_player_reports_what_was_heard_and_starts_mid_way(private_home: Path, tmp_path: Path) -> None:
    reason = pulse_reachable()
    if reason:
        pytest.skip(reason)
    import numpy as np
    import soundfile

    clip = tmp_path / "answer.wav"
    soundfile.write(str(clip), (0.1 * np.sin(np.linspace(0, 2 * np.pi * 440 * 1.5, 24_000))).astype(np.float32),
                    16_000)
    player = AudioPlayer()
    heard: list[float] = []
    done = threading.Thread(target=player.play, args=(clip, 0.5))
    done.start()
    while done.is_alive():
        if player.position is not None:
            heard.append(player.position)
        time.sleep(0.02)
    assert heard and heard == sorted(heard)  # the position only moves forward
    assert heard[0] >= 0.5 and 1.0 < heard[-1] <= 1.5  # it started half-way and played on towards the end
    assert player.position is None  # and says so when it stops
