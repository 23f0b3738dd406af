"""What the `rehearsed` and `monotone` rules need beyond the words: the texts the candidate may be reciting
(story-bank entries, earlier answers from the session store) and the pitch of the answer's audio.

The imperative shell around mockiv.core.recitation: it reads the bank and the store, and measures the audio;
the rules stay pure. `mockiv.engine.analysis.analyze_answer` passes `context_for(...)` to the rules.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Any

from mockiv.core.baseline import CONTEXT_KEY as BASELINE_KEY
from mockiv.core.pitch import analyze_pitch
from mockiv.core.recitation import Reference, evaluation_context, story_text
from mockiv.core.transcript import Transcript
from mockiv.errors import MockivError

if TYPE_CHECKING:  # numpy loads with the first audio, not when the app starts
    import numpy as np

# Earlier answers older than this many are not compared: a candidate who practised a story months ago and
# tells it again now is not reciting last week's script, and the comparison stays quick.
EARLIER_ANSWERS_LIMIT = 200


def story_reference(story: Any) -> Reference:
    """A bank story (mockiv.stories.Story) as a reference text, in STAR order with its lesson."""
    parts = {k: getattr(story, k) for k in ("situation", "task", "action", "result", "lesson")}
    return Reference("story", story.id, story.title, story_text(parts))


def bank_references(bank_path: str | Path | None = None) -> list[Reference]:
    """Every story of the bank at `bank_path` (default: the user's bank). No bank: no references."""
    from mockiv.stories import load_bank

    try:
        bank, _ = load_bank(bank_path)
    except MockivError:
        if bank_path:
            raise
        return []
    return [story_reference(story) for story in bank.stories]


def earlier_answer_references(exclude_answer_id: str | None = None, limit: int = EARLIER_ANSWERS_LIMIT,
                              store: Any = None, before: str | None = None) -> list[Reference]:
    """The candidate's earlier answers (newest first), each a reference, from the session store; with `before`
    (an ISO time), only answers started before it: what the candidate had said when that answer was given."""
    from mockiv.store import Store

    own = store is None
    opened = Store.open() if own else store
    try:
        out: list[Reference] = []
        for session_id in opened.session_ids(oldest_first=False):
            for answer in opened.get_session(session_id).answers:
                if answer.id == exclude_answer_id or not answer.transcript:
                    continue
                if before is not None and answer.started_at >= before:
                    continue
                text = Transcript.from_dict(answer.transcript).text
                if text.strip():
                    out.append(Reference("answer", answer.id, _answer_label(answer), text))
            if len(out) >= limit:
                break
        return out[:limit]
    finally:
        if own:
            opened.close()


def _answer_label(answer: Any) -> str:
    question = answer.question if len(answer.question) <= 60 else answer.question[:57] + "..."
    return f"your answer of {answer.started_at[:10]} to \"{question}\""


def recitation_references(bank_path: str | Path | None = None, earlier_answers: bool = True,
                          exclude_answer_id: str | None = None, store: Any = None,
                          before: str | None = None) -> list[Reference]:
    """What a recited script could come from: the bank's stories and (unless `earlier_answers` is False) the
    candidate's earlier answers. Gathered once per session by the engine, once per run by analyze, and per
    answer (those before it) by rescore."""
    references = bank_references(bank_path)
    if earlier_answers:
        references += earlier_answer_references(exclude_answer_id, store=store, before=before)
    return references


def stored_answer_context(answer: Any, store: Any) -> tuple[list[Reference], np.ndarray | None]:
    """What a stored answer is analysed with again (rescore, the app's History): what the engine gave it in its
    session (the bank and the answers from before the session began) and the pitch of its recording, when the
    recording is still there."""
    from mockiv.audio.files import load_audio

    session = store.get_session(answer.session_id).session
    references = recitation_references(store=store, exclude_answer_id=answer.id, before=session.started_at)
    path = answer.audio_path
    audio = load_audio(path) if path is not None and Path(path).is_file() and not answer.partial else None
    return references, audio


def context_for(references: Iterable[Reference], audio: np.ndarray | None,
                baseline: Mapping[str, Any] | None = None) -> dict[str, Any]:
    """The rule engine's `context`: the references, the pitch of the answer's audio (None: no audio) and the
    candidate's baseline when they measured one (mockiv.baseline.current_baseline)."""
    context = evaluation_context(references, analyze_pitch(audio) if audio is not None and audio.size else None)
    if baseline:
        context[BASELINE_KEY] = dict(baseline)
    return context
