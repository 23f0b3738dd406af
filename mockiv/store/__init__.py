"""Sessions on disk: a SQLite database plus one folder of recordings per session.

Where: `paths.data_dir()/"mockiv.db"` (MOCKIV_HOME or `--data-dir` override it) and
`paths.sub_dir("recordings")/<session-id>/<answer-id>[.partial].wav`. Ids are generated (uuid4), never user text.
The folder is 0700, the database, its -wal/-shm files, backups and recordings 0600.

Guarantees
- WAL, `synchronous=FULL`, `foreign_keys=ON`, `busy_timeout`; every write is one transaction committed at once,
  so an answer is on disk the moment it ends, and a crash loses at most the audio not yet flushed.
- `PRAGMA quick_check` on open; a damaged file is never written to, and the error names the newest backup.
- Schema migrations by `PRAGMA user_version` (see `mockiv.store.schema`), each atomic; the file is backed up to
  `backups/` before migrating; a database from a newer mockiv is refused.
- Every failure a user can cause (damaged, locked, full disk, missing id) is a `MockivError` with one line.
- Results are never overwritten by a newer rules version or another model: each is a row keyed by
  (answer, rules_version, model), and the findings of each are rows carrying their `rules_version`.

The API (what the practice flow, the TUI and the commands call)::

    store = Store.open()                                    # or Store.open(path) in tests
    session = store.create_session("swe-core", "practice")  # BEFORE recording starts
    answer = store.begin_answer(session.id, question="Tell me about a failure", kind="failure",
                                question_id="q3")            # status "recording", committed
    # the recorder writes answer.audio_path (…/<answer>.partial.wav), fsyncs about every second,
    # and os.replace()s it to answer.final_audio_path on a clean stop
    store.finish_answer(answer.id, transcript=t, metrics=m, result=rule_result, model="tiny.en")
    #   or store.finish_answer_from_analysis(answer.id, analysis, model=...)
    store.mark_interrupted(answer.id)                        # Ctrl-C or an error mid-answer
    store.end_session(session.id)
    store.list_sessions(limit=20)  -> [SessionRecord]        # newest first, with counts
    store.get_session(id_or_prefix) -> SessionDetail         # answers with every result, oldest first
    store.record_result(answer.id, result, model=...)        # a rescore: one more result row
    store.update_transcript(answer.id, transcript, model=...)  # re-transcribed with another model
    take = store.begin_take(answer.id, "no-outcome")         # redo one part: takes/<take>.partial.wav
    store.finish_take(take.id, transcript=t, part=p, result=r)  # the answer re-scored with the take in place
    store.takes_of(answer.id) -> [TakeRecord]
    store.delete_session(id)                                 # rows, recordings and takes
    store.repair() -> RepairReport                           # orphans after a crash; idempotent
    store.reopen_session(id)                                 # resume an interrupted session

Transcripts, metrics and results are accepted as dicts or as objects with `to_dict()` (Transcript,
DeliveryMetrics, RuleResult) and returned as dicts; rebuild them with the types' `from_dict`.
"""

from mockiv.store.schema import SCHEMA_VERSION
from mockiv.store.store import (
    DB_NAME,
    PARTIAL_SUFFIX,
    AnswerRecord,
    NotFoundError,
    RepairReport,
    ResultRecord,
    SessionDetail,
    SessionRecord,
    Store,
    StoreCorruptError,
    StoreError,
    StoreFullError,
    StoreLockedError,
    StoreTooNewError,
    TakeRecord,
    new_id,
    writable,
)
from mockiv.store.wavfix import WavCheck, repair_wav

__all__ = [
    "DB_NAME",
    "PARTIAL_SUFFIX",
    "SCHEMA_VERSION",
    "AnswerRecord",
    "NotFoundError",
    "RepairReport",
    "ResultRecord",
    "SessionDetail",
    "SessionRecord",
    "Store",
    "StoreCorruptError",
    "StoreError",
    "StoreFullError",
    "StoreLockedError",
    "StoreTooNewError",
    "TakeRecord",
    "WavCheck",
    "new_id",
    "repair_wav",
    "writable",
]
