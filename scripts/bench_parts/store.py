"""The session store: re-scoring throughput over 1,000 stored answers, and listing 10,000 sessions.

Figures:
  rescore_answers_per_s    answers re-analysed per second by `mockiv rescore --all` (read, rule engine, write
                           one more result with its findings), 1,000 stored answers of about 150 timed words
  list_10000_sessions_s    `Store.list_sessions()` over 10,000 sessions (with their answer counts and times)
  list_20_of_10000_s       the first page `sessions list` shows, from the same 10,000
  store_finish_answer_s    committing one finished answer (transcript, metrics, result; synchronous=FULL)
"""

from __future__ import annotations

import json
import os
import random
import statistics
import sys
import tempfile
import time
import uuid
from pathlib import Path

from mockiv.core.delivery import compute
from mockiv.core.transcript import Transcript, Word
from mockiv.store import Store

# 1,000 by definition of the figure; MOCKIV_BENCH_RESCORE_ANSWERS lowers it for a quick look (say so if used).
ANSWERS = int(os.environ.get("MOCKIV_BENCH_RESCORE_ANSWERS", "1000"))
SENTENCES = [
    "So, um, we had a billing service that kept timing out during the end of month run.",
    "I owned the migration to a queue and I wrote the plan with the payments team.",
    "We moved the writes behind the queue, you know, and I added idempotency keys.",
    "In the end errors dropped by forty percent and the run finished two hours earlier.",
    "I would say the hard part was, like, getting the finance people to trust the new numbers.",
    "What I learned is to ship a shadow mode first and compare the results for a week.",
]


def _transcript(rng: random.Random, words: int = 150) -> Transcript:
    tokens: list[str] = []
    while len(tokens) < words:
        tokens.extend(rng.choice(SENTENCES).split())
    out, t = [], 0.4
    for token in tokens[:words]:
        step = rng.uniform(0.3, 0.5)
        out.append(Word(token, round(t, 3), round(t + step * 0.8, 3), 0.9))
        t += step + (rng.uniform(1.2, 2.0) if rng.random() < 0.03 else 0.0)
    return Transcript.from_words(out, duration=round(t + 0.5, 2))


def _stored_answers(store: Store, count: int) -> None:
    """`count` analysed answers, ten per session, through the public API (as the app stores them).

    Ten distinct answers are analysed once and stored many times: the set-up is not what is measured.
    """
    from mockiv.analysis import analyze

    rng = random.Random(7)
    analyses = [analyze(_transcript(rng), f"Tell me about a time you led project {q}", "behavioral")
                for q in range(10)]
    for _ in range(count // 10):
        session = store.create_session("general", "practice")
        for q, analysis in enumerate(analyses):
            answer = store.begin_answer(session.id, question=f"Tell me about a time you led project {q}",
                                        kind="behavioral", record_audio=False)
            store.finish_answer_from_analysis(answer.id, analysis, model="tiny.en")
        store.end_session(session.id)


def _bulk_sessions(store: Store, count: int) -> None:
    """`count` sessions with two answers each, inserted in one transaction (setup, not measured)."""
    rng = random.Random(11)
    metrics = json.dumps(compute(_transcript(rng, 40)).to_dict())
    conn = store._conn  # bulk set-up only; the measured calls go through the public API
    conn.execute("BEGIN")
    for i in range(count):
        sid = uuid.uuid4().hex
        started = f"2026-{1 + i % 12:02d}-{1 + i % 28:02d}T{i % 24:02d}:{i % 60:02d}:00+00:00"
        conn.execute("INSERT INTO sessions (id, pack_id, mode, started_at, status) VALUES (?, 'general', "
                     "'practice', ?, 'done')", (sid, started))
        conn.executemany("INSERT INTO answers (id, session_id, position, question, kind, status, started_at, "
                         "metrics_json, duration_s) VALUES (?, ?, ?, 'Q', 'behavioral', 'done', ?, ?, ?)",
                         [(uuid.uuid4().hex, sid, p, started, metrics, 60.0 + p) for p in (1, 2)])
    conn.execute("COMMIT")


def run(figures: dict[str, float]) -> None:
    from mockiv.commands.rescore import Rescorer

    with tempfile.TemporaryDirectory(prefix="mockiv-bench-store-") as folder:
        old_umask = os.umask(0o077)
        try:
            with Store.open(Path(folder) / "rescore" / "mockiv.db") as store:
                started = time.perf_counter()
                _stored_answers(store, ANSWERS)
                per_answer = (time.perf_counter() - started) / ANSWERS
                rescorer = Rescorer(store)
                answers = [a for sid in store.session_ids() for a in store.get_session(sid).answers]
                started = time.perf_counter()
                done = 0
                for sid in store.session_ids():  # what `mockiv rescore --all` does, reading included
                    for answer in store.get_session(sid).answers:
                        done += rescorer.rescore(answer) is not None
                elapsed = time.perf_counter() - started
                assert done == len(answers) == ANSWERS, (done, len(answers))
                figures["rescore_answers_per_s"] = round(done / elapsed, 1)
                print(f"  rescored {done} answers in {elapsed:.2f} s", file=sys.stderr)
                # finishing one answer: analysis excluded, commit included
                session = store.create_session("general")
                rng = random.Random(3)
                transcript = _transcript(rng)
                metrics = compute(transcript)
                result = store.get_session(store.session_ids()[0]).answers[0].latest.result
                timings = []
                for _ in range(50):
                    answer = store.begin_answer(session.id, question="Q", record_audio=False)
                    begun = time.perf_counter()
                    store.finish_answer(answer.id, transcript=transcript, metrics=metrics, result=result)
                    timings.append(time.perf_counter() - begun)
                figures["store_finish_answer_s"] = round(statistics.median(timings), 5)
                print(f"  set-up stored an answer in {per_answer * 1000:.1f} ms", file=sys.stderr)
            with Store.open(Path(folder) / "list" / "mockiv.db") as store:
                _bulk_sessions(store, 10_000)
                store.list_sessions()  # warm the page cache, as a second `sessions list` would
                runs = []
                for _ in range(5):
                    started = time.perf_counter()
                    listed = store.list_sessions()
                    runs.append(time.perf_counter() - started)
                assert len(listed) == 10_000
                figures["list_10000_sessions_s"] = round(statistics.median(runs), 4)
                page = []
                for _ in range(20):
                    started = time.perf_counter()
                    store.list_sessions(limit=20)
                    page.append(time.perf_counter() - started)
                figures["list_20_of_10000_s"] = round(statistics.median(page), 5)
        finally:
            os.umask(old_umask)


if __name__ == "__main__":
    results: dict[str, float] = {}
    run(results)
    print(json.dumps(results, indent=2))
