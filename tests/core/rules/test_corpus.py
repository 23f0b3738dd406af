"""Per-rule precision and recall on the development corpus (corpus.toml): precision >= 0.85 and recall
>= 0.8 for every content rule. A coach that flags good answers is ignored, so precision comes first."""

from __future__ import annotations

import pytest

from tests.core.rules.corpus import corpus, scores

OWN_CONTENT_RULES = [
    "we-without-i", "hypothetical", "no-problem", "no-outcome", "vague", "reactive", "no-business-impact",
    "negativity", "blame", "failure-no-lesson", "no-mistakes-claim", "exaggeration", "early-negotiation",
    "no-questions", "chronological-recital", "hedging",
]


@pytest.fixture(scope="module")
def table() -> dict:
    return scores()


def test_corpus_is_big_and_varied() -> None:
    items = corpus()
    assert len(items) >= 60
    assert len({i.answer.kind for i in items}) == 6
    assert sum(1 for i in items if not i.expect) >= 15, "strong answers (hard negatives) are part of the corpus"
    for rule in OWN_CONTENT_RULES:
        assert sum(1 for i in items if rule in i.expect) >= 2, f"{rule} needs positives in the corpus"


@pytest.mark.parametrize("rule", OWN_CONTENT_RULES)
def test_precision(table: dict, rule: str) -> None:
    row = table[rule]
    assert row["precision"] >= 0.85, f"{rule}: false positives on {row['false_positives']}"


@pytest.mark.parametrize("rule", OWN_CONTENT_RULES)
def test_recall(table: dict, rule: str) -> None:
    row = table[rule]
    assert row["recall"] >= 0.8, f"{rule}: missed {row['misses']}"
