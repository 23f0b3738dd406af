"""The session database's schema, as an ordered list of migrations keyed by `PRAGMA user_version`.

Migration N brings a database from version N-1 to N. Each runs in ONE transaction together with
`PRAGMA user_version = N`, statement by statement through `execute()` in autocommit mode: `executescript()`
would COMMIT implicitly first and make a failed migration half-applied (pitfalls.md §5).

History (never edit a released migration; append a new one):
  1. sessions and answers; an answer kept one analysis (`analysis_json`, `rules_version`), overwritten on rescore.
  2. results keyed by (answer, rules_version, model) so old results stay available, and one `findings` row per
     finding for queries across sessions; v1 analyses move into `results`.
  3. which process records (`sessions.owner_pid`, `answers.recorder_pid`) so `repair` can tell a live recording
     from an orphan; `answers.duration_s` for listing without parsing JSON; indexes for listing 10,000 sessions.
  4. `baselines` (the candidate's relaxed delivery, one row per calibration; the newest is the one in use, older
     ones stay so a redone baseline can be compared) and `debriefs` (a real interview's debrief and its plan).
  5. `takes`: a new take of one weak part of an answer (redo), its recording beside the answer's, its transcript,
     the part it replaces and the re-scored answer; deleted with its answer.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Callable, Sequence

Step = str | Callable[[sqlite3.Connection], None]

_V1: tuple[Step, ...] = (
    """CREATE TABLE sessions (
        id TEXT PRIMARY KEY,
        pack_id TEXT NOT NULL,
        mode TEXT NOT NULL CHECK (mode IN ('practice', 'rehearsal')),
        started_at TEXT NOT NULL,
        ended_at TEXT,
        status TEXT NOT NULL DEFAULT 'active'
    )""",
    """CREATE TABLE answers (
        id TEXT PRIMARY KEY,
        session_id TEXT NOT NULL REFERENCES sessions(id) ON DELETE CASCADE,
        position INTEGER NOT NULL,
        question_id TEXT,
        question TEXT NOT NULL,
        kind TEXT,
        audio_path TEXT,
        status TEXT NOT NULL,
        started_at TEXT NOT NULL,
        ended_at TEXT,
        transcript_json TEXT,
        metrics_json TEXT,
        analysis_json TEXT,
        rules_version TEXT,
        model TEXT,
        UNIQUE (session_id, position)
    )""",
)

_V2: tuple[Step, ...] = (
    """CREATE TABLE results (
        id INTEGER PRIMARY KEY,
        answer_id TEXT NOT NULL REFERENCES answers(id) ON DELETE CASCADE,
        rules_version TEXT NOT NULL,
        model TEXT NOT NULL DEFAULT '',
        created_at TEXT NOT NULL,
        transcript_json TEXT,
        metrics_json TEXT,
        result_json TEXT NOT NULL,
        UNIQUE (answer_id, rules_version, model)
    )""",
    """CREATE TABLE findings (
        id INTEGER PRIMARY KEY,
        result_id INTEGER NOT NULL REFERENCES results(id) ON DELETE CASCADE,
        rules_version TEXT NOT NULL,
        rule TEXT NOT NULL,
        family TEXT NOT NULL DEFAULT '',
        severity TEXT NOT NULL,
        message TEXT NOT NULL DEFAULT '',
        start_index INTEGER,
        end_index INTEGER,
        start_s REAL,
        end_s REAL
    )""",
    """INSERT INTO results (answer_id, rules_version, model, created_at, transcript_json, metrics_json, result_json)
       SELECT id, COALESCE(rules_version, json_extract(analysis_json, '$.rules_version'), 'unknown'),
              COALESCE(model, ''), COALESCE(ended_at, started_at), transcript_json, metrics_json, analysis_json
       FROM answers WHERE analysis_json IS NOT NULL""",
    """INSERT INTO findings (result_id, rules_version, rule, family, severity, message,
                             start_index, end_index, start_s, end_s)
       SELECT r.id, r.rules_version, json_extract(f.value, '$.rule'),
              COALESCE(json_extract(f.value, '$.family'), ''), json_extract(f.value, '$.severity'),
              COALESCE(json_extract(f.value, '$.message'), ''),
              json_extract(f.value, '$.evidence[0].start_index'), json_extract(f.value, '$.evidence[0].end_index'),
              json_extract(f.value, '$.evidence[0].start'), json_extract(f.value, '$.evidence[0].end')
       FROM results r, json_each(r.result_json, '$.findings') f""",
    "ALTER TABLE answers DROP COLUMN analysis_json",
    "ALTER TABLE answers DROP COLUMN rules_version",
)

_V3: tuple[Step, ...] = (
    "ALTER TABLE sessions ADD COLUMN owner_pid INTEGER",
    "ALTER TABLE answers ADD COLUMN recorder_pid INTEGER",
    "ALTER TABLE answers ADD COLUMN duration_s REAL",
    """UPDATE answers SET duration_s = json_extract(metrics_json, '$.duration_s')
       WHERE metrics_json IS NOT NULL AND json_valid(metrics_json)""",
    "CREATE INDEX sessions_by_start ON sessions (started_at DESC, id)",
    "CREATE INDEX answers_by_session ON answers (session_id, position)",
    "CREATE INDEX answers_by_status ON answers (status)",
    "CREATE INDEX results_by_answer ON results (answer_id, created_at)",
    "CREATE INDEX findings_by_result ON findings (result_id)",
    "CREATE INDEX findings_by_rule ON findings (rule)",
)

_V4: tuple[Step, ...] = (
    """CREATE TABLE baselines (
        id TEXT PRIMARY KEY,
        measured_at TEXT NOT NULL,
        baseline_json TEXT NOT NULL
    )""",
    "CREATE INDEX baselines_by_time ON baselines (measured_at DESC)",
    """CREATE TABLE debriefs (
        id TEXT PRIMARY KEY,
        created_at TEXT NOT NULL,
        pack_id TEXT NOT NULL,
        debrief_json TEXT NOT NULL
    )""",
    "CREATE INDEX debriefs_by_time ON debriefs (created_at DESC)",
)

_V5: tuple[Step, ...] = (
    """CREATE TABLE takes (
        id TEXT PRIMARY KEY,
        answer_id TEXT NOT NULL REFERENCES answers(id) ON DELETE CASCADE,
        rule TEXT NOT NULL,
        status TEXT NOT NULL,
        created_at TEXT NOT NULL,
        audio_path TEXT,
        recorder_pid INTEGER,
        part_json TEXT,
        transcript_json TEXT,
        result_json TEXT
    )""",
    "CREATE INDEX takes_by_answer ON takes (answer_id, created_at)",
)

MIGRATIONS: tuple[tuple[Step, ...], ...] = (_V1, _V2, _V3, _V4, _V5)
SCHEMA_VERSION = len(MIGRATIONS)


class MigrationFailed(Exception):
    def __init__(self, version: int, cause: BaseException) -> None:
        super().__init__(f"migration to schema {version} failed: {cause}")
        self.version = version
        self.cause = cause


def user_version(conn: sqlite3.Connection) -> int:
    return int(conn.execute("PRAGMA user_version").fetchone()[0])


def apply_migration(conn: sqlite3.Connection, version: int, steps: Sequence[Step]) -> None:
    """Run one migration atomically. `conn` must be in autocommit mode (isolation_level=None)."""
    conn.execute("BEGIN IMMEDIATE")
    try:
        for step in steps:
            if callable(step):
                step(conn)
            else:
                conn.execute(step)
        conn.execute(f"PRAGMA user_version = {int(version)}")
        conn.execute("COMMIT")
    except BaseException as error:
        conn.execute("ROLLBACK")
        raise MigrationFailed(version, error) from error


def migrate(conn: sqlite3.Connection, target: int = SCHEMA_VERSION,
            migrations: Sequence[Sequence[Step]] = MIGRATIONS) -> list[int]:
    """Bring the database up to `target`; returns the versions applied. The caller checks for a newer DB."""
    applied = []
    for version in range(user_version(conn) + 1, target + 1):
        apply_migration(conn, version, migrations[version - 1])
        applied.append(version)
    return applied
