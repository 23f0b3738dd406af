"""Bad input: a corrupt, locked or full database, a missing recording, a full disk. One line each, nothing lost."""

from __future__ import annotations

import errno
import os
import sqlite3
from pathlib import Path

import pytest

from mockiv.cli import main
from mockiv.store import Store, StoreCorruptError, StoreFullError, StoreLockedError
from tests.store.helpers import ANSWER_TEXT, analysed, populate, rule_result


def _one_line(capsys: pytest.CaptureFixture[str]) -> str:
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "Traceback" not in err, err
    return err


def test_a_file_that_is_not_a_database_gives_one_line_and_stays_untouched(
        home: Path, capsys: pytest.CaptureFixture[str]) -> None:
    home.mkdir(parents=True)
    db = home / "mockiv.db"
    db.write_bytes(b"this is not sqlite, it is a note the user saved by mistake\n" * 50)
    before = db.read_bytes()
    with pytest.raises(StoreCorruptError, match="damaged"):
        Store.open()
    assert main(["sessions", "list"]) == 2
    err = _one_line(capsys)
    assert "damaged" in err and "no backup exists yet" in err
    assert db.read_bytes() == before


def test_damaged_pages_are_caught_on_open_and_the_backup_is_named(
        home: Path, capsys: pytest.CaptureFixture[str]) -> None:
    with Store.open() as store:
        populate(store, sessions=20, answers=2, audio=False)
        db = store.path
        store._conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    backup = home / "backups" / "mockiv-v2-20260101T000000000000Z.db"
    backup.parent.mkdir()
    backup.write_bytes(db.read_bytes())
    data = bytearray(db.read_bytes())
    page = sqlite3.connect(db).execute("PRAGMA page_size").fetchone()[0]
    for offset in range(page * 2, len(data) - page, page * 3):  # scribble over every third page's header
        data[offset : offset + 16] = b"\xff" * 16
    db.write_bytes(bytes(data))
    assert main(["sessions", "list"]) == 2
    err = _one_line(capsys)
    assert "damaged" in err and str(backup) in err


def test_a_locked_database_gives_one_line_and_loses_nothing(home: Path) -> None:
    with Store.open() as store:
        (keep,) = populate(store, sessions=1, answers=1, audio=False)
    holder = sqlite3.connect(home / "mockiv.db", isolation_level=None)
    holder.execute("BEGIN IMMEDIATE")  # another mockiv in the middle of a write
    try:
        with Store.open(busy_timeout_s=0.1) as store:
            assert [s.id for s in store.list_sessions()] == [keep]  # WAL: reading still works
            with pytest.raises(StoreLockedError, match="locked by another mockiv process") as error:
                store.create_session("general")
            assert "\n" not in str(error.value)
            with pytest.raises(StoreLockedError):
                store.delete_session(keep)
    finally:
        holder.execute("ROLLBACK")
        holder.close()
    with Store.open() as store:
        assert [s.id for s in store.list_sessions()] == [keep]
        assert store.get_session(keep).answers[0].status == "done"
        store.create_session("general")  # and it works again once the lock is gone


def test_a_full_disk_while_saving_an_answer_keeps_everything_saved_before(store: Store) -> None:
    (earlier,) = populate(store, sessions=1, answers=1, audio=False)
    session = store.create_session("general")
    answer = store.begin_answer(session.id, question="Q", record_audio=False)
    pages = store._conn.execute("PRAGMA page_count").fetchone()[0]
    store._conn.execute(f"PRAGMA max_page_count = {pages}")  # SQLITE_FULL, as on a full disk
    transcript, metrics = analysed(" ".join([ANSWER_TEXT] * 400))
    with pytest.raises(StoreFullError, match="disk is full") as error:
        store.finish_answer(answer.id, transcript=transcript, metrics=metrics, result=rule_result(transcript))
    assert "\n" not in str(error.value)
    assert store.get_answer(answer.id).status == "recording"  # the failed write was rolled back whole
    assert store.get_session(earlier).answers[0].latest is not None
    store._conn.execute("PRAGMA max_page_count = 1073741823")
    store.finish_answer(answer.id, transcript=transcript, metrics=metrics, result=rule_result(transcript))
    assert store.get_answer(answer.id).status == "done"


def test_a_full_disk_while_exporting_leaves_the_old_report_and_no_temp_file(
        store: Store, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> None:
    (session_id,) = populate(store, sessions=1, answers=1)
    out = tmp_path / "report.html"
    out.write_text("the report from last week")

    def full(fd: int) -> None:
        raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))

    monkeypatch.setattr("mockiv.export.os.fsync", full)
    assert main(["export", session_id, "--format", "html", "--out", str(out), "--force"]) == 1
    assert "disk is full" in _one_line(capsys)
    assert out.read_text() == "the report from last week"
    assert sorted(p.name for p in tmp_path.iterdir() if p.name.startswith(".report")) == []


def test_a_missing_recording_gives_one_line_and_the_transcript_still_shows(
        store: Store, capsys: pytest.CaptureFixture[str]) -> None:
    (session_id,) = populate(store, sessions=1, answers=2)
    first = store.get_session(session_id).answers[0]
    first.audio_path.unlink()
    assert main(["replay", session_id, "--answer", "1"]) == 2
    err = _one_line(capsys)
    assert "missing" in err and "--no-audio" in err
    assert main(["replay", session_id, "--answer", "1", "--no-audio"]) == 0
    out = capsys.readouterr().out
    assert "billing" in out and "⚑we-without-i" in out
    assert main(["sessions", "show", session_id]) == 0
    assert "MISSING" in capsys.readouterr().out


def test_rescore_with_another_model_skips_a_missing_recording_with_one_line(
        store: Store, capsys: pytest.CaptureFixture[str]) -> None:
    pytest.importorskip("mockiv.analysis", reason="the rule engine has not landed", exc_type=ImportError)
    (session_id,) = populate(store, sessions=1, answers=1)
    answer = store.get_session(session_id).answers[0]
    answer.audio_path.unlink()
    assert main(["rescore", session_id, "--model", "tiny.en"]) == 0
    captured = capsys.readouterr()
    assert captured.err.count("\n") == 1 and "missing; kept its old transcript" in captured.err
    assert len(store.get_answer(answer.id).results) == 2  # re-scored on the transcript it had


def test_an_unknown_session_is_one_line(store: Store, capsys: pytest.CaptureFixture[str]) -> None:
    for command in (["sessions", "show", "abcdef"], ["replay", "abcdef"], ["export", "abcdef"],
                    ["rescore", "abcdef"], ["sessions", "delete", "abcdef", "--yes"]):
        assert main(command) == 2
        assert "no session abcdef" in _one_line(capsys)
