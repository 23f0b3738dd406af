"""A session survives anything: kill -9 or Ctrl-C mid-answer, then `mockiv sessions repair`."""

from __future__ import annotations

import json
import os
import select
import signal
import sqlite3
import struct
import subprocess
import sys
from pathlib import Path

import pytest
import soundfile

from mockiv.cli import main
from mockiv.store import Store, repair_wav
from tests.store.helpers import populate, write_wav

REPO = Path(__file__).resolve().parents[2]


def _record_until_killed(home: Path, signum: int, *extra: str) -> list[str]:
    env = dict(os.environ, MOCKIV_HOME=str(home), PYTHONPATH=str(REPO))
    child = subprocess.Popen([sys.executable, "-m", "tests.store.record_child", *extra], cwd=REPO, env=env,
                             stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        ready, _, _ = select.select([child.stdout], [], [], 60)
        assert ready, "the recording process never got going"
        line = child.stdout.readline().split()
        assert line[:1] == ["READY"], child.stderr.read()
        child.send_signal(signum)
        child.wait(timeout=30)
    finally:
        if child.poll() is None:
            child.kill()
            child.wait()
    assert child.returncode != 0  # it died mid-answer; nothing got to clean up
    return line[1:]


@pytest.mark.parametrize("signum", [signal.SIGKILL, signal.SIGINT], ids=["kill-9", "ctrl-c"])
def test_a_recording_killed_mid_answer_survives_and_repair_recovers_it(
        home: Path, signum: int, capsys: pytest.CaptureFixture[str]) -> None:
    session_id, answer_id = _record_until_killed(home, signum)

    # What survives, before anything repairs it: both answers' rows and the partial audio.
    conn = sqlite3.connect(home / "mockiv.db")
    rows = conn.execute("SELECT question_id, status FROM answers ORDER BY position").fetchall()
    assert rows == [("q1", "done"), ("q2", "recording")]
    assert conn.execute("SELECT COUNT(*) FROM results").fetchone() == (1,)
    conn.close()
    partial = home / "recordings" / session_id / f"{answer_id}.partial.wav"
    assert partial.stat().st_mode & 0o077 == 0
    assert soundfile.info(str(partial)).frames >= 12 * 1600  # every fsynced block is readable

    assert main(["sessions", "repair", "--json"]) == 0
    report = json.loads(capsys.readouterr().out)
    (recovered,) = report["interrupted_answers"]
    assert recovered["answer_id"] == answer_id and recovered["position"] == 2
    assert recovered["audio_s"] >= 1.2 and recovered["problem"] is None
    assert report["sessions_marked_interrupted"] == [session_id]

    with Store.open() as store:
        listed = store.list_sessions()[0]
        assert listed.id == session_id and listed.status == "interrupted" and listed.resumable
        first, second = store.get_session(session_id).answers
        assert first.status == "done" and first.latest is not None and first.audio_path.exists()
        assert second.status == "interrupted" and second.partial and second.audio_path == partial
        assert second.duration_s == pytest.approx(recovered["audio_s"], abs=0.01)
        assert store.reopen_session(session_id).session.status == "active"
        store.end_session(session_id, "interrupted")

    assert main(["sessions", "show", session_id]) == 0
    assert "partial recording" in capsys.readouterr().out
    assert main(["sessions", "repair"]) == 0  # idempotent
    assert "Nothing to repair" in capsys.readouterr().out


@pytest.mark.audio
@pytest.mark.skipif(not os.environ.get("PULSE_SERVER"),
                    reason="no virtual microphone: run through scripts/test (it starts scripts/pulse)")
def test_mockivs_own_recorder_killed_mid_answer(home: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """The real capture path (PortAudio -> queue -> incremental WAV) under kill -9, then repair."""
    pytest.importorskip("mockiv.audio.capture", exc_type=ImportError)
    session_id, answer_id, on_disk = _record_until_killed(home, signal.SIGKILL, "--microphone")
    partial = home / "recordings" / session_id / f"{answer_id}.partial.wav"
    assert int(on_disk) >= 8_000 and soundfile.info(str(partial)).frames >= int(on_disk)  # nothing written lost
    assert main(["sessions", "repair", "--json"]) == 0
    (recovered,) = json.loads(capsys.readouterr().out)["interrupted_answers"]
    assert recovered["answer_id"] == answer_id and recovered["audio_s"] >= int(on_disk) / 16_000
    with Store.open() as store:
        second = store.get_session(session_id).answer(2)
        assert second.status == "interrupted" and second.audio_path == partial


def test_a_live_recording_is_left_alone(store: Store) -> None:
    session = store.create_session("general")
    mine = store.begin_answer(session.id, question="being recorded by this very process")
    other = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(60)"])
    try:
        theirs = store.begin_answer(session.id, question="being recorded by another live process")
        store._conn.execute("UPDATE answers SET recorder_pid = ? WHERE id = ?", (other.pid, theirs.id))
        store._conn.execute("UPDATE sessions SET owner_pid = ? WHERE id = ?", (other.pid, session.id))
        assert not store.repair().changed
        assert {a.status for a in store.get_session(session.id).answers} == {"recording"}
    finally:
        other.kill()
        other.wait()
    report = store.repair()
    assert [i["answer_id"] for i in report.interrupted] == [theirs.id]
    assert store.get_answer(mine.id).status == "recording"


def test_an_orphan_partial_recording_is_attached_to_its_session(store: Store) -> None:
    (session_id,) = populate(store, sessions=1, answers=1)
    orphan = write_wav(store.recordings_dir / session_id / f"{'c' * 32}.partial.wav", 0.4)
    stray = store.recordings_dir / ("d" * 32)
    stray.mkdir()
    write_wav(stray / "x.partial.wav", 0.2)
    report = store.repair()
    assert report.attached[0]["audio_path"] == str(orphan) and report.attached[0]["position"] == 2
    assert report.unattached == [str(stray / "x.partial.wav")]
    answer = store.get_session(session_id).answer(2)
    assert answer.status == "interrupted" and answer.id == "c" * 32 and answer.duration_s == pytest.approx(0.4)
    assert not store.repair().attached  # attached once


def _wav_header(data_size: int, rate: int = 16_000) -> bytes:
    return (b"RIFF" + struct.pack("<I", 36 + data_size) + b"WAVE" + b"fmt " + struct.pack("<IHHIIHH", 16, 1, 1, rate,
            rate * 2, 2, 16) + b"data" + struct.pack("<I", data_size))


def test_a_header_that_lags_behind_the_samples_is_rewritten(tmp_path: Path) -> None:
    """An encoder that only finalises on close leaves sizes of 0 (pitfalls.md §2); half a frame trails."""
    path = tmp_path / "a.partial.wav"
    path.write_bytes(_wav_header(0) + b"\x01\x00" * 16_000 + b"\x07")
    check = repair_wav(path)
    assert check.fixed and check.frames == 16_000 and check.duration_s == 1.0
    assert soundfile.info(str(path)).frames == 16_000
    assert not repair_wav(path).fixed  # idempotent


def test_unusable_recordings_are_reported_not_deleted(tmp_path: Path) -> None:
    junk = tmp_path / "junk.partial.wav"
    junk.write_bytes(b"not audio at all")
    assert "not a WAV" in repair_wav(junk).problem
    empty = tmp_path / "empty.partial.wav"
    empty.write_bytes(b"RIFF\x00\x00\x00\x00WAVE")
    assert "before any audio" in repair_wav(empty).problem
    assert junk.exists() and empty.exists()
    header_only = tmp_path / "header.partial.wav"
    header_only.write_bytes(_wav_header(0))
    assert repair_wav(header_only).frames == 0 and repair_wav(header_only).problem is None
