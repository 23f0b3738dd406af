"""The store's API: sessions and answers committed as they happen, results kept per rules version, privacy."""

from __future__ import annotations

import os
import sqlite3
import stat
from pathlib import Path

import pytest

from mockiv.core.findings import Finding
from mockiv.core.transcript import Transcript
from mockiv.errors import UserInputError
from mockiv.store import NotFoundError, Store
from tests.store.helpers import analysed, populate, rule_result, write_wav


def _mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


def test_a_session_round_trips_with_its_transcript_metrics_and_result(store: Store) -> None:
    session = store.create_session("general", "rehearsal")
    answer = store.begin_answer(session.id, question="Tell me about a failure", kind="failure", question_id="q7")
    assert answer.status == "recording" and answer.audio_path.name.endswith(".partial.wav")
    transcript, metrics = analysed()
    done = store.finish_answer(answer.id, transcript=transcript, metrics=metrics, result=rule_result(transcript),
                               model="tiny.en")
    assert done.status == "done" and done.duration_s == metrics["duration_s"]
    detail = store.get_session(session.id)
    stored = detail.answer(1)
    assert stored.question_id == "q7" and stored.kind == "failure" and stored.model == "tiny.en"
    assert Transcript.from_dict(stored.transcript) == transcript  # word timings survive
    assert stored.metrics["fillers_per_min"] == metrics["fillers_per_min"]
    findings = [Finding.from_dict(f) for f in stored.latest.findings]
    assert findings[0].rule == "we-without-i" and findings[0].evidence[0].text == "Um, so"
    assert stored.latest.result["strengths"][0]["signal"] == "ownership"
    assert detail.session.mode == "rehearsal" and detail.session.done_count == 1


def test_answers_are_committed_before_and_after_recording(store: Store) -> None:
    """A second connection (another process) sees the answer the moment begin/finish return."""
    session = store.create_session("general")
    answer = store.begin_answer(session.id, question="Q", kind="intro")
    other = sqlite3.connect(store.path)
    assert other.execute("SELECT status FROM answers WHERE id = ?", (answer.id,)).fetchone() == ("recording",)
    transcript, metrics = analysed()
    store.finish_answer(answer.id, transcript=transcript, metrics=metrics)
    assert other.execute("SELECT status FROM answers WHERE id = ?", (answer.id,)).fetchone() == ("done",)
    other.close()


def test_rescoring_keeps_every_rules_version_and_findings_carry_theirs(store: Store) -> None:
    session = store.create_session("general")
    answer = store.begin_answer(session.id, question="Q", kind="behavioral", record_audio=False)
    transcript, metrics = analysed()
    store.finish_answer(answer.id, transcript=transcript, metrics=metrics, model="tiny.en",
                        result=rule_result(transcript, "2026.1", ("we-without-i", "no-outcome")))
    store.record_result(answer.id, rule_result(transcript, "2026.2", ("we-without-i",)), model="tiny.en")
    store.record_result(answer.id, rule_result(transcript, "2026.2", ("hedging",)), model="small.en")
    # the same (rules_version, model) again replaces only that result
    store.record_result(answer.id, rule_result(transcript, "2026.2", ("we-without-i", "rambling")), model="tiny.en")
    stored = store.get_answer(answer.id)
    assert {(r.rules_version, r.model) for r in stored.results} == {
        ("2026.1", "tiny.en"), ("2026.2", "tiny.en"), ("2026.2", "small.en")}
    assert [f["rule"] for f in stored.result_for("2026.1").findings] == ["we-without-i", "no-outcome"]
    assert [f["rule"] for f in stored.result_for("2026.2", "tiny.en").findings] == ["we-without-i", "rambling"]
    rows = sqlite3.connect(store.path).execute(
        "SELECT rules_version, rule FROM findings ORDER BY rules_version, rule").fetchall()
    assert rows == [("2026.1", "no-outcome"), ("2026.1", "we-without-i"), ("2026.2", "hedging"),
                    ("2026.2", "rambling"), ("2026.2", "we-without-i")]


def test_a_result_without_rules_version_is_refused(store: Store) -> None:
    session = store.create_session("general")
    answer = store.begin_answer(session.id, question="Q", record_audio=False)
    with pytest.raises(ValueError, match="rules_version"):
        store.record_result(answer.id, {"findings": []})


def test_files_and_folders_are_private_even_with_a_permissive_umask(home: Path) -> None:
    old = os.umask(0o022)
    try:
        with Store.open() as store:
            populate(store, sessions=1, answers=1)
            session = store.list_sessions()[0]
            answer = store.get_session(session.id).answers[0]
            store.begin_answer(session.id, question="Q2")  # a write that leaves a -wal file behind
            assert _mode(store.path) == 0o600
            assert _mode(Path(f"{store.path}-wal")) == 0o600
            assert _mode(store.recordings_dir) == 0o700
            assert _mode(store.recordings_dir / session.id) == 0o700
            assert answer.audio_path is not None and answer.audio_path.exists()
    finally:
        os.umask(old)
    assert _mode(home) == 0o700


def test_pragmas_wal_full_foreign_keys(store: Store) -> None:
    conn = store._conn  # the connection the store writes through
    assert conn.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    assert conn.execute("PRAGMA synchronous").fetchone()[0] == 2  # FULL
    assert conn.execute("PRAGMA foreign_keys").fetchone()[0] == 1
    assert conn.execute("PRAGMA busy_timeout").fetchone()[0] == 5000


def test_ids_resolve_by_prefix_and_reject_anything_else(store: Store) -> None:
    session = store.create_session("general")
    assert store.resolve_session_id(session.id[:6].upper()) == session.id
    with pytest.raises(NotFoundError, match="no session"):
        store.resolve_session_id("ffff" if not session.id.startswith("ffff") else "0000")
    for bad in ("../../etc/passwd", "abc", "1234%", ""):
        with pytest.raises(UserInputError, match="not a session id"):
            store.resolve_session_id(bad)
    with pytest.raises(UserInputError, match="not a session id"):
        store.session_dir("../outside")


def test_an_ambiguous_prefix_asks_for_more(store: Store) -> None:
    store.create_session("general", session_id="abcd" + "0" * 28)
    store.create_session("general", session_id="abcd" + "1" * 28)
    with pytest.raises(UserInputError, match="ambiguous"):
        store.resolve_session_id("abcd")
    assert store.resolve_session_id("abcd1") == "abcd" + "1" * 28


def test_the_final_recording_is_stored_once_the_recorder_renamed_it(store: Store) -> None:
    session = store.create_session("general")
    answer = store.begin_answer(session.id, question="Q")
    write_wav(answer.audio_path).replace(answer.final_audio_path)
    transcript, metrics = analysed()
    done = store.finish_answer(answer.id, transcript=transcript, metrics=metrics)
    assert done.audio_path == answer.final_audio_path and not done.partial


def test_audio_paths_follow_the_data_folder_when_it_moves(tmp_path: Path) -> None:
    first = tmp_path / "one"
    with Store.open(first / "mockiv.db") as store:
        populate(store, sessions=1, answers=1)
    first.rename(tmp_path / "two")
    with Store.open(tmp_path / "two" / "mockiv.db") as store:
        answer = store.get_session(store.list_sessions()[0].id).answers[0]
        assert answer.audio_path.is_relative_to(tmp_path / "two") and answer.audio_path.exists()


def test_delete_removes_rows_results_and_recordings(store: Store) -> None:
    keep, gone = populate(store, sessions=2, answers=2)
    folder = store.recordings_dir / gone
    assert any(folder.iterdir())
    store.delete_session(gone[:8])
    assert not folder.exists()
    assert [s.id for s in store.list_sessions()] == [keep]
    conn = sqlite3.connect(store.path)
    assert conn.execute("SELECT COUNT(*) FROM answers WHERE session_id = ?", (gone,)).fetchone() == (0,)
    assert conn.execute("SELECT COUNT(*) FROM results").fetchone() == (2,)  # the other session's two
    assert conn.execute("SELECT COUNT(*) FROM findings").fetchone() == (4,)
    with pytest.raises(NotFoundError):
        store.get_session(gone)


def test_list_is_newest_first_with_counts(store: Store) -> None:
    ids = populate(store, sessions=3, answers=2)
    listed = store.list_sessions()
    assert [s.id for s in listed] == ids[::-1]
    assert all(s.answer_count == 2 and s.done_count == 2 and s.status == "done" for s in listed)
    assert [s.id for s in store.list_sessions(limit=1, offset=1)] == [ids[1]]
    assert store.count_sessions() == 3


def test_an_interrupted_answer_leaves_the_session_resumable(store: Store) -> None:
    session = store.create_session("general")
    first = store.begin_answer(session.id, question="Q1", question_id="q1")
    transcript, metrics = analysed()
    store.finish_answer(first.id, transcript=transcript, metrics=metrics)
    second = store.begin_answer(session.id, question="Q2", question_id="q2")
    store.mark_interrupted(second.id)
    listed = store.list_sessions()[0]
    assert listed.status == "interrupted" and listed.resumable and listed.unfinished_count == 1
    resumed = store.reopen_session(session.id)
    assert resumed.session.status == "active"
    assert [(a.question_id, a.status) for a in resumed.answers] == [("q1", "done"), ("q2", "interrupted")]
    third = store.begin_answer(session.id, question="Q2 again", question_id="q2")
    assert third.position == 3


def test_an_answer_of_a_missing_session_is_refused(store: Store) -> None:
    with pytest.raises(NotFoundError):
        store.begin_answer("0" * 32, question="Q", record_audio=False)
    with pytest.raises(UserInputError, match="mode"):
        store.create_session("general", "exam")
