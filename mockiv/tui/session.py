"""One run of the app through a pack: the questions to ask (with follow-ups), the answers so far, and the store.

The store is optional: without it the run is kept in memory and the app says so once. Store failures become
one-line notices through `on_error`, never a crash: the candidate's answer on screen matters more than the row.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from mockiv.tui.services import AnswerResult, SessionStore


@dataclass(frozen=True, slots=True)
class Prompt:
    """A question as asked: from the pack, or a follow-up to an answer."""

    text: str
    kind: str
    question_id: str | None = None
    signal: str = ""
    time_budget_s: int = 120
    thinking_time_s: int = 0
    follow_ups: tuple[str, ...] = ()
    listen_for: str | None = None
    follow_up_of: str | None = None

    @classmethod
    def from_question(cls, question: Any) -> Prompt:
        return cls(question.text, str(question.kind), question.id, question.signal, question.time_budget_s,
                   question.thinking_time_s, tuple(question.follow_ups), question.listen_for)

    def follow_up(self, text: str) -> Prompt:
        """The follow-up as its own question: same kind, shorter budget, no thinking time."""
        return Prompt(text, self.kind, f"{self.question_id}-follow-up" if self.question_id else None, self.signal,
                      min(self.time_budget_s, 90), 0, (), None, self.question_id)


@dataclass(slots=True)
class StartedAnswer:
    answer_id: str | None
    audio_path: Path | None


@dataclass
class SessionRun:
    pack_id: str
    pack_title: str
    mode: str  # "practice" | "rehearsal"
    prompts: list[Prompt]
    store: SessionStore | None = None
    on_error: Callable[[str], None] = lambda message: None
    session_id: str | None = None
    results: list[AnswerResult] = field(default_factory=list)
    skipped: list[Prompt] = field(default_factory=list)
    ended: bool = False

    @classmethod
    def for_pack(cls, pack: Any, mode: str, store: SessionStore | None,
                 on_error: Callable[[str], None] = lambda message: None) -> SessionRun:
        return cls(pack.id, pack.title, mode, [Prompt.from_question(q) for q in pack.questions], store, on_error)

    def _guard(self, what: str, call: Callable[[], Any]) -> Any:
        try:
            return call()
        except Exception as error:  # any store failure: tell the candidate once, keep the interview going
            self.on_error(f"could not {what}: {str(error).splitlines()[0] if str(error) else error!r}")
            return None

    def start(self) -> None:
        if self.store is None or self.session_id is not None:
            return
        record = self._guard("save the session", lambda: self.store.create_session(self.pack_id, self.mode))
        self.session_id = getattr(record, "id", None)

    def begin_answer(self, prompt: Prompt, *, record_audio: bool) -> StartedAnswer:
        if self.store is None or self.session_id is None:
            return StartedAnswer(None, None)
        store, session_id = self.store, self.session_id
        record = self._guard("save the answer", lambda: store.begin_answer(
            session_id, question=prompt.text, kind=prompt.kind, question_id=prompt.question_id,
            record_audio=record_audio))
        if record is None:
            return StartedAnswer(None, None)
        return StartedAnswer(record.id, getattr(record, "audio_path", None) if record_audio else None)

    def finish_answer(self, started: StartedAnswer, result: AnswerResult, model: str | None,
                      audio_path: Path | None = None) -> None:
        """Called from a worker thread: the store is thread-safe."""
        if self.store is None or started.answer_id is None:
            return
        store, answer_id = self.store, started.answer_id
        kwargs: dict[str, Any] = {"transcript": result.transcript, "metrics": result.metrics,
                                  "result": result.result, "model": model}
        if audio_path is not None:
            kwargs["audio_path"] = audio_path
        self._guard("save the answer", lambda: store.finish_answer(answer_id, **kwargs))

    def interrupt_answer(self, started: StartedAnswer) -> None:
        marker = getattr(self.store, "mark_interrupted", None)
        if callable(marker) and started.answer_id is not None:
            answer_id = started.answer_id
            self._guard("mark the answer interrupted", lambda: marker(answer_id))

    def end(self) -> None:
        if self.ended:
            return
        self.ended = True
        if self.store is not None and self.session_id is not None:
            store, session_id = self.store, self.session_id
            self._guard("close the session", lambda: store.end_session(session_id))
