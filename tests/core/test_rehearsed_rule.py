"""The `rehearsed` and `monotone` rules through the rule engine, with the evaluation context they read."""

from __future__ import annotations

from mockiv.core import delivery
from mockiv.core.pitch import PitchSummary
from mockiv.core.recitation import Reference, evaluation_context
from mockiv.core.rules import catalog, evaluate
from mockiv.core.rules.samples import timed_transcript
from mockiv.core.transcript import Answer, Kind, Transcript

STORY = Reference("story", "pipeline-speed", "Cutting the deployment pipeline", (
    "Developers waited about 50 minutes from merge to production, so they batched changes, and every release "
    "carried more risk. I profiled every stage of the pipeline and found that 30 minutes went on rebuilding "
    "container images from scratch and running the full test suite serially. I introduced layer caching, split "
    "the tests into four parallel jobs by timing data, and moved the security scan to run alongside the tests "
    "instead of after them. Merge to production dropped from 50 to 12 minutes."))
RECITED = ("Developers waited about 50 minutes from merge to production, so they batched changes, and every release "
           "carried more risk. I profiled every stage of the pipeline and found that 30 minutes went on rebuilding "
           "container images from scratch and running the full test suite serially. I introduced layer caching, "
           "split the tests into four parallel jobs by timing data, and merge to production dropped from 50 to 12 "
           "minutes.")
PARAPHRASED = ("Our deploys were slow, close to an hour between a merge and production, which meant people bundled "
               "lots of changes into each release. I measured where the time went: most of it was container builds "
               "starting from nothing and tests running one after another. I added caching of image layers, ran the "
               "tests in four parallel groups, and let the security scan happen at the same time as the tests. A "
               "change now reaches production in 12 minutes.")
FLAT = PitchSummary(400, 110.0, 1.5, 0.6, True)
LIVELY = PitchSummary(400, 110.0, 7.0, 2.8, False)
QUESTION = "Tell me about a time you improved a process."


def run(text: str, context: dict | None, timed: bool = True):  # type: ignore[no-untyped-def, type-arg]
    transcript = timed_transcript(text, 150) if timed else Transcript.from_text(text)
    answer = Answer(QUESTION, Kind.BEHAVIORAL, transcript)
    return evaluate(answer, delivery.compute(transcript), context=context)


def finding(result, rule: str):  # type: ignore[no-untyped-def]
    return next((f for f in result.findings if f.rule == rule), None)


def test_both_rules_are_in_the_catalog_with_seed_and_rationale() -> None:
    entries = {entry["id"]: entry for entry in catalog()}
    for rule in ("rehearsed", "monotone"):
        assert entries[rule]["family"] == "rehearsed"
        assert "000_914be7e4cd9c8173.txt" in entries[rule]["seed"]
        assert entries[rule]["rationale"] and entries[rule]["suggestion"]


def test_a_recited_story_delivered_like_a_script_is_flagged_with_the_passage_quoted() -> None:
    result = run(RECITED, evaluation_context([STORY], FLAT))
    found = finding(result, "rehearsed")
    assert found is not None
    assert found.evidence and "rebuilding container images from scratch" in " ".join(s.text for s in found.evidence)
    assert found.evidence[0].start is not None  # the quote keeps its time in the audio
    assert found.details["reference"] == "Cutting the deployment pipeline"
    assert "rebuilding container images" in found.details["repeated_passage"]
    evidence = " | ".join(found.details["evidence"])
    assert "word for word" in evidence and "semitones" in evidence and "fillers" in evidence
    assert "seed" not in found.rationale
    assert finding(result, "monotone") is not None


def test_a_paraphrase_is_not_flagged_even_when_delivered_flat() -> None:
    result = run(PARAPHRASED, evaluation_context([STORY], FLAT))
    assert finding(result, "rehearsed") is None
    assert finding(result, "monotone") is not None


def test_without_context_neither_rule_speaks() -> None:
    result = run(RECITED, None)
    assert finding(result, "rehearsed") is None and finding(result, "monotone") is None


def test_a_typed_recitation_is_flagged_on_the_words_and_the_missing_disfluency() -> None:
    result = run(RECITED, evaluation_context([STORY]), timed=False)
    found = finding(result, "rehearsed")
    assert found is not None
    assert any("none at all" in e for e in found.details["evidence"])
    assert any("pitch not measured" in e for e in found.details["not_found"])


def test_lively_pitch_is_not_monotone() -> None:
    result = run(PARAPHRASED, evaluation_context([STORY], LIVELY))
    assert finding(result, "monotone") is None


def test_pitch_may_come_as_stored_json() -> None:
    result = run(RECITED, {"references": (STORY,), "pitch": FLAT.to_dict()})
    assert finding(result, "monotone") is not None and finding(result, "rehearsed") is not None
