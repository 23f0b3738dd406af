"""Training of the answer-sequence model (mockiv/core/rules/sequence.py) in numpy: the forward pass the core runs,
with dropout, its gradients by hand and AdamW (a developer tool's module, used by tools/train_judgement.py).

Why numpy and not torch: the model is small (one layer over each sentence, three poolings, one layer over the
answer's features), the training test runs in the suite where torch is not installed, and one seed gives the same
bytes on every machine.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from mockiv.core.rules.sequence import PARAMETERS, SequenceModel, gelu, sigmoid

HIDDEN = 128
EPOCHS = 12
BATCH = 32
LEARNING_RATE = 1e-3
WEIGHT_DECAY = 0.05
DROPOUT = 0.3
SEEDS = 3  # models averaged: one seed's out-of-fold figures move by about 0.01 from another's
_K = math.sqrt(2.0 / math.pi)


def gelu_grad(x: np.ndarray) -> np.ndarray:
    inner = _K * (x + 0.044715 * x ** 3)
    t = np.tanh(inner)
    return 0.5 * (1.0 + t) + 0.5 * x * (1.0 - t * t) * _K * (1.0 + 3 * 0.044715 * x * x)


def initial(inputs: int, answer_inputs: int, flags: int, rng: np.random.Generator) -> dict[str, np.ndarray]:
    """torch.nn.Linear's initialisation: weights and biases uniform in +-1/sqrt(fan in)."""
    def uniform(fan_in: int, shape: tuple[int, ...]) -> np.ndarray:
        bound = 1.0 / math.sqrt(fan_in)
        return rng.uniform(-bound, bound, shape)

    return {"w_in": uniform(inputs, (inputs, HIDDEN)), "b_in": uniform(inputs, (HIDDEN,)),
            "w_pool": uniform(HIDDEN, (HIDDEN,)), "b_pool": uniform(HIDDEN, (1,)),
            "w_answer": uniform(answer_inputs, (answer_inputs, HIDDEN)), "b_answer": uniform(answer_inputs, (HIDDEN,)),
            "w_out": uniform(4 * HIDDEN, (4 * HIDDEN, flags)), "b_out": uniform(4 * HIDDEN, (flags,))}


@dataclass
class Batch:
    sentences: np.ndarray  # [B, L, inputs], padded with zeros
    mask: np.ndarray  # [B, L] bool: a real sentence
    answer: np.ndarray  # [B, answer inputs]


def batch_of(sentences: Sequence[np.ndarray], answer: np.ndarray, rows: np.ndarray) -> Batch:
    longest = max(len(sentences[i]) for i in rows)
    x = np.zeros((len(rows), longest, sentences[rows[0]].shape[1]))
    mask = np.zeros((len(rows), longest), dtype=bool)
    for j, i in enumerate(rows):
        x[j, : len(sentences[i])] = sentences[i]
        mask[j, : len(sentences[i])] = True
    return Batch(x, mask, answer[rows].astype(np.float64))


def loss_and_gradients(p: dict[str, np.ndarray], batch: Batch, y: np.ndarray, weight: np.ndarray, norm: float,
                       rng: np.random.Generator | None) -> tuple[float, dict[str, np.ndarray]]:
    """Weighted binary cross-entropy of one batch (summed over flags and answers, divided by `norm`) and its
    gradient for every parameter; dropout where `rng` is given."""
    m = batch.mask[:, :, None].astype(np.float64)
    count = m.sum(axis=1)  # [B, 1]
    keep = 1.0 - DROPOUT
    u = batch.sentences @ p["w_in"] + p["b_in"]
    d1 = (rng.random(u.shape) < keep) / keep if rng is not None else 1.0
    h = gelu(u) * d1
    mean = (h * m).sum(axis=1) / count
    masked = np.where(m > 0, h, -1e4)
    strongest_at = masked.argmax(axis=1)  # [B, H]
    strongest = np.take_along_axis(h, strongest_at[:, None, :], axis=1)[:, 0]
    scores = np.where(batch.mask, h @ p["w_pool"] + p["b_pool"][0], -1e4)
    a = np.exp(scores - scores.max(axis=1, keepdims=True))
    a /= a.sum(axis=1, keepdims=True)
    attended = (a[:, :, None] * h).sum(axis=1)
    ua = batch.answer @ p["w_answer"] + p["b_answer"]
    c = np.concatenate([mean, strongest, attended, gelu(ua)], axis=1)
    d2 = (rng.random(c.shape) < keep) / keep if rng is not None else 1.0
    cd = c * d2
    z = cd @ p["w_out"] + p["b_out"]
    loss = float((weight * (np.maximum(z, 0) - z * y + np.log1p(np.exp(-np.abs(z))))).sum() / norm)

    dz = weight * (1.0 / (1.0 + np.exp(-z)) - y) / norm
    g = {"w_out": cd.T @ dz, "b_out": dz.sum(axis=0)}
    dc = (dz @ p["w_out"].T) * d2
    hidden = p["w_in"].shape[1]
    d_mean, d_strongest, d_attended, d_answer = (dc[:, k * hidden:(k + 1) * hidden] for k in range(4))
    dua = d_answer * gelu_grad(ua)
    g["w_answer"], g["b_answer"] = batch.answer.T @ dua, dua.sum(axis=0)
    dh = d_mean[:, None, :] * m / count[:, :, None]
    np.put_along_axis(dh, strongest_at[:, None, :],
                      np.take_along_axis(dh, strongest_at[:, None, :], axis=1) + d_strongest[:, None, :], axis=1)
    dh += a[:, :, None] * d_attended[:, None, :]
    da = (h * d_attended[:, None, :]).sum(axis=2)  # [B, L]
    ds = a * (da - (a * da).sum(axis=1, keepdims=True))
    dh += ds[:, :, None] * p["w_pool"]
    g["w_pool"] = np.einsum("bl,blh->h", ds, h)
    g["b_pool"] = np.asarray([ds.sum()])
    du = dh * d1 * gelu_grad(u)
    flat = batch.sentences.reshape(-1, batch.sentences.shape[2])
    g["w_in"] = flat.T @ du.reshape(-1, hidden)
    g["b_in"] = du.sum(axis=(0, 1))
    return loss, g


def fit(sentences: Sequence[np.ndarray], answer: np.ndarray, y: np.ndarray, applies: np.ndarray, seed: int,
        epochs: int = EPOCHS) -> SequenceModel:
    """One model over the given answers: `y` their flags (0/1), `applies` where each flag is judged at all (a
    flag's loss counts only there). Positives weigh sqrt(negatives / positives), per flag."""
    rng = np.random.default_rng(seed)
    p = initial(sentences[0].shape[1], answer.shape[1], y.shape[1], rng)
    moments = {k: (np.zeros_like(v), np.zeros_like(v)) for k, v in p.items()}
    mask = applies.astype(np.float64)
    positives = (y * mask).sum(axis=0)
    positive_weight = np.sqrt((mask.sum(axis=0) - positives) / np.maximum(positives, 1.0))
    weight = mask * np.where(y > 0, positive_weight, 1.0)
    beta1, beta2, step = 0.9, 0.999, 0
    for _ in range(epochs):
        order = rng.permutation(len(sentences))
        for start in range(0, len(order), BATCH):
            rows = order[start:start + BATCH]
            _, grads = loss_and_gradients(p, batch_of(sentences, answer, rows), y[rows], weight[rows],
                                          max(float(mask[rows].sum()), 1.0), rng)
            step += 1
            for name, grad in grads.items():
                first, second = moments[name]
                first *= beta1
                first += (1 - beta1) * grad
                second *= beta2
                second += (1 - beta2) * grad * grad
                p[name] *= 1.0 - LEARNING_RATE * WEIGHT_DECAY  # AdamW: the decay apart from the gradient
                p[name] -= LEARNING_RATE * (first / (1 - beta1 ** step)) / (
                    np.sqrt(second / (1 - beta2 ** step)) + 1e-8)
    return SequenceModel(**{name: p[name].astype(np.float32) for name in PARAMETERS})


def probabilities(models: Sequence[SequenceModel], sentences: Sequence[np.ndarray], answer: np.ndarray) -> np.ndarray:
    """[answers, flags]: the models' probabilities averaged, one answer at a time as the core computes them."""
    out = np.zeros((len(sentences), models[0].b_out.shape[0]))
    for i, rows in enumerate(sentences):
        logits = np.stack([m.logits(rows.astype(np.float32), answer[i].astype(np.float32)) for m in models])
        out[i] = sigmoid(logits).mean(axis=0)
    return out


def out_of_fold(sentences: Sequence[np.ndarray], answer: np.ndarray, y: np.ndarray, applies: np.ndarray,
                folds: np.ndarray, seeds: int = SEEDS, epochs: int = EPOCHS) -> np.ndarray:
    """Each answer's probabilities from models trained without its fold."""
    out = np.zeros(y.shape)
    for fold in np.unique(folds):
        train = np.flatnonzero(folds != fold)
        held = np.flatnonzero(folds == fold)
        models = [fit([sentences[i] for i in train], answer[train], y[train], applies[train], seed * 100 + int(fold),
                      epochs) for seed in range(seeds)]
        out[held] = probabilities(models, [sentences[i] for i in held], answer[held])
    return out
