"""Synthetic spoken answers with known words, fillers and pauses, made with espeak-ng at test time.

Each fixture's script marks fillers with {curly braces} and pauses with [1.5] (seconds). From one script we
derive the SSML that espeak-ng speaks, the reference text for word error rate, and the expected fillers.
"""

from __future__ import annotations

import hashlib
import re
import shutil
import subprocess
from dataclasses import dataclass
from pathlib import Path

from mockiv.errors import MockivError

_FILLER = re.compile(r"\{([^}]*)\}")
_PAUSE = re.compile(r"\[(\d+(?:\.\d+)?)\]")


@dataclass(frozen=True, slots=True)
class SpeechFixture:
    id: str
    script: str
    voice: str = "en-us"
    rate_wpm: int = 150

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


def synthesize(fixture: SpeechFixture, out_dir: Path) -> Path:
    """Speak the fixture to `<out_dir>/<id>-<hash>.wav` (cached: same script, voice and rate, same file)."""
    digest = hashlib.sha256(f"{fixture.script}|{fixture.voice}|{fixture.rate_wpm}".encode()).hexdigest()[:10]
    out_dir.mkdir(parents=True, exist_ok=True)
    path = out_dir / f"{fixture.id}-{digest}.wav"
    if path.exists() and path.stat().st_size > 44:
        return path
    tmp = path.with_suffix(".tmp.wav")
    subprocess.run(
        [espeak_binary(), "-m", "-v", fixture.voice, "-s", str(fixture.rate_wpm), "-w", str(tmp), fixture.ssml()],
        check=True,
        capture_output=True,
    )
    if not tmp.exists() or tmp.stat().st_size <= 44:
        raise MockivError(f"espeak-ng wrote no audio for fixture {fixture.id}")
    tmp.replace(path)
    return path


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
