"""The role heads in the pure core: probabilities from small synthetic weights, the shipped heads file, and
RULES_VERSION following the heads."""

from __future__ import annotations

import numpy as np
import pytest

from mockiv.core.rules import engine, judged


def synthetic_heads(dim: int = 4) -> judged.RoleHeads:
    """Role r looks along axis r % dim, with a bias that makes a vector on that axis clearly positive."""
    weights = np.zeros((dim, len(judged.ROLES)), dtype=np.float32)
    for r in range(len(judged.ROLES)):
        weights[r % dim, r] = 8.0
    return judged.RoleHeads("synthetic", weights, np.full(len(judged.ROLES), -4.0, dtype=np.float32))


def test_whole_answer_context_adds_the_answers_mean_to_each_sentence() -> None:
    vectors = np.asarray([[1, 0], [0, 1], [1, 1]], dtype=np.float32)
    plain, whole = judged.with_context(vectors), judged.with_context(vectors, whole_answer=True)
    assert plain.shape == (3, 6) and whole.shape == (3, 8)
    np.testing.assert_array_equal(whole[:, :6], plain)
    np.testing.assert_allclose(whole[:, 6:], np.tile([[2 / 3, 2 / 3]], (3, 1)))
    # a head that reads the mean: the same sentence changes its role with the answer around it
    weights = np.zeros((8, len(judged.ROLES)), dtype=np.float32)
    weights[7, judged.ROLES.index("blame")] = 12.0
    heads = judged.RoleHeads("synthetic", weights, np.full(len(judged.ROLES), -6.0, dtype=np.float32), True,
                             whole_answer=True)
    blame = judged.ROLES.index("blame")
    alone = heads.probabilities(vectors[:1])[0, blame]
    among = heads.probabilities(vectors)[0, blame]
    assert alone < 0.01 < 0.5 < among


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


def test_the_answer_vector_is_the_unit_mean_of_its_sentences_cut_or_padded() -> None:
    vectors = np.zeros((2, 384), dtype=np.float32)
    vectors[0, 0], vectors[1, 1] = 1.0, 1.0
    whole = judged.answer_vector(vectors)
    assert whole.shape == (judged.ANSWER_VECTOR_DIM,) and whole.dtype == np.float32
    np.testing.assert_allclose(whole[:2], [2 ** -0.5, 2 ** -0.5], rtol=1e-6)
    assert not whole[2:].any()
    narrow = judged.answer_vector(np.asarray([[3.0, 4.0]], dtype=np.float32))  # another encoder's width: padded
    np.testing.assert_allclose(narrow[:2], [0.6, 0.8], rtol=1e-6)
    assert narrow.shape == (judged.ANSWER_VECTOR_DIM,) and not narrow[2:].any()
    wide = judged.answer_vector(np.ones((1, 500), dtype=np.float32))  # cut
    assert wide.shape == (judged.ANSWER_VECTOR_DIM,) and float(np.linalg.norm(wide)) == pytest.approx(1.0)
    assert not judged.answer_vector(np.zeros((0, 384), dtype=np.float32)).any()


def test_a_vector_head_reads_how_the_whole_answer_reads() -> None:
    """The same roles, two answer vectors: only a "vector" head tells them apart, and only it reads the vector."""
    from mockiv.core.rules.engine import read_answer
    from mockiv.core.transcript import Answer, Kind, Transcript

    doc = read_answer(Answer("Tell me about a project.", Kind.BEHAVIORAL, Transcript.from_text("I did the work.")),
                      kind=Kind.BEHAVIORAL)
    roles = np.full((1, len(judged.ROLES)), 0.5, dtype=np.float32)
    toward, away = np.zeros(384, dtype=np.float32), np.zeros(384, dtype=np.float32)
    toward[0], away[1] = 1.0, 1.0
    rows = [judged.features(doc, judged.Judgement(roles, vector), {}, False) for vector in (toward, away)]
    names = judged.feature_names()
    assert len(rows[0]) == len(names) and rows[0][names.index("vector.0")] == 1.0
    plain, reads = judged.head_columns("vague"), judged.head_columns("vague", "vector")
    assert names.index("vector.0") in reads and names.index("vector.0") not in plain
    assert set(plain) < set(reads)
    weights = np.where(reads == names.index("vector.0"), 10.0, 0.0).astype(np.float32)
    head = judged.FlagHead("vague", "vector", reads, weights, -5.0, np.zeros(len(names), np.float32),
                           np.ones(len(names), np.float32), 0.5)
    assert head.probability(rows[0]) > 0.99 and head.probability(rows[1]) < 0.01
    assert np.array_equal(rows[0][plain], rows[1][plain])  # what the other heads read is the same


def test_flag_heads_trained_before_the_answer_vector_still_load_but_not_a_vector_head() -> None:
    names = [n for n in judged.feature_names() if not n.startswith("vector.")]
    older = {"features": names, "mean": [0.0] * len(names), "scale": [1.0] * len(names),
             "flags": {"vague": {"mode": "head", "threshold": 0.5, "weights": [0.0] * len(judged.head_columns("vague")),
                                 "bias": 0.0}}}
    head = judged.flag_heads_from(older)["vague"]
    assert head.mean.shape == head.scale.shape == (len(judged.feature_names()),)
    assert head.probability(np.ones(len(judged.feature_names()), dtype=np.float32)) == pytest.approx(0.5)
    older["flags"]["vague"]["mode"] = "vector"
    with pytest.raises(ValueError, match="retrain"):
        judged.flag_heads_from(older)
    with pytest.raises(ValueError, match="retrain"):
        judged.flag_heads_from({**older, "features": ["something else", *names[1:]]})


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
    assert heads.context and heads.whole_answer and heads.weights.shape == (4 * 384, len(judged.ROLES))
    assert heads.bias.shape == (len(judged.ROLES),)
    assert heads.encoder.startswith("all-MiniLM-L6-v2")  # with the tuned top: "+top-<digest of its file>"
    assert len(heads.vocabulary) > 1000 and heads.lexical.shape == (len(heads.vocabulary), len(judged.ROLES))
    assert {"i", "we", "would", "#", "%", "i would"} <= set(heads.vocabulary)


def test_the_words_a_role_head_reads() -> None:
    assert judged.lexical_terms("I cut costs by 40% in Q3, we'd saved $2,500.") == [
        "i", "cut", "costs", "by", "#", "%", "in", "q", "#", "we'd", "saved", "$", "#",
        "i cut", "cut costs", "costs by", "by #", "# %", "% in", "in q", "q #", "# we'd", "we'd saved", "saved $",
        "$ #"]


def test_word_weights_are_log_counts_times_idf_at_unit_length() -> None:
    vocabulary = {"i": 0, "we": 1, "we we": 2}
    idf = np.asarray([1.0, 2.0, 3.0])
    (indexes, values), (none, empty) = judged.lexical_rows(["we I we", "nothing known"], vocabulary, idf)
    by_term = dict(zip(indexes.tolist(), values.tolist(), strict=True))
    raw = {0: 1.0, 1: (1 + np.log(2)) * 2.0}
    norm = np.sqrt(sum(v * v for v in raw.values()))
    assert by_term == pytest.approx({k: v / norm for k, v in raw.items()})
    assert len(none) == 0 and len(empty) == 0


def test_context_puts_the_neighbours_beside_each_sentence() -> None:
    vectors = np.arange(6, dtype=np.float32).reshape(3, 2)
    context = judged.with_context(vectors)
    np.testing.assert_array_equal(context[0], [0, 1, 0, 0, 2, 3])
    np.testing.assert_array_equal(context[1], [2, 3, 0, 1, 4, 5])
    np.testing.assert_array_equal(context[2], [4, 5, 2, 3, 0, 0])


def test_a_sentences_words_move_its_roles() -> None:
    """Heads with no weight on the vectors: a word the vocabulary weighs for a role decides it alone."""
    rows = len(judged.ROLES)
    lexical = np.zeros((2, rows), dtype=np.float32)
    lexical[0, judged.ROLES.index("hypothetical")] = 20.0  # "would"
    lexical[1, judged.ROLES.index("own_action")] = 20.0  # "i"
    heads = judged.RoleHeads("synthetic", np.zeros((12, rows), np.float32), np.full(rows, -5.0, np.float32), True,
                             {"would": 0, "i": 1}, np.ones(2), lexical)
    probabilities = heads.probabilities(np.zeros((2, 4), np.float32), ["I would ask them.", "I asked them."])
    hypothetical, own = judged.ROLES.index("hypothetical"), judged.ROLES.index("own_action")
    assert probabilities[0, hypothetical] > 0.9 and probabilities[1, hypothetical] < 0.01
    assert probabilities[1, own] > 0.99
    with pytest.raises(ValueError, match="texts"):
        heads.probabilities(np.zeros((2, 4), np.float32))


def test_rules_version_follows_the_heads(monkeypatch) -> None:  # type: ignore[no-untyped-def]
    before = engine._rules_version()
    assert before == engine.RULES_VERSION
    original = judged.heads_text
    monkeypatch.setattr(judged, "heads_text", lambda name: original(name) + ("\n" if name == "role_heads.json" else ""))
    assert engine._rules_version() != before
