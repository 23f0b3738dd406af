"""The practice engine: ask a question aloud, listen for the answer (or take it typed or from a file), transcribe
it, analyse it with the session's context, keep it in the store, and tell the view.

Two views drive it: the app (mockiv.tui) and the plain terminal (`mockiv practice --no-tui`). Each subscribes
to its events (`EngineEvents`) and sends it keys (`press`, `answer_text`, `answer_file`, `cancel`); neither does a
step itself. `Plan` says which question comes next, follow-ups included.

Each question asked is an attempt with its own number and thread: speaking, then (with a microphone) listening,
which opens by itself once the question has been spoken. Events of an attempt carry its number, so a view can
ignore a stale one (a retried or skipped question). Nothing recorded is ever lost: the answer is in the store
before its audio starts, and a failure, a skip or Ctrl-C ends it with one line and keeps the recording.
"""

from __future__ import annotations

import shutil
import threading
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from mockiv import paths
from mockiv.core.transcript import Transcript
from mockiv.engine.analysis import Analyzer, AnswerResult
from mockiv.engine.listening import ListenSettings, MicrophoneFactory, SpokenAnswer, Take
from mockiv.engine.model import ModelHolder
from mockiv.engine.prompts import Prompt, follow_up_text
from mockiv.errors import MockivError, UserInputError

TEXT_SUFFIXES = (".txt", ".text", ".md")  # an answer file with one of these is a transcript, else audio
MAX_ANSWER_S = 600  # a hard cap: 10 minutes per answer (pitfalls.md §6)


def one_line(error: BaseException) -> str:
    text = str(error).splitlines()[0] if str(error) else ""
    return text or type(error).__name__


# ------------------------------------------------------------------------------------------------ what views hear


@dataclass(frozen=True, slots=True)
class AnswerOutcome:
    """One answered question: what was asked, how it was answered, and its analysis."""

    attempt: int
    prompt: Prompt
    result: AnswerResult
    stop_reason: str  # silence, key, time-budget, no-speech, device-lost, typed, file
    problem: str | None = None  # the one line to show beside the feedback (the budget ran out ...)
    findings_latency_s: float | None = None  # end of the answer to findings ready
    transcript_latency_s: float | None = None
    pieces: int = 0

    def to_dict(self) -> dict[str, Any]:
        return {
            "question": self.prompt.text,
            "question_id": self.prompt.question_id,
            "follow_up": self.prompt.is_follow_up,
            "source": self.result.source,
            "stop_reason": self.stop_reason,
            "problem": self.problem,
            "audio_path": str(self.result.audio_path) if self.result.audio_path else None,
            "answer_id": self.result.answer_id,
            "transcript_latency_s": self.transcript_latency_s,
            "findings_latency_s": self.findings_latency_s,
            "streamed_pieces": self.pieces,
            "analysis": self.result.to_dict(),
        }


class EngineEvents:
    """What the engine tells a view. Every method does nothing by default. They are called from the engine's
    threads (level and partial transcripts from the recorder's): a view hands them to its own loop."""

    def speaking(self, attempt: int, prompt: Prompt) -> None: ...

    def spoken(self, attempt: int, prompt: Prompt) -> None:
        """The question has been asked (spoken, skipped or only shown)."""

    def loading(self, attempt: int) -> None:
        """The speech model is still loading; listening starts when it is ready."""

    def listening(self, attempt: int, prompt: Prompt) -> None:
        """The microphone is open: the first word starts the answer."""

    def answer_started(self, attempt: int) -> None: ...

    def level(self, attempt: int, level: float) -> None: ...

    def partial_transcript(self, attempt: int, transcript: Transcript) -> None: ...

    def transcribing(self, attempt: int, prompt: Prompt) -> None:
        """The answer has ended: the transcript and the findings are on their way."""

    def answered(self, outcome: AnswerOutcome) -> None: ...

    def failed(self, attempt: int, prompt: Prompt, line: str) -> None:
        """The answer could not be analysed (nothing said, no model ...): one line saying why and what to do."""

    def notice(self, line: str) -> None: ...


class _Broadcast(EngineEvents):
    """Every event to every subscriber, in the order they subscribed."""

    def __init__(self) -> None:
        self.subscribers: list[EngineEvents] = []

    def __getattribute__(self, name: str) -> Any:
        if name.startswith("_") or name == "subscribers":
            return object.__getattribute__(self, name)

        def broadcast(*args: Any) -> None:
            for subscriber in object.__getattribute__(self, "subscribers"):
                getattr(subscriber, name)(*args)

        return broadcast


class _AttemptEvents:
    """The listening callbacks of one attempt, tagged with its number. Each partial transcript is also handed to
    `prepare` (the analyzer encodes its finished sentences while the candidate is still speaking)."""

    def __init__(self, events: EngineEvents, attempt: int,
                 prepare: Callable[[Transcript], None] | None = None) -> None:
        self.events, self.attempt, self.prepare = events, attempt, prepare

    def level(self, level: float) -> None:
        self.events.level(self.attempt, level)

    def answer_started(self) -> None:
        self.events.answer_started(self.attempt)

    def partial_transcript(self, transcript: Transcript) -> None:
        self.events.partial_transcript(self.attempt, transcript)
        if self.prepare is not None:
            self.prepare(transcript)


# ------------------------------------------------------------------------------------------------ the plan


@dataclass
class Plan:
    """The questions of a session and which comes next. `follow_ups` is how many follow-ups are asked without
    being chosen, after each pack question (`practice --follow-ups N`); a view may also ask for one."""

    prompts: list[Prompt]
    follow_ups: int = 0
    index: int = 0
    _follow_ups_asked: int = 0

    @property
    def current(self) -> Prompt:
        return self.prompts[self.index]

    @property
    def number(self) -> int:
        return self.index + 1

    @property
    def total(self) -> int:
        return len(self.prompts)

    @property
    def upcoming(self) -> Prompt | None:
        """The pack question after the current one, if the answer calls for no follow-up (None at the end)."""
        return self.prompts[self.index + 1] if self.index + 1 < len(self.prompts) else None

    def follow_up_for(self, prompt: Prompt, result: AnswerResult | None) -> str:
        """The follow-up this answer calls for ("" when none)."""
        return follow_up_text(result.findings if result else (), prompt.follow_ups)

    def after(self, prompt: Prompt, result: AnswerResult | None, choice: str = "next") -> Prompt | None:
        """What to ask after `prompt`: "retry" it, a "follow-up", or "next" (a follow-up first while the automatic
        ones last). None: the pack is done."""
        if choice == "retry":
            return prompt
        follow_up = self.follow_up_for(prompt, result)
        automatic = choice == "next" and self._follow_ups_asked < self.follow_ups and result is not None
        if follow_up and (choice == "follow-up" or automatic):
            self._follow_ups_asked += 1
            return prompt.follow_up(follow_up)
        self._follow_ups_asked = 0
        if self.index + 1 >= len(self.prompts):
            return None
        self.index += 1
        return self.current


# ------------------------------------------------------------------------------------------------ the engine


@dataclass
class EngineSettings:
    listen: ListenSettings = field(default_factory=ListenSettings)


class _Attempt:
    def __init__(self, number: int, prompt: Prompt, speak: bool) -> None:
        self.number = number
        self.prompt = prompt
        self.speak = speak
        self.cancelled = threading.Event()
        self.spoken = threading.Event()
        self.listen_now = threading.Event()  # open the microphone (after any thinking time)
        self.take: Take | None = None
        self.thread: threading.Thread | None = None
        self.answer_id: str | None = None
        self.answering = False  # an answer (typed, file, spoken) is on its way to the findings
        self.interrupted = False  # Ctrl-C: the recording is kept as it is, nothing more is done with it
        # The microphone opened right after the question: its thinking time is part of the listening.
        self.thinks_while_listening = False


class Engine:
    """One practice or rehearsal session. See the module docstring."""

    def __init__(self, *, pack_id: str, mode: str, analyzer: Analyzer, model: ModelHolder,
                 speaker: Any = None, store: Any = None, microphone: MicrophoneFactory | None = None,
                 speech_probability: Any = None, settings: EngineSettings | None = None) -> None:
        self.pack_id = pack_id
        self.mode = mode
        self.events = _Broadcast()
        self.analyzer = analyzer
        self.model = model
        self.speaker = speaker
        self.store = store
        self.microphone = microphone
        self.speech_probability = speech_probability
        self.settings = settings or EngineSettings()
        self.session_id: str | None = None
        self.outcomes: list[AnswerOutcome] = []
        self.ended = False
        self._attempts = 0
        self._current: _Attempt | None = None
        self._lock = threading.Lock()
        self._references: list[Any] | None = None
        self._references_ready = threading.Event()

    @property
    def next_attempt(self) -> int:
        """The number the next `ask` will get (to wait for its events before they can come)."""
        return self._attempts + 1

    def subscribe(self, view: EngineEvents) -> None:
        self.events.subscribers.append(view)

    @property
    def has_microphone(self) -> bool:
        return self.microphone is not None

    # ------------------------------------------------------------------ the session and its store

    def _guard(self, what: str, call: Callable[[], Any]) -> Any:
        try:
            return call()
        except Exception as error:  # any store failure: tell the candidate once, keep the interview going
            self.events.notice(f"could not {what}: {one_line(error)}")
            return None

    def start(self) -> None:
        """Open the session in the store and gather the recitation references, in the background."""
        if self.store is not None and self.session_id is None:
            record = self._guard("save the session", lambda: self.store.create_session(self.pack_id, self.mode))
            self.session_id = getattr(record, "id", None)
        threading.Thread(target=self._gather_references, name="mockiv-references", daemon=True).start()

    def _gather_references(self) -> None:
        from mockiv.recitation_context import recitation_references

        try:
            # Before this session's first answer: the same references `mockiv analyze` would use now.
            self._references = recitation_references(store=self.store) if self.store is not None else \
                recitation_references(earlier_answers=False)
        except MockivError as error:  # a broken bank must not stop the session: recitation is not checked
            self.events.notice(f"recited answers are not checked: {one_line(error)}")
            self._references = []
        except Exception:  # no store installed: the bank alone
            self._references = []
        finally:
            self._references_ready.set()

    def references(self) -> list[Any]:
        self._references_ready.wait()
        return self._references or []

    def end(self, status: str = "done") -> None:
        """Stop whatever is running and close the session (once)."""
        already, self.ended = self.ended, True
        self.cancel()
        if already:
            return
        if self.store is not None and self.session_id is not None:
            store, session_id = self.store, self.session_id
            self._guard("close the session", lambda: _close(store, session_id, status))

    def shutdown(self, wait_s: float = 5.0) -> None:
        """The program is exiting: end the session and give the current answer's thread a moment to close its
        recording and transcriber (a decode torn down by the interpreter's exit crashed it)."""
        self.end("interrupted" if self._current is not None and self._current.take is not None
                 and not self._current.answering else "done")
        attempt = self._current
        if attempt is not None and attempt.thread is not None:
            attempt.thread.join(wait_s)

    def _begin_answer(self, attempt: _Attempt, *, record_audio: bool) -> tuple[str | None, Path | None]:
        if self.store is None or self.session_id is None:
            return None, None
        prompt, session_id = attempt.prompt, self.session_id
        record = self._guard("save the answer", lambda: self.store.begin_answer(
            session_id, question=prompt.text, kind=prompt.kind, question_id=prompt.question_id,
            record_audio=record_audio))
        if record is None:
            return None, None
        attempt.answer_id = record.id
        return record.id, (Path(record.audio_path) if record_audio and record.audio_path else None)

    def _finish_answer(self, answer_id: str | None, result: AnswerResult, model: str | None,
                       audio_path: Path | None = None, status: str = "done") -> None:
        if self.store is None or answer_id is None:
            return
        store = self.store
        self._guard("save the answer", lambda: store.finish_answer(
            answer_id, transcript=result.transcript, metrics=result.metrics, result=result.result, model=model,
            status=status, **({"audio_path": audio_path} if audio_path is not None else {})))

    def _interrupted(self, answer_id: str | None) -> None:
        if self.store is not None and answer_id is not None:
            store = self.store
            self._guard("mark the answer interrupted", lambda: store.mark_interrupted(answer_id))

    # ------------------------------------------------------------------ asking

    def ask(self, prompt: Prompt, *, listen: bool = True, speak: bool = True) -> int:
        """Ask `prompt` (speaking it when there is a voice and `speak`), then listen by itself when there is a
        microphone and `listen` (a rehearsal listens after its thinking time: `listen_now`). Returns the attempt
        number."""
        with self._lock:
            if self._current is not None:
                self._cancel(self._current)
            self._attempts += 1
            attempt = _Attempt(self._attempts, prompt, speak)
            self._current = attempt
        if listen:
            attempt.listen_now.set()
            attempt.thinks_while_listening = True
        self._spawn(attempt, self._run_attempt)
        return attempt.number

    def _spawn(self, attempt: _Attempt, step: Callable[..., None], *args: Any) -> None:
        """Run a step of `attempt` in its own thread; an unexpected error ends the attempt with one line."""

        def run() -> None:
            try:
                step(attempt, *args)
            except Exception as error:  # a bug or an odd input must not leave the view waiting forever
                self._interrupted(attempt.answer_id)
                self._fail(attempt, one_line(error))

        attempt.thread = threading.Thread(target=run, name=f"mockiv-attempt-{attempt.number}", daemon=True)
        attempt.thread.start()

    def repeat(self) -> None:
        """Say the question again (before the answer has started)."""
        attempt = self._current
        if attempt is None or self.speaker is None or (attempt.take and attempt.take.answer_started):
            return
        threading.Thread(target=self._say, args=(attempt.prompt.text,), daemon=True).start()

    def prepare(self, prompt: Prompt | None) -> None:
        """A hint from the view: `prompt` is likely asked next. The voice renders its first words while the
        candidate answers this one, so they are heard the moment it is asked (a voice without `prepare` ignores
        it; a question never asked costs a fraction of a second of rendering)."""
        prepare = getattr(self.speaker, "prepare", None)
        if prompt is not None and callable(prepare):
            prepare(prompt.text)

    def listen_now(self) -> None:
        if self._current is not None:
            self._current.listen_now.set()

    def _say(self, text: str) -> None:
        try:
            self.speaker.say(text)
        except Exception as error:  # the question is on screen: a voice failure is one notice
            self.events.notice(f"speaking the question failed: {one_line(error)}")

    def _run_attempt(self, attempt: _Attempt) -> None:
        self.events.speaking(attempt.number, attempt.prompt)
        if self.speaker is not None and attempt.speak:
            self._say(attempt.prompt.text)
        attempt.spoken.set()
        if attempt.cancelled.is_set():
            return
        self.events.spoken(attempt.number, attempt.prompt)
        if self.microphone is None:
            return  # typed or from a file: the view sends it
        while not attempt.listen_now.wait(0.05):
            if attempt.cancelled.is_set():
                return
        if not attempt.cancelled.is_set() and not attempt.answering:
            self._listen(attempt)

    # ------------------------------------------------------------------ keys

    def press(self) -> None:
        """The answer key (Space, Enter): skips the voice while speaking; starts the answer before the first
        word, ends it after."""
        attempt = self._current
        if attempt is None:
            return
        if not attempt.spoken.is_set() and self.speaker is not None:
            self.speaker.stop()  # answering over the question: the candidate has heard enough
        attempt.listen_now.set()
        if attempt.take is not None:
            attempt.take.press()

    def stop_answer(self, reason: str = "key") -> None:
        """End a spoken answer now (the candidate or the clock); what was said is analysed."""
        attempt = self._current
        if attempt is not None and attempt.take is not None:
            attempt.take.stop(reason)

    def cancel(self) -> None:
        """Give up the current question (skip, end, quit): stop speaking and listening; an answer already on its
        way to the findings still arrives."""
        with self._lock:
            if self._current is not None:
                self._cancel(self._current)

    def _cancel(self, attempt: _Attempt) -> None:
        attempt.cancelled.set()
        attempt.listen_now.set()
        if self.speaker is not None and not attempt.spoken.is_set():
            self.speaker.stop()
        if attempt.take is not None and not attempt.answering:
            attempt.take.stop("cancelled")

    def interrupt(self) -> str | None:
        """Ctrl-C: stop the recording, keep it under its final name, mark the answer interrupted. Returns the
        line to show, when something had been recorded."""
        attempt = self._current
        if attempt is None or attempt.take is None:
            self.cancel()
            return None
        take = attempt.take
        attempt.interrupted = True
        attempt.cancelled.set()
        try:
            recording = take.abandon()
        except Exception as error:
            return f"interrupted: the recording could not be closed ({one_line(error)})"
        finally:
            self._interrupted(attempt.answer_id)
        return f"interrupted: the answer so far ({recording.duration_s:.1f} s) is kept in {recording.path}"

    def answer_text(self, text: str) -> None:
        """A typed answer (or a transcript file's text) for the current question."""
        attempt = self._take_over("typed")
        if attempt is not None:
            self._spawn(attempt, self._answer_typed, text)

    def answer_file(self, path: Path) -> None:
        """An answer from a file: audio (transcribed) or a .txt transcript. The audio is copied into the data
        folder, so the session keeps it whatever happens to the original."""
        attempt = self._take_over("file")
        if attempt is not None:
            self._spawn(attempt, self._answer_from_file, Path(path))

    def _take_over(self, how: str) -> _Attempt | None:
        """The current attempt, its microphone closed, ready for an answer given another way."""
        attempt = self._current
        if attempt is None or attempt.answering:
            return None
        attempt.answering = True
        if self.speaker is not None and not attempt.spoken.is_set():
            self.speaker.stop()
        take = attempt.take
        if take is not None:
            take.stop("cancelled")  # the listening thread closes it; nothing was said into it
        return attempt

    # ------------------------------------------------------------------ the three ways to answer

    def _listen(self, attempt: _Attempt) -> None:
        transcriber = self._wait_for_model(attempt)
        if attempt.cancelled.is_set() or attempt.answering:
            return
        if transcriber is None:
            self._fail(attempt, f"speech recognition is unavailable ({self.model.error}); type the answer or "
                                "pick an audio file instead")
            return
        answer_id, partial = self._begin_answer(attempt, record_audio=True)
        if partial is None:  # not saved in a session: a private scratch file
            from mockiv.store import new_id

            partial = paths.sub_dir("recordings") / f"{new_id()}.partial.wav"
        final = partial.with_name(partial.name.replace(".partial.wav", ".wav"))
        prompt = attempt.prompt
        thinking = float(prompt.thinking_time_s) if attempt.thinks_while_listening else 0.0
        budget = float(prompt.time_budget_s)
        take = Take(transcriber, final, partial, settings=self.settings.listen,
                    time_budget_s=min(budget, MAX_ANSWER_S), thinking_time_s=thinking,
                    events=_AttemptEvents(self.events, attempt.number,
                                          lambda words: self.analyzer.prepare(words, prompt.text, prompt.kind)),
                    open_microphone=self.microphone,
                    speech_probability=self.speech_probability)
        try:
            take.start()
        except Exception as error:
            self._interrupted(answer_id)
            self._fail(attempt, f"the microphone could not start: {one_line(error)}")
            return
        attempt.take = take
        if attempt.cancelled.is_set():
            take.stop("cancelled")
        self.events.listening(attempt.number, prompt)
        reason = take.wait()
        if attempt.interrupted:
            return  # interrupt() closed the recording and marked the answer
        if reason == "cancelled":
            self._close_unanswered(attempt, take)
            return
        attempt.answering = True
        if reason == "time-budget":  # said the moment it happens, not once the findings are ready
            self.events.notice(f"time: stopped at the {prompt.time_budget_s} s budget")
        self.events.transcribing(attempt.number, prompt)
        try:
            spoken = take.finish(reason)
        except Exception as error:
            self._interrupted(answer_id)
            self._fail(attempt, f"the recording failed: {one_line(error)}")
            return
        self._analyse_spoken(attempt, spoken, transcriber.model_name)

    def _wait_for_model(self, attempt: _Attempt) -> Any:
        """The speech model (None when it failed to load), saying "loading" while it is not ready yet."""
        if not self.model.done:
            self.events.loading(attempt.number)
            self.model.load()  # nobody started it yet (the plain terminal): load it here; else wait for it
        return self.model.get()

    def _close_unanswered(self, attempt: _Attempt, take: Take) -> None:
        """Skipped, or answered another way, before or while listening: keep the audio, record no answer."""
        if self.ended:  # quitting: keep the recording as it is, transcribe nothing
            take.abandon()
            self._interrupted(attempt.answer_id)
            return
        try:
            spoken = take.finish("cancelled")
        except Exception:
            self._interrupted(attempt.answer_id)
            return
        if spoken.heard_speech:  # words said before the skip still count as an answer (stored, not shown)
            self._analyse_spoken(attempt, spoken, take.streamer.transcriber.model_name, report=False)
        elif attempt.answer_id is not None and self.store is not None:
            store, answer_id = self.store, attempt.answer_id
            self._guard("save the answer", lambda: store.finish_answer(
                answer_id, transcript=spoken.transcript, model=None, status="skipped"))

    def _analyse_spoken(self, attempt: _Attempt, spoken: SpokenAnswer, model: str, *, report: bool = True) -> None:
        prompt = attempt.prompt
        if not spoken.heard_speech:
            if self.store is not None and attempt.answer_id is not None:
                store, answer_id = self.store, attempt.answer_id
                self._guard("save the answer", lambda: store.finish_answer(
                    answer_id, transcript=spoken.transcript, model=model))
            if report:
                self._fail(attempt, spoken.problem or "no speech was heard")
            return
        problem = spoken.problem
        started = time.perf_counter()
        metadata = {"source": "microphone", "model": model, "stop_reason": spoken.stop_reason,
                    "audio_glitches": spoken.overflows}
        result = self._analyse(attempt, spoken.transcript, "microphone", metadata, spoken.audio)
        if result is None:
            return
        result = replace(result, answer_id=attempt.answer_id, audio_path=spoken.audio_path)
        self._finish_answer(attempt.answer_id, result, model, spoken.audio_path)
        if report:
            self._answered(AnswerOutcome(attempt.number, prompt, result, spoken.stop_reason, problem,
                                         spoken.transcript_latency_s + time.perf_counter() - started,
                                         spoken.transcript_latency_s, spoken.pieces))

    def _answer_typed(self, attempt: _Attempt, text: str, source: str = "typed") -> None:
        answer_id, _ = self._begin_answer(attempt, record_audio=False)
        transcript = Transcript.from_text(text)
        started = time.perf_counter()
        result = self._analyse(attempt, transcript, source, {"source": source}, None)
        if result is None:
            return
        result = replace(result, answer_id=answer_id)
        self._finish_answer(answer_id, result, None)
        self._answered(AnswerOutcome(attempt.number, attempt.prompt, result, "file" if source == "text-file" else
                                     "typed", findings_latency_s=time.perf_counter() - started))

    def _answer_from_file(self, attempt: _Attempt, path: Path) -> None:
        prompt = attempt.prompt
        if path.suffix.lower() in TEXT_SUFFIXES:
            try:
                text = read_transcript(path)
            except UserInputError as error:
                self._fail(attempt, str(error))
                return
            self._answer_typed(attempt, text, "text-file")
            return
        from mockiv.audio.files import load_audio

        try:
            audio = load_audio(path)  # a bad file is one line before anything is stored
        except MockivError as error:
            self._fail(attempt, str(error))
            return
        transcriber = self._wait_for_model(attempt)
        if transcriber is None:
            self._fail(attempt, f"speech recognition is unavailable ({self.model.error}); type the answer instead")
            return
        self.events.transcribing(attempt.number, prompt)
        answer_id, _ = self._begin_answer(attempt, record_audio=False)
        kept = self._keep_audio_file(path, answer_id)
        try:
            transcript = transcriber.transcribe(audio)
        except Exception as error:
            self._interrupted(answer_id)
            self._fail(attempt, one_line(error))
            return
        started = time.perf_counter()
        metadata = {"source": "audio-file", "model": transcriber.model_name}
        result = self._analyse(attempt, transcript, "audio-file", metadata, audio)
        if result is None:
            return
        result = replace(result, answer_id=answer_id, audio_path=kept)
        self._finish_answer(answer_id, result, transcriber.model_name, kept)
        self._answered(AnswerOutcome(attempt.number, prompt, result, "file",
                                     findings_latency_s=time.perf_counter() - started))

    def _keep_audio_file(self, path: Path, answer_id: str | None) -> Path:
        """A copy of the answer's audio in the data folder (the session's recordings), named by the answer."""
        from mockiv.store import new_id

        if self.store is not None and self.session_id is not None:
            folder = self.store.session_dir(self.session_id)
        else:
            folder = paths.sub_dir("recordings")
        kept = folder / f"{answer_id or new_id()}{path.suffix.lower()}"
        try:
            shutil.copyfile(path, kept)
        except OSError as error:
            self.events.notice(f"could not keep a copy of {path.name} with the session: {one_line(error)}")
            return path
        return kept

    def _analyse(self, attempt: _Attempt, transcript: Transcript, source: str, metadata: dict[str, Any],
                 audio: Any) -> AnswerResult | None:
        prompt = attempt.prompt
        try:
            return self.analyzer.analyze(transcript, prompt.text, prompt.kind, question_id=prompt.question_id,
                                         source=source, metadata=metadata, references=self.references(),
                                         audio=audio)
        except Exception as error:
            self._interrupted(attempt.answer_id)
            self._fail(attempt, f"the analysis failed: {one_line(error)}")
            return None

    def _fail(self, attempt: _Attempt, line: str) -> None:
        attempt.answering = False  # the candidate may answer this question again, another way
        self.events.failed(attempt.number, attempt.prompt, line)

    def _answered(self, outcome: AnswerOutcome) -> None:
        self.outcomes.append(outcome)
        if outcome.problem:
            self.events.notice(outcome.problem)
        self.events.answered(outcome)


def read_transcript(path: Path) -> str:
    """A transcript file's text; one line saying what is wrong when it cannot be one."""
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError as error:
        raise UserInputError(f"{path}: no such file") from error
    except UnicodeDecodeError as error:
        raise UserInputError(f"{path}: not UTF-8 text; save the transcript as UTF-8") from error
    if not text.strip():
        raise UserInputError(f"{path}: the transcript is empty")
    return text


def check_answer_files(files: Sequence[Path], questions: int, follow_ups: int) -> None:
    if len(files) > questions * (1 + follow_ups):
        raise UserInputError(f"{len(files)} answer files for {questions} questions (and {follow_ups} follow-ups "
                             "each); give at most one file per question")
    for path in files:
        if not Path(path).is_file():
            raise UserInputError(f"{path}: no such file")



class _AttemptOver(EngineEvents):
    """For `run_through`: knows when the attempt it waits for has an outcome or a failure."""

    def __init__(self) -> None:
        self.done = threading.Event()
        self.asked = threading.Event()
        self.attempt = 0
        self.outcome: AnswerOutcome | None = None

    def expect(self, attempt: int) -> None:
        self.attempt, self.outcome = attempt, None
        self.done.clear()
        self.asked.clear()

    def spoken(self, attempt: int, prompt: Prompt) -> None:
        if attempt == self.attempt:
            self.asked.set()

    def answered(self, outcome: AnswerOutcome) -> None:
        if outcome.attempt == self.attempt:
            self.outcome = outcome
            self.done.set()

    def failed(self, attempt: int, prompt: Prompt, line: str) -> None:
        if attempt == self.attempt:
            self.done.set()


def run_through(engine: Engine, plan: Plan, answers: Sequence[Path] = (),
                on_question: Callable[[Prompt, int, int], None] = lambda prompt, number, total: None) -> None:
    """Ask the plan's questions in order, each after the last answer, follow-ups as the plan says: the plain
    terminal's session. With `answers`, each question is answered by the next file (and the session ends when
    they run out); else by the microphone. Ctrl-C stops the answer, keeps it, and is raised again."""
    waiter = _AttemptOver()
    engine.subscribe(waiter)
    files = list(answers)
    total = min(plan.total, len(files)) if files else plan.total
    prompt: Prompt | None = plan.current
    engine.start()
    status = "done"
    try:
        while prompt is not None and plan.number <= total:
            on_question(prompt, plan.number, total)
            waiter.expect(engine.next_attempt)
            engine.ask(prompt)
            engine.prepare(plan.upcoming)
            if files:
                while not waiter.asked.wait(0.05):
                    pass
                engine.answer_file(files.pop(0))
            while not waiter.done.wait(0.05):
                pass
            if engine.model.exception is not None and isinstance(engine.model.exception, MockivError):
                raise engine.model.exception
            outcome = waiter.outcome
            if outcome is not None and outcome.stop_reason == "device-lost":
                break
            # With answer files, the session ends when they run out.
            prompt = plan.after(prompt, outcome.result if outcome else None) if files or not answers else None
    except KeyboardInterrupt:
        status = "interrupted"
        line = engine.interrupt()
        if line:
            engine.events.notice(line)
        raise
    finally:
        engine.end(status)


def _close(store: Any, session_id: str, status: str) -> None:
    """Close a session in the store; one without a single answer (Enter, then Esc) is not kept: it would only be
    listed as "0/0 answers"."""
    if not store.get_session(session_id).answers:
        store.delete_session(session_id)
    else:
        store.end_session(session_id, status)
