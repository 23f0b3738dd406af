"""The role heads in the pure core: probabilities from small synthetic weights, the shipped heads file, and
RULES_VERSION following the heads."""

from __future__ import annotations

import numpy as np

from mockiv.core.rules import engine, judged


def synthetic_heads(dim: int = 4) -> judged.RoleHeads:
    """Role r looks along axis r % dim, with a bias that makes a vector on that axis clearly positive."""
    weights = np.zeros((dim, len(judged.ROLES)), dtype=np.float32)
    for r in range(len(judged.ROLES)):
        weights[r % dim, r] = 8.0
    return judged.RoleHeads("synthetic", weights, np.full(len(judged.ROLES), -4.0, dtype=np.float32))


def test_probabilities_are_the_logistic_of_each_roles_score() -> None:
    heads = synthetic_heads()
    vectors = np.eye(4, dtype=np.float32)
    probabilities = heads.probabilities(vectors)
    assert probabilities.shape == (4, len(judged.ROLES)) and probabilities.dtype == np.float32
    expected = 1.0 / (1.0 + np.exp(-(vectors @ heads.weights + heads.bias)))
    np.testing.assert_allclose(probabilities, expected, rtol=1e-6)
    problem = judged.ROLES.index("problem")
    assert probabilities[problem % 4, problem] > 0.98
    assert probabilities[(problem + 1) % 4, problem] < 0.02


def test_no_sentences_give_no_roles() -> None:
    assert synthetic_heads().probabilities(np.zeros((0, 4), dtype=np.float32)).shape == (0, len(judged.ROLES))
    assert judged.Judgement(np.zeros((0, len(judged.ROLES)), dtype=np.float32)).role("lesson").shape == (0,)


def test_extreme_scores_do_not_overflow() -> None:
    probabilities = synthetic_heads().probabilities(np.full((1, 4), 1e6, dtype=np.float32))
    assert np.isfinite(probabilities).all() and probabilities.max() <= 1.0


def test_a_judgement_reads_one_role_per_sentence() -> None:
    roles = np.arange(2 * len(judged.ROLES), dtype=np.float32).reshape(2, -1) / 100
    judgement = judged.Judgement(roles)
    np.testing.assert_array_equal(judgement.role("blame"), roles[:, judged.ROLES.index("blame")])


def test_the_shipped_heads_cover_every_role_for_a_384_wide_encoder() -> None:
    heads = judged.role_heads()
    assert heads is not None
    assert heads.weights.shape == (384, len(judged.ROLES)) and heads.bias.shape == (len(judged.ROLES),)
    assert heads.encoder == "all-MiniLM-L6-v2"


def test_rules_version_follows_the_heads(monkeypatch) -> None:  # type: ignore[no-untyped-def]
    before = engine._rules_version()
    assert before == engine.RULES_VERSION
    original = judged.heads_text
    monkeypatch.setattr(judged, "heads_text", lambda name: original(name) + ("\n" if name == "role_heads.json" else ""))
    assert engine._rules_version() != before
