"""Redo just this part, in the shell: a new take of one weak part of a stored answer (from the microphone, an
audio file or a transcript file), kept beside the answer's recording, and the answer re-scored with the take in
place (mockiv.core.redo splices it; `Analyzer.analyze_stored` runs the one analysis entry point,
mockiv.analysis.analyze, with the context the answer had).

The app's redo screen and `mockiv redo` both go through `RedoRun`: `prepare`, then `record` or `from_file`,
then `apply`. The take's row is committed before its audio starts and its recording is written crash-safe by the
answer recorder (mockiv.audio.capture through `listening.Take`), so a crash keeps it like any answer.
"""

from __future__ import annotations

import shutil
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from mockiv.core.moments import play_from
from mockiv.core.redo import Part, RedoChanges, RedoError, changes, part_to_redo, splice
from mockiv.core.rules import rule_title
from mockiv.core.transcript import Transcript
from mockiv.engine.analysis import Analyzer, AnswerResult
from mockiv.engine.listening import ListenSettings, MicrophoneFactory, Take
from mockiv.errors import UserInputError

TAKE_BUDGET_S = 60.0  # one part of an answer: a sentence or three


@dataclass(frozen=True, slots=True)
class RedoOutcome:
    take_id: str
    part: Part
    take: Transcript
    answer: Transcript  # the answer with the take in place
    result: AnswerResult
    changes: RedoChanges
    take_audio: Path | None

    def to_dict(self) -> dict[str, Any]:
        return {"take_id": self.take_id, "part": self.part.to_dict(), "take": self.take.text,
                "answer": self.answer.text, "take_audio": str(self.take_audio) if self.take_audio else None,
                "findings": list(self.result.findings)} | self.changes.to_dict()


@dataclass
class RedoRun:
    """One redo of one finding of one stored answer."""

    store: Any
    answer: Any  # mockiv.store.AnswerRecord
    finding: dict[str, Any]
    part: Part

    @classmethod
    def prepare(cls, store: Any, answer: Any, rule: str, quote: int | None = None) -> RedoRun:
        """The finding of `rule` in the answer's latest result and the part a take replaces; one line when there
        is none."""
        if answer.transcript is None or answer.latest is None:
            raise UserInputError(f"Q{answer.position} is not scored yet; run `mockiv rescore` on its session first")
        found = [f for f in answer.latest.findings if f.get("rule") == rule]
        if not found:
            have = ", ".join(dict.fromkeys(str(f["rule"]) for f in answer.latest.findings)) or "none"
            raise UserInputError(f"Q{answer.position} has no finding {rule!r} (its findings: {have})")
        try:
            part = part_to_redo(Transcript.from_dict(answer.transcript), found[0], quote)
        except RedoError as error:
            raise UserInputError(str(error)) from error
        return cls(store, answer, found[0], part)

    @property
    def title(self) -> str:
        return rule_title(str(self.finding["rule"]))

    @property
    def hint(self) -> str:
        """What to say in the take: the finding's own fix."""
        return str(self.finding.get("suggestion") or self.finding.get("message") or "")

    @property
    def original_from_s(self) -> float | None:
        """Where A (the original part) starts playing: a little before the part, as every moment does."""
        return play_from(self.part.start_s)

    # ---- the take

    def typed(self, text: str) -> tuple[str, Transcript]:
        """A take typed in the app: its words, and the take's row (no recording)."""
        words = Transcript.from_text(text)
        if not words.words:
            raise UserInputError("the new take is empty; type the part again")
        return self.store.begin_take(self.answer.id, self.finding["rule"], record_audio=False).id, words

    def from_file(self, path: Path, transcriber: Callable[[], Any]) -> tuple[str, Transcript, Path | None]:
        """A take from a transcript (.txt) or an audio file (transcribed, copied beside the answer's recording).
        Returns the take's id, its words and where its audio is kept."""
        from mockiv.engine.session import TEXT_SUFFIXES, read_transcript

        if path.suffix.lower() in TEXT_SUFFIXES:
            words = Transcript.from_text(read_transcript(path))
            take = self.store.begin_take(self.answer.id, self.finding["rule"], record_audio=False)
            return take.id, words, None
        from mockiv.audio.files import load_audio

        audio = load_audio(path)  # a bad file is one line before anything is stored
        model = transcriber()
        take = self.store.begin_take(self.answer.id, self.finding["rule"], record_audio=False)
        kept = self.store.takes_dir(self.answer.session_id) / f"{take.id}{path.suffix.lower()}"
        try:
            shutil.copyfile(path, kept)
        except OSError:
            kept = path
        try:
            words = model.transcribe(audio)
        except BaseException:
            self.store.mark_take_interrupted(take.id)
            raise
        return take.id, words, kept

    def record(self, transcriber: Any, microphone: MicrophoneFactory, *, settings: ListenSettings | None = None,
               events: Any = None, speech_probability: Any = None,
               on_take: Callable[[Take], None] | None = None) -> tuple[str, Transcript, Path]:
        """A take from the microphone, through the answer recorder: it ends after a silence, a key (`on_take`
        receives the Take, whose `stop()` ends it) or the budget."""
        take_row = self.store.begin_take(self.answer.id, self.finding["rule"])
        partial = Path(take_row.audio_path)
        final = partial.with_name(partial.name.replace(".partial.wav", ".wav"))
        take = Take(transcriber, final, partial, settings=settings or ListenSettings(), time_budget_s=TAKE_BUDGET_S,
                    thinking_time_s=0.0, events=events or _Quiet(), open_microphone=microphone,
                    speech_probability=speech_probability)
        try:
            take.start()
        except BaseException:
            self.store.mark_take_interrupted(take_row.id)
            raise
        if on_take is not None:
            on_take(take)
        try:
            reason = take.wait()
            if reason == "cancelled":  # given up (Esc): the recording is kept, the take is not scored
                take.abandon()
                self.store.mark_take_interrupted(take_row.id)
                raise UserInputError("the take was cancelled; nothing was re-scored")
            spoken = take.finish(reason)
        except UserInputError:
            raise
        except BaseException:
            take.abandon()
            self.store.mark_take_interrupted(take_row.id)
            raise
        if spoken.problem and not spoken.heard_speech:
            self.store.mark_take_interrupted(take_row.id)
            raise UserInputError(spoken.problem)
        return take_row.id, spoken.transcript, spoken.audio_path

    # ---- the re-score

    def apply(self, take_id: str, take: Transcript, analyzer: Analyzer, take_audio: Path | None = None
              ) -> RedoOutcome:
        """The answer with the take in place of the part, re-scored; the take's row keeps all of it."""
        try:
            spliced = splice(Transcript.from_dict(self.answer.transcript), self.part, take)
        except RedoError as error:
            self.store.mark_take_interrupted(take_id)
            raise UserInputError(str(error)) from error
        result = analyzer.analyze_stored(self.answer, self.store, spliced)
        self.store.finish_take(take_id, transcript=take, part=self.part.to_dict(), result=result.to_dict(),
                               audio_path=take_audio)
        return RedoOutcome(take_id, self.part, take, spliced, result,
                           changes(self.answer.latest.findings, result.findings), take_audio)


class _Quiet:
    """Listen events nobody watches (the CLI shows its own 'recording' line)."""

    def level(self, level: float) -> None: ...

    def answer_started(self) -> None: ...

    def partial_transcript(self, transcript: Transcript) -> None: ...
