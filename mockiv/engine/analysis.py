"""The engine's analysis step: one answer through `mockiv.analysis.analyze`, with the same context as
`mockiv analyze` (the story bank, earlier answers, the pitch of the audio), as an `AnswerResult` every view draws.

`isolated=True` (the app) runs the rules in a child process: they are CPU-bound Python (regexes, lexicons) that
would hold the GIL and freeze the screen, however many threads the app uses. The child is killed on `close`.
"""

from __future__ import annotations

import contextlib
import threading
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from mockiv.core import delivery
from mockiv.core.delivery import DeliveryMetrics
from mockiv.core.transcript import Transcript
from mockiv.errors import MockivError

if TYPE_CHECKING:  # numpy loads with the first audio, not when the app starts
    import numpy as np

ANALYSIS_TIMEOUT_S = 600.0
_WAIT_SLICE_S = 0.25
_CURRENT: Any = object()  # Analyzer.analyze's default baseline: the one in use now


class AnalysisStopped(MockivError):
    """The analysis process was closed while an answer waited on it (the app is quitting)."""


@dataclass(frozen=True, slots=True)
class AnswerResult:
    """One analysed answer, as every view shows it (dicts in the `analyze --json` shapes)."""

    question: str
    kind: str
    transcript: Transcript
    metrics: DeliveryMetrics
    findings: tuple[dict[str, Any], ...] = ()
    strengths: tuple[dict[str, Any], ...] = ()
    structure: tuple[dict[str, Any], ...] = ()
    rules_version: str = ""
    result: dict[str, Any] | None = None  # the rule engine's result, as the store keeps it
    question_id: str | None = None
    source: str = "typed"  # "typed" | "microphone" | "audio-file" | "text-file"
    answer_id: str | None = None
    audio_path: Path | None = None
    metadata: tuple[tuple[str, Any], ...] = ()

    def to_dict(self) -> dict[str, Any]:
        """The `mockiv analyze --json` object."""
        return {
            "question": self.question,
            "kind": self.kind,
            "transcript": self.transcript.to_dict(),
            "metrics": self.metrics.to_dict(),
            "findings": list(self.findings),
            "strengths": list(self.strengths),
            "structure": list(self.structure),
            "rules_version": self.rules_version,
            **{k: v for k, v in self.metadata if k not in ("question", "kind")},
        }


def analyze_answer(transcript: Transcript, question: str, kind: str | None, question_id: str | None,
                   metadata: dict[str, Any], references: Sequence[Any], audio: np.ndarray | None,
                   baseline: dict[str, Any] | None = None) -> tuple[dict[str, Any], dict[str, Any]]:
    """`mockiv.analysis.analyze` with the recitation references, the pitch of `audio` and the candidate's
    `baseline` (None: not measured): the `analyze --json` dict and the rule result dict, both plain data (this
    also runs in the child process)."""
    from mockiv.analysis import analyze
    from mockiv.recitation_context import context_for

    analysis = analyze(transcript, question, kind, question_id=question_id, metadata=metadata,
                       context=context_for(references, audio, baseline))
    return analysis.to_dict(), analysis.result.to_dict()


def _analyze_in_child(transcript: dict[str, Any], *args: Any, **kwargs: Any) -> tuple[dict[str, Any], dict[str, Any]]:
    return analyze_answer(Transcript.from_dict(transcript), *args, **kwargs)


def prepare_answer(transcript: Transcript, question: str, kind: str | None) -> None:
    """Encode the finished sentences of an answer still being spoken (all but the last, which may grow), so the
    end of the answer waits for its last sentence only: the process-wide encoder caches them, and the final
    analysis reads the same sentences the same way (mockiv.core.rules.engine.read_answer)."""
    from mockiv.analysis import MAX_JUDGED_WORDS
    from mockiv.core.kinds import infer_kind
    from mockiv.core.rules.engine import read_answer
    from mockiv.core.rules.judged import flag_heads, role_heads, sentence_texts
    from mockiv.core.transcript import Answer, Kind
    from mockiv.nlp.encoder import default_encoder

    if len(transcript.words) > MAX_JUDGED_WORDS:
        return  # the patterns will decide alone (mockiv.analysis)
    # The trained heads load once per process (about 0.1 s: 1.4 MB of word weights), here rather than after the
    # first answer has ended.
    role_heads()
    flag_heads()
    answer = Answer(question, Kind(kind) if kind else infer_kind(question), transcript)
    finished = sentence_texts(read_answer(answer))[:-1]
    if finished:
        default_encoder().warm(finished)


def _prepare_in_child(transcript: dict[str, Any], question: str, kind: str | None) -> None:
    with contextlib.suppress(Exception):  # a failure here is the final analysis's to report
        prepare_answer(Transcript.from_dict(transcript), question, kind)


class Analyzer:
    """Transcript (and audio) -> `AnswerResult`, through `analyze_answer` (tests pass a stand-in)."""

    def __init__(self, analyze: Callable[..., tuple[dict[str, Any], dict[str, Any]]] = analyze_answer, *,
                 isolated: bool = False,
                 prepare: Callable[[Transcript, str, str | None], None] | None = prepare_answer,
                 baseline: dict[str, Any] | None = None) -> None:
        self._analyze = analyze
        # The candidate's baseline (mockiv.baseline.current_baseline): delivery is also judged against it.
        self.baseline = baseline
        self.isolated = isolated
        # Preparing only helps the default analysis (its encoder); a stand-in analysis gets no preparing.
        self._prepare = prepare if analyze is analyze_answer else None
        self._preparing: Any = None  # the preparation in flight (an AsyncResult or a Thread), at most one
        self._pool: Any = None
        self._pool_lock = threading.Lock()

    def start(self) -> None:
        """Start the child process now, before the app takes over the terminal: multiprocessing passes
        `sys.stderr.fileno()` to its helper process, and Textual's captured stderr has no usable descriptor."""
        if self.isolated:
            self._remote()

    def _remote(self) -> Any:
        with self._pool_lock:
            if self._pool is None:
                import multiprocessing

                # spawn: a fresh interpreter, no copy of the app's threads or terminal state.
                self._pool = multiprocessing.get_context("spawn").Pool(1)
            return self._pool

    def analyze(self, transcript: Transcript, question: str, kind: str | None, *, question_id: str | None = None,
                source: str = "typed", metadata: dict[str, Any] | None = None, references: Sequence[Any] = (),
                audio: np.ndarray | None = None, baseline: Any = _CURRENT) -> AnswerResult:
        """`baseline`: the candidate's baseline to judge delivery against; by default the one in use now
        (`self.baseline`), None for none (a stored answer given before any was measured)."""
        metadata = dict(metadata or {})
        metrics = delivery.compute(transcript)
        arguments = (question, kind, question_id, metadata, tuple(references), audio)
        baseline = self.baseline if baseline is _CURRENT else baseline
        extra = {"baseline": baseline} if baseline else {}  # without one, the call is as before
        if self.isolated:
            data, result = self._wait(self._remote(), _analyze_in_child, (transcript.to_dict(), *arguments), extra)
        else:
            data, result = self._analyze(transcript, *arguments, **extra)
        return AnswerResult(
            question, str(data.get("kind", kind)), transcript, metrics, tuple(data.get("findings", [])),
            tuple(data.get("strengths", [])), tuple(data.get("structure", [])), str(data.get("rules_version", "")),
            result, question_id, source, metadata=tuple(metadata.items()),
        )

    def _wait(self, pool: Any, func: Callable[..., Any], args: tuple[Any, ...], kwargs: dict[str, Any]) -> Any:
        """The child's answer, waited for in short slices: once `close` has ended the child, no answer will
        come, and a thread still waiting (the warm-up, say) must not hold the app open at exit."""
        import multiprocessing

        pending = pool.apply_async(func, args, kwargs)
        deadline = time.monotonic() + ANALYSIS_TIMEOUT_S
        while True:
            try:
                return pending.get(_WAIT_SLICE_S)
            except multiprocessing.TimeoutError:
                if self._pool is not pool:
                    raise AnalysisStopped("the analysis stopped because mockiv is closing") from None
                if time.monotonic() > deadline:
                    raise

    def prepare(self, transcript: Transcript, question: str, kind: str | None) -> None:
        """While the candidate speaks: encode the finished sentences of the words so far, in the background,
        where the analysis will run (the child process when isolated). Never blocks; skipped while the previous
        preparation still runs (the next partial transcript carries its sentences again), so the final analysis
        waits behind one preparation at most."""
        if self._prepare is None:
            return
        in_flight = self._preparing
        if in_flight is not None and not (in_flight.ready() if self.isolated else not in_flight.is_alive()):
            return
        if self.isolated:
            with self._pool_lock:
                if self._pool is None:
                    return  # closed (or never started): preparing never starts an analysis process of its own
                self._preparing = self._pool.apply_async(_prepare_in_child, (transcript.to_dict(), question, kind))
            return
        prepare = self._prepare

        def run() -> None:
            with contextlib.suppress(Exception):  # a failure here is the final analysis's to report
                prepare(transcript, question, kind)

        self._preparing = threading.Thread(target=run, name="mockiv-prepare-answer", daemon=True)
        self._preparing.start()

    def analyze_stored(self, answer: Any, store: Any, transcript: Transcript | None = None) -> AnswerResult:
        """A stored answer again (rescore, the app's History), with the context it was given in: the bank, the
        answers before it, the pitch of its recording, the candidate's baseline of that time. `transcript`
        replaces the stored one (re-transcribed)."""
        from mockiv.baseline import baseline_when_given
        from mockiv.recitation_context import stored_answer_context

        references, audio = stored_answer_context(answer, store)
        return self.analyze(transcript or Transcript.from_dict(answer.transcript), answer.question, answer.kind,
                            question_id=answer.question_id, references=references, audio=audio,
                            baseline=baseline_when_given(answer, store))

    def warm(self) -> None:
        """Score one short answer in the background at start, so lexicons and caches are built before the
        candidate's first answer waits on them. Failures here are left for the real answer to report."""
        with contextlib.suppress(Exception):
            self.analyze(Transcript.from_text("I led the project and we shipped it."), "Tell me about a project.",
                         None)

    def close(self) -> None:
        with self._pool_lock:
            if self._pool is not None:
                self._pool.terminate()  # never wait on a rule run at exit
                self._pool = None
