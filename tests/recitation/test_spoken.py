"""Rehearsed delivery on speech synthesized with espeak-ng: recitations against paraphrases of the same
stories, in several speaking styles and voices, through the real embedded Whisper model and the pitch track.

Clips stay under 30 s and are cached in tests/fixtures/generated, so the module runs in seconds.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from mockiv.audio.files import load_audio
from mockiv.core import delivery
from mockiv.core.pitch import analyze_pitch
from mockiv.core.recitation import Reference, assess, retelling_check, story_text
from mockiv.stories import example_bank_path, load_bank
from tests.support.recitation_fixtures import NATURAL, STYLES, RecitationCase, Style, fixture
from tests.support.speech_fixtures import synthesize

STEADY, FLAT, LIVELY = STYLES

# Short tellings (under 30 s) of the example bank's "pipeline-speed" story.
PARAPHRASE = ("Our deploys took close to an hour, so people bundled their changes into big and risky releases. I "
              "measured where all that time went: container builds that started from nothing and tests that ran one "
              "after another. I cached the image layers, ran the tests in four parallel groups, and let the security "
              "scan run next to them. A change now reaches production in 12 minutes.")
BUSINESS = ("Slow releases were costing the business. Customers waited longer for fixes because developers bundled "
            "work into big risky releases. After the change we shipped 40 times a week instead of 15, customers "
            "got fixes the same day, and the time we saved was worth about two engineers a year.")


@pytest.fixture(scope="module")
def story() -> Reference:
    bank, _ = load_bank(example_bank_path())
    parts = bank.story("pipeline-speed")
    return Reference("story", parts.id, parts.title, story_text(parts.model_dump()))


@pytest.fixture(scope="module")
def recited_text() -> str:
    bank, _ = load_bank(example_bank_path())
    parts = bank.story("pipeline-speed")
    return f"{parts.action} Merge to production dropped from 50 to 12 minutes."


def spoken(case_id: str, text: str, style: Style, speech_dir: Path):  # type: ignore[no-untyped-def]
    case = RecitationCase(case_id, "pipeline-speed", text, style, False, "story")
    return load_audio(synthesize(fixture(case), speech_dir))


def test_flat_espeak_speech_is_monotone_and_lively_speech_is_not(speech_dir: Path) -> None:
    flat = analyze_pitch(spoken("pitch-flat", PARAPHRASE, FLAT, speech_dir))
    lively = analyze_pitch(spoken("pitch-lively", PARAPHRASE, LIVELY, speech_dir))
    assert flat.spread_semitones is not None and lively.spread_semitones is not None
    assert flat.monotone, flat
    assert not lively.monotone, lively
    assert lively.spread_semitones > flat.spread_semitones + 2.0
    # The female variant speaks higher than the default male voice.
    assert lively.median_hz is not None and flat.median_hz is not None and lively.median_hz > flat.median_hz * 1.5


@pytest.mark.model
@pytest.mark.parametrize("style", [STEADY, FLAT, LIVELY], ids=lambda s: s.name)
def test_spoken_recitation_is_rehearsed_and_quotes_the_passage(
    style: Style, story: Reference, recited_text: str, transcriber, speech_dir: Path,  # type: ignore[no-untyped-def]
) -> None:
    audio = spoken(f"recite-{style.name}", recited_text, style, speech_dir)
    transcript = transcriber.transcribe(audio)
    result = assess(transcript, delivery.compute(transcript), [story], analyze_pitch(audio))
    assert result.rehearsed, (transcript.text, [e.text for e in result.evidence])
    assert result.overlap is not None and result.overlap.repeated_share >= 0.5
    quoted = " ".join(transcript.span_text(p.start_index, p.end_index) for p in result.overlap.passages).lower()
    assert "container images from scratch" in quoted


@pytest.mark.model
@pytest.mark.parametrize("style", [FLAT, NATURAL], ids=lambda s: s.name)
def test_spoken_paraphrase_of_the_same_story_is_not_rehearsed(
    style: Style, story: Reference, transcriber, speech_dir: Path,  # type: ignore[no-untyped-def]
) -> None:
    audio = spoken(f"paraphrase-{style.name}", PARAPHRASE, style, speech_dir)
    transcript = transcriber.transcribe(audio)
    result = assess(transcript, delivery.compute(transcript), [story], analyze_pitch(audio))
    assert not result.rehearsed, (transcript.text, [e.text for e in result.evidence])
    assert result.overlap is not None and not result.overlap.passages
    if style.natural:
        # The fillers and the self-correction are heard, so the no-disfluency cue is not raised either.
        assert not any(e.id == "no_disfluency" and e.found for e in result.evidence)


@pytest.mark.model
def test_repeating_an_earlier_answer_word_for_word_is_rehearsed(
    story: Reference, transcriber, speech_dir: Path,  # type: ignore[no-untyped-def]
) -> None:
    earlier = Reference("answer", "a1", "your answer of 2026-11-20", PARAPHRASE)
    audio = spoken("again-steady", PARAPHRASE, STEADY, speech_dir)
    transcript = transcriber.transcribe(audio)
    result = assess(transcript, delivery.compute(transcript), [story, earlier], analyze_pitch(audio))
    assert result.rehearsed, (transcript.text, [e.text for e in result.evidence])
    assert result.overlap is not None and result.overlap.reference.source == "answer"


@pytest.mark.model
def test_spoken_business_retelling_changes_angle_and_a_recitation_does_not(
    story: Reference, recited_text: str, transcriber, speech_dir: Path,  # type: ignore[no-untyped-def]
) -> None:
    retold = transcriber.transcribe(spoken("retell-business", BUSINESS, STEADY, speech_dir))
    check = retelling_check(retold, story, "business")
    assert check.passed, (retold.text, check.reasons)
    recited = transcriber.transcribe(spoken(f"recite-{STEADY.name}", recited_text, STEADY, speech_dir))
    again = retelling_check(recited, story, "business")
    assert again.recited and not again.passed
