"""Measure the transcriber on synthetic speech: word error rate and filler recall/precision."""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

from mockiv.asr.transcriber import Transcriber
from mockiv.core import delivery
from mockiv.core.numbers import as_digits
from mockiv.core.transcript import Transcript
from tests.support.speech_fixtures import SpeechFixture, synthesize


def normalize_for_wer(text: str) -> str:
    """Lower-case, drop punctuation and hesitations (scored separately), so WER measures the words."""
    # Whisper writes "four" or "4" for the same sound: score both spellings alike.
    text = as_digits(text.lower()).replace("%", " percent")
    tokens = re.findall(r"[a-z0-9']+", text)
    return " ".join(t for t in tokens if not delivery.is_hesitation(t))


def word_error_rate(reference: str, hypothesis: str) -> float:
    import jiwer

    ref, hyp = normalize_for_wer(reference), normalize_for_wer(hypothesis)
    return float(jiwer.wer(ref, hyp)) if ref else float(bool(hyp))


@dataclass(frozen=True, slots=True)
class FillerScore:
    expected: int
    detected: int
    matched: int
    wer: float
    transcripts: dict[str, str]

    @property
    def recall(self) -> float:
        return self.matched / self.expected if self.expected else 1.0

    @property
    def precision(self) -> float:
        return self.matched / self.detected if self.detected else 1.0


def hesitation_count(transcript: Transcript) -> int:
    return sum(1 for d in delivery.find_disfluencies(transcript) if d.category == "hesitation")


def score_fillers(transcriber: Transcriber, fixtures: tuple[SpeechFixture, ...], audio_dir: Path) -> FillerScore:
    """Hesitation fillers (um, uh, hmm) matched by count per answer; WER over all answers' words."""
    expected = detected = matched = 0
    errors: list[tuple[float, int]] = []
    transcripts: dict[str, str] = {}
    for fixture in fixtures:
        transcript = transcriber.transcribe_file(synthesize(fixture, audio_dir))
        transcripts[fixture.id] = transcript.text
        want = sum(1 for f in fixture.fillers if delivery.is_hesitation(f))
        got = hesitation_count(transcript)
        expected += want
        detected += got
        matched += min(want, got)
        errors.append((word_error_rate(fixture.reference, transcript.text), len(fixture.reference.split())))
    total_words = sum(n for _, n in errors)
    wer = sum(e * n for e, n in errors) / total_words if total_words else 0.0
    return FillerScore(expected, detected, matched, wer, transcripts)
