"""A stored answer scored by the real rule engine, with a recording, for the redo and moment tests."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from mockiv.engine.analysis import Analyzer
from mockiv.store import Store
from tests.store.helpers import timed_transcript, write_wav

QUESTION = "Tell me about a time you led a project."
# A "we" story with no measurable result: we-without-i and no-outcome, both with evidence.
ANSWER = ("We had a hard deadline on the billing migration. We split the work and we shipped it on time. "
          "The team was happy.")
TAKE = "I rewrote the billing job myself and cut the nightly run from six hours to forty minutes, saving 3000 dollars."


@pytest.fixture
def store() -> Iterator[Store]:
    with Store.open() as opened:
        yield opened


def stored_answer(store: Store, text: str = ANSWER, audio: bool = True) -> tuple[str, Any]:
    """A session with one answer scored by the real analysis; its recording a tone as long as the words."""
    session = store.create_session("general", "practice")
    answer = store.begin_answer(session.id, question=QUESTION, kind="behavioral", question_id="q1",
                                record_audio=audio)
    transcript = timed_transcript(text, wpm=140.0)
    samples = None
    if audio:
        write_wav(answer.audio_path, float(transcript.duration or 1.0)).replace(answer.final_audio_path)
        from mockiv.audio.files import load_audio

        samples = load_audio(answer.final_audio_path)  # scored with its pitch, as the engine scores a recording
    result = Analyzer().analyze(transcript, QUESTION, "behavioral", question_id="q1", audio=samples)
    store.finish_answer(answer.id, transcript=transcript, metrics=result.metrics, result=result.result,
                        model="tiny.en")
    store.end_session(session.id)
    return session.id, store.get_answer(answer.id)
