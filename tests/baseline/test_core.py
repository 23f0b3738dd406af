"""The baseline's pure core: measuring the candidate's norms, their personal band, and judging an answer against
it through the rule engine's context. Without a baseline nothing changes."""

from __future__ import annotations

import pytest

from mockiv.core import delivery
from mockiv.core.baseline import Baseline, compare, measure, with_note
from mockiv.core.pitch import PitchSummary
from mockiv.core.rules import evaluate, rule_specs
from mockiv.core.rules.samples import example_answer, timed_transcript
from mockiv.core.transcript import Answer, Kind

STORY = ("I led the migration of twelve services to the new cluster over three months and we finished with zero "
         "downtime for customers, and the team now deploys five times a day instead of once a week, which let "
         "product ship the new checkout two weeks early.")
SPEC = next(s for s in rule_specs() if s.id == "off-baseline")
CASES = [pytest.param(example, want, id=f"{'flag' if want else 'pass'}-{n}")
         for want, examples in ((True, SPEC.flag), (False, SPEC.passes)) for n, example in enumerate(examples)]


def _baseline(wpm: float, fillers: float = 1.0, pauses: float = 1.0, pitch: float | None = None) -> Baseline:
    return Baseline(wpm, fillers, pauses, pitch, 60.0, "2026-12-04T10:00:00+00:00")


def _judge(wpm: float, baseline: Baseline | None, pitch: PitchSummary | None = None):  # type: ignore[no-untyped-def]
    transcript = timed_transcript(STORY, wpm)
    context = {"pitch": pitch, **({"baseline": baseline.to_dict()} if baseline else {})}
    return evaluate(Answer("Tell me about a project you led.", Kind.BEHAVIORAL, transcript),
                    delivery.compute(transcript), context=context)


def test_measure_pools_the_recordings_by_speaking_time() -> None:
    slow = delivery.compute(timed_transcript(STORY, 120))
    fast = delivery.compute(timed_transcript(STORY, 180))
    baseline = measure([(slow, PitchSummary(300, 120.0, 4.0, 1.5, False)), (fast, None)], "now")
    # The same words at 120 and 180 WPM: 2 x 49 words over 24.5 + 16.3 s, i.e. 144 WPM, not the mean 150.
    assert baseline.wpm == pytest.approx(144.0, abs=1.5)
    assert baseline.pitch_spread_semitones == 4.0 and baseline.pauses_per_min == 0.0
    assert baseline.band("wpm") == pytest.approx((baseline.wpm * 0.85, baseline.wpm * 1.15))
    assert baseline.band("fillers_per_min") == (0.0, 2.0)  # the absolute floor: 0 fillers still allows a couple


def test_too_little_speech_is_no_baseline() -> None:
    typed = delivery.compute(timed_transcript("I like hiking.", 140))
    with pytest.raises(ValueError, match="needs at least 20 s"):
        measure([(typed, None)], "now")


def test_the_band_round_trips_through_its_dict() -> None:
    baseline = _baseline(150.0, pitch=4.2)
    again = Baseline.from_dict(baseline.to_dict())
    assert again == baseline and again.to_dict()["bands"]["wpm"] == [127.5, 172.5]


def test_the_same_answer_reads_differently_against_a_slow_and_a_fast_baseline() -> None:
    metrics = delivery.compute(timed_transcript(STORY, 160))
    against_slow = compare(metrics, None, _baseline(120.0))["wpm"]
    against_fast = compare(metrics, None, _baseline(165.0))["wpm"]
    assert against_slow.direction == "above" and against_slow.concern
    assert against_slow.line.startswith("you spoke 34 % faster than your baseline (160 vs 120 WPM): nerves?")
    assert against_fast.direction == "inside" and not against_fast.concern
    assert "your natural pace" in against_fast.line


def test_without_a_baseline_nothing_changes() -> None:
    plain = _judge(160, None).to_dict()
    assert "off-baseline" not in {f["rule"] for f in plain["findings"]}
    assert plain == _judge(160, None).to_dict()
    assert compare(delivery.compute(timed_transcript(STORY, 160)), None, None) == {}


def test_a_general_finding_also_says_where_it_sits_against_the_baseline() -> None:
    fast = {f.rule: f for f in _judge(200, _baseline(205.0)).findings}
    # Too fast for a listener, but this candidate's natural pace: both are said, the general band first.
    assert fast["pace-fast"].message.startswith("You speak faster than a listener can follow comfortably. ")
    assert "inside your own relaxed band" in fast["pace-fast"].message
    assert fast["pace-fast"].details["baseline_band"] == [174.25, 235.75]
    assert "off-baseline" not in fast  # the move is the general rule's to report, once
    assert with_note("Too fast.", None) == "Too fast."
    assert with_note("Too fast.", "you spoke?") == "Too fast. You spoke?"


def test_a_flatter_pitch_than_the_baseline_is_reported() -> None:
    flat = PitchSummary(400, 110.0, 2.0, 0.8, False)
    found = {f.rule: f for f in _judge(150, _baseline(150.0, pitch=4.5), flat).findings}
    assert "Your pitch moved 56 % less than in your baseline (2.0 vs 4.5 semitones)" in found["off-baseline"].message


@pytest.mark.parametrize(("example", "want"), CASES)
def test_example(example: str | dict, want: bool) -> None:  # type: ignore[type-arg]
    answer, metrics = example_answer(example, SPEC.kinds[0])
    baseline = example.get("baseline") if isinstance(example, dict) else None
    result = evaluate(answer, metrics, context={"baseline": baseline} if baseline else None)
    assert ("off-baseline" in result.rule_ids()) == want
    for finding in result.findings:
        for span in finding.evidence:
            assert span.text == answer.transcript.span_text(span.start_index, span.end_index)


def test_off_baseline_has_five_examples_each_way() -> None:
    assert len(SPEC.flag) >= 5 and len(SPEC.passes) >= 5 and SPEC.follow_up.endswith("?")


def test_a_monotone_answer_says_it_once_with_the_baseline_beside_it() -> None:
    flat = PitchSummary(400, 110.0, 1.0, 0.4, True)
    found = {f.rule: f for f in _judge(150, _baseline(150.0, pitch=4.5), flat).findings}
    assert "Your pitch moved 78 % less than in your baseline (1.0 vs 4.5 semitones)" in found["monotone"].message
    assert "off-baseline" not in found
