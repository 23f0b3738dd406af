"""The practice loop, independent of any UI: ask a question aloud, record the spoken answer, know when the candidate
has finished, and have the transcript and findings ready the moment they stop.

A UI (the plain terminal in `mockiv practice --no-tui`, later the TUI) passes a `PracticeListener` and gets every
state change as a call: speaking, listening (with the level), partial transcript, feedback, notices. Every call
comes from the thread running `PracticeSession.run()` or from the recorder's writer thread (level, partial);
keys come in through `press_key()` from any thread.

Nothing recorded is ever lost: the session and each answer are in the store before audio starts, the recorder
writes a partial WAV that survives a crash, and Ctrl-C, a vanished device or a silent microphone each end the
answer with one line and keep the recording.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from mockiv import paths
from mockiv.analysis import Analysis, analyze
from mockiv.core.transcript import Transcript
from mockiv.errors import MockivError, UserInputError

TEXT_SUFFIXES = (".txt", ".text", ".md")
# A microphone quieter than this never carried speech (same floor as mockiv.audio.files.SILENCE_RMS).
SILENT_MIC_DBFS = -60.0
POLL_S = 0.05


@dataclass(frozen=True, slots=True)
class Prompt:
    """What is asked: a pack question or one of its follow-ups."""

    text: str
    kind: str
    question_id: str | None
    time_budget_s: float | None
    thinking_time_s: float = 0.0
    follow_ups: tuple[str, ...] = ()
    is_follow_up: bool = False


@dataclass(frozen=True, slots=True)
class AnswerOutcome:
    prompt: Prompt
    source: str  # "microphone", "audio-file", "text-file"
    transcript: Transcript
    analysis: Analysis | None  # None when nothing was said
    audio_path: Path | None
    stop_reason: str  # silence, key, time-budget, no-speech, device-lost, file
    problem: str | None = None  # the one line to show (silent microphone, lost device)
    findings_latency_s: float | None = None  # end of the answer to findings ready
    transcript_latency_s: float | None = None
    answer_id: str | None = None
    pieces: int = 0

    def to_dict(self) -> dict[str, Any]:
        return {
            "question": self.prompt.text,
            "question_id": self.prompt.question_id,
            "follow_up": self.prompt.is_follow_up,
            "source": self.source,
            "stop_reason": self.stop_reason,
            "problem": self.problem,
            "audio_path": str(self.audio_path) if self.audio_path else None,
            "answer_id": self.answer_id,
            "transcript_latency_s": self.transcript_latency_s,
            "findings_latency_s": self.findings_latency_s,
            "streamed_pieces": self.pieces,
            "analysis": self.analysis.to_dict() if self.analysis is not None else None,
        }


class PracticeListener:
    """Override what the UI shows. All methods do nothing by default."""

    def question(self, prompt: Prompt, number: int, total: int) -> None: ...

    def speaking(self, prompt: Prompt) -> None: ...

    def listening(self, prompt: Prompt, audio_path: Path | None) -> None: ...

    def level(self, rms: float) -> None: ...

    def partial_transcript(self, transcript: Transcript) -> None: ...

    def transcribing(self, prompt: Prompt) -> None: ...

    def feedback(self, outcome: AnswerOutcome) -> None: ...

    def notice(self, line: str) -> None: ...


@dataclass
class PracticeOptions:
    input_device: str | int | None = None
    end_silence_s: float = 2.5
    # With nothing heard this long after the question (plus its thinking time), the microphone is probably muted.
    no_speech_timeout_s: float = 15.0
    follow_ups: int = 0
    limit: int | None = None
    answers: Sequence[Path] = ()
    use_store: bool = True
    samplerate: int | None = None  # force a device rate (tests of the resampling path)
    min_segment_s: float | None = None


def prompts_from_pack(pack: Any, limit: int | None = None) -> list[Prompt]:
    questions = list(pack.questions)[: limit or None]
    return [
        Prompt(q.text, str(q.kind), q.id, float(q.time_budget_s), float(q.thinking_time_s), tuple(q.follow_ups))
        for q in questions
    ]


class PracticeSession:
    def __init__(
        self,
        pack: Any,
        listener: PracticeListener | None = None,
        speaker: Any = None,
        transcriber_loader: Callable[[], Any] | None = None,
        options: PracticeOptions | None = None,
        store: Any = None,
    ) -> None:
        self.pack = pack
        self.listener = listener or PracticeListener()
        self.speaker = speaker
        self.options = options or PracticeOptions()
        self.store = store
        self.prompts = prompts_from_pack(pack, self.options.limit)
        if self.options.answers:
            if len(self.options.answers) > len(self.prompts) * (1 + self.options.follow_ups):
                raise UserInputError(f"{len(self.options.answers)} answer files for {len(self.prompts)} questions "
                                     f"(and {self.options.follow_ups} follow-ups each); give at most one file per "
                                     "question")
            for path in self.options.answers:
                if not Path(path).is_file():
                    raise UserInputError(f"{path}: no such file")
        self._loader = transcriber_loader
        self._transcriber: Any = None
        self._transcriber_error: BaseException | None = None
        self._transcriber_ready = threading.Event()
        self._key = threading.Event()
        self._phase = "idle"
        self._answers_left = list(self.options.answers)
        self.session_id: str | None = None
        self.outcomes: list[AnswerOutcome] = []

    # ------------------------------------------------------------------ keys and the model

    def press_key(self) -> None:
        """The one key of the plain terminal: skips the voice while speaking, ends the answer while recording."""
        if self._phase == "speaking" and self.speaker is not None:
            self.speaker.skip()
        elif self._phase == "recording":
            self._key.set()

    def _load_transcriber_in_background(self) -> None:
        if self._loader is None:
            self._transcriber_ready.set()
            return

        def load() -> None:
            try:
                self._transcriber = self._loader()  # type: ignore[misc]
            except BaseException as error:  # reported when it is needed
                self._transcriber_error = error
            finally:
                self._transcriber_ready.set()

        threading.Thread(target=load, name="mockiv-model-load", daemon=True).start()

    def transcriber(self) -> Any:
        self._transcriber_ready.wait()
        if self._transcriber_error is not None:
            raise self._transcriber_error
        if self._transcriber is None:
            raise MockivError("no speech recognition model is loaded")
        return self._transcriber

    # ------------------------------------------------------------------ the session

    def run(self) -> list[AnswerOutcome]:
        needs_model = not self.options.answers or any(
            Path(p).suffix.lower() not in TEXT_SUFFIXES for p in self.options.answers)
        if needs_model:
            self._load_transcriber_in_background()
        # The rule engine compiles its phrase index on first use: do it while the first question is spoken.
        threading.Thread(target=_warm_up_analysis, name="mockiv-rules-warm-up", daemon=True).start()
        if not self.options.answers:
            # No microphone is one line before anything is asked (pitfalls.md §2).
            from mockiv.audio.devices import resolve_input_device

            resolve_input_device(self.options.input_device)
        total = len(self.prompts) if not self.options.answers else min(len(self.prompts), len(self.options.answers))
        if self.store is not None:
            self.session_id = self.store.create_session(self.pack.id, "practice").id
        status = "done"
        try:
            for number, prompt in enumerate(self.prompts[:total], start=1):
                self.listener.question(prompt, number, total)
                outcome = self._ask(prompt)
                if outcome is None:
                    break
                for _ in range(self.options.follow_ups):
                    follow_up = self._follow_up_for(outcome)
                    if follow_up is None:
                        break
                    follow = self._ask(follow_up)
                    if follow is None:
                        break
                    outcome = follow
                if outcome.stop_reason == "device-lost":
                    break
        except KeyboardInterrupt:
            status = "interrupted"
            raise
        finally:
            self._phase = "idle"
            if self.store is not None and self.session_id is not None:
                try:
                    self.store.end_session(self.session_id, status)
                except MockivError as error:
                    self.listener.notice(f"could not close the session in the store: {error}")
        return self.outcomes

    def _follow_up_for(self, outcome: AnswerOutcome) -> Prompt | None:
        prompt = outcome.prompt
        if outcome.analysis is None or (self.options.answers and not self._answers_left):
            return None
        text = ""
        order = {"major": 0, "moderate": 1, "minor": 2}
        findings = outcome.analysis.to_dict().get("findings", [])
        for finding in sorted(findings, key=lambda f: order.get(str(f.get("severity")), 3)):
            if finding.get("follow_up"):
                text = str(finding["follow_up"])
                break
        if not text and prompt.follow_ups:
            text = prompt.follow_ups[0]
        if not text:
            return None
        remaining = tuple(f for f in prompt.follow_ups if f != text)
        return Prompt(text, prompt.kind, prompt.question_id, prompt.time_budget_s, 0.0, remaining, is_follow_up=True)

    def _ask(self, prompt: Prompt) -> AnswerOutcome | None:
        self._speak(prompt)
        if self.options.answers:
            if not self._answers_left:
                return None
            outcome = self._answer_from_file(prompt, Path(self._answers_left.pop(0)))
        else:
            outcome = self._answer_from_microphone(prompt)
        self.outcomes.append(outcome)
        if outcome.problem:
            self.listener.notice(outcome.problem)
        self.listener.feedback(outcome)
        return outcome

    def _speak(self, prompt: Prompt) -> None:
        self.listener.speaking(prompt)
        if self.speaker is None:
            return
        self._phase = "speaking"
        try:
            utterance = self.speaker.speak(prompt.text)
            while not utterance.wait(POLL_S):
                pass
        except KeyboardInterrupt:
            self.speaker.skip()
            raise
        finally:
            self._phase = "idle"

    # ------------------------------------------------------------------ answers from files

    def _answer_from_file(self, prompt: Prompt, path: Path) -> AnswerOutcome:
        if path.suffix.lower() in TEXT_SUFFIXES:
            try:
                text = path.read_text(encoding="utf-8")
            except UnicodeDecodeError as error:
                raise UserInputError(f"{path}: not UTF-8 text; save the transcript as UTF-8") from error
            if not text.strip():
                raise UserInputError(f"{path}: the transcript is empty")
            transcript, source, model = Transcript.from_text(text), "text-file", None
        else:
            from mockiv.audio.files import load_audio

            audio = load_audio(path)
            self.listener.transcribing(prompt)
            transcriber = self.transcriber()
            transcript, source, model = transcriber.transcribe(audio), "audio-file", transcriber.model_name
        answer_id = None
        if self.store is not None and self.session_id is not None:
            answer_id = self.store.begin_answer(self.session_id, question=prompt.text, kind=prompt.kind,
                                                question_id=prompt.question_id, record_audio=False).id
        started = time.perf_counter()
        analysis = self._analyze(prompt, transcript, {"source": source, **({"model": model} if model else {})})
        latency = time.perf_counter() - started
        if answer_id is not None:
            self.store.finish_answer_from_analysis(answer_id, analysis, model=model,
                                                   audio_path=path if source == "audio-file" else None)
        return AnswerOutcome(prompt, source, transcript, analysis, path if source == "audio-file" else None, "file",
                             findings_latency_s=latency, answer_id=answer_id)

    def _analyze(self, prompt: Prompt, transcript: Transcript, metadata: dict[str, Any]) -> Analysis:
        return analyze(transcript, prompt.text, prompt.kind, question_id=prompt.question_id, metadata=metadata,
                       context=self._rehearsal_context())

    def _rehearsal_context(self) -> dict[str, Any] | None:
        """Bank stories and earlier answers, gathered once per session, so the `rehearsed` rule can hear a
        recited script. Pitch is left out here: it would add to the delay before feedback."""
        if not hasattr(self, "_cached_rehearsal_context"):
            from mockiv.core.rehearsal import evaluation_context
            from mockiv.rehearsal_context import bank_references, earlier_answer_references

            try:
                references = bank_references()
                if self.store is not None:
                    references += earlier_answer_references(store=self.store)
                self._cached_rehearsal_context: dict[str, Any] | None = evaluation_context(references, None)
            except MockivError:  # a broken bank must not stop the practice session
                self._cached_rehearsal_context = None
        return self._cached_rehearsal_context

    # ------------------------------------------------------------------ answers from the microphone

    def _answer_from_microphone(self, prompt: Prompt) -> AnswerOutcome:
        from mockiv.asr.streaming import MIN_SEGMENT_S, StreamingTranscriber
        from mockiv.audio.capture import Recorder
        from mockiv.audio.vad import EndOfAnswer, EndpointSettings, VoiceActivity

        transcriber = self.transcriber()
        answer_id, final_path, partial_path = self._begin_answer(prompt)
        activity = VoiceActivity()
        streamer = StreamingTranscriber(transcriber, activity, on_partial=self.listener.partial_transcript,
                                        min_segment_s=self.options.min_segment_s or MIN_SEGMENT_S)
        endpoint = EndOfAnswer(activity, EndpointSettings(
            end_silence_s=self.options.end_silence_s,
            time_budget_s=prompt.time_budget_s,
            no_speech_timeout_s=self.options.no_speech_timeout_s + prompt.thinking_time_s,
        ))

        def on_audio(block: np.ndarray) -> None:
            streamer.feed(block)
            self.listener.level(float(np.sqrt(np.mean(np.square(block)))) if block.size else 0.0)

        recorder = Recorder(final_path, device=self.options.input_device, on_audio=on_audio,
                            partial_path=partial_path, samplerate=self.options.samplerate)
        try:
            recorder.start()
        except BaseException:
            streamer.close()
            self._mark_interrupted(answer_id)
            raise
        self._key.clear()
        self._phase = "recording"
        self.listener.listening(prompt, final_path)
        try:
            reason = self._wait_for_end(recorder, endpoint)
        except KeyboardInterrupt:
            self._phase = "idle"
            recording = recorder.stop("interrupted")
            streamer.close()
            self._mark_interrupted(answer_id)
            self.listener.notice(f"interrupted: the answer so far ({recording.duration_s:.1f} s) is kept in "
                                 f"{recording.path}")
            raise
        finally:
            self._phase = "idle"
        ended = time.perf_counter()
        try:
            recording = recorder.stop(reason)
        except BaseException:
            streamer.close()
            self._mark_interrupted(answer_id)
            raise
        self.listener.transcribing(prompt)
        transcript = streamer.finish()
        transcript_latency = time.perf_counter() - ended
        problem = recording.problem
        if not activity.heard_speech or not transcript.words:
            if problem is None:
                problem = self._no_speech_line(recording)
            self._finish_answer(answer_id, transcript, None, transcriber.model_name)
            return AnswerOutcome(prompt, "microphone", transcript, None, recording.path, recording.stop_reason,
                                 problem, None, transcript_latency, answer_id, streamer.stats.pieces)
        analysis = self._analyze(prompt, transcript, {"source": "microphone", "model": transcriber.model_name,
                                                      "stop_reason": recording.stop_reason,
                                                      "audio_glitches": recording.overflows})
        findings_latency = time.perf_counter() - ended
        self._finish_answer(answer_id, transcript, analysis, transcriber.model_name)
        return AnswerOutcome(prompt, "microphone", transcript, analysis, recording.path, recording.stop_reason,
                             problem, findings_latency, transcript_latency, answer_id, streamer.stats.pieces)

    def _wait_for_end(self, recorder: Any, endpoint: Any) -> str:
        while True:
            if self._key.is_set():
                return "key"
            if not recorder.check_alive():
                return "device-lost"
            reason = endpoint.reason
            if reason is not None:
                return str(reason)
            time.sleep(POLL_S)

    @staticmethod
    def _no_speech_line(recording: Any) -> str:
        if recording.peak_dbfs < SILENT_MIC_DBFS:
            return (f"the microphone is silent (peak level {recording.peak_dbfs:.0f} dBFS in "
                    f"{recording.duration_s:.0f} s): check that it is on, not muted, and the right one "
                    f"(`mockiv devices`); the recording is kept in {recording.path}")
        return (f"no speech was heard in {recording.duration_s:.0f} s (peak level {recording.peak_dbfs:.0f} dBFS); "
                f"the recording is kept in {recording.path}")

    def _begin_answer(self, prompt: Prompt) -> tuple[str | None, Path, Path | None]:
        if self.store is not None and self.session_id is not None:
            answer = self.store.begin_answer(self.session_id, question=prompt.text, kind=prompt.kind,
                                             question_id=prompt.question_id)
            return answer.id, Path(answer.final_audio_path), Path(answer.audio_path)
        from mockiv.store import new_id

        return None, paths.sub_dir("recordings") / f"{new_id()}.wav", None

    def _finish_answer(self, answer_id: str | None, transcript: Transcript, analysis: Analysis | None,
                       model: str) -> None:
        if answer_id is None or self.store is None:
            return
        if analysis is not None:
            self.store.finish_answer_from_analysis(answer_id, analysis, model=model)
        else:
            self.store.finish_answer(answer_id, transcript=transcript, model=model)

    def _mark_interrupted(self, answer_id: str | None) -> None:
        if answer_id is not None and self.store is not None:
            try:
                self.store.mark_interrupted(answer_id)
            except MockivError as error:
                self.listener.notice(f"could not mark the answer as interrupted: {error}")


def _warm_up_analysis() -> None:
    try:
        analyze(Transcript.from_text("I led the project."), "Tell me about a project you led.")
    except Exception:  # a broken rule shows up, with its message, on the first real answer
        return


def open_store() -> Any:
    from mockiv.store import Store

    return Store.open()

