"""Every rule carries at least five `flag` and five `pass` examples in its data file, and each one holds.

A rule without examples cannot land: the first test fails for it.
"""

from __future__ import annotations

import pytest

from mockiv.core.rules import evaluate, rule_specs, strength_specs
from mockiv.core.rules.samples import example_answer

# The families of the rule-engine issue; others (rehearsed: needs recorded context) test themselves.
OWN_FAMILIES = {"ownership", "evidence", "stories", "attitude", "failure", "closing", "delivery"}
SPECS = [s for s in rule_specs() if s.family in OWN_FAMILIES]
CASES = [
    pytest.param(spec, example, want, id=f"{spec.id}-{'flag' if want else 'pass'}-{n}")
    for spec in SPECS
    for want, examples in ((True, spec.flag), (False, spec.passes))
    for n, example in enumerate(examples)
]


def test_the_issue_rules_are_all_there() -> None:
    ids = {s.id for s in SPECS}
    assert ids >= {
        "we-without-i", "hypothetical", "no-problem", "no-outcome", "vague", "reactive", "no-business-impact",
        "negativity", "blame", "failure-no-lesson", "no-mistakes-claim", "exaggeration", "early-negotiation",
        "no-questions", "chronological-recital", "hedging", "filler-heavy", "pace-fast", "pace-slow",
        "long-pause", "too-long", "too-short",
    }


@pytest.mark.parametrize("spec", SPECS, ids=[s.id for s in SPECS])
def test_every_rule_has_five_flag_and_five_pass_examples(spec) -> None:
    assert len(spec.flag) >= 5, f"{spec.id} needs >= 5 flag examples"
    assert len(spec.passes) >= 5, f"{spec.id} needs >= 5 pass examples"
    assert spec.seed and all(part.strip().endswith(".txt") for part in spec.seed.split(";"))
    assert spec.follow_up.endswith("?"), "a follow-up is a question the interviewer can ask aloud"


@pytest.mark.parametrize(("spec", "example", "want"), CASES)
def test_example(spec, example, want: bool) -> None:
    answer, metrics = example_answer(example, spec.kinds[0])
    result = evaluate(answer, metrics)
    fired = [f for f in result.findings if f.rule == spec.id]
    text = example if isinstance(example, str) else example["text"]
    assert bool(fired) == want, f"{spec.id} {'missed' if want else 'flagged'}: {text}"
    for finding in fired:
        # Every finding quotes the candidate's exact words.
        for span in finding.evidence:
            assert span.text == answer.transcript.span_text(span.start_index, span.end_index)
            assert 0 <= span.start_index < span.end_index <= len(answer.transcript)


def test_strengths_are_declared_with_seed() -> None:
    ids = {s.id for s in strength_specs()}
    assert ids == {"clear-ownership", "quantified-result", "business-framing", "proactive-action", "lesson-learned",
                   "complete-structure", "good-questions"}
    assert all(s.seed.endswith(".txt") for s in strength_specs())
