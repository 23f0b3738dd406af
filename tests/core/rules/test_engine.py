"""The engine's contract: kinds decide which rules run, results round-trip through JSON, evidence carries
word indices and times, and timing rules stay silent on typed answers."""

from __future__ import annotations

import json

from mockiv.core import delivery
from mockiv.core.rules import RULES_VERSION, RuleResult, catalog, evaluate
from mockiv.core.rules.samples import timed_transcript
from mockiv.core.transcript import Answer, Kind, Transcript

WE_STORY = ("We migrated the billing system to AWS. We set up Terraform, we moved the databases, and we cut the "
            "bill by 30 percent for the company.")


def _answer(text: str, kind: Kind | None = Kind.BEHAVIORAL, question: str = "") -> Answer:
    return Answer(question, kind, Transcript.from_text(text))  # type: ignore[arg-type]


def test_catalog_lists_every_rule_with_its_seed() -> None:
    entries = catalog()
    assert len({e["id"] for e in entries}) == len(entries)
    for e in entries:
        required = {"id", "family", "kinds", "severity", "message", "rationale", "seed", "suggestion", "follow_up"}
        assert required <= set(e)
        assert e["seed"]


def test_result_round_trips_through_json() -> None:
    answer = _answer(WE_STORY)
    result = evaluate(answer, delivery.compute(answer.transcript))
    data = json.loads(json.dumps(result.to_dict()))
    assert set(data) >= {"findings", "strengths", "structure", "kind", "rules_version"}
    assert data["rules_version"] == RULES_VERSION
    assert RuleResult.from_dict(data) == result


def test_finding_quotes_words_with_indices_and_times() -> None:
    transcript = timed_transcript(WE_STORY, wpm=150)
    answer = Answer("Tell me about a migration.", Kind.BEHAVIORAL, transcript)
    result = evaluate(answer, delivery.compute(transcript))
    finding = next(f for f in result.findings if f.rule == "we-without-i")
    assert finding.follow_up == "What exactly did you do yourself?"
    span = finding.evidence[0]
    assert span.text == "We migrated"
    assert (span.start_index, span.end_index) == (0, 2)
    assert span.start == transcript.words[0].start and span.end == transcript.words[1].end
    assert "seed" not in finding.rationale  # the source article is for maintainers (catalog), not the candidate


def test_kind_decides_which_rules_apply() -> None:
    text = "I would sit down with them first, and I would try to understand their side before I'd decide anything."
    assert "hypothetical" in evaluate(_answer(text, Kind.BEHAVIORAL)).rule_ids()
    # A design question asks for a hypothetical answer.
    assert "hypothetical" not in evaluate(_answer(text, Kind.TECHNICAL)).rule_ids()


def test_kind_is_inferred_from_the_question_when_missing() -> None:
    result = evaluate(_answer("No, I think you covered everything, thank you so much for your time today.", None,
                              "Do you have any questions for us?"))
    assert result.kind == Kind.CLOSING
    assert "no-questions" in result.rule_ids()


def test_typed_answers_never_get_timing_findings() -> None:
    slow_words = " ".join(["word"] * 80)
    result = evaluate(_answer(slow_words))
    assert not {"pace-fast", "pace-slow", "long-pause"} & result.rule_ids()


def test_timing_rules_fire_on_timed_answers() -> None:
    transcript = timed_transcript(WE_STORY + " " + WE_STORY, wpm=230)
    result = evaluate(Answer("", Kind.BEHAVIORAL, transcript), delivery.compute(transcript))
    assert "pace-fast" in result.rule_ids()


def test_empty_answer_is_only_too_short() -> None:
    result = evaluate(_answer(""))
    assert result.rule_ids() == {"too-short"}
    assert result.structure == ()


def test_fillers_do_not_break_phrases() -> None:
    text = "Um, I was, uh, asked to build the export. I built it in Django and shipped it in June to all customers."
    result = evaluate(_answer(text))
    assert "reactive" in result.rule_ids()


def test_strong_answer_gets_strengths_and_no_content_findings() -> None:
    text = ("Our checkout was timing out for 5% of customers, which cost us orders. I profiled it, found an N+1 query, "
            "added an index and a Redis cache, and I rolled it out behind a flag. Timeouts dropped to zero and "
            "revenue from evening sales rose by 8 percent.")
    result = evaluate(_answer(text))
    content = {f.rule for f in result.findings if f.family != "delivery"}
    assert content == set()
    assert {"quantified-result", "business-framing", "clear-ownership"} <= {s.id for s in result.strengths}


def test_one_line_answers_can_show_lexical_patterns() -> None:
    cases = {
        "We launched the feature and it performed well.": {"we-without-i", "vague"},
        "My manager was useless.": {"negativity"},
        "What is the salary?": {"early-negotiation"},
        "I've never failed.": {"no-mistakes-claim"},
        "I would talk to them first.": {"hypothetical"},
    }
    for text, expected in cases.items():
        fired = evaluate(_answer(text)).rule_ids() - {"too-short"}
        assert fired == expected, text


def test_structural_rules_wait_for_a_real_answer() -> None:
    # Eleven words: too little to say a problem or an outcome is missing.
    fired = evaluate(_answer("I rewrote the billing service in Go over a few weeks.")).rule_ids()
    assert not {"no-problem", "no-outcome", "no-business-impact"} & fired


HARD_NEGATIVES = [
    ("Tell me about a security improvement.",
     "Our service accounts had admin rights everywhere, which auditors flagged as a risk. I followed best practices "
     "and moved every service to least-privilege IAM roles, one per service, and added a CI check that blocks "
     "wildcard permissions. We closed the audit finding within a month."),
    ("Tell me about a time you improved performance.",
     "The product page took four seconds to load on mobile, and conversion on mobile was half of desktop. I improved "
     "the performance by lazy-loading images and splitting the JavaScript bundle by route. Load time fell to 1.3 "
     "seconds and mobile conversion rose 18 percent."),
    ("Do you have any questions?", "Tell me about the team and how you work together."),
    ("Do you have any questions?", "I am interested in hearing how the roadmap gets decided."),
    ("Why do you want to join us?",
     "Honestly it's not about the salary for me. I've followed your open-source work for years, and I want to work "
     "on developer tooling with people who care about it."),
    ("Tell me about a time you learned from feedback.",
     "My manager told me my design docs were too long for anyone to read. I asked two senior engineers what they "
     "skipped, rewrote my next doc as a one-page summary, and reviews of my docs went from two weeks to three days."),
]


def test_hard_negatives_raise_no_content_finding() -> None:
    for question, text in HARD_NEGATIVES:
        result = evaluate(Answer(question, None, Transcript.from_text(text)))  # type: ignore[arg-type]
        content = {f.rule for f in result.findings if f.family != "delivery"}
        assert content == set(), (text, content)


def test_a_result_only_we_reached_is_not_praised_as_the_candidates_own() -> None:
    # corpus/README.md: a measured result reached only by "we" actions is not the candidate's quantified result.
    we_result = evaluate(_answer(WE_STORY))
    assert "we-without-i" in we_result.rule_ids()
    assert "quantified-result" not in {s.id for s in we_result.strengths}
    own = WE_STORY.replace("we cut", "I cut")
    assert "quantified-result" in {s.id for s in evaluate(_answer(own)).strengths}
