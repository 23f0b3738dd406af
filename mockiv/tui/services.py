"""The small service interfaces the app is built on, and the wiring of the real ones.

The app never imports an audio, speech, model or database module itself: it receives a `Services` bundle from
the app factory. Tests pass fakes; `build_services()` wires whatever real piece this installation has and
records, in `Services.unavailable`, one line for each piece that is missing, so the app can say so once.

Every method here may block; the app calls them only from thread workers, never from the event loop.
"""

from __future__ import annotations

import contextlib
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Protocol, runtime_checkable

from mockiv.engine.analysis import Analyzer
from mockiv.engine.listening import ListenSettings, MicrophoneFactory
from mockiv.engine.model import ModelHolder
from mockiv.tui.real import AudioPlayer


@runtime_checkable
class Voice(Protocol):
    """The interviewer's voice (mockiv.speech.Speaker): `say` blocks until it is spoken (or its own timeout);
    `stop` cuts it short."""

    def say(self, text: str) -> Any: ...

    def stop(self) -> None: ...

    def close(self) -> None: ...


@runtime_checkable
class Player(Protocol):
    """Plays a recording (from `start_s` to `end_s`, default the end) for replay and a finding's moment;
    `position` is seconds since the recording's start (None when not playing)."""

    position: float | None

    def play(self, path: Path, start_s: float = 0.0, end_s: float | None = None) -> None: ...

    def stop(self) -> None: ...


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

    def get_answer(self, answer_id: str) -> Any: ...

    def begin_take(self, answer_id: str, rule: str, *, record_audio: bool = ...) -> Any: ...

    def finish_take(self, take_id: str, *, transcript: Any, part: Any, result: Any, audio_path: Any = ...) -> Any: ...


# ----------------------------------------------------------------------------------------------- the bundle


@dataclass
class Services:
    """Everything the app needs from the outside world. Absent pieces are None, with a line in `unavailable`."""

    analyzer: Analyzer
    model: ModelHolder
    speaker: Voice | None = None
    microphone: MicrophoneFactory | None = None
    player: Player | None = None
    store: SessionStore | None = None
    unavailable: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)  # said once at start, as information
    # How the engine listens (`practice --end-silence`, `--no-speech-timeout`) and follow-ups it asks unbidden.
    listen: ListenSettings = field(default_factory=ListenSettings)
    follow_ups: int = 0
    speech_probability: Any = None  # voice activity's model (None: Silero); tests pass a level threshold
    clock: Callable[[], float] = time.monotonic
    # Seconds between the timer ticks that drive meters and countdowns; tests make time stand still with 0.
    tick_s: float = 0.1
    # A fixed "now" for the clock-dependent text in snapshots (None: real time).
    frozen: bool = False

    @property
    def has_microphone(self) -> bool:
        return self.microphone is not None

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


def _real_speaker(unavailable: list[str], settings: Any = None) -> Voice | None:
    try:
        from mockiv.speech import Speaker as RealSpeaker

        # A fallback at start (the natural voice missing: pyttsx3 speaks) is one line of "Running with less".
        speaker = RealSpeaker(settings, on_notice=unavailable.append)
    except Exception as error:  # a half-installed speech engine reads as "not available"
        unavailable.append(f"speech output failed ({str(error).splitlines()[0] if str(error) else error!r}): "
                           "questions are shown, not spoken")
        return None
    if speaker.silent_reason:
        unavailable.append(f"questions are shown, not spoken: {speaker.silent_reason}")
        speaker.close()
        return None
    return speaker


def _real_microphone(unavailable: list[str], device: str | int | None) -> MicrophoneFactory | None:
    try:
        from mockiv.audio.devices import resolve_input_device
        from mockiv.engine.listening import real_microphone

        resolve_input_device(device)
    except Exception as error:  # PortAudio missing, or no input device: typed answers still work
        reason = str(error).splitlines()[0] if str(error) else "no microphone found"
        unavailable.append(f"{reason.split(';')[0]}: type your answer (or ctrl+o for an audio file)")
        return None
    return real_microphone(device)


def _real_store(unavailable: list[str], notes: list[str]) -> SessionStore | None:
    from mockiv.store import Store

    try:
        store = Store.open()
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
    return store


def build_services(*, model: str | None = None, tts: bool = True, microphone: bool = True,
                   input_device: str | int | None = None, listen: ListenSettings | None = None,
                   follow_ups: int = 0, voice: Any = None) -> Services:
    """The real services for `mockiv app`. Cheap: the model loads later, in a worker."""
    unavailable: list[str] = []

    def load_model() -> Any:
        from mockiv.asr import load_transcriber

        return load_transcriber(model)

    analyzer = Analyzer(isolated=True)
    analyzer.start()
    notes: list[str] = []
    speaker = _real_speaker(unavailable, voice) if tts else None
    # Looking for a microphone (PortAudio's start, 0.1 s, mostly in C without the GIL) overlaps opening the
    # store (0.1 s of SQLite); after the voice has started, so no two audio libraries start at once. The lines
    # keep their order in `unavailable`: voice, microphone, store.
    mic_lines: list[str] = []
    mic_found: list[MicrophoneFactory | None] = [None]

    def find_microphone() -> None:
        mic_found[0] = _real_microphone(mic_lines, input_device)

    looking = threading.Thread(target=find_microphone, name="mockiv-find-microphone", daemon=True)
    if microphone:
        looking.start()
    store_lines: list[str] = []
    store = _real_store(store_lines, notes)
    if microphone:
        looking.join()
        unavailable.extend(mic_lines)
    else:
        unavailable.append("microphone off (--no-mic): type your answer or pick an audio file")
    mic = mic_found[0]
    unavailable.extend(store_lines)
    if store is not None:
        from mockiv.baseline import current_baseline

        analyzer.baseline = current_baseline(store)  # delivery also against the candidate's own baseline
    return Services(analyzer=analyzer, model=ModelHolder(load_model), speaker=speaker, microphone=mic,
                    player=AudioPlayer(), store=store, unavailable=unavailable, notes=notes,
                    listen=listen or ListenSettings(), follow_ups=follow_ups)
