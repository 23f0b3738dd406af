"""The SQLite session store. See `mockiv.store` for the API and the guarantees it gives."""

from __future__ import annotations

import json
import os
import re
import shutil
import sqlite3
import threading
import urllib.parse
import uuid
from collections.abc import Iterator, Mapping
from contextlib import contextmanager, suppress
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from mockiv import paths
from mockiv.errors import EXIT_USAGE, MockivError, UserInputError
from mockiv.store import schema
from mockiv.store.wavfix import WavCheck, repair_wav

DB_NAME = "mockiv.db"
MODES = ("practice", "rehearsal")
PARTIAL_SUFFIX = ".partial.wav"
_ID_PREFIX = re.compile(r"^[0-9a-f]{4,32}$")
_NOFOLLOW = getattr(os, "O_NOFOLLOW", 0)


# ---------------------------------------------------------------------------------------------------- errors


class StoreError(MockivError):
    """The session database failed; the message is one line a user can act on."""


class StoreCorruptError(StoreError):
    """The database file is damaged or is not a mockiv database."""

    exit_code = 2


class StoreLockedError(StoreError):
    """Another process holds the write lock longer than `busy_timeout`."""


class StoreFullError(StoreError):
    """The disk (or the database's size cap) is full."""


class StoreTooNewError(StoreError):
    """The database was written by a newer mockiv than this one."""

    exit_code = 2


class NotFoundError(UserInputError):
    """No session or answer with that id."""


# ---------------------------------------------------------------------------------------------------- records


def new_id() -> str:
    """A generated id (uuid4, 32 hex digits): safe as a file name, never derived from user text."""
    return uuid.uuid4().hex


def now_iso() -> str:
    return datetime.now(UTC).isoformat(timespec="milliseconds")


def _as_dict(value: Any) -> dict[str, Any] | None:
    if value is None:
        return None
    if isinstance(value, Mapping):
        return dict(value)
    to_dict = getattr(value, "to_dict", None)
    if callable(to_dict):
        return dict(to_dict())
    raise TypeError(f"expected a dict or an object with to_dict(), got {type(value).__name__}")


def _dumps(value: Any) -> str | None:
    data = _as_dict(value)
    return None if data is None else json.dumps(data, separators=(",", ":"), ensure_ascii=False, default=str)


def _loads(text: str | None) -> dict[str, Any] | None:
    return None if text is None else json.loads(text)


@dataclass(frozen=True, slots=True)
class ResultRecord:
    """One analysis of one answer, by one rules version on one transcript model. Never overwritten by another."""

    id: int
    answer_id: str
    rules_version: str
    model: str
    created_at: str
    result: dict[str, Any]
    transcript: dict[str, Any] | None = None
    metrics: dict[str, Any] | None = None

    @property
    def findings(self) -> list[dict[str, Any]]:
        return list(self.result.get("findings", []))

    def to_dict(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "rules_version": self.rules_version,
            "model": self.model,
            "created_at": self.created_at,
            "result": self.result,
            "transcript": self.transcript,
            "metrics": self.metrics,
        }


@dataclass(frozen=True, slots=True)
class AnswerRecord:
    """One answer: the question, where its audio is, its current transcript and metrics, and every result."""

    id: str
    session_id: str
    position: int
    question: str
    kind: str | None
    status: str  # "recording" | "done" | "interrupted"
    started_at: str
    question_id: str | None = None
    audio_path: Path | None = None
    ended_at: str | None = None
    duration_s: float | None = None
    transcript: dict[str, Any] | None = None
    metrics: dict[str, Any] | None = None
    model: str | None = None
    results: tuple[ResultRecord, ...] = ()  # oldest first

    @property
    def latest(self) -> ResultRecord | None:
        return self.results[-1] if self.results else None

    @property
    def partial(self) -> bool:
        """The audio is a recording that never finished cleanly (kept and listed, never deleted)."""
        return self.audio_path is not None and self.audio_path.name.endswith(PARTIAL_SUFFIX)

    @property
    def final_audio_path(self) -> Path | None:
        """Where the recorder moves the audio (`os.replace`) when the answer ends cleanly."""
        if self.audio_path is None:
            return None
        name = self.audio_path.name
        return self.audio_path.with_name(name[: -len(PARTIAL_SUFFIX)] + ".wav") if self.partial else self.audio_path

    def result_for(self, rules_version: str | None = None, model: str | None = None) -> ResultRecord | None:
        matches = [r for r in self.results if (rules_version is None or r.rules_version == rules_version)
                   and (model is None or r.model == model)]
        return matches[-1] if matches else None

    def to_dict(self, *, history: bool = True) -> dict[str, Any]:
        latest = self.latest
        out = {
            "id": self.id,
            "session_id": self.session_id,
            "position": self.position,
            "question_id": self.question_id,
            "question": self.question,
            "kind": self.kind,
            "status": self.status,
            "partial": self.partial,
            "audio_path": str(self.audio_path) if self.audio_path else None,
            "started_at": self.started_at,
            "ended_at": self.ended_at,
            "duration_s": self.duration_s,
            "model": self.model,
            "transcript": self.transcript,
            "metrics": self.metrics,
            "result": latest.result if latest else None,
            "rules_version": latest.rules_version if latest else None,
        }
        if history:
            out["results"] = [r.to_dict() | {"transcript": None, "metrics": None} for r in self.results]
        return out


@dataclass(frozen=True, slots=True)
class SessionRecord:
    """A session as listed: counts and total answer time without loading the answers."""

    id: str
    pack_id: str
    mode: str
    started_at: str
    status: str  # "active" | "done" | "interrupted"
    ended_at: str | None = None
    answer_count: int = 0
    done_count: int = 0
    unfinished_count: int = 0
    duration_s: float | None = None

    @property
    def resumable(self) -> bool:
        return self.status != "done" or self.unfinished_count > 0

    def to_dict(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "pack_id": self.pack_id,
            "mode": self.mode,
            "started_at": self.started_at,
            "ended_at": self.ended_at,
            "status": self.status,
            "answer_count": self.answer_count,
            "answers_done": self.done_count,
            "answers_unfinished": self.unfinished_count,
            "duration_s": self.duration_s,
            "resumable": self.resumable,
        }


@dataclass(frozen=True, slots=True)
class SessionDetail:
    session: SessionRecord
    answers: tuple[AnswerRecord, ...]

    def answer(self, position: int) -> AnswerRecord:
        for answer in self.answers:
            if answer.position == position:
                return answer
        raise NotFoundError(f"session {self.session.id[:8]} has no answer {position} "
                            f"(it has {', '.join(str(a.position) for a in self.answers) or 'none'})")

    def to_dict(self, *, history: bool = True) -> dict[str, Any]:
        return self.session.to_dict() | {"answers": [a.to_dict(history=history) for a in self.answers]}


@dataclass(frozen=True, slots=True)
class TakeRecord:
    """A new take of one weak part of an answer (redo): its recording, the part it replaces, its transcript and
    the answer re-scored with it in place."""

    id: str
    answer_id: str
    rule: str
    status: str  # "recording" | "done" | "interrupted"
    created_at: str
    audio_path: Path | None = None
    part: dict[str, Any] | None = None
    transcript: dict[str, Any] | None = None
    result: dict[str, Any] | None = None

    def to_dict(self) -> dict[str, Any]:
        return {"id": self.id, "answer_id": self.answer_id, "rule": self.rule, "status": self.status,
                "created_at": self.created_at, "audio_path": str(self.audio_path) if self.audio_path else None,
                "part": self.part, "transcript": self.transcript, "result": self.result}


@dataclass(slots=True)
class RepairReport:
    """What `Store.repair()` found and did. Nothing is deleted: partial audio is kept and listed."""

    interrupted: list[dict[str, Any]] = field(default_factory=list)  # answers left "recording" by a dead process
    attached: list[dict[str, Any]] = field(default_factory=list)  # partial files with no row, now answers
    unattached: list[str] = field(default_factory=list)  # partial files outside any known session
    sessions: list[str] = field(default_factory=list)  # sessions marked interrupted (resumable)
    headers_fixed: list[str] = field(default_factory=list)

    @property
    def changed(self) -> bool:
        return bool(self.interrupted or self.attached or self.sessions or self.headers_fixed)

    def to_dict(self) -> dict[str, Any]:
        return {
            "interrupted_answers": self.interrupted,
            "attached_recordings": self.attached,
            "unattached_recordings": self.unattached,
            "sessions_marked_interrupted": self.sessions,
            "headers_fixed": self.headers_fixed,
        }


# ---------------------------------------------------------------------------------------------------- helpers


def translate(error: BaseException, db_path: Path) -> MockivError:
    """One clear line for each way the database can fail under a user."""
    name = getattr(error, "sqlite_errorname", "") or ""
    text = str(error).lower()
    if (isinstance(error, OSError) and error.errno == 28) or name == "SQLITE_FULL" or "disk is full" in text:
        return StoreFullError(f"the disk is full: could not save to {db_path}; free some space and try again "
                              "(everything saved before is intact)")
    if name in ("SQLITE_BUSY", "SQLITE_LOCKED") or "locked" in text or "busy" in text:
        return StoreLockedError(f"the session database {db_path} is locked by another mockiv process; "
                                "close it or wait, then try again")
    if name in ("SQLITE_CORRUPT", "SQLITE_NOTADB") or "not a database" in text or "malformed" in text:
        return StoreCorruptError(_corrupt_message(db_path, str(error)))
    if name in ("SQLITE_READONLY", "SQLITE_CANTOPEN", "SQLITE_PERM") or "readonly" in text or "unable to open" in text:
        if not os.access(db_path.parent, os.W_OK):  # SQLite keeps its journal beside the database: reading needs it
            return StoreError(f"the data folder {db_path.parent} is read-only, and mockiv keeps its sessions there; "
                              "make it writable, or choose another with --data-dir", exit_code=EXIT_USAGE)
        return StoreError(f"cannot write the session database {db_path} ({error}); check its folder's permissions",
                          exit_code=EXIT_USAGE)
    return StoreError(f"the session database {db_path} failed: {error}")


def _corrupt_message(db_path: Path, detail: str) -> str:
    backups = sorted(_backup_dir(db_path).glob(f"{db_path.stem}-*.db"), key=lambda p: p.stat().st_mtime)
    where = f"the last backup is {backups[-1]}" if backups else "no backup exists yet"
    return (f"the session database {db_path} is damaged ({detail.splitlines()[0][:80]}); it was left untouched, "
            f"{where}; move the damaged file aside to start a new one")


def _backup_dir(db_path: Path) -> Path:
    return db_path.parent / "backups"


def _pid_alive(pid: int | None) -> bool:
    if not pid:
        return False
    if pid == os.getpid():
        return True
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    try:  # a killed child its parent has not reaped yet is a zombie: dead for our purposes
        with open(f"/proc/{pid}/stat", encoding="ascii", errors="replace") as handle:
            return handle.read().rsplit(")", 1)[-1].split()[0] != "Z"
    except OSError:
        return True


def writable(db_path: Path) -> bool:
    """Whether mockiv may write the database at `db_path` (and the journal beside it): its folder and, when it
    exists, the file itself are writable. The read-only commands open it read-only when not."""
    folder_ok = os.access(db_path.parent, os.W_OK) if db_path.parent.exists() else True
    return folder_ok and (not db_path.exists() or os.access(db_path, os.W_OK))


def _private(path: Path) -> None:
    with suppress(FileNotFoundError):
        os.chmod(path, 0o600)


# ---------------------------------------------------------------------------------------------------- the store


class Store:
    """A connection to the session database (see the `mockiv.store` docstring). Thread-safe; one per process."""

    def __init__(self, conn: sqlite3.Connection, path: Path, recordings_dir: Path) -> None:
        self._conn = conn
        self._lock = threading.RLock()
        self.path = path
        self.root = path.parent
        self.recordings_dir = recordings_dir
        self.read_only = False  # opened by `open_read_only`: nothing is written

    # ---- opening

    @classmethod
    def open(cls, path: str | os.PathLike[str] | None = None, *, recordings_dir: str | os.PathLike[str] | None = None,
             busy_timeout_s: float = 5.0, migrations: tuple[tuple[schema.Step, ...], ...] | None = None,
             read_only: bool = False) -> Store:
        """Open (creating, checking and migrating) the database. Default: `paths.data_dir()/"mockiv.db"`.
        `read_only`: open it for reading only (`open_read_only`)."""
        if read_only:
            return cls.open_read_only(path, recordings_dir=recordings_dir, busy_timeout_s=busy_timeout_s,
                                      migrations=migrations)
        if path is None:
            db_path = paths.data_dir() / DB_NAME
            recordings = Path(recordings_dir) if recordings_dir else paths.sub_dir("recordings")
        else:
            db_path = Path(path).expanduser().absolute()
            recordings = Path(recordings_dir) if recordings_dir else db_path.parent / "recordings"
        if db_path.is_dir():
            raise UserInputError(f"{db_path} is a folder, not a session database")
        known = migrations if migrations is not None else schema.MIGRATIONS
        old_umask = os.umask(0o077)  # the -wal and -shm files SQLite creates inherit it
        try:
            db_path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
            conn = cls._connect(db_path, busy_timeout_s)
            try:
                cls._prepare(conn, db_path, known)
            except BaseException:
                conn.close()
                raise
        except (sqlite3.Error, OSError) as error:
            raise translate(error, db_path) from error
        finally:
            os.umask(old_umask)
        for suffix in ("", "-wal", "-shm"):
            _private(Path(f"{db_path}{suffix}"))
        return cls(conn, db_path, recordings)

    @classmethod
    def open_read_only(cls, path: str | os.PathLike[str] | None = None, *,
                       recordings_dir: str | os.PathLike[str] | None = None, busy_timeout_s: float = 5.0,
                       migrations: tuple[tuple[schema.Step, ...], ...] | None = None) -> Store:
        """Open an existing database without writing anything: no file or folder is created, nothing is
        migrated or repaired, and the journal mode is left as it is. For the commands that only read (sessions
        list and show, replay, export, progress) when the data folder or the database is read-only; a write
        through this store fails with one line (`translate`)."""
        if path is None:
            db_path = paths.data_dir() / DB_NAME
            recordings = Path(recordings_dir) if recordings_dir else db_path.parent / "recordings"
        else:
            db_path = Path(path).expanduser().absolute()
            recordings = Path(recordings_dir) if recordings_dir else db_path.parent / "recordings"
        if db_path.is_dir():
            raise UserInputError(f"{db_path} is a folder, not a session database")
        if not db_path.exists():
            raise StoreError(f"no sessions yet: {db_path} does not exist, and its folder is read-only, so mockiv "
                             "cannot start one there; make it writable, or choose another with --data-dir",
                             exit_code=EXIT_USAGE)
        known = migrations if migrations is not None else schema.MIGRATIONS
        uri = f"file:{urllib.parse.quote(str(db_path))}?mode=ro"
        conn: sqlite3.Connection | None = None
        try:
            try:
                conn = cls._connect_uri(uri, busy_timeout_s)
            except sqlite3.OperationalError:
                # A WAL database needs its -shm file, which SQLite cannot create in a read-only folder (a clean
                # close removes it). Nobody can write there either, so reading it as immutable is safe.
                conn = cls._connect_uri(uri + "&immutable=1", busy_timeout_s)
            version = schema.user_version(conn)
            if version > len(known):
                raise StoreTooNewError(
                    f"the session database {db_path} was written by a newer mockiv (schema {version}, this "
                    f"version knows {len(known)}); upgrade mockiv to open it")
            if version < len(known):
                raise StoreError(f"the session database {db_path} is from an older mockiv and must be upgraded, "
                                 "which needs writing, but it is read-only; make it and its folder writable and "
                                 "run mockiv once", exit_code=EXIT_USAGE)
            problems = [row[0] for row in conn.execute("PRAGMA quick_check").fetchall()]
            if problems != ["ok"]:
                raise StoreCorruptError(_corrupt_message(db_path, f"quick_check: {problems[0]}"))
        except BaseException as error:
            if conn is not None:
                conn.close()
            if isinstance(error, sqlite3.Error | OSError):
                raise translate(error, db_path) from error
            raise
        store = cls(conn, db_path, recordings)
        store.read_only = True
        return store

    @staticmethod
    def _connect_uri(uri: str, busy_timeout_s: float) -> sqlite3.Connection:
        conn = sqlite3.connect(uri, uri=True, timeout=busy_timeout_s, isolation_level=None, check_same_thread=False)
        try:
            conn.row_factory = sqlite3.Row
            conn.execute(f"PRAGMA busy_timeout = {int(busy_timeout_s * 1000)}")
            conn.execute("SELECT count(*) FROM sqlite_master").fetchone()  # opening is lazy: read now
        except BaseException:
            conn.close()
            raise
        return conn

    @staticmethod
    def _connect(db_path: Path, busy_timeout_s: float) -> sqlite3.Connection:
        if not db_path.exists():
            with suppress(FileExistsError):
                os.close(os.open(db_path, os.O_CREAT | os.O_EXCL | os.O_WRONLY | _NOFOLLOW, 0o600))
        conn = sqlite3.connect(str(db_path), timeout=busy_timeout_s, isolation_level=None, check_same_thread=False)
        conn.row_factory = sqlite3.Row
        conn.execute(f"PRAGMA busy_timeout = {int(busy_timeout_s * 1000)}")
        conn.execute("PRAGMA foreign_keys = ON")
        return conn

    @staticmethod
    def _prepare(conn: sqlite3.Connection, db_path: Path, known: tuple[tuple[schema.Step, ...], ...]) -> None:
        version = schema.user_version(conn)  # raises SQLITE_NOTADB on a file that is not a database
        if version > len(known):
            raise StoreTooNewError(
                f"the session database {db_path} was written by a newer mockiv (schema {version}, this version "
                f"knows {len(known)}); upgrade mockiv to open it")
        problems = [row[0] for row in conn.execute("PRAGMA quick_check").fetchall()]
        if problems != ["ok"]:
            raise StoreCorruptError(_corrupt_message(db_path, f"quick_check: {problems[0]}"))
        conn.execute("PRAGMA journal_mode = WAL")
        conn.execute("PRAGMA synchronous = FULL")
        if version < len(known):
            if version > 0:
                Store._backup(conn, db_path, version)
            try:
                schema.migrate(conn, len(known), known)
            except schema.MigrationFailed as failed:
                if isinstance(failed.cause, sqlite3.Error | OSError):
                    raise failed.cause from failed
                raise StoreError(f"could not upgrade the session database {db_path}: {failed}; "
                                 "it was left as it was") from failed

    @staticmethod
    def _backup(conn: sqlite3.Connection, db_path: Path, version: int) -> Path:
        folder = _backup_dir(db_path)
        folder.mkdir(parents=True, exist_ok=True, mode=0o700)
        stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%S%fZ")
        target = folder / f"{db_path.stem}-v{version}-{stamp}.db"
        copy = sqlite3.connect(str(target))
        try:
            conn.backup(copy)
        finally:
            copy.close()
        _private(target)
        return target

    def close(self) -> None:
        with self._lock:
            self._conn.close()

    def __enter__(self) -> Store:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    @property
    def schema_version(self) -> int:
        with self._read() as conn:
            return schema.user_version(conn)

    # ---- transactions

    @contextmanager
    def _tx(self) -> Iterator[sqlite3.Connection]:
        """One write transaction (BEGIN IMMEDIATE ... COMMIT); any failure rolls it back and becomes one line."""
        with self._lock:
            try:
                self._conn.execute("BEGIN IMMEDIATE")
                try:
                    yield self._conn
                except BaseException:
                    if self._conn.in_transaction:  # SQLite may have rolled back already (SQLITE_FULL does)
                        with suppress(sqlite3.Error):
                            self._conn.execute("ROLLBACK")
                    raise
                self._conn.execute("COMMIT")
            except (sqlite3.Error, OSError) as error:
                if self._conn.in_transaction:
                    with suppress(sqlite3.Error):
                        self._conn.execute("ROLLBACK")
                raise translate(error, self.path) from error

    @contextmanager
    def _read(self) -> Iterator[sqlite3.Connection]:
        with self._lock:
            try:
                yield self._conn
            except sqlite3.Error as error:
                raise translate(error, self.path) from error

    # ---- paths

    def _stored_path(self, path: str | os.PathLike[str] | None) -> str | None:
        """Audio inside the data folder is stored relative to it, so the folder can move."""
        if path is None:
            return None
        absolute = Path(path).absolute()
        return str(absolute.relative_to(self.root)) if absolute.is_relative_to(self.root) else str(absolute)

    def _loaded_path(self, stored: str | None) -> Path | None:
        if stored is None:
            return None
        path = Path(stored)
        return path if path.is_absolute() else self.root / path

    def session_dir(self, session_id: str) -> Path:
        """`recordings/<session-id>/`, created private. The id is generated, but check it anyway."""
        if not _ID_PREFIX.match(session_id) or len(session_id) != 32:
            raise UserInputError(f"not a session id: {session_id!r}")
        folder = self.recordings_dir / session_id
        folder.mkdir(parents=True, exist_ok=True, mode=0o700)
        return folder

    # ---- writing a session

    def create_session(self, pack_id: str, mode: str = "practice", started_at: str | datetime | None = None,
                       *, session_id: str | None = None) -> SessionRecord:
        """Create the session row BEFORE recording starts, so a crash at any later moment leaves it listed."""
        if mode not in MODES:
            raise UserInputError(f"mode must be one of {', '.join(MODES)}, not {mode!r}")
        started = started_at.isoformat() if isinstance(started_at, datetime) else (started_at or now_iso())
        sid = session_id or new_id()
        with self._tx() as conn:
            conn.execute("INSERT INTO sessions (id, pack_id, mode, started_at, status, owner_pid) "
                         "VALUES (?, ?, ?, ?, 'active', ?)", (sid, pack_id, mode, started, os.getpid()))
        return SessionRecord(sid, pack_id, mode, started, "active")

    def begin_answer(self, session_id: str, *, question: str, kind: str | None = None, question_id: str | None = None,
                     record_audio: bool = True, audio_path: str | os.PathLike[str] | None = None,
                     started_at: str | None = None) -> AnswerRecord:
        """Register an answer (status "recording") BEFORE its audio starts; commit it at once.

        With `record_audio`, the answer gets `recordings/<session>/<answer>.partial.wav` as `audio_path`: the
        recorder writes there and `os.replace`s it to `final_audio_path` when the answer ends cleanly.
        """
        answer_id = new_id()
        if audio_path is None and record_audio:
            audio_path = self.session_dir(session_id) / f"{answer_id}{PARTIAL_SUFFIX}"
        started = started_at or now_iso()
        with self._tx() as conn:
            if conn.execute("SELECT 1 FROM sessions WHERE id = ?", (session_id,)).fetchone() is None:
                raise NotFoundError(f"no session {session_id[:8]}")
            position = conn.execute("SELECT COALESCE(MAX(position), 0) + 1 FROM answers WHERE session_id = ?",
                                    (session_id,)).fetchone()[0]
            conn.execute(
                "INSERT INTO answers (id, session_id, position, question_id, question, kind, audio_path, status, "
                "started_at, recorder_pid) VALUES (?, ?, ?, ?, ?, ?, ?, 'recording', ?, ?)",
                (answer_id, session_id, position, question_id, question, kind, self._stored_path(audio_path),
                 started, os.getpid()))
            conn.execute("UPDATE sessions SET status = 'active', owner_pid = ?, ended_at = NULL WHERE id = ?",
                         (os.getpid(), session_id))
        return AnswerRecord(answer_id, session_id, position, question, kind, "recording", started, question_id,
                            Path(audio_path).absolute() if audio_path else None)

    def finish_answer(self, answer_id: str, *, transcript: Any, metrics: Any = None, result: Any = None,
                      model: str | None = None, audio_path: str | os.PathLike[str] | None = None,
                      status: str = "done", rules_version: str | None = None) -> AnswerRecord:
        """Commit a finished answer: its transcript, metrics and (optionally) its analysis, in one transaction.

        `result` is the rule engine's result (a dict or an object with `to_dict()`: findings, strengths,
        structure, rules_version). When `audio_path` is not given and the recorder already moved the partial
        file to its final name, the final name is stored.
        """
        transcript_d, metrics_d = _as_dict(transcript), _as_dict(metrics)
        duration = (metrics_d or {}).get("duration_s") or (transcript_d or {}).get("duration")
        with self._tx() as conn:
            row = self._answer_row(conn, answer_id)
            stored_audio = self._stored_path(audio_path) if audio_path is not None else row["audio_path"]
            if audio_path is None and stored_audio and stored_audio.endswith(PARTIAL_SUFFIX):
                partial = self._loaded_path(stored_audio)
                final = partial.with_name(partial.name[: -len(PARTIAL_SUFFIX)] + ".wav") if partial else None
                if final and final.exists() and not partial.exists():
                    stored_audio = self._stored_path(final)
            conn.execute(
                "UPDATE answers SET status = ?, ended_at = ?, transcript_json = ?, metrics_json = ?, model = ?, "
                "audio_path = ?, duration_s = ?, recorder_pid = NULL WHERE id = ?",
                (status, now_iso(), _dumps(transcript_d), _dumps(metrics_d), model, stored_audio, duration, answer_id))
            if result is not None:
                self._insert_result(conn, answer_id, _as_dict(result) or {}, rules_version, model or "",
                                    transcript_d, metrics_d)
        return self.get_answer(answer_id)

    def finish_answer_from_analysis(self, answer_id: str, analysis: Any, *, model: str | None = None,
                                    audio_path: str | os.PathLike[str] | None = None) -> AnswerRecord:
        """The same, from the pipeline's `Analysis` (`.answer.transcript`, `.metrics`, `.result`)."""
        return self.finish_answer(answer_id, transcript=analysis.answer.transcript, metrics=analysis.metrics,
                                  result=analysis.result, model=model, audio_path=audio_path)

    def mark_interrupted(self, answer_id: str) -> None:
        """The answer stopped before it ended (Ctrl-C, an error): keep it, and its partial audio, resumable."""
        with self._tx() as conn:
            row = self._answer_row(conn, answer_id)
            conn.execute("UPDATE answers SET status = 'interrupted', recorder_pid = NULL WHERE id = ?", (answer_id,))
            conn.execute("UPDATE sessions SET status = 'interrupted' WHERE id = ?", (row["session_id"],))

    def end_session(self, session_id: str, status: str = "done") -> None:
        with self._tx() as conn:
            updated = conn.execute("UPDATE sessions SET status = ?, ended_at = ?, owner_pid = NULL WHERE id = ?",
                                   (status, now_iso(), session_id)).rowcount
            if not updated:
                raise NotFoundError(f"no session {session_id[:8]}")

    def reopen_session(self, session_id: str) -> SessionDetail:
        """Resume an interrupted session: it becomes active again; returns what was already answered."""
        with self._tx() as conn:
            if not conn.execute("UPDATE sessions SET status = 'active', ended_at = NULL, owner_pid = ? WHERE id = ?",
                                (os.getpid(), session_id)).rowcount:
                raise NotFoundError(f"no session {session_id[:8]}")
        return self.get_session(session_id)

    def record_result(self, answer_id: str, result: Any, *, model: str = "", transcript: Any = None,
                      metrics: Any = None, rules_version: str | None = None) -> ResultRecord:
        """Keep one more analysis of an answer. Results of other rules versions or models stay as they were;
        re-running the same (rules_version, model) replaces only that result."""
        with self._tx() as conn:
            self._answer_row(conn, answer_id)
            result_id = self._insert_result(conn, answer_id, _as_dict(result) or {}, rules_version, model,
                                            _as_dict(transcript), _as_dict(metrics))
        with self._read() as conn:
            return self._result(conn.execute("SELECT * FROM results WHERE id = ?", (result_id,)).fetchone())

    def update_transcript(self, answer_id: str, transcript: Any, *, model: str, metrics: Any = None) -> None:
        """Make a new transcription (another model) the answer's current one; old results keep theirs."""
        transcript_d = _as_dict(transcript)
        with self._tx() as conn:
            self._answer_row(conn, answer_id)
            conn.execute("UPDATE answers SET transcript_json = ?, metrics_json = COALESCE(?, metrics_json), model = ?,"
                         " status = CASE WHEN status = 'recording' THEN status ELSE 'done' END WHERE id = ?",
                         (_dumps(transcript_d), _dumps(metrics), model, answer_id))

    def _insert_result(self, conn: sqlite3.Connection, answer_id: str, result: dict[str, Any],
                       rules_version: str | None, model: str, transcript: dict[str, Any] | None,
                       metrics: dict[str, Any] | None) -> int:
        version = rules_version or result.get("rules_version")
        if not version:
            raise ValueError("a result needs its rules_version (in the result or as an argument)")
        result = result | {"rules_version": version}
        result_id = conn.execute(
            "INSERT INTO results (answer_id, rules_version, model, created_at, transcript_json, metrics_json, "
            "result_json) VALUES (?, ?, ?, ?, ?, ?, ?) ON CONFLICT (answer_id, rules_version, model) DO UPDATE SET "
            "created_at = excluded.created_at, transcript_json = excluded.transcript_json, "
            "metrics_json = excluded.metrics_json, result_json = excluded.result_json RETURNING id",
            (answer_id, version, model or "", now_iso(), _dumps(transcript), _dumps(metrics), _dumps(result)),
        ).fetchone()[0]
        conn.execute("DELETE FROM findings WHERE result_id = ?", (result_id,))
        rows = []
        for finding in result.get("findings", []):
            evidence = (finding.get("evidence") or [{}])[0]
            rows.append((result_id, version, finding["rule"], finding.get("family", ""), str(finding["severity"]),
                         finding.get("message", ""), evidence.get("start_index"), evidence.get("end_index"),
                         evidence.get("start"), evidence.get("end")))
        conn.executemany("INSERT INTO findings (result_id, rules_version, rule, family, severity, message, "
                         "start_index, end_index, start_s, end_s) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)", rows)
        return int(result_id)

    # ---- reading

    def resolve_session_id(self, text: str) -> str:
        """A full id or a unique prefix of at least 4 hex digits (as `sessions list` shows them)."""
        prefix = text.strip().lower()
        if not _ID_PREFIX.match(prefix):
            raise UserInputError(f"not a session id: {text!r} (use the id shown by `mockiv sessions list`)")
        with self._read() as conn:
            rows = conn.execute("SELECT id FROM sessions WHERE id >= ? AND id < ? ORDER BY id LIMIT 2",
                                (prefix, prefix + "g")).fetchall()
        if not rows:
            raise NotFoundError(f"no session {prefix} (see `mockiv sessions list`)")
        if len(rows) > 1 and rows[0]["id"] != prefix:
            raise UserInputError(f"session id {prefix} is ambiguous; give more of it")
        return str(rows[0]["id"])

    def list_sessions(self, *, limit: int | None = None, offset: int = 0) -> list[SessionRecord]:
        """Newest first, with answer counts and total answer time."""
        with self._read() as conn:
            # The page first (sessions_by_start index), then the counts for that page only.
            rows = conn.execute(
                "WITH page AS (SELECT id, pack_id, mode, started_at, ended_at, status FROM sessions "
                "ORDER BY started_at DESC, id LIMIT ? OFFSET ?) "
                "SELECT s.id, s.pack_id, s.mode, s.started_at, s.ended_at, s.status, COUNT(a.id) AS n, "
                "COALESCE(SUM(a.status = 'done'), 0) AS done, "
                "COALESCE(SUM(a.status IN ('recording', 'interrupted')), 0) AS unfinished, SUM(a.duration_s) AS dur "
                "FROM page s LEFT JOIN answers a ON a.session_id = s.id "
                "GROUP BY s.id ORDER BY s.started_at DESC, s.id",
                (-1 if limit is None else limit, offset)).fetchall()
        return [SessionRecord(r["id"], r["pack_id"], r["mode"], r["started_at"], r["status"], r["ended_at"],
                              r["n"], r["done"], r["unfinished"], r["dur"]) for r in rows]

    def count_sessions(self) -> int:
        with self._read() as conn:
            return int(conn.execute("SELECT COUNT(*) FROM sessions").fetchone()[0])

    def get_session(self, session_id: str) -> SessionDetail:
        sid = self.resolve_session_id(session_id)
        with self._read() as conn:
            summary = next((s for s in self._session_rows(conn, "WHERE s.id = ?", (sid,))), None)
            if summary is None:
                raise NotFoundError(f"no session {sid[:8]}")
            answers = conn.execute("SELECT * FROM answers WHERE session_id = ? ORDER BY position", (sid,)).fetchall()
            results = self._results_by_answer(conn, [a["id"] for a in answers])
        return SessionDetail(summary, tuple(self._answer(a, results.get(a["id"], ())) for a in answers))

    def get_answer(self, answer_id: str) -> AnswerRecord:
        with self._read() as conn:
            row = self._answer_row(conn, answer_id)
            results = self._results_by_answer(conn, [answer_id])
        return self._answer(row, results.get(answer_id, ()))

    def session_ids(self, *, oldest_first: bool = True) -> list[str]:
        with self._read() as conn:
            order = "ASC" if oldest_first else "DESC"
            return [r[0] for r in conn.execute(f"SELECT id FROM sessions ORDER BY started_at {order}, id")]

    def _session_rows(self, conn: sqlite3.Connection, where: str, params: tuple[Any, ...]) -> list[SessionRecord]:
        rows = conn.execute(
            "SELECT s.id, s.pack_id, s.mode, s.started_at, s.ended_at, s.status, COUNT(a.id) AS n, "
            "COALESCE(SUM(a.status = 'done'), 0) AS done, "
            "COALESCE(SUM(a.status IN ('recording', 'interrupted')), 0) AS unfinished, SUM(a.duration_s) AS dur "
            f"FROM sessions s LEFT JOIN answers a ON a.session_id = s.id {where} GROUP BY s.id", params).fetchall()
        return [SessionRecord(r["id"], r["pack_id"], r["mode"], r["started_at"], r["status"], r["ended_at"],
                              r["n"], r["done"], r["unfinished"], r["dur"]) for r in rows]

    def _answer_row(self, conn: sqlite3.Connection, answer_id: str) -> sqlite3.Row:
        row = conn.execute("SELECT * FROM answers WHERE id = ?", (answer_id,)).fetchone()
        if row is None:
            raise NotFoundError(f"no answer {answer_id[:8]}")
        return row

    def _results_by_answer(self, conn: sqlite3.Connection, answer_ids: list[str]) -> dict[str, list[ResultRecord]]:
        out: dict[str, list[ResultRecord]] = {}
        for start in range(0, len(answer_ids), 500):
            chunk = answer_ids[start : start + 500]
            marks = ",".join("?" * len(chunk))
            for row in conn.execute(f"SELECT * FROM results WHERE answer_id IN ({marks}) ORDER BY created_at, id",
                                    chunk):
                out.setdefault(row["answer_id"], []).append(self._result(row))
        return out

    @staticmethod
    def _result(row: sqlite3.Row) -> ResultRecord:
        return ResultRecord(row["id"], row["answer_id"], row["rules_version"], row["model"], row["created_at"],
                            _loads(row["result_json"]) or {}, _loads(row["transcript_json"]),
                            _loads(row["metrics_json"]))

    def _answer(self, row: sqlite3.Row, results: Any) -> AnswerRecord:
        return AnswerRecord(
            id=row["id"], session_id=row["session_id"], position=row["position"], question=row["question"],
            kind=row["kind"], status=row["status"], started_at=row["started_at"], question_id=row["question_id"],
            audio_path=self._loaded_path(row["audio_path"]), ended_at=row["ended_at"], duration_s=row["duration_s"],
            transcript=_loads(row["transcript_json"]), metrics=_loads(row["metrics_json"]), model=row["model"],
            results=tuple(results))

    # ---- the candidate's baseline and debriefs (plain dicts: mockiv.core.baseline, mockiv.core.debrief)

    def save_baseline(self, baseline: Any) -> str:
        """Keep a measured baseline; the newest is the one in use (`latest_baseline`)."""
        value = _as_dict(baseline) or {}
        row_id = new_id()
        with self._tx() as conn:
            conn.execute("INSERT INTO baselines (id, measured_at, baseline_json) VALUES (?, ?, ?)",
                         (row_id, value.get("measured_at") or now_iso(), _dumps(value)))
        return row_id

    def latest_baseline(self, before: str | None = None) -> dict[str, Any] | None:
        """The newest baseline (measured before `before`, an ISO time, when given)."""
        with self._read() as conn:
            row = conn.execute("SELECT baseline_json FROM baselines WHERE ? IS NULL OR measured_at <= ? "
                               "ORDER BY measured_at DESC, rowid DESC LIMIT 1", (before, before)).fetchone()
        return _loads(row["baseline_json"]) if row else None

    def save_debrief(self, debrief: Any, pack_id: str) -> str:
        value = _as_dict(debrief) or {}
        row_id = new_id()
        with self._tx() as conn:
            conn.execute("INSERT INTO debriefs (id, created_at, pack_id, debrief_json) VALUES (?, ?, ?, ?)",
                         (row_id, value.get("created_at") or now_iso(), pack_id, _dumps(value)))
        return row_id

    def latest_debrief(self) -> dict[str, Any] | None:
        with self._read() as conn:
            row = conn.execute("SELECT debrief_json FROM debriefs ORDER BY created_at DESC, rowid DESC "
                               "LIMIT 1").fetchone()
        return _loads(row["debrief_json"]) if row else None

    # ---- redo takes (a new take of one part of an answer)

    def takes_dir(self, session_id: str) -> Path:
        """`recordings/<session-id>/takes/`: beside the answers, and out of `repair`'s reach for answer files
        (a take that never finished is a take, not an answer)."""
        folder = self.session_dir(session_id) / "takes"
        folder.mkdir(exist_ok=True, mode=0o700)
        return folder

    def begin_take(self, answer_id: str, rule: str, *, record_audio: bool = True,
                   audio_path: str | os.PathLike[str] | None = None) -> TakeRecord:
        """Register a take (status "recording") BEFORE its audio starts, committed at once, as `begin_answer`
        does; with `record_audio` it gets `takes/<take>.partial.wav` to record into."""
        take_id = new_id()
        with self._read() as conn:
            answer = self._answer_row(conn, answer_id)
        if audio_path is None and record_audio:
            audio_path = self.takes_dir(answer["session_id"]) / f"{take_id}{PARTIAL_SUFFIX}"
        created = now_iso()
        with self._tx() as conn:
            conn.execute("INSERT INTO takes (id, answer_id, rule, status, created_at, audio_path, recorder_pid) "
                         "VALUES (?, ?, ?, 'recording', ?, ?, ?)",
                         (take_id, answer_id, rule, created, self._stored_path(audio_path), os.getpid()))
        return TakeRecord(take_id, answer_id, rule, "recording", created,
                          Path(audio_path).absolute() if audio_path else None)

    def finish_take(self, take_id: str, *, transcript: Any, part: Any, result: Any,
                    audio_path: str | os.PathLike[str] | None = None, status: str = "done") -> TakeRecord:
        """Commit a take's transcript, the part it replaced and the re-scored answer, in one transaction."""
        with self._tx() as conn:
            row = conn.execute("SELECT * FROM takes WHERE id = ?", (take_id,)).fetchone()
            if row is None:
                raise NotFoundError(f"no take {take_id[:8]}")
            stored = self._stored_path(audio_path) if audio_path is not None else row["audio_path"]
            conn.execute("UPDATE takes SET status = ?, audio_path = ?, recorder_pid = NULL, part_json = ?, "
                         "transcript_json = ?, result_json = ? WHERE id = ?",
                         (status, stored, _dumps(part), _dumps(transcript), _dumps(result), take_id))
        return self.get_take(take_id)

    def mark_take_interrupted(self, take_id: str) -> None:
        with self._tx() as conn:
            conn.execute("UPDATE takes SET status = 'interrupted', recorder_pid = NULL WHERE id = ?", (take_id,))

    def get_take(self, take_id: str) -> TakeRecord:
        with self._read() as conn:
            row = conn.execute("SELECT * FROM takes WHERE id = ?", (take_id,)).fetchone()
        if row is None:
            raise NotFoundError(f"no take {take_id[:8]}")
        return self._take(row)

    def takes_of(self, answer_id: str) -> list[TakeRecord]:
        """An answer's takes, oldest first."""
        with self._read() as conn:
            rows = conn.execute("SELECT * FROM takes WHERE answer_id = ? ORDER BY created_at, rowid",
                                (answer_id,)).fetchall()
        return [self._take(r) for r in rows]

    def _take(self, row: sqlite3.Row) -> TakeRecord:
        return TakeRecord(row["id"], row["answer_id"], row["rule"], row["status"], row["created_at"],
                          self._loaded_path(row["audio_path"]), _loads(row["part_json"]),
                          _loads(row["transcript_json"]), _loads(row["result_json"]))

    # ---- deleting

    def delete_session(self, session_id: str) -> SessionRecord:
        """Delete a session, its answers, results and recordings. Returns what was deleted."""
        detail = self.get_session(session_id)
        with self._read() as conn:  # takes recorded outside the session's folder (an audio file kept where it was)
            take_paths = [self._loaded_path(r[0]) for r in conn.execute(
                "SELECT t.audio_path FROM takes t JOIN answers a ON a.id = t.answer_id WHERE a.session_id = ? "
                "AND t.audio_path IS NOT NULL", (detail.session.id,))]
        with self._tx() as conn:
            conn.execute("DELETE FROM sessions WHERE id = ?", (detail.session.id,))
        for path in take_paths:
            if path is not None and path.absolute().is_relative_to(self.recordings_dir.absolute()):
                with suppress(FileNotFoundError):
                    path.unlink()
        for answer in detail.answers:
            for path in {answer.audio_path, answer.final_audio_path} - {None}:
                if path is not None and path.absolute().is_relative_to(self.recordings_dir.absolute()):
                    with suppress(FileNotFoundError):
                        path.unlink()
        folder = self.recordings_dir / detail.session.id
        if folder.is_dir() and not folder.is_symlink():
            shutil.rmtree(folder, ignore_errors=True)
        return detail.session

    # ---- crash recovery

    def repair(self) -> RepairReport:
        """Recover what a crash, kill -9 or Ctrl-C left behind. Idempotent; deletes nothing.

        - answers left "recording" by a process that is gone become "interrupted", their partial WAV gets a
          valid header (every whole frame that reached the disk is kept), and their session becomes resumable;
        - sessions left "active" by a process that is gone become "interrupted";
        - `*.partial.wav` files no answer points to are attached to their session as interrupted answers, or
          listed as unattached when their folder is no known session.
        """
        report = RepairReport()
        with self._read() as conn:
            stuck = conn.execute("SELECT id, session_id, position, audio_path, recorder_pid FROM answers "
                                 "WHERE status = 'recording'").fetchall()
        for row in stuck:
            if _pid_alive(row["recorder_pid"]):
                continue
            audio = self._loaded_path(row["audio_path"])
            check = self._recover_audio(audio, report)
            if audio is not None and not audio.exists() and audio.name.endswith(PARTIAL_SUFFIX):
                final = audio.with_name(audio.name[: -len(PARTIAL_SUFFIX)] + ".wav")
                if final.exists():  # the recorder renamed it, then died before the database heard of it
                    audio, check = final, repair_wav(final)
            with self._tx() as conn:
                conn.execute("UPDATE answers SET status = 'interrupted', recorder_pid = NULL, audio_path = ?, "
                             "duration_s = COALESCE(duration_s, ?) WHERE id = ? AND status = 'recording'",
                             (self._stored_path(audio), check.duration_s if check else None, row["id"]))
                conn.execute("UPDATE sessions SET status = 'interrupted' WHERE id = ? AND status != 'done'",
                             (row["session_id"],))
            report.interrupted.append({
                "answer_id": row["id"], "session_id": row["session_id"], "position": row["position"],
                "audio_path": str(audio) if audio else None,
                "audio_s": round(check.duration_s, 3) if check else None,
                "problem": (check.problem if check else None) or (None if audio is None or audio.exists()
                                                                   else "the recording file is missing"),
            })
        self._repair_takes(report)
        partials = sorted(self.recordings_dir.glob(f"*/*{PARTIAL_SUFFIX}")) if self.recordings_dir.is_dir() else []
        with self._read() as conn:
            active = conn.execute("SELECT id, owner_pid FROM sessions WHERE status = 'active'").fetchall()
            referenced = {str(self._loaded_path(r[0])) for r in conn.execute(
                "SELECT audio_path FROM answers WHERE audio_path LIKE ?", (f"%{PARTIAL_SUFFIX}",))
            } if partials else set()
            known_sessions = {r[0] for r in conn.execute("SELECT id FROM sessions")} if partials else set()
        for row in active:
            if not _pid_alive(row["owner_pid"]):
                with self._tx() as conn:
                    conn.execute("UPDATE sessions SET status = 'interrupted' WHERE id = ? AND status = 'active'",
                                 (row["id"],))
                report.sessions.append(row["id"])
        for row in stuck:
            if row["session_id"] not in report.sessions and row["id"] in {i["answer_id"] for i in report.interrupted}:
                report.sessions.append(row["session_id"])
        if partials:
            for partial in partials:
                if str(partial.absolute()) in referenced or partial.is_symlink():
                    continue
                check = self._recover_audio(partial, report)
                session_id = partial.parent.name
                if session_id not in known_sessions:
                    report.unattached.append(str(partial))
                    continue
                answer_id = partial.name[: -len(PARTIAL_SUFFIX)]
                with self._tx() as conn:
                    taken = conn.execute("SELECT 1 FROM answers WHERE id = ?", (answer_id,)).fetchone()
                    if taken or not _ID_PREFIX.match(answer_id):
                        answer_id = new_id()
                    position = conn.execute("SELECT COALESCE(MAX(position), 0) + 1 FROM answers "
                                            "WHERE session_id = ?", (session_id,)).fetchone()[0]
                    conn.execute(
                        "INSERT INTO answers (id, session_id, position, question, status, started_at, audio_path, "
                        "duration_s) VALUES (?, ?, ?, ?, 'interrupted', ?, ?, ?)",
                        (answer_id, session_id, position, "(recovered recording; the question was not saved)",
                         now_iso(), self._stored_path(partial), check.duration_s if check else None))
                    conn.execute("UPDATE sessions SET status = 'interrupted' WHERE id = ? AND status = 'active'",
                                 (session_id,))
                report.attached.append({"answer_id": answer_id, "session_id": session_id, "position": position,
                                        "audio_path": str(partial),
                                        "audio_s": round(check.duration_s, 3) if check else None})
        return report

    def _repair_takes(self, report: RepairReport) -> None:
        """Takes left "recording" by a process that is gone: interrupted, their audio given a valid header (the
        finished file when the recorder renamed it before dying)."""
        with self._read() as conn:
            stuck = conn.execute("SELECT id, audio_path, recorder_pid FROM takes WHERE status = 'recording'").fetchall()
        for row in stuck:
            if _pid_alive(row["recorder_pid"]):
                continue
            audio = self._loaded_path(row["audio_path"])
            if audio is not None and not audio.exists() and audio.name.endswith(PARTIAL_SUFFIX):
                final = audio.with_name(audio.name[: -len(PARTIAL_SUFFIX)] + ".wav")
                audio = final if final.exists() else audio
            self._recover_audio(audio, report)
            with self._tx() as conn:
                conn.execute("UPDATE takes SET status = 'interrupted', recorder_pid = NULL, audio_path = ? "
                             "WHERE id = ? AND status = 'recording'", (self._stored_path(audio), row["id"]))

    def _recover_audio(self, path: Path | None, report: RepairReport) -> WavCheck | None:
        if path is None or not path.exists() or path.suffix.lower() != ".wav":
            return None
        check = repair_wav(path)
        if check.fixed:
            report.headers_fixed.append(str(path))
        return check
