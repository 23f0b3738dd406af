"""The small service interfaces the app is built on, and the wiring of the real ones.

The app never imports an audio, speech, model or database module itself: it receives a `Services` bundle from
the app factory. Tests pass fakes; `build_services()` wires whatever real piece this installation has and
records, in `Services.unavailable`, one line for each piece that is missing, so the app can say so once.

Every method here may block; the app calls them only from thread workers, never from the event loop.
"""

from __future__ import annotations

import contextlib
import importlib
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Protocol, runtime_checkable

import numpy as np

from mockiv.core import delivery
from mockiv.core.delivery import DeliveryMetrics
from mockiv.core.transcript import Kind, Transcript

LevelCallback = Callable[[float], None]


@runtime_checkable
class Speaker(Protocol):
    """Says a question aloud. `say` blocks until it is spoken (or its own timeout); `stop` cuts it short."""

    def say(self, text: str) -> None: ...

    def stop(self) -> None: ...

    def close(self) -> None: ...


@dataclass(frozen=True, slots=True)
class Recording:
    """What a recorder captured: 16 kHz mono float32 samples, and the WAV it wrote (if any)."""

    audio: np.ndarray
    path: Path | None = None
    sample_rate: int = 16_000

    @property
    def duration_s(self) -> float:
        return self.audio.size / self.sample_rate


@runtime_checkable
class Recorder(Protocol):
    """A microphone. `start` begins recording (to `path` when given) and reports levels 0..1 to `on_level`
    from its own thread; `snapshot` returns the audio so far; `stop` ends it and returns the recording."""

    def start(self, path: Path | None, on_level: LevelCallback) -> None: ...

    def snapshot(self) -> np.ndarray: ...

    def stop(self) -> Recording: ...


@runtime_checkable
class Transcriber(Protocol):
    """Speech to timed words."""

    @property
    def model_name(self) -> str: ...

    def transcribe(self, audio: np.ndarray) -> Transcript: ...

    def transcribe_file(self, path: str | Path) -> Transcript: ...


@runtime_checkable
class Player(Protocol):
    """Plays a recording for replay; `position` is seconds since the start (None when not playing)."""

    position: float | None

    def play(self, path: Path, start_s: float = 0.0) -> None: ...

    def stop(self) -> None: ...


# ----------------------------------------------------------------------------------------------- analysis


@dataclass(frozen=True, slots=True)
class AnswerResult:
    """One analysed answer, as the screens show it (dicts in the `analyze --json` shapes)."""

    question: str
    kind: str
    transcript: Transcript
    metrics: DeliveryMetrics
    findings: tuple[dict[str, Any], ...] = ()
    strengths: tuple[dict[str, Any], ...] = ()
    structure: tuple[dict[str, Any], ...] = ()
    rules_version: str = ""
    rules_available: bool = True
    result: dict[str, Any] | None = None
    question_id: str | None = None
    source: str = "typed"  # "typed" | "microphone" | "file"
    answer_id: str | None = None
    audio_path: Path | None = None

    def follow_up(self, fallback: tuple[str, ...] = ()) -> str:
        """The question an interviewer would ask next: the worst finding's, else the pack's first one."""
        order = {"major": 0, "moderate": 1, "minor": 2}
        for finding in sorted(self.findings, key=lambda f: order.get(str(f.get("severity")), 3)):
            if finding.get("follow_up"):
                return str(finding["follow_up"])
        return fallback[0] if fallback else ""


class Analyzer:
    """Transcript → metrics and findings. Uses the rule engine (`mockiv.analysis`) when it is installed;
    without it, delivery metrics only, and `available` is False so the app says so.

    `isolated=True` runs the rules in a child process: they are CPU-bound Python (regexes, lexicons) that would
    hold the GIL and freeze the screen, however many threads the app uses. The child is killed on `close`.
    """

    def __init__(self, analyze: Callable[..., Any] | None = None, *, isolated: bool = False) -> None:
        self._analyze = analyze
        self.available = analyze is not None
        self.isolated = isolated and analyze is not None
        self._pool: Any = None
        self._pool_lock = threading.Lock()

    @classmethod
    def load(cls, *, isolated: bool = True) -> Analyzer:
        try:
            from mockiv.analysis import analyze
        except ImportError:
            return cls(None)
        return cls(analyze, isolated=isolated)

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

    def _data(self, transcript: Transcript, question: str, kind: str, question_id: str | None
              ) -> tuple[DeliveryMetrics, dict[str, Any], dict[str, Any]]:
        if self.isolated:
            job = self._remote().apply_async(analyze_data, (transcript.to_dict(), question, kind, question_id))
            data, result = job.get(ANALYSIS_TIMEOUT_S)
            # Metrics are cheap and deterministic: recompute them here as objects rather than ship them back.
            return delivery.compute(transcript), data, result
        assert self._analyze is not None
        analysis = self._analyze(transcript, question, kind, question_id=question_id)
        return analysis.metrics, analysis.to_dict(), analysis.result.to_dict()

    def analyze(self, transcript: Transcript, question: str, kind: str | None, *, question_id: str | None = None,
                source: str = "typed") -> AnswerResult:
        resolved = kind or _infer_kind(question)
        if self._analyze is None:
            return AnswerResult(question, str(resolved), transcript, delivery.compute(transcript),
                                rules_available=False, question_id=question_id, source=source)
        metrics, data, result = self._data(transcript, question, str(resolved), question_id)
        return AnswerResult(
            question, str(data.get("kind", resolved)), transcript, metrics,
            tuple(data.get("findings", [])), tuple(data.get("strengths", [])), tuple(data.get("structure", [])),
            str(data.get("rules_version", "")), True, result, question_id, source,
        )

    def warm(self) -> None:
        """Score one short answer in the background at start, so lexicons and caches are built before the
        candidate's first answer waits on them. Failures here are left for the real answer to report."""
        if self._analyze is None:
            return
        with contextlib.suppress(Exception):
            self.analyze(Transcript.from_text("I led the project and we shipped it."), "Tell me about a project.",
                         None)

    def close(self) -> None:
        with self._pool_lock:
            if self._pool is not None:
                self._pool.terminate()  # never wait on a rule run at exit
                self._pool = None


ANALYSIS_TIMEOUT_S = 600.0


def analyze_data(transcript: dict[str, Any], question: str, kind: str, question_id: str | None
                 ) -> tuple[dict[str, Any], dict[str, Any]]:
    """In the child process: the `analyze --json` dict and the rule result dict, both plain data."""
    from mockiv.analysis import analyze

    analysis = analyze(Transcript.from_dict(transcript), question, kind, question_id=question_id)
    return analysis.to_dict(), analysis.result.to_dict()


def _infer_kind(question: str) -> str:
    try:
        from mockiv.core.kinds import infer_kind
    except ImportError:
        return str(Kind.BEHAVIORAL)
    return str(infer_kind(question))


# ----------------------------------------------------------------------------------------------- the model


class ModelHolder:
    """Loads the Whisper model once, in the background, and hands it to whoever waits for it."""

    def __init__(self, loader: Callable[[], Transcriber] | None) -> None:
        self._loader = loader
        self._ready = threading.Event()
        self._lock = threading.Lock()
        # One transcription at a time: threads do not parallelise one model and memory grows (pitfalls.md §4).
        self.lock = threading.Lock()
        self._model: Transcriber | None = None
        self.error: str | None = None if loader else "no speech recognition model is configured"
        self.load_seconds: float | None = None
        self.ready_at: float | None = None  # time.perf_counter() when loading ended
        if loader is None:
            self._ready.set()

    @classmethod
    def ready_with(cls, model: Transcriber) -> ModelHolder:
        holder = cls(lambda: model)
        holder.load()
        return holder

    @property
    def loaded(self) -> bool:
        return self._ready.is_set() and self._model is not None

    @property
    def done(self) -> bool:
        return self._ready.is_set()

    def load(self) -> None:
        """Blocking; call from a worker. Errors are kept as one line in `error`, never raised."""
        with self._lock:
            if self._ready.is_set():
                return
            started = time.perf_counter()
            try:
                assert self._loader is not None
                self._model = self._loader()
            except Exception as error:  # a broken model must not take the app down: typed answers still work
                self.error = str(error).splitlines()[0] if str(error) else type(error).__name__
            self.ready_at = time.perf_counter()
            self.load_seconds = self.ready_at - started
            self._ready.set()

    def get(self, timeout: float | None = None) -> Transcriber | None:
        """Wait (in a worker) until the model is loaded; None when it failed or is absent."""
        self._ready.wait(timeout)
        return self._model


# ----------------------------------------------------------------------------------------------- the store


class SessionStore(Protocol):
    """The subset of `mockiv.store.Store` the app uses."""

    def create_session(self, pack_id: str, mode: str = ...) -> Any: ...

    def begin_answer(self, session_id: str, *, question: str, kind: str | None = ..., question_id: str | None = ...,
                     record_audio: bool = ...) -> Any: ...

    def finish_answer(self, answer_id: str, *, transcript: Any, metrics: Any = ..., result: Any = ...,
                      model: str | None = ...) -> Any: ...

    def end_session(self, session_id: str, status: str = ...) -> None: ...

    def list_sessions(self, *, limit: int | None = ...) -> list[Any]: ...

    def get_session(self, session_id: str) -> Any: ...

    def record_result(self, answer_id: str, result: Any, *, model: str = ...) -> None: ...


# ----------------------------------------------------------------------------------------------- the bundle


@dataclass
class Services:
    """Everything the app needs from the outside world. Absent pieces are None, with a line in `unavailable`."""

    analyzer: Analyzer
    model: ModelHolder
    speaker: Speaker | None = None
    recorder_factory: Callable[[], Recorder] | None = None
    player: Player | None = None
    store: SessionStore | None = None
    unavailable: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)  # said once at start, as information
    clock: Callable[[], float] = time.monotonic
    # Seconds between the timer ticks that drive meters and countdowns; tests make time stand still with 0.
    tick_s: float = 0.1
    # A fixed "now" for the clock-dependent text in snapshots (None: real time).
    frozen: bool = False

    @property
    def has_microphone(self) -> bool:
        return self.recorder_factory is not None

    def close(self) -> None:
        self.analyzer.close()
        if self.speaker is not None:
            with contextlib.suppress(Exception):  # closing must never keep the app from exiting
                self.speaker.close()
        if self.player is not None:
            with contextlib.suppress(Exception):
                self.player.stop()
        closer = getattr(self.store, "close", None)
        if callable(closer):
            with contextlib.suppress(Exception):
                closer()


def _optional(module: str) -> Any | None:
    try:
        return importlib.import_module(module)
    except ImportError:
        return None
    except Exception:  # a half-installed audio library (no PortAudio) reads as "not available"
        return None


def _real_speaker(unavailable: list[str]) -> Speaker | None:
    try:
        from mockiv.speech import Speaker as RealSpeaker
    except Exception:
        unavailable.append("speech output is not installed: questions are shown, not spoken")
        return None
    try:
        speaker = RealSpeaker()
    except Exception as error:
        unavailable.append(f"speech output failed ({str(error).splitlines()[0] if str(error) else error!r}): "
                           "questions are shown, not spoken")
        return None
    if getattr(speaker, "silent_reason", None):
        unavailable.append(f"questions are shown, not spoken: {speaker.silent_reason}")
        speaker.close()
        return None
    return _SpeakerAdapter(speaker)


class _SpeakerAdapter:
    """`mockiv.speech.Speaker` as the app's Speaker: `say` blocks (in a worker) until spoken or skipped."""

    def __init__(self, speaker: Any) -> None:
        self._speaker = speaker

    def say(self, text: str) -> None:
        self._speaker.say(text)

    def stop(self) -> None:
        self._speaker.stop()

    def close(self) -> None:
        self._speaker.close()


def _real_recorder(unavailable: list[str]) -> Callable[[], Recorder] | None:
    try:
        import mockiv.audio.capture  # noqa: F401  (the recorder the adapter drives)
        from mockiv.tui import real
    except Exception:  # not installed, or PortAudio missing: typed answers still work
        unavailable.append("no microphone support is installed: type your answer or pick an audio file")
        return None
    try:
        real.check_microphone()
    except Exception as error:
        reason = str(error).splitlines()[0] if str(error) else "no microphone found"
        unavailable.append(f"{reason.split(';')[0]}: type your answer (or ctrl+o for an audio file)")
        return None
    return real.MicrophoneRecorder


def _real_player() -> Player | None:
    try:
        import mockiv.audio.playback  # noqa: F401
        from mockiv.tui import real
    except Exception:
        return None
    return real.AudioPlayer()


def _real_store(unavailable: list[str], notes: list[str]) -> SessionStore | None:
    module = _optional("mockiv.store")
    if module is None or not hasattr(module, "Store"):
        unavailable.append("the session store is not installed: sessions are not saved")
        return None
    try:
        store = module.Store.open()
    except Exception as error:
        unavailable.append(f"sessions cannot be saved: {str(error).splitlines()[0]}")
        return None
    try:
        report = store.repair()  # answers a crash left "recording": marked interrupted, audio kept
    except Exception as error:
        notes.append(f"could not check for interrupted sessions: {str(error).splitlines()[0]}")
    else:
        if report.interrupted or report.attached:
            count = len(report.interrupted) + len(report.attached)
            if count == 1:
                notes.append("1 answer was interrupted by a crash or power cut and kept, with its audio; "
                             "find it in History (h)")
            else:
                notes.append(f"{count} answers were interrupted by a crash or power cut and kept, with their "
                             "audio; find them in History (h)")
    return store  # type: ignore[no-any-return]


def build_services(*, model: str | None = None, tts: bool = True, microphone: bool = True) -> Services:
    """The real services for `mockiv app`. Cheap: the model loads later, in a worker."""
    unavailable: list[str] = []

    def load_model() -> Transcriber:
        from mockiv.asr import load_transcriber

        return load_transcriber(model)

    analyzer = Analyzer.load()
    analyzer.start()
    if not analyzer.available:
        unavailable.append("the rule engine is not installed yet: you get delivery metrics, not findings")
    speaker = _real_speaker(unavailable) if tts else None
    recorder = _real_recorder(unavailable) if microphone else None
    if not microphone:
        unavailable.append("microphone off (--no-mic): type your answer or pick an audio file")
    notes: list[str] = []
    store = _real_store(unavailable, notes)
    return Services(analyzer=analyzer, model=ModelHolder(load_model), speaker=speaker, recorder_factory=recorder,
                    player=_real_player(), store=store, unavailable=unavailable, notes=notes)
