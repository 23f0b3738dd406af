"""tools/train_judgement.py on a tiny synthetic corpus: it trains, the heads it writes load in the core and
tell the roles apart, and training twice writes the same bytes (deterministic, so a retrain diffs cleanly)."""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from mockiv.core.rules import judged

TOOLS = Path(__file__).resolve().parents[2] / "tools"
sys.path.insert(0, str(TOOLS))

import train_judgement  # noqa: E402  (a developer tool, imported from its folder)

SENTENCES: dict[str, tuple[str, ...]] = {
    "The checkout page lost orders every night for our customers.": ("problem", "business_link"),
    "I rewrote the retry logic of the payment service in Go.": ("own_action", "concrete"),
    "We shipped the new version together.": ("team_action",),
    "Failed payments dropped by 38 percent in two months.": ("measured_result", "concrete"),
    "Everyone was happy with how it went.": ("unmeasured_result",),
    "I would probably talk to the stakeholders first.": ("hypothetical",),
    "It was mostly the QA team's fault because they did not test it.": ("blame", "failure"),
    "Since then I write the rollback plan before every launch.": ("lesson",),
}


def synthetic_corpus() -> list[dict[str, Any]]:
    """Forty answers from twenty sources, each a mix of the labelled sentences above."""
    lines = list(SENTENCES)
    answers = []
    for n in range(40):
        chosen = [lines[(n + k * 3) % len(lines)] for k in range(3 + n % 3)]
        roles = {role for text in chosen for role in SENTENCES[text]}
        flags = {flag: False for flag in judged.FLAGS}
        flags["no-outcome"] = not roles & {"measured_result", "unmeasured_result"}
        flags["hypothetical"] = "hypothetical" in roles
        flags["blame"] = "blame" in roles
        flags["we-without-i"] = "team_action" in roles and "own_action" not in roles
        answers.append({
            "id": f"synthetic-{n}", "source_key": f"example.com/{n % 20}", "split": "train" if n % 4 else "dev",
            "kind": "failure" if "blame" in roles else "behavioral", "question": "Tell me about a project.",
            "text": " ".join(chosen), "sentences": [{"text": t, "roles": list(SENTENCES[t])} for t in chosen],
            "flags": flags,
            "strengths": {"quantified-result": "measured_result" in roles, "business-framing": False},
        })
    return answers


def train(folder: Path) -> dict[str, bytes]:
    data = folder / "data"
    data.mkdir(parents=True)
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(train_judgement, "load", synthetic_corpus)
        patch.setattr(train_judgement, "DATA", data)
        patch.setattr(train_judgement, "CACHE", folder / "cache")
        patch.setattr(sys, "argv", ["train_judgement.py", "--hashing"])
        assert train_judgement.main(["--hashing"]) == 0
    return {p.name: p.read_bytes() for p in sorted(data.iterdir())}


@pytest.fixture(scope="module")
def trained(tmp_path_factory: pytest.TempPathFactory) -> tuple[dict[str, bytes], dict[str, bytes], Path]:
    """Two trainings from scratch (each with its own vector cache): the second checks the first."""
    from threadpoolctl import threadpool_limits

    folder = tmp_path_factory.mktemp("training")
    # One BLAS thread: the many small Newton solves took 20x longer with two threads on the busy 2-core machine.
    with threadpool_limits(limits=1, user_api="blas"):
        return train(folder / "a"), train(folder / "b"), folder / "a" / "cache"


def test_training_writes_heads_the_core_reads(trained: tuple[dict[str, bytes], dict[str, bytes], Path]) -> None:
    written = trained[0]
    flags = json.loads(written["flag_heads.json"])["flags"]
    reads_sequence = any(judged.reading_of(h["mode"]) in judged.SEQUENCE_READINGS for h in flags.values())
    # the answer-sequence model is written exactly when a decision reads it, and then the core loads it
    assert set(written) == {"role_heads.json", "flag_heads.json", *(["sequence_head.json"] if reads_sequence else [])}
    if reads_sequence:
        from mockiv.core.rules import sequence
        model = sequence.sequence_head_from(json.loads(written["sequence_head.json"]), judged.feature_names())
        assert model.flags == (*judged.FLAGS, *judged.STRENGTHS) and len(model.models) == 3
    roles = json.loads(written["role_heads.json"])
    assert tuple(roles["roles"]) == judged.ROLES
    assert roles["trained_on"]["answers"] == 40 and len(roles["trained_on"]["sha256"]) == 64
    heads = judged.role_heads_from(roles)
    assert heads.context and heads.vocabulary and heads.lexical.shape == (len(heads.vocabulary), len(judged.ROLES))
    vectors = train_judgement.HashingEncoder().encode(list(SENTENCES))
    # each sentence read as an answer of its own (no neighbours)
    probabilities = np.vstack([heads.probabilities(vectors[i:i + 1], [text]) for i, text in enumerate(SENTENCES)])
    for row, labelled in enumerate(SENTENCES.values()):
        for role in labelled:  # every training sentence gets its own roles back
            assert probabilities[row, judged.ROLES.index(role)] > 0.5, (row, role)
    assert probabilities[list(SENTENCES).index("We shipped the new version together."),
                         judged.ROLES.index("own_action")] < 0.5


def test_training_is_deterministic(trained: tuple[dict[str, bytes], dict[str, bytes], Path]) -> None:
    assert trained[0] == trained[1]


def test_the_vector_cache_is_reused(trained: tuple[dict[str, bytes], dict[str, bytes], Path],
                                   monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(train_judgement, "CACHE", trained[2])
    cached = train_judgement.CachedEncoder(train_judgement.HashingEncoder(), "hashing-384")
    monkeypatch.setattr(cached, "encoder", None)  # any sentence not cached would fail here
    assert cached.encode(list(SENTENCES)).shape == (len(SENTENCES), 384)


def test_logistic_regression_separates_and_threshold_meets_the_precision() -> None:
    rng = np.random.default_rng(1)
    x = rng.normal(size=(200, 3))
    y = (x[:, 0] + 0.2 * rng.normal(size=200) > 0.8).astype(np.float64)
    w, b = train_judgement.fit_logistic(x, y, l2=1.0)
    p = train_judgement.sigmoid(x @ w + b)
    assert ((p >= 0.5) == (y > 0)).mean() > 0.9
    threshold, precision, recall = train_judgement.choose_threshold(p, y > 0, 0.9)
    assert precision >= 0.9 and recall > 0.5
    assert (((p >= threshold) & (y > 0)).sum() / (p >= threshold).sum()) == pytest.approx(precision)


def test_the_recall_objective_finds_more_at_the_same_precision_target() -> None:
    # 14 positives far ahead, 6 more mixed with 3 negatives: F0.5 prefers the narrow threshold (precision 1.0,
    # recall 0.7), while the wide one (0.87, 1.0) still reaches the target and finds every positive.
    labels = np.array([True] * 14 + [True] * 6 + [False] * 3 + [False] * 80)
    scores = np.concatenate([np.full(14, 0.9), np.linspace(0.5, 0.6, 6), np.array([0.51, 0.53, 0.55]),
                             np.linspace(0.0, 0.4, 80)])
    f_threshold, f_precision, f_recall = train_judgement.choose_threshold(scores, labels, 0.85, "f_half")
    r_threshold, r_precision, r_recall = train_judgement.choose_threshold(scores, labels, 0.85, "recall")
    assert f_precision >= 0.85 and r_precision >= 0.85
    assert r_recall > f_recall and r_threshold < f_threshold


def test_the_precision_bound_is_wilsons_lower_end_and_tightens_with_more_answers() -> None:
    assert train_judgement.precision_bound(9, 10, 0.0) == pytest.approx(0.9)
    # Wilson's one-sided 95 % lower end (z = 1.645): 0.6523 for 9 of 10, 0.8833 for 900 of 1000
    assert train_judgement.precision_bound(9, 10, 1.645) == pytest.approx(0.6523, abs=1e-3)
    assert train_judgement.precision_bound(900, 1000, 1.645) == pytest.approx(0.8833, abs=1e-3)
    assert train_judgement.precision_bound(0, 0, 1.645) == 0.0


def test_a_praise_threshold_keeps_a_margin_above_the_precision_target() -> None:
    # 60 positives well ahead, then 140 more interleaved with negatives at 9 to 1: the plain target takes the wide
    # threshold (precision 0.93), the margin keeps to the narrow one whose lower bound still reaches 0.9.
    labels = np.array([True] * 60 + ([True] * 9 + [False]) * 14 + [False] * 300)
    scores = np.concatenate([np.full(60, 0.95), np.linspace(0.8, 0.6, 140), np.linspace(0.0, 0.5, 300)])
    plain = train_judgement.choose_threshold(scores, labels, 0.9, "f_half")
    kept = train_judgement.choose_threshold(scores, labels, 0.9, "f_half", 1.645)
    assert plain[1] >= 0.9 and kept[1] > plain[1] and kept[2] < plain[2]
    hits = ((scores >= kept[0]) & labels).sum()
    assert train_judgement.precision_bound(float(hits), float((scores >= kept[0]).sum()), 1.645) >= 0.9


def test_each_folds_verdicts_use_a_threshold_chosen_on_the_other_folds() -> None:
    # Fold 0's positives score 0.6, the other folds' 0.9 above negatives at 0.7: the other folds choose a
    # threshold above 0.7, so fold 0's positives are missed; chosen on all folds at once, they would be found.
    scores = np.array([0.6] * 5 + [0.1] * 5 + [0.9, 0.9, 0.7, 0.7] * 5)
    truth = np.array([True] * 5 + [False] * 5 + [True, True, False, False] * 5)
    folds = np.array([0] * 10 + [1, 2, 3, 4] * 5)
    predicted = train_judgement.nested_predictions(scores, truth, folds, 0.85)
    assert not predicted[:10].any()
    assert (predicted[10:] == (scores[10:] > 0.8)).all()
    precision, recall = train_judgement.nested_estimate(scores, truth, folds, 0.85)
    assert precision == 1.0 and recall == pytest.approx(10 / 15)
