"""Speech out: the interviewer's voice, never blocking the app, always skippable.

pyttsx3 wedges or hangs when its engine is reused or an exception escapes `runAndWait` (pitfalls.md §1), so it
lives in its own process fed by a queue, and each utterance has a timeout (2 s + 0.15 s a word; 15 s to start the
process). It renders to a WAV that is checked (pyttsx3 2.99 wrote an empty file with its default voice here); the
WAV is played with `aplay` (what pyttsx3 itself runs), so skipping is killing one player process. When pyttsx3
fails, `espeak-ng` renders directly; when nothing can speak, the question is only shown and
`Speaker.silent_reason` says why, once. The TTS process's stdout/stderr go to a log, never to the terminal.
"""

from __future__ import annotations

import contextlib
import json
import os
import queue
import shutil
import subprocess
import sys
import tempfile
import threading
import time
import wave
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from mockiv import paths
from mockiv.errors import AudioError

BACKENDS = ("auto", "pyttsx3", "espeak-ng", "none")
DEFAULT_VOICE = "en-us"
DEFAULT_RATE_WPM = 165
TTS_START_TIMEOUT_S = 15.0  # starting the TTS process imports pyttsx3 and loads espeak-ng's data

NoticeHandler = Callable[[str], None]


def utterance_timeout_s(text: str) -> float:
    return 2.0 + 0.15 * len(text.split())


def wav_ok(path: Path) -> bool:
    """A WAV with at least one sample: what a renderer must produce (a 44-byte header alone is a failure)."""
    try:
        if path.stat().st_size <= 44:
            return False
        with wave.open(str(path), "rb") as handle:
            return handle.getnframes() > 0
    except (OSError, wave.Error, EOFError):
        return False


@dataclass(frozen=True, slots=True)
class VoiceSettings:
    voice: str = DEFAULT_VOICE
    rate_wpm: int = DEFAULT_RATE_WPM
    backend: str = "auto"

    def __post_init__(self) -> None:
        if self.backend not in BACKENDS:
            raise ValueError(f"unknown speech backend {self.backend!r}; one of {', '.join(BACKENDS)}")
        if not 60 <= self.rate_wpm <= 400:
            raise ValueError(f"speech rate must be between 60 and 400 words a minute (got {self.rate_wpm})")


class RenderError(Exception):
    """One renderer could not produce audio; the message says why, in one line."""


# ---------------------------------------------------------------------------------------------- renderers


def tts_worker_main(voice: str, rate: int, log_path: str) -> int:
    """The TTS process (`python -m mockiv.speech --tts-worker ...`): the only owner of the pyttsx3 engine.

    Requests come one JSON line at a time on stdin; replies go out on the original stdout. pyttsx3 print()s
    ("Audio saved to ...", aplay errors), so fd 1 and 2 are pointed at the log before it is imported.
    """
    replies = os.fdopen(os.dup(1), "w", buffering=1, encoding="utf-8")
    log_fd = os.open(log_path, os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o600)
    os.dup2(log_fd, 1)
    os.dup2(log_fd, 2)

    def reply(request_id: int, ok: bool, message: str = "") -> None:
        replies.write(json.dumps({"id": request_id, "ok": ok, "message": message}) + "\n")

    try:
        import pyttsx3

        engine = pyttsx3.init()
        engine.setProperty("voice", voice)
        engine.setProperty("rate", rate)
    except Exception as error:  # missing libespeak, unknown voice: one line, then the parent falls back
        reply(0, False, f"pyttsx3 could not start: {(str(error) or repr(error)).splitlines()[0]}")
        return 1
    reply(0, True)
    for line in sys.stdin:
        request = json.loads(line)
        try:
            # pyttsx3 2.99 sometimes writes no file at all for the first utterance of a new engine (seen here 1 in
            # 1 standalone, and in CI), yet the next one is fine: one retry before the parent falls back to espeak-ng.
            for _attempt in range(2):
                engine.save_to_file(request["text"], request["path"])
                engine.runAndWait()
                if wav_ok(Path(request["path"])):
                    break
        except Exception as error:  # the engine is now suspect (pitfalls.md §1): report, exit, be restarted
            reply(request["id"], False, f"pyttsx3 failed: {error}")
            return 1
        reply(request["id"], True)
    return 0


class Pyttsx3Renderer:
    name = "pyttsx3"

    def __init__(self, voice: str, rate: int, log_path: Path) -> None:
        self.voice, self.rate, self.log_path = voice, rate, log_path
        self._process: subprocess.Popen[str] | None = None
        self._replies: queue.Queue[dict[str, Any] | None] = queue.Queue()
        self._next_id = 0

    def _ensure_started(self) -> None:
        if self._process is not None and self._process.poll() is None:
            return
        with open(self.log_path, "ab") as log:
            self._process = subprocess.Popen(
                [sys.executable, "-m", "mockiv.speech", "--tts-worker", self.voice, str(self.rate),
                 str(self.log_path)],
                stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=log, text=True, bufsize=1,
            )
        self._replies = queue.Queue()
        threading.Thread(target=self._read_replies, args=(self._process, self._replies), daemon=True).start()
        self._wait_reply(0, TTS_START_TIMEOUT_S)

    @staticmethod
    def _read_replies(process: subprocess.Popen[str], replies: queue.Queue[dict[str, Any] | None]) -> None:
        assert process.stdout is not None
        for line in process.stdout:
            with contextlib.suppress(ValueError):
                replies.put(json.loads(line))
        replies.put(None)  # the process ended

    def _wait_reply(self, request_id: int, timeout_s: float) -> None:
        deadline = time.monotonic() + timeout_s
        while True:
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                self.close(kill=True)
                raise RenderError(f"pyttsx3 did not answer within {timeout_s:.0f} s")
            try:
                reply = self._replies.get(timeout=remaining)
            except queue.Empty:
                continue
            if reply is None:
                code = self._process.wait() if self._process else None
                self.close(kill=True)
                raise RenderError(f"the pyttsx3 process ended (exit code {code})")
            if not reply["ok"]:
                self.close(kill=True)
                raise RenderError(reply["message"])
            if reply["id"] == request_id:
                return

    def render(self, text: str, path: Path) -> None:
        self._ensure_started()
        assert self._process is not None and self._process.stdin is not None
        self._next_id += 1
        try:
            self._process.stdin.write(json.dumps({"id": self._next_id, "text": text, "path": str(path)}) + "\n")
            self._process.stdin.flush()
        except OSError as error:
            self.close(kill=True)
            raise RenderError(f"the pyttsx3 process is gone ({error})") from error
        self._wait_reply(self._next_id, utterance_timeout_s(text))
        if not wav_ok(path):
            raise RenderError("pyttsx3 wrote no audio (an empty WAV)")

    def close(self, kill: bool = False) -> None:
        process, self._process = self._process, None
        if process is None:
            return
        with contextlib.suppress(OSError):
            if process.stdin is not None:
                process.stdin.close()  # the worker's loop ends at end of input
        try:
            process.wait(0.2 if kill else 2.0)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


class EspeakRenderer:
    name = "espeak-ng"

    def __init__(self, voice: str, rate: int, log_path: Path) -> None:
        self.voice, self.rate, self.log_path = voice, rate, log_path
        self.binary = shutil.which("espeak-ng") or shutil.which("espeak")

    def render(self, text: str, path: Path) -> None:
        if self.binary is None:
            raise RenderError("espeak-ng is not installed (apt install espeak-ng)")
        try:
            with open(self.log_path, "ab") as log:
                subprocess.run([self.binary, "-v", self.voice, "-s", str(self.rate), "-w", str(path), "--", text],
                               stdin=subprocess.DEVNULL, stdout=log, stderr=log, check=True,
                               timeout=utterance_timeout_s(text) + 5)
        except subprocess.CalledProcessError as error:
            raise RenderError(f"espeak-ng failed (exit code {error.returncode}; voice {self.voice!r}?)") from error
        except subprocess.TimeoutExpired as error:
            raise RenderError("espeak-ng did not finish in time") from error
        if not wav_ok(path):
            raise RenderError("espeak-ng wrote no audio")

    def close(self, kill: bool = False) -> None:
        return None


def player_command() -> list[str] | None:
    """How to play a WAV: aplay (ALSA, and through it PulseAudio/PipeWire), else paplay."""
    if shutil.which("aplay"):
        return ["aplay", "-q"]
    if shutil.which("paplay"):
        return ["paplay"]
    return None


# ---------------------------------------------------------------------------------------------- the speaker


@dataclass
class Utterance:
    text: str
    done: threading.Event
    spoken: bool = False  # played to the end
    skipped: bool = False
    backend: str | None = None
    error: str | None = None

    def wait(self, timeout: float | None = None) -> bool:
        return self.done.wait(timeout)


class Speaker:
    """Speaks queued texts one after another in a background thread. `speak()` returns at once."""

    def __init__(self, settings: VoiceSettings | None = None, on_notice: NoticeHandler | None = None,
                 log_path: Path | None = None) -> None:
        self.settings = settings or VoiceSettings()
        self.on_notice = on_notice
        self.log_path = log_path or (paths.sub_dir("logs") / "tts.log")
        self._tmp = Path(tempfile.mkdtemp(prefix="mockiv-tts-"))
        self._renderers: list[Any] = self._make_renderers()
        self.silent_reason: str | None = None
        self._player = player_command()
        if self.settings.backend == "none":
            self.silent_reason = "speech is off (--no-tts)"
        elif self._player is None:
            self._go_silent("no audio player found (aplay or paplay); install alsa-utils")
        self._queue: queue.Queue[Utterance | None] = queue.Queue()
        self._current: Utterance | None = None
        self._playing: subprocess.Popen[bytes] | None = None
        self._skip = threading.Event()
        self._lock = threading.Lock()
        self._thread = threading.Thread(target=self._run, name="mockiv-speaker", daemon=True)
        self._thread.start()
        self._counter = 0

    def _make_renderers(self) -> list[Any]:
        voice, rate, log = self.settings.voice, self.settings.rate_wpm, self.log_path
        backend = self.settings.backend
        renderers: list[Any] = []
        if backend in ("auto", "pyttsx3"):
            renderers.append(Pyttsx3Renderer(voice, rate, log))
        if backend in ("auto", "espeak-ng"):
            renderers.append(EspeakRenderer(voice, rate, log))
        return renderers

    @property
    def backend(self) -> str | None:
        """The renderer in use now (None when silent)."""
        return None if self.silent_reason or not self._renderers else self._renderers[0].name

    # ------------------------------------------------------------------ public

    def speak(self, text: str) -> Utterance:
        utterance = Utterance(" ".join(text.split()), threading.Event())
        if self.silent_reason:
            utterance.error = self.silent_reason
            utterance.done.set()
            return utterance
        self._queue.put(utterance)
        return utterance

    def skip(self) -> None:
        """Stop the current utterance and drop the queued ones."""
        with self._lock:
            while True:
                try:
                    pending = self._queue.get_nowait()
                except queue.Empty:
                    break
                if pending is not None:
                    pending.skipped = True
                    pending.done.set()
                else:
                    self._queue.put(None)
                    break
            self._skip.set()
            if self._playing is not None and self._playing.poll() is None:
                self._playing.terminate()

    def say(self, text: str, timeout: float | None = None) -> Utterance:
        """Speak and wait until it was spoken, skipped or failed (for callers already in a worker thread)."""
        utterance = self.speak(text)
        utterance.wait(timeout if timeout is not None else utterance_timeout_s(text) + TTS_START_TIMEOUT_S + 30)
        return utterance

    def stop(self) -> None:
        self.skip()

    @property
    def speaking(self) -> bool:
        return self._current is not None or not self._queue.empty()

    def wait(self, timeout: float | None = None) -> bool:
        """Until everything queued was spoken or skipped (False on timeout)."""
        deadline = None if timeout is None else time.monotonic() + timeout
        while self.speaking:
            if deadline is not None and time.monotonic() >= deadline:
                return False
            time.sleep(0.02)
        return True

    def save(self, text: str, path: str | os.PathLike[str]) -> Path:
        """Render `text` to a WAV file (checked: not empty) with the first renderer that works."""
        target = Path(path)
        errors = []
        for renderer in self._renderers:
            try:
                renderer.render(text, target)
                return target
            except RenderError as error:
                errors.append(f"{renderer.name}: {error}")
        raise AudioError("cannot synthesize speech: " + ("; ".join(errors) or "speech is off"))

    def close(self) -> None:
        self.skip()
        self._queue.put(None)
        self._thread.join(2.0)
        for renderer in self._renderers:
            renderer.close()
        shutil.rmtree(self._tmp, ignore_errors=True)

    def __enter__(self) -> Speaker:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # ------------------------------------------------------------------ worker

    def _run(self) -> None:
        while True:
            utterance = self._queue.get()
            if utterance is None:
                return
            self._current = utterance
            self._skip.clear()
            try:
                self._speak_one(utterance)
            except Exception as error:  # never let the speaker thread die: the session goes on without voice
                utterance.error = str(error)
                self._go_silent(f"speech failed ({type(error).__name__}: {error})")
            finally:
                self._current = None
                utterance.done.set()

    def _speak_one(self, utterance: Utterance) -> None:
        self._counter += 1
        path = self._tmp / f"utterance-{self._counter}.wav"
        try:
            backend = self._render(utterance.text, path)
            if backend is None or self._skip.is_set():
                utterance.skipped = self._skip.is_set()
                return
            utterance.backend = backend
            self._play(utterance, path)
        finally:
            with contextlib.suppress(OSError):
                path.unlink()

    def _render(self, text: str, path: Path) -> str | None:
        while self._renderers:
            renderer = self._renderers[0]
            try:
                renderer.render(text, path)
                return renderer.name
            except Exception as error:  # RenderError, or anything unexpected: this renderer is out
                renderer.close(kill=True)
                self._renderers.pop(0)
                following = self._renderers[0].name if self._renderers else None
                if following:
                    self._notify(f"voice: {error}; using {following} instead")
                else:
                    self._go_silent(f"{error}")
        return None

    def _play(self, utterance: Utterance, path: Path) -> None:
        assert self._player is not None
        with open(self.log_path, "ab") as log, self._lock:
            self._playing = subprocess.Popen([*self._player, str(path)], stdin=subprocess.DEVNULL, stdout=log,
                                             stderr=log)
        process = self._playing
        # The player ends by itself; a skip terminates it. A hung audio server must not hang the app either.
        try:
            code = process.wait(timeout=utterance_timeout_s(utterance.text) + 30)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
            code = -1
        with self._lock:
            self._playing = None
        if self._skip.is_set():
            utterance.skipped = True
        elif code == 0:
            utterance.spoken = True
        else:
            utterance.error = f"the audio player failed (exit code {code}; see {self.log_path})"
            self._go_silent(f"cannot play audio: {self._player[0]} exited with code {code} "
                            f"(no speaker or sound server?)")

    def _go_silent(self, why: str) -> None:
        if self.silent_reason is None:
            self.silent_reason = why
            self._notify(f"no voice: {why}; the questions are shown as text instead")

    def _notify(self, line: str) -> None:
        if self.on_notice is not None:
            self.on_notice(line)


if __name__ == "__main__" and len(sys.argv) == 5 and sys.argv[1] == "--tts-worker":
    sys.exit(tts_worker_main(sys.argv[2], int(sys.argv[3]), sys.argv[4]))
