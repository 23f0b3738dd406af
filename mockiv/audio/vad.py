"""Voice activity while recording: Silero VAD (the ONNX model faster-whisper ships) run on each block as it arrives.

`VoiceActivity` turns 16 kHz blocks into speech/silence decisions per 32 ms window, with hysteresis, and tracks
where speech began, the current silence and the pauses seen. `EndOfAnswer` decides when an answer is over: silence
for `end_silence_s` (default 2.5 s) after speech began, the time budget, or no speech at all for a while (a muted
microphone). A key press ends an answer too; that comes from the UI, not from here.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING

from mockiv.audio.files import SAMPLE_RATE

if TYPE_CHECKING:  # numpy loads with the first audio, not when the app starts
    import numpy as np

WINDOW = 512  # Silero's window at 16 kHz (32 ms)
CONTEXT = 64  # samples of the previous window it sees, as faster_whisper.vad.SileroVADModel feeds it
DEFAULT_END_SILENCE_S = 2.5
# Silero's own defaults (faster_whisper.vad.VadOptions): speech above 0.5, back to silence below 0.35.
SPEECH_THRESHOLD = 0.5
SILENCE_THRESHOLD = 0.35
MIN_SPEECH_S = 0.25  # shorter blips (a click, a breath) do not start an answer

ProbabilityModel = Callable[["np.ndarray"], "np.ndarray"]


def silero_model() -> ProbabilityModel:
    """Speech probability for each row of a (n, CONTEXT + WINDOW) float32 batch, from faster-whisper's Silero."""
    import numpy as np
    from faster_whisper.vad import get_vad_model

    session = get_vad_model().session

    def run(batch: np.ndarray) -> np.ndarray:
        state = np.zeros((1, 1, 128), dtype=np.float32)
        output, _, _ = session.run(None, {"input": batch, "h": state, "c": state})
        return np.asarray(output, dtype=np.float32).reshape(-1)

    return run


@dataclass(frozen=True, slots=True)
class Silence:
    """A silence heard between two stretches of speech, live (mockiv.core.delivery.Pause is a pause between the
    words of a transcript)."""

    start_s: float
    end_s: float

    @property
    def duration_s(self) -> float:
        return self.end_s - self.start_s


class VoiceActivity:
    """Speech/silence per window over a stream of 16 kHz float32 blocks (fed in order, any block size)."""

    def __init__(self, model: ProbabilityModel | None = None) -> None:
        import numpy as np
        self._model = model or silero_model()
        self._pending = np.zeros(0, dtype=np.float32)
        self._context = np.zeros(CONTEXT, dtype=np.float32)
        self.samples = 0  # samples judged so far
        self.in_speech = False
        self.speech_started_s: float | None = None  # the first confirmed speech
        self.last_speech_end_s: float | None = None
        self.speech_s = 0.0
        self._run_start: float | None = None  # a run of speech windows not yet long enough to count
        self._silence_start_s = 0.0

    @property
    def now_s(self) -> float:
        return self.samples / SAMPLE_RATE

    @property
    def heard_speech(self) -> bool:
        return self.speech_started_s is not None

    @property
    def silence_s(self) -> float:
        """How long it has been silent (since the last speech, or since the start if none)."""
        return 0.0 if self.in_speech else self.now_s - self._silence_start_s

    def feed(self, block: np.ndarray) -> list[Silence]:
        """Judge the new audio; returns the silences between two stretches of speech that ended in it."""
        import numpy as np
        audio = np.concatenate([self._pending, np.asarray(block, dtype=np.float32).reshape(-1)])
        usable = audio.size - audio.size % WINDOW
        self._pending = audio[usable:]
        if usable == 0:
            return []
        windows = audio[:usable].reshape(-1, WINDOW)
        contexts = np.vstack([self._context, windows[:-1, -CONTEXT:]]) if len(windows) > 1 else self._context[None]
        self._context = windows[-1, -CONTEXT:].copy()
        probabilities = self._model(np.concatenate([contexts, windows], axis=1))
        pauses: list[Silence] = []
        for probability in probabilities:
            start = self.now_s
            self.samples += WINDOW
            pause = self._step(float(probability), start, self.now_s)
            if pause is not None:
                pauses.append(pause)
        return pauses

    def _step(self, probability: float, start: float, end: float) -> Silence | None:
        if self.in_speech:
            if probability < SILENCE_THRESHOLD:
                self.in_speech = False
                self.last_speech_end_s = start
                self._silence_start_s = start
            else:
                self.speech_s += end - start
            return None
        if probability < SPEECH_THRESHOLD:
            self._run_start = None
            return None
        if self._run_start is None:
            self._run_start = start
        if end - self._run_start < MIN_SPEECH_S:
            return None
        # Confirmed speech: it began at the start of the run.
        begun = self._run_start
        self._run_start = None
        self.in_speech = True
        self.speech_s += end - begun
        if self.speech_started_s is None:
            self.speech_started_s = begun
            return None
        return Silence(self._silence_start_s, begun)


@dataclass(frozen=True, slots=True)
class EndpointSettings:
    end_silence_s: float = DEFAULT_END_SILENCE_S
    time_budget_s: float | None = None
    # With nothing heard for this long the microphone is probably muted: stop and say so.
    no_speech_timeout_s: float | None = 15.0


class EndOfAnswer:
    """Decides, from the voice activity, when the candidate has finished. `reason` says why (None: not yet)."""

    def __init__(self, activity: VoiceActivity, settings: EndpointSettings | None = None) -> None:
        self.activity = activity
        self.settings = settings or EndpointSettings()

    @property
    def reason(self) -> str | None:
        activity, settings = self.activity, self.settings
        if settings.time_budget_s is not None and activity.now_s >= settings.time_budget_s:
            return "time-budget"
        if activity.heard_speech:
            if not activity.in_speech and activity.silence_s >= settings.end_silence_s:
                return "silence"
        elif settings.no_speech_timeout_s is not None and activity.now_s >= settings.no_speech_timeout_s:
            return "no-speech"
        return None
