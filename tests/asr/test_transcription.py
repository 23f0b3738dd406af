"""The real embedded model on synthesized speech, espeak-ng's and the natural voice's (Piper): word error rate,
fillers, timings."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from mockiv.core import delivery
from tests.support.evaluation import score_fillers, word_error_rate
from tests.support.speech_fixtures import (
    DISFLUENT,
    FLUENT,
    NEURAL_VOICE,
    SELF_CORRECTING,
    SpeechFixture,
    in_voice,
    synthesize,
)

pytestmark = pytest.mark.model

# espeak-ng is a robotic voice and tiny.en the smallest model: 12% WER was measured here; allow some slack.
MAX_WER = 0.20


@pytest.fixture(scope="module")
def filler_scores(transcriber, speech_dir: Path):  # type: ignore[no-untyped-def]
    fixtures = DISFLUENT + FLUENT
    return (
        score_fillers(transcriber, fixtures, speech_dir),
        score_fillers(transcriber.with_options(keep_fillers=False), DISFLUENT, speech_dir),
    )


def test_word_error_rate_within_bound(filler_scores) -> None:  # type: ignore[no-untyped-def]
    with_prompt, _ = filler_scores
    assert with_prompt.wer <= MAX_WER, with_prompt.transcripts


def test_filler_recall_and_precision_on_disfluent_speech(filler_scores) -> None:  # type: ignore[no-untyped-def]
    with_prompt, plain = filler_scores
    assert with_prompt.expected == 24
    assert with_prompt.recall >= 0.8, with_prompt.transcripts
    assert with_prompt.precision >= 0.9, with_prompt.transcripts
    # The prompt is what keeps the fillers: without it Whisper writes clean text.
    assert plain.recall < with_prompt.recall - 0.3


def test_natural_voice_fillers_and_words(transcriber, speech_dir: Path) -> None:  # type: ignore[no-untyped-def]
    # The interviewer's own voice answering: 28 fillers (drawn out, as people say them) in 20 answers, four of them
    # correcting themselves with pauses of 2-3.5 s. Measured here: recall 0.929 (26 of 28), precision 1.0, WER 0.06.
    scores = score_fillers(transcriber, in_voice(DISFLUENT + FLUENT + SELF_CORRECTING), speech_dir)
    assert scores.expected == 28
    assert scores.recall >= 0.9, scores.transcripts
    assert scores.precision >= 0.95, scores.transcripts
    assert scores.wer <= 0.12, scores.transcripts


def test_fluent_speech_gets_no_hesitations(transcriber, speech_dir: Path) -> None:  # type: ignore[no-untyped-def]
    for fixture in FLUENT:
        transcript = transcriber.transcribe_file(synthesize(fixture, speech_dir))
        hesitations = [d.text for d in delivery.find_disfluencies(transcript) if d.category == "hesitation"]
        assert hesitations == [], transcript.text


@pytest.mark.parametrize("voice", ["en-us", NEURAL_VOICE])
def test_word_timestamps_and_pauses(transcriber, speech_dir: Path, voice: str) -> None:  # type: ignore[no-untyped-def]
    fixture = SpeechFixture("pause", "I fixed the alert thresholds. [2.5] Then I wrote the incident report.", voice)
    transcript = transcriber.transcribe_file(synthesize(fixture, speech_dir))
    assert transcript.timed
    starts = [w.start for w in transcript.words]
    assert starts == sorted(starts)
    metrics = delivery.compute(transcript)
    assert any(p.duration >= 1.8 for p in metrics.pauses), [(w.text, w.start, w.end) for w in transcript.words]
    assert metrics.wpm is not None and 100 < metrics.wpm < 220
    assert word_error_rate(fixture.reference, transcript.text) <= MAX_WER


def test_transcribe_offset_shifts_word_times(transcriber, speech_dir: Path) -> None:  # type: ignore[no-untyped-def]
    from mockiv.audio.files import load_audio

    audio = load_audio(synthesize(FLUENT[0], speech_dir))
    plain = transcriber.transcribe(audio)
    shifted = transcriber.transcribe(audio, offset_s=10.0)
    assert shifted.words[0].start == pytest.approx(plain.words[0].start + 10.0, abs=0.05)
    assert shifted.text == plain.text
    assert isinstance(audio, np.ndarray) and audio.dtype == np.float32


def test_fluent_long_answers_keep_their_words(transcriber, speech_dir: Path) -> None:  # type: ignore[no-untyped-def]
    """A long disfluent prompt once made tiny.en return 2 words for this 39 s recitation of 116 words."""
    from mockiv.stories import example_bank_path, load_bank
    from tests.support import recitation_fixtures as rf

    bank = load_bank(example_bank_path())[0]
    stories = {s.id: {k: v for k, v in s.model_dump().items() if isinstance(v, str)} for s in bank.stories}
    case = next(c for c in rf.cases(stories) if c.id == "rc-namespace-governance-lively")
    fixture = rf.fixture(case)
    transcript = transcriber.transcribe_file(synthesize(fixture, speech_dir))
    assert len(transcript.words) >= 0.9 * len(case.text.split()), transcript.text
    # A fast, high-pitched robotic voice: tiny.en mishears more of it, but must drop nothing.
    assert word_error_rate(case.text, transcript.text) <= 0.4


def test_uncovered_speech_and_hesitation_merge() -> None:
    from mockiv.asr.transcriber import merge_hesitations, uncovered_speech_s
    from mockiv.core.transcript import Word

    rate = 16_000
    audio = np.zeros(rate * 10, dtype=np.float32)
    audio[rate * 1 : rate * 9] = 0.2 * np.sin(np.arange(rate * 8) / rate * 2 * np.pi * 200)
    words = [Word("first", 1.0, 2.0), Word("second", 2.0, 3.0)]
    assert uncovered_speech_s(audio, words) == pytest.approx(5.4, abs=0.2)
    words.append(Word("last", 3.0, 9.0))
    assert uncovered_speech_s(audio, words) == 0.0
    backbone = [Word("We", 0.0, 0.3), Word("shipped.", 1.0, 1.5)]
    prompted = [Word("Um,", 0.4, 0.8), Word("We", 0.0, 0.3), Word("uh", 1.1, 1.3)]
    merged = merge_hesitations(backbone, prompted)
    assert [w.text for w in merged] == ["We", "Um,", "shipped."]
