"""A read-only data folder or database (a backup, a read-only disk, another user's folder): the commands that
only read still work, opened read-only with nothing written; whatever needs writing says so in one line.

Root writes through file permissions, so the store is also checked directly (`Store.open_read_only`) and the
commands with the folder reported read-only; the chmod case runs as any other user, and the read-only mount in
tests/test_bad_input.py covers root.
"""

from __future__ import annotations

import hashlib
import os
from pathlib import Path

import pytest

from mockiv import cli
from mockiv.core.transcript import Transcript
from mockiv.errors import EXIT_USAGE
from mockiv.store import Store, StoreError, schema


def _one_session(home: Path) -> str:
    with Store.open() as store:
        session = store.create_session("general")
        answer = store.begin_answer(session.id, question="Tell me about a project.", record_audio=False)
        store.finish_answer(answer.id, transcript=Transcript.from_text("I led the migration and cut costs by 20%."))
        store.end_session(session.id)
    return session.id


def _state(folder: Path) -> str:
    """The database's bytes. (Where the folder is writable after all, SQLite may add the -wal and -shm index
    its readers share; in a read-only folder it cannot, and the store reads the database as immutable.)"""
    return hashlib.sha256((folder / "mockiv.db").read_bytes()).hexdigest()


def test_a_read_only_store_reads_and_writes_nothing(home: Path) -> None:
    session_id = _one_session(home)
    before = _state(home)
    with Store.open_read_only() as store:
        assert [s.id for s in store.list_sessions()] == [session_id]
        assert store.get_session(session_id).answers[0].question == "Tell me about a project."
        with pytest.raises(StoreError) as refused:
            store.create_session("general")
        assert refused.value.exit_code == EXIT_USAGE and "\n" not in str(refused.value)
    assert _state(home) == before  # no migration, no repair, no journal mode set: not a byte changed


def test_a_read_only_store_that_needs_an_upgrade_says_so(home: Path) -> None:
    _one_session(home)
    newer = (*schema.MIGRATIONS, ())  # this mockiv would migrate once more, which needs writing
    with pytest.raises(StoreError, match="older mockiv") as refused:
        Store.open_read_only(migrations=newer)
    assert refused.value.exit_code == EXIT_USAGE


def test_no_database_in_a_read_only_folder(home: Path) -> None:
    home.mkdir(parents=True)
    with pytest.raises(StoreError, match="no sessions yet") as refused:
        Store.open_read_only()
    assert refused.value.exit_code == EXIT_USAGE and not (home / "mockiv.db").exists()


def test_the_reading_commands_open_it_read_only(home: Path, monkeypatch: pytest.MonkeyPatch,
                                                capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    session_id = _one_session(home)
    before = _state(home)
    monkeypatch.setattr("mockiv.commands._store_cli.writable", lambda _path: False)  # as a read-only folder reads

    def no_writing(*_args: object, **_kwargs: object) -> Store:
        raise AssertionError("opened for writing")

    monkeypatch.setattr(Store, "open", no_writing)
    out = tmp_path / "report.md"
    for argv in (["sessions", "list"], ["sessions", "show", session_id[:8]], ["progress"],
                 ["replay", session_id[:8], "--no-audio"],
                 ["export", session_id[:8], "--format", "md", "--out", str(out)]):
        assert cli.main(argv) == 0, capsys.readouterr().err
    assert session_id[:8] in capsys.readouterr().out and out.exists()
    assert _state(home) == before


@pytest.mark.skipif(os.geteuid() == 0, reason="root writes through file permissions (the mount test covers root)")
def test_a_chmod_read_only_folder(home: Path, capsys: pytest.CaptureFixture[str]) -> None:
    session_id = _one_session(home)
    (home / "mockiv.db").chmod(0o400)
    home.chmod(0o500)
    try:
        assert cli.main(["sessions", "list"]) == 0
        assert session_id[:8] in capsys.readouterr().out
        assert cli.main(["sessions", "delete", session_id[:8], "--yes"]) == EXIT_USAGE
        err = capsys.readouterr().err
        assert err.count("\n") == 1 and "read-only" in err, err
    finally:
        home.chmod(0o700)
        (home / "mockiv.db").chmod(0o600)
