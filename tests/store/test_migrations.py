"""Schema migrations: from every earlier version to the current one, atomic, backed up, newer refused."""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path

import pytest

from mockiv.cli import main
from mockiv.store import SCHEMA_VERSION, Store, StoreError, StoreTooNewError, schema
from tests.store.helpers import analysed, rule_result

SESSION = "a" * 32
ANSWER = "b" * 32


def _database_at(path: Path, version: int) -> None:
    """A database as that version of mockiv left it, with one analysed answer in that version's shape."""
    conn = sqlite3.connect(path, isolation_level=None)
    schema.migrate(conn, target=version)
    if version == 0:
        conn.close()
        return
    transcript, metrics = analysed()
    result = rule_result(transcript, "2026.1", ("we-without-i", "no-outcome"))
    conn.execute("INSERT INTO sessions (id, pack_id, mode, started_at, status) VALUES (?, 'general', 'practice', "
                 "'2026-11-01T10:00:00+00:00', 'done')", (SESSION,))
    columns = ["id", "session_id", "position", "question", "kind", "audio_path", "status", "started_at",
               "ended_at", "transcript_json", "metrics_json", "model"]
    values = [ANSWER, SESSION, 1, "Tell me about a time", "behavioral", f"recordings/{SESSION}/{ANSWER}.wav",
              "done", "2026-11-01T10:00:00+00:00", "2026-11-01T10:02:00+00:00",
              json.dumps(transcript.to_dict()), json.dumps(metrics), "tiny.en"]
    if version >= 3:  # v3 and later write the answer's duration with it
        columns.append("duration_s")
        values.append(metrics["duration_s"])
    if version == 1:  # v1 kept one analysis inside the answer row
        columns += ["analysis_json", "rules_version"]
        values += [json.dumps(result), "2026.1"]
    conn.execute(f"INSERT INTO answers ({', '.join(columns)}) VALUES ({', '.join('?' * len(values))})", values)
    if version >= 2:
        conn.execute("INSERT INTO results (answer_id, rules_version, model, created_at, transcript_json, "
                     "metrics_json, result_json) VALUES (?, '2026.1', 'tiny.en', '2026-11-01T10:02:00+00:00', "
                     "?, ?, ?)", (ANSWER, json.dumps(transcript.to_dict()), json.dumps(metrics), json.dumps(result)))
        result_id = conn.execute("SELECT id FROM results").fetchone()[0]
        for finding in result["findings"]:
            conn.execute("INSERT INTO findings (result_id, rules_version, rule, family, severity, message) "
                         "VALUES (?, '2026.1', ?, ?, ?, ?)", (result_id, finding["rule"], finding["family"],
                                                             finding["severity"], finding["message"]))
    conn.close()


@pytest.mark.parametrize("version", range(SCHEMA_VERSION))
def test_every_earlier_version_migrates_to_the_current_one(tmp_path: Path, version: int) -> None:
    db = tmp_path / "mockiv.db"
    _database_at(db, version)
    with Store.open(db) as store:
        assert store.schema_version == SCHEMA_VERSION
        if version == 0:
            assert store.list_sessions() == []
            return
        answer = store.get_session(SESSION).answers[0]
        assert answer.question == "Tell me about a time" and answer.model == "tiny.en"
        assert answer.transcript["words"][0]["text"] == "Um," and answer.audio_path == (
            tmp_path / "recordings" / SESSION / f"{ANSWER}.wav")
        assert answer.duration_s == answer.metrics["duration_s"]  # v3 back-fills it from the metrics
        assert answer.latest is not None and answer.latest.rules_version == "2026.1"
        assert [f["rule"] for f in answer.latest.findings] == ["we-without-i", "no-outcome"]
        conn = sqlite3.connect(db)
        assert conn.execute("SELECT rules_version, rule FROM findings ORDER BY rule").fetchall() == [
            ("2026.1", "no-outcome"), ("2026.1", "we-without-i")]
        columns = {row[1] for row in conn.execute("PRAGMA table_info(answers)")}
        assert "analysis_json" not in columns and {"recorder_pid", "duration_s"} <= columns
        assert conn.execute("PRAGMA foreign_key_check").fetchall() == []
        # a v1-era result can be rescored without losing it
        store.record_result(ANSWER, rule_result(analysed()[0], "2026.2", ()), model="tiny.en")
        assert [r.rules_version for r in store.get_answer(ANSWER).results] == ["2026.1", "2026.2"]


@pytest.mark.parametrize("version", range(1, SCHEMA_VERSION))
def test_the_database_is_backed_up_before_migrating(tmp_path: Path, version: int) -> None:
    db = tmp_path / "mockiv.db"
    _database_at(db, version)
    Store.open(db).close()
    backups = list((tmp_path / "backups").glob(f"mockiv-v{version}-*.db"))
    assert len(backups) == 1
    old = sqlite3.connect(backups[0])
    assert old.execute("PRAGMA user_version").fetchone()[0] == version
    assert old.execute("SELECT id FROM answers").fetchall() == [(ANSWER,)]
    assert backups[0].stat().st_mode & 0o077 == 0


def test_a_fresh_database_is_not_backed_up(tmp_path: Path) -> None:
    Store.open(tmp_path / "mockiv.db").close()
    assert not (tmp_path / "backups").exists()


def test_a_failing_migration_changes_nothing(tmp_path: Path) -> None:
    db = tmp_path / "mockiv.db"
    _database_at(db, 1)
    broken = (*schema.MIGRATIONS[:1], (*schema.MIGRATIONS[1][:3], "THIS IS NOT SQL"), *schema.MIGRATIONS[2:])
    with pytest.raises(StoreError, match="session database") as error:
        Store.open(db, migrations=broken)
    assert "\n" not in str(error.value)
    conn = sqlite3.connect(db)
    assert conn.execute("PRAGMA user_version").fetchone()[0] == 1
    tables = {row[0] for row in conn.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
    assert tables == {"sessions", "answers"}  # results/findings of the failed v2 were rolled back
    assert conn.execute("SELECT analysis_json IS NOT NULL FROM answers").fetchone() == (1,)


def test_a_python_step_that_raises_rolls_back_too(tmp_path: Path) -> None:
    def explode(conn: sqlite3.Connection) -> None:
        conn.execute("CREATE TABLE half_done (x)")
        raise RuntimeError("boom")

    db = tmp_path / "mockiv.db"
    with pytest.raises(StoreError, match="boom"):
        Store.open(db, migrations=(*schema.MIGRATIONS, (explode,)))
    conn = sqlite3.connect(db)
    assert conn.execute("PRAGMA user_version").fetchone()[0] == SCHEMA_VERSION
    assert conn.execute("SELECT name FROM sqlite_master WHERE name = 'half_done'").fetchall() == []


def test_a_database_from_a_newer_mockiv_is_refused(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    db = tmp_path / "mockiv.db"
    conn = sqlite3.connect(db)
    conn.execute(f"PRAGMA user_version = {SCHEMA_VERSION + 1}")
    conn.close()
    with pytest.raises(StoreTooNewError, match="newer mockiv"):
        Store.open(db)
    assert main(["--data-dir", str(tmp_path), "sessions", "list"]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "upgrade mockiv" in err
    assert sqlite3.connect(db).execute("PRAGMA user_version").fetchone()[0] == SCHEMA_VERSION + 1
