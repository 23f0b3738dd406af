"""The judgement layer's decisions: how a flag is decided (pure, with made-up heads), and the known failure modes
of issue 12 on real answers by others (corpus/real, train split) through the one analysis entry point with the
shipped encoder and heads."""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from mockiv.analysis import analyze
from mockiv.core.rules import judged
from mockiv.core.transcript import Transcript

ROOT = Path(__file__).resolve().parents[3]
sys.path.insert(0, str(ROOT / "tools"))

from corpus import load, split_of  # noqa: E402  (a developer tool, imported from its folder)


def head(mode: str, threshold: float, name: str = "negativity") -> judged.FlagHead:
    columns = judged.head_columns(name)
    size = len(judged.feature_names())
    return judged.FlagHead(name, mode, columns, np.ones(len(columns), dtype=np.float32), -3.0,
                           np.zeros(size, dtype=np.float32), np.ones(size, dtype=np.float32), threshold)


def features_with(role_max: float, name: str = "negativity") -> np.ndarray:
    x = np.zeros(len(judged.feature_names()), dtype=np.float32)
    role, _direction = judged.PRIMARY_ROLE[name]
    x[judged.feature_names().index(f"{role}.max")] = role_max
    return x


def test_a_role_decision_reads_the_primary_roles_strongest_sentence() -> None:
    decision = head("role", 0.9)
    assert decision.fires(decision.probability(features_with(0.95)), pattern_hit=False)
    assert not decision.fires(decision.probability(features_with(0.5)), pattern_hit=False)


def test_a_backed_pattern_fires_only_where_the_reading_leans_the_same_way() -> None:
    decision = head("role_or_backed_pattern", 0.95)
    assert decision.fires(0.96, pattern_hit=False)  # the reading alone, past its threshold
    assert decision.fires(judged.BACKING, pattern_hit=True)  # a phrase hit the sentence reading backs
    assert not decision.fires(judged.BACKING - 0.01, pattern_hit=True)  # a phrase hit the reading does not back
    assert not decision.fires(0.9, pattern_hit=False)
    assert head("role_or_pattern", 0.95).fires(0.0, pattern_hit=True)  # an unbacked pattern mode: any hit


def test_a_missing_role_flag_fires_when_the_role_is_absent() -> None:
    decision = head("role", 0.8, "no-outcome")  # no-outcome: a measured result is missing
    assert decision.fires(decision.probability(features_with(0.05, "no-outcome")), pattern_hit=False)
    assert not decision.fires(decision.probability(features_with(0.95, "no-outcome")), pattern_hit=False)


def test_a_blend_decision_is_the_mean_of_the_head_and_the_primary_role() -> None:
    x = features_with(0.9)  # the head reads only the role's max here: 1 * 0.9 - 3 -> sigmoid ~ 0.109
    head_alone, role_alone = head("head", 0.5).probability(x), head("role", 0.5).probability(x)
    blended = head("blend", 0.5).probability(x)
    assert abs(blended - (head_alone + role_alone) / 2) < 1e-6
    assert head("blend", 0.45).fires(blended, pattern_hit=False)  # (0.109 + 0.9) / 2 ~ 0.50
    assert not head("head", 0.45).fires(head_alone, pattern_hit=False)
    assert head("blend_or_pattern", 0.99).fires(0.1, pattern_hit=True)


def test_or_pattern_modes_also_fire_on_the_patterns_alone() -> None:
    assert head("role_or_pattern", 0.99).fires(0.1, pattern_hit=True)
    assert head("head_or_pattern", 0.99).fires(0.1, pattern_hit=True)
    assert not head("head", 0.99).fires(0.1, pattern_hit=True)


def test_every_shipped_decision_is_a_known_mode_with_a_threshold() -> None:
    heads = judged.flag_heads()
    assert heads, "no trained heads shipped"
    for name, decision in heads.items():
        assert decision.mode in judged.MODES, name
        assert 0.0 <= decision.threshold <= 1.0, name
        if decision.mode.startswith(("head", "blend")):
            assert len(decision.weights) == len(decision.columns), name
    data = json.loads((ROOT / "mockiv/core/rules/data/flag_heads.json").read_text(encoding="utf-8"))
    assert data["trained_on"]["splits"] == ["train", "dev"]  # the test split is never trained on


# -- real answers by others, through the analysis entry point --------------------------------------------------


def corpus_answer(ident: str) -> dict[str, Any]:
    answer = next(a for a in load() if a["id"] == ident)
    assert split_of(answer["source_key"]) == "train", "tests are built from the train split only"
    return answer


def verdict(question: str, text: str) -> tuple[list[str], list[str]]:
    result = analyze(Transcript.from_text(text), question).result
    return [f.rule for f in result.findings], [s.id for s in result.strengths]


@pytest.mark.parametrize(("ident", "rule"), [
    ("forum-cvaihelp-disagree-manager", "hypothetical"),  # "If my manager makes a decision, I support it fully."
    ("gh1-systemcraft-01", "we-without-i"),  # a team story told only in "we"
])
def test_real_answers_get_their_finding(ident: str, rule: str) -> None:
    answer = corpus_answer(ident)
    assert answer["flags"][rule]
    found, _strengths = verdict(answer["question"], answer["text"])
    assert rule in found


def test_a_salary_question_is_not_early_negotiation() -> None:
    found, _ = verdict("What are your salary expectations?",
                       "Based on my research and my eight years of experience, I'm looking for something between "
                       "120 and 135 thousand, but I'm flexible for the right role.")
    assert "early-negotiation" not in found
    assert "no-business-impact" not in found  # a salary question is a motivation question


def test_unprompted_pay_and_remote_demands_are_early_negotiation() -> None:
    found, _ = verdict("Do you have any questions for me?",
                       "Yes, how much does this pay? And I'd need a base salary of at least 150k and fully remote "
                       "work, is that possible?")
    assert "early-negotiation" in found


def test_a_generic_failure_story_is_not_praised() -> None:
    found, strengths = verdict("Tell me about a time you failed.",
                               "Things got complicated with the new platform, the deadline slipped, and I learned a "
                               "lot about planning and communication. In the end we got it done and everybody moved "
                               "on to the next project.")
    assert "vague" in found
    assert "lesson-learned" not in strengths and "complete-structure" not in strengths


def test_the_size_of_a_failure_is_not_a_quantified_result() -> None:
    found, strengths = verdict("Tell me about a project you are proud of.",
                               "We migrated the billing system to Kubernetes. The launch slipped by two months, and "
                               "we went over budget by 30 percent, but we got there in the end and the team learned "
                               "a lot.")
    assert "quantified-result" not in strengths
    assert "we-without-i" in found


def test_the_qa_teams_fault_is_blame() -> None:
    found, _ = verdict("Tell me about a time a project failed.",
                       "It was mostly the QA team's fault because they did not test it properly, and the product "
                       "manager rushed the release. I restored the old version that night and we shipped again a "
                       "week later.")
    assert "blame" in found


def test_a_number_after_a_setback_word_is_no_result_to_praise() -> None:
    from mockiv.core.rules.engine import read_answer
    from mockiv.core.rules.strengths import is_setback
    from mockiv.core.transcript import Answer, Kind

    def number_at(text: str) -> tuple[Any, int]:
        doc = read_answer(Answer("Tell me about a project.", Kind.BEHAVIORAL, Transcript.from_text(text)))
        return doc, next(i for i, word in enumerate(doc.norms) if word[:1].isdigit())

    for setback in ("The launch slipped by 2 months.", "We went over budget by 30 percent.",
                    "We lost 20 percent of our users."):
        assert is_setback(*number_at(setback)), setback
    for result in ("I brought latency down by 40 percent.", "I cut cloud costs by 30 percent.",
                   "Signups grew by 25 percent."):
        assert not is_setback(*number_at(result)), result
