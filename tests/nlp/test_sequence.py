"""The answer-sequence model: its hand-written gradients match finite differences, training learns what no one
sentence's mean carries, the data file round-trips, and the flag decisions read it as their modes say."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import numpy as np
import pytest

from mockiv.core.rules import judged, sequence

sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "tools"))

import sequence_training  # a developer tool's module, imported from its folder


def small_problem(rng: np.random.Generator) -> tuple[dict[str, np.ndarray], sequence_training.Batch, np.ndarray,
                                                     np.ndarray]:
    params = sequence_training.initial(5, 3, 4, rng)
    params["w_in"] = params["w_in"][:, :8]
    params["b_in"] = params["b_in"][:8]
    params["w_pool"] = params["w_pool"][:8]
    params["w_answer"] = params["w_answer"][:, :8]
    params["b_answer"] = params["b_answer"][:8]
    params["w_out"] = rng.uniform(-0.3, 0.3, (32, 4))
    sentences = [rng.normal(size=(n, 5)) for n in (3, 1, 4)]
    batch = sequence_training.batch_of(sentences, rng.normal(size=(3, 3)), np.arange(3))
    y = (rng.random((3, 4)) > 0.5).astype(float)
    return params, batch, y, rng.random((3, 4))


def test_gradients_match_finite_differences() -> None:
    params, batch, y, weight = small_problem(np.random.default_rng(1))
    _, grads = sequence_training.loss_and_gradients(params, batch, y, weight, 2.0, None)
    rng = np.random.default_rng(2)
    for name, value in params.items():
        for _ in range(3):
            index = tuple(int(rng.integers(0, s)) for s in value.shape)
            saved = value[index]
            value[index] = saved + 1e-6
            up, _ = sequence_training.loss_and_gradients(params, batch, y, weight, 2.0, None)
            value[index] = saved - 1e-6
            down, _ = sequence_training.loss_and_gradients(params, batch, y, weight, 2.0, None)
            value[index] = saved
            assert grads[name][index] == pytest.approx((up - down) / 2e-6, rel=1e-4, abs=1e-7), name


def test_the_core_forward_pass_is_the_one_trained() -> None:
    """The loss training minimises, recomputed from the core's logits (dropout off): the same number."""
    params, batch, y, weight = small_problem(np.random.default_rng(3))
    trained_loss, _ = sequence_training.loss_and_gradients(params, batch, y, weight, 2.0, None)
    model = sequence.SequenceModel(**params)
    logits = np.stack([model.logits(batch.sentences[r][batch.mask[r]], batch.answer[r]) for r in range(3)])
    core_loss = (weight * (np.logaddexp(0, logits) - logits * y)).sum() / 2.0
    assert core_loss == pytest.approx(trained_loss, rel=1e-9)


def synthetic(rng: np.random.Generator, answers: int) -> tuple[list[np.ndarray], np.ndarray, np.ndarray]:
    """A flag that is on when any one sentence stands out (first input > 2): the mean of the sentences blurs it."""
    sentences, labels = [], []
    for _ in range(answers):
        rows = rng.normal(size=(int(rng.integers(3, 9)), 6))
        rows[:, 0] = np.abs(rows[:, 0]) * 0.5
        if rng.random() < 0.4:
            rows[int(rng.integers(0, len(rows))), 0] = 3.0
        sentences.append(rows)
        labels.append([float(rows[:, 0].max() > 2), 0.0])
    return sentences, np.zeros((answers, 2)), np.asarray(labels)


def test_training_finds_the_one_telling_sentence() -> None:
    rng = np.random.default_rng(0)
    train_rows, train_answer, train_y = synthetic(rng, 300)
    test_rows, test_answer, test_y = synthetic(rng, 200)
    applies = np.ones_like(train_y, dtype=bool)
    applies[:, 1] = False  # the second flag never applies: its loss must not move anything
    model = sequence_training.fit(train_rows, train_answer, train_y, applies, seed=0, epochs=15)
    found = sequence_training.probabilities([model], test_rows, test_answer)[:, 0] >= 0.5
    truth = test_y[:, 0] > 0
    assert (found == truth).mean() >= 0.95
    again = sequence_training.fit(train_rows, train_answer, train_y, applies, seed=0, epochs=15)
    assert np.array_equal(again.w_in, model.w_in)  # one seed, the same model


def test_data_file_round_trips(monkeypatch: pytest.MonkeyPatch) -> None:
    rng = np.random.default_rng(4)
    names = judged.feature_names()
    columns = [i for i, n in enumerate(names) if not n.startswith("vector.")]
    width = 384 + len(judged.ROLES) + 1
    models = [sequence_training.initial(width, len(columns), len(judged.FLAGS), rng) for _ in range(2)]
    text = sequence.to_json(judged.FLAGS, [names[i] for i in columns], np.zeros(len(columns)),
                            np.ones(len(columns)), models, {"trained_on": {"answers": 0}})
    head = sequence.sequence_head_from(json.loads(text), names)
    vectors = rng.normal(size=(4, 384)).astype(np.float32)
    roles = rng.random((4, len(judged.ROLES))).astype(np.float32)
    x = rng.normal(size=len(names)).astype(np.float32)
    got = head.probabilities(vectors, roles, x)
    sentences = sequence.sentence_inputs(vectors, roles)
    expected = np.mean([1 / (1 + np.exp(-sequence.SequenceModel(**{k: v.astype(np.float32) for k, v in m.items()})
                                        .logits(sentences, x[columns]))) for m in models], axis=0)
    assert list(got) == list(judged.FLAGS)
    assert np.allclose(list(got.values()), expected, atol=1e-6)
    assert head.probabilities(np.zeros((0, 384), np.float32), np.zeros((0, len(judged.ROLES)), np.float32), x)
    with pytest.raises(ValueError, match="retrain"):
        sequence.sequence_head_from(json.loads(text), names[:10])


def test_sequence_readings_mix_as_their_modes_say() -> None:
    names = judged.feature_names()
    x = np.zeros(len(names), dtype=np.float32)
    x[names.index("problem.max")] = 0.2  # no-problem's primary role, read "low": role score 0.8

    def head(mode: str) -> judged.FlagHead:
        columns = judged.head_columns("no-problem", mode)
        return judged.FlagHead("no-problem", mode, columns, np.zeros(len(columns), np.float32), 0.0,
                               np.zeros(len(names), np.float32), np.ones(len(names), np.float32), 0.5)

    assert head("seq").probability(x, 0.3) == pytest.approx(0.3)
    assert head("seqrole").probability(x, 0.3) == pytest.approx((0.3 + 0.8) / 2)
    assert head("seqhead").probability(x, 0.3) == pytest.approx((0.3 + 0.5) / 2)  # a zero head gives 0.5
    assert len(head("seqvector").columns) > len(head("seqhead").columns)  # it reads the answer's vector too
    assert head("seq_or_pattern").fires(0.1, True) and not head("seq").fires(0.1, True)
    with pytest.raises(ValueError, match="answer-sequence"):
        head("seq").probability(x)
    assert head("head").probability(x) == pytest.approx(0.5)  # the other readings need no sequence


def test_the_answers_words_mix_in_by_their_share_and_round_trip() -> None:
    rng = np.random.default_rng(5)
    names = judged.feature_names()
    columns = [i for i, n in enumerate(names) if not n.startswith("vector.")]
    models = [sequence_training.initial(384 + len(judged.ROLES) + 1, len(columns), len(judged.FLAGS), rng)]
    terms = ["toxic", "my boss", "we"]
    weights = np.zeros((3, len(judged.FLAGS)), np.float32)
    negativity = judged.FLAGS.index("negativity")
    weights[0, negativity] = weights[1, negativity] = 4.0
    share = np.zeros(len(judged.FLAGS), np.float32)
    share[negativity] = 0.4
    lexical = {"terms": terms, "idf": np.ones(3), "weights": weights,
               "bias": np.full(len(judged.FLAGS), -2.0, np.float32), "share": share}
    plain_text = sequence.to_json(judged.FLAGS, [names[i] for i in columns], np.zeros(len(columns)),
                                  np.ones(len(columns)), models, {})
    text = sequence.to_json(judged.FLAGS, [names[i] for i in columns], np.zeros(len(columns)),
                            np.ones(len(columns)), models, {}, lexical)
    plain = sequence.sequence_head_from(json.loads(plain_text), names)
    head = sequence.sequence_head_from(json.loads(text), names)
    assert plain.lexical is None and head.lexical is not None
    vectors = rng.normal(size=(2, 384)).astype(np.float32)
    roles = rng.random((2, len(judged.ROLES))).astype(np.float32)
    x = rng.normal(size=len(names)).astype(np.float32)
    net = plain.probabilities(vectors, roles, x)
    row = judged.lexical_rows(["My boss was toxic."], head.lexical.vocabulary, head.lexical.idf)[0]
    mixed = head.probabilities(vectors, roles, x, row)
    words = 1 / (1 + np.exp(-(2 * 4.0 / np.sqrt(2) - 2.0)))  # "my boss" and "toxic", each 1/sqrt(2) of the row
    assert mixed["negativity"] == pytest.approx(0.6 * net["negativity"] + 0.4 * words, abs=2e-3)  # float16 weights
    assert all(mixed[f] == pytest.approx(net[f]) for f in judged.FLAGS if f != "negativity")  # share 0: unread
    with pytest.raises(ValueError, match="words"):
        head.probabilities(vectors, roles, x)


def test_word_training_learns_a_telling_word_and_shares_it_only_where_it_helps() -> None:
    import train_judgement

    rng = np.random.default_rng(6)
    fillers = ["we shipped the release", "I fixed the build", "the client called", "I wrote the tests",
               "our team met twice", "I led the review"]
    texts, truth = [], []
    for i in range(120):
        telling = i % 3 == 0
        words = " ".join(rng.choice(fillers, 3)) + (" and my manager was toxic" if telling else "")
        texts.append(words)
        truth.append([telling, rng.random() < 0.3])  # a flag the words tell, and one they cannot
    y = np.asarray(truth, dtype=np.float64)
    applies = np.ones_like(y, dtype=bool)
    lexical = train_judgement.fit_lexical(texts[:80], y[:80], applies[:80])
    held = train_judgement.lexical_probabilities(lexical, texts[80:])
    assert ((held[:, 0] > 0.5) == (y[80:, 0] > 0)).all()
    # the sentence model (here: noise) ranks the first flag no better than chance; the words rank it perfectly
    model = rng.random(y[80:].shape)
    shares = train_judgement.lexical_shares(model, held, y[80:], applies[80:])
    assert shares[0] > 0
    noise = rng.random(y[80:].shape)
    better_model = np.where(y[80:] > 0, 0.9, 0.1)
    assert list(train_judgement.lexical_shares(better_model, noise, y[80:], applies[80:])) == [0.0, 0.0]
