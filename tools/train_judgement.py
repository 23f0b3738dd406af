"""Train the judgement layer on the real-answer corpus: the sentence-role heads and the per-flag heads.

    .venv/bin/python tools/train_judgement.py            train on train+dev, write the two data files
    .venv/bin/python tools/train_judgement.py --check    cross-validate only, write nothing
    ... --check --unseen-since COMMIT   also this run (out of fold) against the shipped judgement on the train and
                                         dev answers added since COMMIT (the one that trained the shipped heads)
    ... --no-sequence                    leave the answer-sequence model out (to see what it adds)
    ... --no-words                       the answer-sequence model without the answer's words mixed in

Everything is fitted on the train and dev splits only (the test split is never read here). Figures are
source-grouped 5-fold cross-validation over train+dev, so no page or repository is judged by heads that saw it.

1. Role heads: one L2 logistic regression per sentence role over the encoder's vectors of the labelled
   sentences (mockiv/core/rules/data/role_heads.json).
2. Flag heads: the engine reads each answer as it would live (its own sentence split, the patterns' verdicts),
   the role heads give each sentence its roles (out of fold, so the flag heads learn how far to trust roles
   they have not memorised), and one logistic regression per flag weighs those features, another also the
   answer's mean vector (mockiv/core/rules/data/flag_heads.json). Each flag keeps the decision (judged.MODES) with
   the best cross-validated F0.5 whose precision, on the answers where the flag applies, reaches the target.
3. The answer-sequence model (mockiv/core/rules/sequence.py, tools/sequence_training.py): all flags and strengths
   at once over every sentence's vector and roles, trained out of fold like the flag heads; its probability, alone
   or averaged with another reading, is one more candidate for each decision, and the models trained on every
   answer are written (sequence_head.json) when a decision chooses one.
"""

from __future__ import annotations

import hashlib
import json
import math
import sys
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))

import sequence_training

from corpus import APPLIES, ROOT, STRENGTH_APPLIES, load
from mockiv.core.kinds import asks_about_terms
from mockiv.core.rules import judged, sequence
from mockiv.core.rules.base import STRENGTH_CHECKS
from mockiv.core.rules.engine import pattern_verdicts, read_answer, strength_specs
from mockiv.core.transcript import Answer, Kind, Transcript

DATA = ROOT / "mockiv" / "core" / "rules" / "data"
CACHE = ROOT / "corpus" / ".cache"
FOLDS = 5
TARGET_PRECISION = 0.85
# How a flag's threshold is chosen among those reaching TARGET_PRECISION in cross-validation: "f_half" (best F0.5)
# or "recall" (the most found). --check prints both, thresholds chosen out of fold.
OBJECTIVE = "f_half"
STRENGTH_PRECISION = 0.9
# A praise's precision is held to the target with a margin: the lower end of its one-sided 95 % Wilson interval
# must reach STRENGTH_PRECISION, not the cross-validated figure itself. A precision measured on the few hundred
# answers a strength praises carries a standard error of 1.5-2 points, so a threshold placed exactly at 0.90 in
# cross-validation falls below it on new answers about half the time.
STRENGTH_CONFIDENCE_Z = 1.645
PRECISION_FLOOR = 0.75  # below this a head is not trusted at all: the patterns decide alone
# Each role's threshold: the best F1 among those whose cross-validated precision reaches ROLE_PRECISION while
# keeping at least ROLE_MIN_RECALL (a precise threshold that finds 1 % of the role's sentences is no use), else
# the best F1 of all.
ROLE_PRECISION = 0.85
ROLE_MIN_RECALL = 0.25
# The answer's words mixed into the answer-sequence model: terms (words and word pairs) found in at least
# LEXICAL_MIN_ANSWERS answers, scikit-learn's inverse L2 strength LEXICAL_C (3 and 10 ranked alike and above 0.3
# and 1 out of fold on 5,272 answers), and the share per output the best of LEXICAL_SHARES out of fold.
LEXICAL_MIN_ANSWERS = 5
LEXICAL_C = 3.0
LEXICAL_SHARES = (0.0, 0.2, 0.3, 0.4, 0.5)
# Flags whose precise patterns always count where the sentence reading backs them (the "_or_backed_pattern" modes
# only): an explicit "it was the QA team's fault" that reads as blame at least half-way is blame by labelling.md's
# definition, and a candidate who says it and hears nothing stops trusting the findings. On 5,867 answers F0.5
# preferred the sequence reading alone by a hair (0.87 / 0.42), which let that very answer through.
PATTERNS_ALWAYS_COUNT = ("blame",)
PATTERN_FLOOR = 0.5  # patterns wrong more often than right (and no better head) are silenced
ROLE_C = 1.0  # scikit-learn's inverse L2 strength for the role heads (1 did best of 0.3, 1, 3, 10 in CV)
LEXICAL_MIN_SENTENCES = 2  # a term seen in one sentence only is a name or a typo, not a sign of a role
FLAG_L2 = 3.0
# A "vector" head reads ~400 features (the whole answer's vector besides its own): a stronger penalty keeps it from
# learning the corpus's answers rather than what makes them vague or blaming. 300 did best of 30, 100, 300, 1000
# and 3000 in cross-validation on 3,965 answers (vague 0.84/0.45 with the plain head -> 0.85/0.49,
# no-business-impact 0.86/0.73 -> 0.86/0.77, no-problem 0.86/0.51 -> 0.85/0.55).
VECTOR_L2 = 300.0


# -- the encoder, with an on-disk cache so a retrain takes seconds ------------------------------------------

class CachedEncoder:
    def __init__(self, encoder: judged.Encoder, name: str) -> None:
        self.encoder = encoder
        self.path = CACHE / f"vectors-{hashlib.sha1(name.encode()).hexdigest()[:10]}.npz"
        self.vectors: dict[str, np.ndarray] = {}
        if self.path.exists():
            data = np.load(self.path)
            self.vectors = dict(zip(data["keys"].tolist(), data["vectors"], strict=True))
        self.dirty = False

    @staticmethod
    def key(text: str) -> str:
        return hashlib.sha1(text.encode()).hexdigest()

    def encode(self, texts: Sequence[str]) -> np.ndarray:
        missing = list(dict.fromkeys(t for t in texts if self.key(t) not in self.vectors))
        for start in range(0, len(missing), 64):
            batch = missing[start:start + 64]
            for text, vector in zip(batch, self.encoder.encode(batch), strict=True):
                self.vectors[self.key(text)] = np.asarray(vector, dtype=np.float32)
            self.dirty = True
        if not texts:
            return np.zeros((0, 384), dtype=np.float32)
        return np.stack([self.vectors[self.key(t)] for t in texts])

    def save(self) -> None:
        if self.dirty:
            CACHE.mkdir(parents=True, exist_ok=True)
            keys = sorted(self.vectors)
            np.savez(self.path, keys=np.asarray(keys), vectors=np.stack([self.vectors[k] for k in keys]))


class HashingEncoder:
    """Bag of hashed words: a stand-in to check the training plumbing without the sentence encoder."""

    name = "hashing-384"

    def encode(self, texts: Sequence[str]) -> np.ndarray:
        out = np.zeros((len(texts), 384), dtype=np.float32)
        for row, text in enumerate(texts):
            for word in text.lower().split():
                out[row, int(hashlib.md5(word.strip(".,!?").encode()).hexdigest()[:6], 16) % 384] += 1.0
        return out / np.maximum(np.linalg.norm(out, axis=1, keepdims=True), 1e-9)


def default_encoder() -> tuple[judged.Encoder, str]:
    """The encoder the core runs: the published one with the shipped tuned top, if there is one."""
    if "--hashing" in sys.argv:
        return HashingEncoder(), HashingEncoder.name
    from mockiv.nlp.encoder import load_encoder, load_top, shipped_top

    encoder = load_encoder()
    top = shipped_top()
    if top is not None:
        encoder = encoder.with_top(load_top(top))
    return encoder, getattr(encoder, "name", "all-MiniLM-L6-v2")


def fold_encoders(final: CachedEncoder) -> tuple[list[CachedEncoder], str | None]:
    """Per fold, the encoder whose tuned top never saw that fold's answers (tools/tune_encoder.py), so each fold
    is judged as new answers will be, and the tuning run those tops come from; the final encoder for every fold
    (and no run) when there is no tuned top."""
    from mockiv.nlp.encoder import load_encoder, load_top, shipped_top

    top = shipped_top() if not isinstance(final.encoder, HashingEncoder) else None
    if top is None:
        return [final] * FOLDS, None
    with np.load(top) as data:
        meta = json.loads(str(data["meta"]))
    run = meta.get("run") or meta["data_sha256"][:10]  # the fold tops of the same tuning run
    if "--run" in sys.argv:  # a --check of another tuning run's fold tops (tools/tune_encoder.py --run ID)
        run = sys.argv[sys.argv.index("--run") + 1]
    from tune_encoder import fold_top_path  # one naming of the fold tops, shared with the tool that writes them

    paths = [fold_top_path(fold, run) for fold in range(FOLDS)]
    missing = [p.name for p in paths if not p.exists()]
    if missing:
        raise SystemExit(f"the fold tops {', '.join(missing)} are missing: run tools/tune_encoder.py first "
                         "(cross-validating over the shipped top would judge answers it was tuned on)")
    base = load_encoder()
    out = []
    for path in paths:
        tuned = base.with_top(load_top(path))
        out.append(CachedEncoder(tuned, tuned.name))
    return out, run


# -- logistic regression (Newton's method with an L2 penalty; small problems, exact and deterministic) -------

def fit_logistic(x: np.ndarray, y: np.ndarray, l2: float, balanced: bool = True) -> tuple[np.ndarray, float]:
    n, d = x.shape
    positives = max(float(y.sum()), 1.0)
    negatives = max(float(n - y.sum()), 1.0)
    weight = np.where(y > 0, n / (2 * positives), n / (2 * negatives)) if balanced else np.ones(n)
    xb = np.hstack([x, np.ones((n, 1))]).astype(np.float64)
    w = np.zeros(d + 1)
    penalty = np.full(d + 1, l2)
    penalty[-1] = 0.0
    for _ in range(50):
        p = 1.0 / (1.0 + np.exp(-np.clip(xb @ w, -30, 30)))
        gradient = xb.T @ (weight * (p - y)) + penalty * w
        hessian = (xb * (weight * p * (1 - p))[:, None]).T @ xb + np.diag(penalty + 1e-6)
        step = np.linalg.solve(hessian, gradient)
        w -= step
        if np.abs(step).max() < 1e-6:
            break
    return w[:-1].astype(np.float32), float(w[-1])


def average_precision(scores: np.ndarray, truth: np.ndarray) -> float:
    order = np.argsort(-scores, kind="stable")
    hits = truth[order] > 0
    if not hits.any():
        return 0.0
    precision = np.cumsum(hits) / np.arange(1, len(hits) + 1)
    return float(precision[hits].mean())


sigmoid = sequence.sigmoid  # the core's, so training scores as the engine does


def folds_of(answers: Sequence[dict[str, Any]]) -> np.ndarray:
    """A fold per answer, by source: one page or repository never feeds both sides of a fold."""
    return np.asarray([int(hashlib.sha256(("fold" + a["source_key"]).encode()).hexdigest()[:8], 16) % FOLDS
                       for a in answers])


# -- role heads -------------------------------------------------------------------------------------------

def role_data(answers: Sequence[dict[str, Any]], encoder: CachedEncoder
              ) -> tuple[np.ndarray, np.ndarray, np.ndarray, list[str]]:
    texts, labels, owners = [], [], []
    for index, answer in enumerate(answers):
        for sentence in answer["sentences"]:
            texts.append(sentence["text"])
            labels.append([1.0 if role in sentence.get("roles", []) else 0.0 for role in judged.ROLES])
            owners.append(index)
    return encoder.encode(texts), np.asarray(labels), np.asarray(owners), texts


def in_context(x: np.ndarray, owners: np.ndarray) -> np.ndarray:
    """Each sentence's vector with its neighbours' and its answer's mean, within its own answer (as the core reads
    one answer). The answer's mean raised the roles' cross-validated average precision a little on every role
    (blame 0.39 -> 0.42, lesson 0.72 -> 0.75, hypothetical 0.65 -> 0.68) and the flags' recall at the same precision."""
    out = np.zeros((len(x), 4 * x.shape[1]), dtype=np.float32)
    for owner in np.unique(owners):
        rows = np.flatnonzero(owners == owner)
        out[rows] = judged.with_context(x[rows], whole_answer=True)
    return out


def vocabulary_of(texts: Sequence[str], minimum: int = LEXICAL_MIN_SENTENCES) -> tuple[dict[str, int], np.ndarray]:
    """The terms found in at least `minimum` of the texts, with their smoothed idf."""
    frequency: dict[str, int] = {}
    for text in texts:
        for term in set(judged.lexical_terms(text)):
            frequency[term] = frequency.get(term, 0) + 1
    terms = sorted(t for t, n in frequency.items() if n >= minimum)
    idf = np.asarray([math.log((1 + len(texts)) / (1 + frequency[t])) + 1.0 for t in terms])
    return {t: i for i, t in enumerate(terms)}, idf


def lexical_matrix(texts: Sequence[str], vocabulary: dict[str, int], idf: np.ndarray) -> Any:
    from scipy.sparse import csr_matrix

    rows = judged.lexical_rows(texts, vocabulary, idf)
    indptr = np.cumsum([0] + [len(indexes) for indexes, _ in rows])
    indexes = np.concatenate([i for i, _ in rows]) if rows else np.zeros(0, dtype=np.int64)
    values = np.concatenate([v for _, v in rows]) if rows else np.zeros(0)
    return csr_matrix((values, indexes, indptr), shape=(len(texts), len(vocabulary)))


def fit_lexical(texts: Sequence[str], y: np.ndarray, applies: np.ndarray) -> dict[str, Any]:
    """The answer-level word reading (sequence.LexicalReading): per output, an L2 logistic regression over the
    answer's terms, on the answers where that output is labelled (scikit-learn, developer-only)."""
    from sklearn.linear_model import LogisticRegression

    vocabulary, idf = vocabulary_of(texts, LEXICAL_MIN_ANSWERS)
    matrix = lexical_matrix(texts, vocabulary, idf)
    weights = np.zeros((len(vocabulary), y.shape[1]), dtype=np.float32)
    bias = np.full(y.shape[1], -8.0, dtype=np.float32)
    for k in range(y.shape[1]):
        rows = np.flatnonzero(applies[:, k])
        if len(np.unique(y[rows, k])) < 2 or not vocabulary:
            continue  # never (or always) labelled here, or no term seen often enough: it says nothing
        model = LogisticRegression(C=LEXICAL_C, class_weight="balanced", max_iter=5000)
        model.fit(matrix[rows], y[rows, k])
        weights[:, k], bias[k] = model.coef_[0], model.intercept_[0]
    terms = sorted(vocabulary, key=vocabulary.__getitem__)
    return {"terms": terms, "vocabulary": vocabulary, "idf": idf, "weights": weights, "bias": bias}


def lexical_probabilities(lexical: Mapping[str, Any], texts: Sequence[str]) -> np.ndarray:
    """As the core computes them, one answer at a time (float16 weights included)."""
    reading = sequence.LexicalReading(lexical["vocabulary"], lexical["idf"], lexical["weights"].astype(np.float16),
                                      lexical["bias"], np.ones(lexical["weights"].shape[1], dtype=np.float32))
    return np.stack([reading.probabilities(*row) for row in judged.lexical_rows(texts, reading.vocabulary,
                                                                              reading.idf)])


def lexical_shares(model: np.ndarray, words: np.ndarray, truth: np.ndarray, applies: np.ndarray) -> np.ndarray:
    """Per output, the words' share in the mix that ranks the answers best out of fold (0 where they do not
    help)."""
    shares = np.zeros(truth.shape[1], dtype=np.float32)
    for k in range(truth.shape[1]):
        rows = applies[:, k]
        if truth[rows, k].sum() == 0:
            continue
        scored = [(average_precision((1 - share) * model[rows, k] + share * words[rows, k], truth[rows, k] > 0),
                   -share) for share in LEXICAL_SHARES]
        shares[k] = -max(scored)[1]
    return shares


def fit_roles(x: np.ndarray, owners: np.ndarray, texts: Sequence[str], y: np.ndarray,
              encoder_name: str) -> judged.RoleHeads:
    """Per role, an L2 logistic regression over the sentence's vector, its neighbours' and its words (scikit-learn,
    a developer-only dependency: the core only reads the weights)."""
    from scipy.sparse import csr_matrix, hstack
    from sklearn.linear_model import LogisticRegression

    dense = in_context(x, owners)
    vocabulary, idf = vocabulary_of(texts)
    features = hstack([csr_matrix(dense), lexical_matrix(texts, vocabulary, idf)]).tocsr()
    weights, bias = [], []
    for r in range(len(judged.ROLES)):
        if y[:, r].min() == y[:, r].max():  # a role never (or always) seen here: a constant head
            weights.append(np.zeros(features.shape[1]))
            bias.append(-8.0 if y[0, r] == 0 else 8.0)
            continue
        model = LogisticRegression(C=ROLE_C, class_weight="balanced", max_iter=5000)
        model.fit(features, y[:, r])
        weights.append(model.coef_[0])
        bias.append(float(model.intercept_[0]))
    matrix = np.stack(weights, axis=1).astype(np.float32)
    return judged.RoleHeads(encoder_name, matrix[: dense.shape[1]], np.asarray(bias, dtype=np.float32), True,
                            vocabulary, idf, matrix[dense.shape[1]:], whole_answer=True)


def role_probabilities(heads: judged.RoleHeads, x: np.ndarray, owners: np.ndarray, texts: Sequence[str]) -> np.ndarray:
    """As the core computes them: one answer at a time."""
    out = np.zeros((len(x), len(judged.ROLES)), dtype=np.float32)
    for owner in np.unique(owners):
        rows = np.flatnonzero(owners == owner)
        out[rows] = heads.probabilities(x[rows], [texts[i] for i in rows])
    return out


def role_thresholds(probabilities: np.ndarray, y: np.ndarray) -> list[dict[str, float]]:
    """Per role, the threshold chosen as ROLE_PRECISION says, from cross-validated probabilities; with its
    precision, recall and support."""
    out = []
    for r in range(len(judged.ROLES)):
        truth = y[:, r] > 0
        order = np.argsort(-probabilities[:, r], kind="stable")
        ranked, hits = probabilities[order, r], truth[order]
        tp = np.cumsum(hits)
        precision = tp / np.arange(1, len(ranked) + 1)
        recall = tp / max(int(truth.sum()), 1)
        f1 = 2 * precision * recall / np.maximum(precision + recall, 1e-9)
        cut = np.r_[ranked[1:] != ranked[:-1], True]  # "p >= threshold" keeps every tie together
        candidates = np.flatnonzero(cut & (precision >= ROLE_PRECISION) & (recall >= ROLE_MIN_RECALL))
        if not len(candidates):
            candidates = np.flatnonzero(cut)
        best = int(candidates[np.argmax(f1[candidates])]) if len(ranked) else 0
        out.append({"threshold": round(float(ranked[best]), 4) if len(ranked) else 0.5,
                    "cv_precision": round(float(precision[best]), 3) if len(ranked) else 0.0,
                    "cv_recall": round(float(recall[best]), 3) if len(ranked) else 0.0,
                    "support": int(truth.sum())})
    return out


def role_report(probabilities: np.ndarray, y: np.ndarray, thresholds: list[dict[str, float]]) -> list[str]:
    lines = [f"{'role':18} {'prec':>5} {'recall':>6} {'support':>7}   at p >= 0.5 | at its threshold: "
             f"{'threshold':>9} {'prec':>5} {'recall':>6}   (cross-validated)"]
    for r, role in enumerate(judged.ROLES):
        predicted = probabilities[:, r] >= 0.5
        tp = float((predicted & (y[:, r] > 0)).sum())
        precision = tp / max(predicted.sum(), 1)
        recall = tp / max(y[:, r].sum(), 1)
        chosen = thresholds[r]
        lines.append(f"{role:18} {precision:5.2f} {recall:6.2f} {int(y[:, r].sum()):7}                    "
                     f"{chosen['threshold']:9.3f} {chosen['cv_precision']:5.2f} {chosen['cv_recall']:6.2f}")
    return lines


# -- flag features ------------------------------------------------------------------------------------------

class Reading:
    """One corpus answer read by the engine as it would be live, before any judgement."""

    def __init__(self, answer: dict[str, Any], encoder: CachedEncoder) -> None:
        transcript = Transcript.from_text(answer["text"])
        self.doc = read_answer(Answer(answer["question"], Kind(answer["kind"]), transcript), kind=Kind(answer["kind"]))
        self.verdicts = {k: v is not None for k, v in pattern_verdicts(self.doc).items()}
        self.strengths = {spec.id: STRENGTH_CHECKS[spec.id](self.doc, spec) is not None for spec in strength_specs()
                          if spec.id in judged.STRENGTHS}
        self.texts = judged.sentence_texts(self.doc)
        self.vectors = encoder.encode(self.texts)

    def features(self, heads: judged.RoleHeads) -> np.ndarray:
        judgement = judged.Judgement(heads.probabilities(self.vectors, self.texts), judged.answer_vector(self.vectors),
                                     self.vectors)
        self.doc.memo["judgement"] = judgement
        return judged.features(self.doc, judgement, self.verdicts, asks_about_terms(self.doc.question))

    def sentence_inputs(self) -> np.ndarray:
        """What the answer-sequence model reads of each sentence (after `features`: the roles are known)."""
        return sequence.sentence_inputs(self.vectors, self.doc.memo["judgement"].roles)


def f_half(precision: float, recall: float) -> float:
    """F0.5: precision counts twice as much as recall (a wrong finding costs the candidate's trust)."""
    return 1.25 * precision * recall / max(0.25 * precision + recall, 1e-9)


def threshold_score(objective: str, precision: float, recall: float) -> float:
    """How a threshold (or a decision mode) is ranked among those that reach the precision target: "f_half" by
    F0.5; "recall" by what it finds (ties broken by precision)."""
    return recall + precision * 1e-6 if objective == "recall" else f_half(precision, recall)


def precision_bound(hits: float, predicted: float, z: float) -> float:
    """The lower end of the one-sided Wilson interval of a precision of hits/predicted (z = 0: the precision)."""
    if predicted <= 0:
        return 0.0
    p = hits / predicted
    if z <= 0:
        return p
    z2 = z * z
    centre = p + z2 / (2 * predicted)
    spread = z * math.sqrt(p * (1 - p) / predicted + z2 / (4 * predicted * predicted))
    return (centre - spread) / (1 + z2 / predicted)


def choose_threshold(probabilities: np.ndarray, labels: np.ndarray, target: float = TARGET_PRECISION,
                     objective: str = "f_half", z: float = 0.0) -> tuple[float, float, float]:
    """The threshold ranked best by the objective among those whose precision (its lower bound at z, where z > 0)
    reaches the target, else among those reaching PRECISION_FLOOR; (1.0, 0.0, 0.0) when none does (then the head
    is not used)."""
    for floor in (target, PRECISION_FLOOR) if target < STRENGTH_PRECISION else (target,):
        best: tuple[float, float, float, float] | None = None
        for threshold in sorted(set(np.round(probabilities[probabilities > 0], 4).tolist())):
            predicted = probabilities >= threshold
            tp = float((predicted & labels).sum())
            precision = tp / max(float(predicted.sum()), 1.0)
            recall = tp / max(float(labels.sum()), 1.0)
            score = threshold_score(objective, precision, recall)
            reaches = precision_bound(tp, float(predicted.sum()), z) >= floor
            if reaches and recall > 0 and (best is None or score > best[0]):
                best = (score, threshold, precision, recall)
        if best is not None:
            return best[1:]
    return 1.0, 0.0, 0.0


def nested_predictions(scores: np.ndarray, truth: np.ndarray, folds: np.ndarray, target: float,
                       objective: str = "f_half", z: float = 0.0) -> np.ndarray:
    """Each answer's verdict when its fold's threshold is chosen on the other folds only."""
    predicted = np.zeros(len(scores), dtype=bool)
    for fold in np.unique(folds):
        other = folds != fold
        threshold, _, recall = choose_threshold(scores[other], truth[other], target, objective, z)
        if recall > 0:
            predicted[~other] = scores[~other] >= threshold
    return predicted


def nested_estimate(scores: np.ndarray, truth: np.ndarray, folds: np.ndarray, target: float,
                    objective: str = "f_half") -> tuple[float, float]:
    """Precision and recall when each fold's threshold is chosen on the other folds only: the threshold search
    itself fits the data, so the plain cross-validated figures flatter what new answers will see."""
    return precision_recall(nested_predictions(scores, truth, folds, target, objective), truth)


def precision_recall(predicted: np.ndarray, truth: np.ndarray) -> tuple[float, float]:
    tp = float((predicted & truth).sum())
    return tp / max(float(predicted.sum()), 1.0), tp / max(float(truth.sum()), 1.0)


def truth_of(answers: Sequence[dict[str, Any]], name: str) -> np.ndarray:
    """Each answer's label for a flag or a strength, as 0/1."""
    field = "flags" if name in judged.FLAGS else "strengths"
    return np.asarray([a.get(field, {}).get(name, False) for a in answers], dtype=np.float64)


def applies_to(answers: Sequence[dict[str, Any]], name: str) -> np.ndarray:
    """Where a flag or a strength is scored: its question kinds (and, for a strength, where it was labelled)."""
    if name in judged.FLAGS:
        return np.asarray([a["kind"] in APPLIES[name] for a in answers])
    return np.asarray([a["kind"] in STRENGTH_APPLIES[name] and name in a.get("strengths", {}) for a in answers])


def judged_at_all(answers: Sequence[dict[str, Any]], name: str) -> np.ndarray:
    """The engine never lets early-negotiation speak when the question asked about terms: judged the same way."""
    return np.asarray([name != "early-negotiation" or not asks_about_terms(a["question"]) for a in answers])


def answers_at(commit: str) -> set[str]:
    """The ids of the answers the corpus held at `commit` (a source's split never changes: it is its hash's)."""
    import subprocess

    listing = subprocess.run(["git", "ls-tree", "--name-only", commit, "corpus/real/"], cwd=ROOT, check=True,
                             capture_output=True, text=True).stdout.split()
    ids: set[str] = set()
    for path in listing:
        if path.endswith(".jsonl"):
            text = subprocess.run(["git", "show", f"{commit}:{path}"], cwd=ROOT, check=True, capture_output=True,
                                  text=True).stdout
            ids |= {json.loads(line)["id"] for line in text.splitlines() if line.strip()}
    return ids


def against_shipped(answers: list[dict[str, Any]], found: dict[str, np.ndarray], since: str) -> str:
    """This run, out of fold, against the shipped judgement on the train and dev answers added after `since` (the
    commit that trained the shipped heads): answers neither has learnt, read with the same labels, so a retrain is
    judged on what it would change for new answers without reading the test split."""
    from eval_findings import score

    known = answers_at(since)
    position = {a["id"]: i for i, a in enumerate(answers)}
    unseen = [i for i, a in enumerate(answers) if a["id"] not in known]
    print(f"\n{len(unseen)} train and dev answers added since {since}: the shipped judgement reads them", flush=True)
    shipped = score([answers[i] for i in unseen], "shipped judgement, answers added since it was trained")
    run = score([answers[i] for i in unseen], "this run, out of fold, same answers",
                lambda a: ({f for f in judged.FLAGS if found[f][position[a["id"]]]}, set()))
    return f"{shipped.table()}\n\n{run.table()}"


def main(argv: list[str]) -> int:
    check_only = "--check" in argv
    # --target P, --objective f_half|recall: another precision target or threshold objective (the shipped heads
    # use TARGET_PRECISION and OBJECTIVE)
    flag_target = float(argv[argv.index("--target") + 1]) if "--target" in argv else TARGET_PRECISION
    # --vector-l2 X: try another penalty for the heads that read the answer's vector (a --check run)
    vector_l2 = float(argv[argv.index("--vector-l2") + 1]) if "--vector-l2" in argv else VECTOR_L2
    answers = [a for a in load() if a["split"] in ("train", "dev")]
    print(f"{len(answers)} answers (train+dev) from {len({a['source_key'] for a in answers})} sources")
    base, name = default_encoder()
    encoder = CachedEncoder(base, name)
    per_fold, fold_run = fold_encoders(encoder)
    folds = folds_of(answers)

    x, y, owners, texts = role_data(answers, encoder)
    sentence_folds = folds[owners]
    out_of_fold_roles: list[judged.RoleHeads] = []
    cross_validated = np.zeros_like(y)
    for fold in range(FOLDS):
        train, held = sentence_folds != fold, sentence_folds == fold
        fold_x = x if per_fold[fold] is encoder else role_data(answers, per_fold[fold])[0]
        heads = fit_roles(fold_x[train], owners[train], [t for t, keep in zip(texts, train, strict=True) if keep],
                          y[train], name)
        out_of_fold_roles.append(heads)
        cross_validated[held] = role_probabilities(heads, fold_x[held], owners[held],
                                                   [t for t, keep in zip(texts, held, strict=True) if keep])
    thresholds = role_thresholds(cross_validated, y)
    print("\n".join(role_report(cross_validated, y, thresholds)))
    print("cross-validated average precision per role:",
          " ".join(f"{role}={average_precision(cross_validated[:, r], y[:, r]):.2f}"
                   for r, role in enumerate(judged.ROLES)))
    final_roles = fit_roles(x, owners, texts, y, name)

    readings = [Reading(a, per_fold[folds[i]]) for i, a in enumerate(answers)]
    for cached in {id(e): e for e in [encoder, *per_fold]}.values():
        cached.save()
    features = np.stack([r.features(out_of_fold_roles[folds[i]]) for i, r in enumerate(readings)])
    mean = features.mean(axis=0)
    scale = features.std(axis=0) + 1e-3
    standard = (features - mean) / scale

    # The answer-sequence model, all flags at once, out of fold (its readings join each flag's candidates), and
    # the models trained on every answer, written if a decision chooses one of its readings.
    with_sequence = "--no-sequence" not in argv
    sentence_rows = [r.sentence_inputs() for r in readings]
    answer_columns = np.asarray([i for i, n in enumerate(judged.feature_names()) if not n.startswith("vector.")])
    # It learns the strengths too (where an answer's strength is labelled): a praise must be as right as a finding.
    outputs = (*judged.FLAGS, *judged.STRENGTHS)
    flag_truth = np.stack([truth_of(answers, name) for name in outputs], axis=1)
    flag_applies = np.stack([applies_to(answers, name) & judged_at_all(answers, name) for name in outputs], axis=1)
    sequence_oof = np.zeros(flag_truth.shape)
    answer_texts = [judged.answer_text(r.doc) for r in readings]
    shares = np.zeros(len(outputs), dtype=np.float32)
    if with_sequence:
        sequence_oof = sequence_training.out_of_fold(sentence_rows, standard[:, answer_columns], flag_truth,
                                                     flag_applies, folds)
        precisions = [average_precision(sequence_oof[flag_applies[:, k], k], flag_truth[flag_applies[:, k], k] > 0)
                      for k in range(len(outputs))]
        print("answer-sequence model, cross-validated average precision per flag and strength:",
              " ".join(f"{f}={v:.2f}" for f, v in zip(outputs, precisions, strict=True)), flush=True)
    if with_sequence and "--no-words" not in argv:
        # The answer's words, out of fold, mixed in per output where they rank the answers better (--no-words: the
        # sentence model alone).
        words_oof = np.zeros(flag_truth.shape)
        for fold in range(FOLDS):
            train = folds != fold
            lexical = fit_lexical([t for t, keep in zip(answer_texts, train, strict=True) if keep],
                                  flag_truth[train], flag_applies[train])
            words_oof[~train] = lexical_probabilities(
                lexical, [t for t, keep in zip(answer_texts, train, strict=True) if not keep])
        shares = lexical_shares(sequence_oof, words_oof, flag_truth, flag_applies)
        sequence_oof = (1 - shares) * sequence_oof + shares * words_oof

        def ap(scores: np.ndarray, k: int) -> float:
            return average_precision(scores[flag_applies[:, k], k], flag_truth[flag_applies[:, k], k] > 0)

        print("the answer's words, cross-validated average precision per flag and strength alone, then mixed in "
              "(share):", " ".join(f"{f}={ap(words_oof, k):.2f}/{ap(sequence_oof, k):.2f}({shares[k]:.1f})"
                                   for k, f in enumerate(outputs)), flush=True)

    out_of_fold: dict[str, tuple[np.ndarray, np.ndarray]] = {}

    def decide_flags(objective: str, flag_target: float
                     ) -> tuple[dict[str, Any], dict[str, tuple[float, float]], list[str], dict[str, int],
                                dict[str, np.ndarray]]:
        """Each flag's and strength's decision (mode, threshold, head) chosen in cross-validation under one
        threshold objective, with the figures to expect when each fold's threshold is chosen on the others."""
        flag_heads: dict[str, Any] = {}
        nested_figures: dict[str, tuple[float, float]] = {}
        silenced: list[str] = []
        positives: dict[str, int] = {}
        verdicts: dict[str, np.ndarray] = {}  # per flag and answer, found with thresholds chosen out of fold
        print(f"\nthreshold objective {objective}, flags at precision {flag_target:.2f}")
        print(f"\n{'flag':22} {'prec':>5} {'recall':>6} {'pos':>4} {'n':>4}  threshold  patterns alone: prec recall"
              "  (cross-validated where it applies)")
        for flag in (*judged.FLAGS, *judged.STRENGTHS):
            is_flag = flag in judged.FLAGS
            labels = truth_of(answers, flag)
            applies = applies_to(answers, flag)
            pattern = np.asarray([r.verdicts.get(flag, False) if is_flag else r.strengths.get(flag, False)
                                  for r in readings])
            # The engine never lets early-negotiation speak when the question asked about terms: judge it the same way.
            allowed = judged_at_all(answers, flag)
            pattern &= allowed
            columns = judged.head_columns(flag)
            vector_columns = judged.head_columns(flag, "vector")
            if flag not in out_of_fold:  # the heads' fold fits do not depend on the objective: fitted once
                oof = np.zeros(len(answers))
                vector_oof = np.zeros(len(answers))
                for fold in range(FOLDS):
                    train = folds != fold
                    w, b = fit_logistic(standard[train][:, columns], labels[train], FLAG_L2)
                    oof[~train] = sigmoid(standard[~train][:, columns] @ w + b)
                    w, b = fit_logistic(standard[train][:, vector_columns], labels[train], vector_l2)
                    vector_oof[~train] = sigmoid(standard[~train][:, vector_columns] @ w + b)
                out_of_fold[flag] = (oof * allowed, vector_oof * allowed)
            oof, vector_oof = out_of_fold[flag]
            # Candidates, each cross-validated: the head's probability, the primary role alone, their mean, the head
            # that reads the answer's vector, and (for a flag) each of them or the patterns, or the patterns they back.
            # A strength needs the patterns' evidence too (a number, a customer).
            role = np.asarray([judged.role_score(row, flag) for row in features]) * allowed
            target = flag_target if is_flag else STRENGTH_PRECISION
            ranking = objective if is_flag else "f_half"  # a praise is chosen for precision first, always
            margin = 0.0 if is_flag else STRENGTH_CONFIDENCE_Z
            truth = labels[applies] > 0
            positives[flag] = int(truth.sum())
            best: tuple[float, str, float, float, float] | None = None
            candidates: dict[str, np.ndarray] = {}
            blend = (oof + role) / 2
            by_reading = {"head": oof, "role": role, "blend": blend, "vector": vector_oof}
            if with_sequence:
                seq = sequence_oof[:, outputs.index(flag)] * allowed
                by_reading |= {"seq": seq, "seqhead": (seq + oof) / 2, "seqvector": (seq + vector_oof) / 2,
                               "seqrole": (seq + role) / 2}
            modes = list(by_reading.items())
            if is_flag:
                modes += [(f"{base}{how}", judged.with_patterns(f"{base}{how}", scores, pattern))
                          for how in ("_or_pattern", "_or_backed_pattern") for base, scores in by_reading.items()]
            if flag in PATTERNS_ALWAYS_COUNT:
                modes = [(mode, scores) for mode, scores in modes if mode.endswith("_or_backed_pattern")]
            for mode, scores in modes:
                candidate = np.where(applies & pattern, scores, 0.0) if not is_flag else scores
                candidates[mode] = candidate[applies]
                threshold, precision, recall = choose_threshold(candidate[applies], truth, target, ranking, margin)
                score = threshold_score(ranking, precision, recall)
                if recall > 0 and (best is None or score > best[0]):
                    best = (score, mode, threshold, precision, recall)
            alone = pattern[applies]
            alone_tp = float((alone & truth).sum())
            alone_precision = alone_tp / max(float(alone.sum()), 1.0)
            alone_recall = alone_tp / max(float(truth.sum()), 1.0)
            # A flag keeps a judged decision where it beats the patterns alone; a strength always goes through one,
            # since a praise the candidate cannot trust is worse than one left unsaid.
            keep = best is not None and (not is_flag or f_half(*best[3:]) > f_half(alone_precision, alone_recall))
            mode, threshold, precision, recall = best[1:] if best is not None else ("head", 1.0, 0.0, 0.0)
            if is_flag and not keep and alone_precision < PATTERN_FLOOR:
                silenced.append(flag)  # neither a judged decision nor the patterns can be trusted: it stays silent
            if keep or not is_flag:
                entry: dict[str, Any] = {"mode": mode, "threshold": round(float(threshold), 4),
                                         "cv_precision": round(precision, 3), "cv_recall": round(recall, 3),
                                         "patterns_alone": [round(alone_precision, 3), round(alone_recall, 3)],
                                         "positives": int(truth.sum())}
                if judged.uses_logistic(mode):
                    reads_vector = judged.reading_of(mode) in ("vector", "seqvector")
                    w, b = fit_logistic(standard[:, vector_columns if reads_vector else columns], labels,
                                        vector_l2 if reads_vector else FLAG_L2)
                    entry.update(weights=[round(float(v), 6) for v in w], bias=round(b, 6))
                flag_heads[flag] = entry
            decided = mode if keep else "silent" if flag in silenced else "patterns"
            found = np.zeros(len(answers), dtype=bool)
            if keep:
                found[applies] = nested_predictions(candidates[mode], truth, folds[applies], target, ranking, margin)
                nested_precision, nested_recall = precision_recall(found[applies], truth)
            else:
                found[applies] = alone if flag not in silenced else False
                nested_precision, nested_recall = alone_precision, alone_recall
            verdicts[flag] = found
            nested_figures[flag] = (nested_precision, nested_recall)
            print(f"{flag:22} {precision:5.2f} {recall:6.2f} {int(truth.sum()):4} {int(applies.sum()):4}  "
                  f"{threshold:9.3f}  {alone_precision:18.2f} {alone_recall:6.2f}  {decided}"
                  f"  (average precision: head {average_precision(oof[applies], truth):.2f},"
                  f" role {average_precision(role[applies], truth):.2f},"
                  f" vector {average_precision(vector_oof[applies], truth):.2f};"
                  f" thresholds chosen out of fold: {nested_precision:.2f} {nested_recall:.2f})")
        return flag_heads, nested_figures, silenced, positives, verdicts

    # Which threshold objective finds most at the precision it promises, thresholds chosen out of fold: micro
    # figures over the content flags, each weighted by its positives. The shipped one is decided as OBJECTIVE says.
    objective_arg = argv[argv.index("--objective") + 1] if "--objective" in argv else OBJECTIVE
    configs = dict.fromkeys([(objective_arg, flag_target), ("f_half", TARGET_PRECISION), ("recall", 0.85),
                             ("recall", 0.88), ("recall", 0.9)])
    for objective, target in configs:
        configs[(objective, target)] = decided = decide_flags(objective, target)
        _, nested, _, counts, _ = decided
        tp = sum(nested[f][1] * counts[f] for f in judged.FLAGS)
        flagged = sum(nested[f][1] * counts[f] / max(nested[f][0], 1e-9) for f in judged.FLAGS if nested[f][1])
        print(f"objective {objective} at precision {target:.2f}: out of fold, micro precision "
              f"{tp / max(flagged, 1e-9):.3f} recall {tp / max(sum(counts[f] for f in judged.FLAGS), 1):.3f}; "
              + ", ".join(f"{f} {nested[f][0]:.2f}/{nested[f][1]:.2f}" for f in judged.FLAGS), flush=True)
    if "--unseen-since" in argv:
        print(against_shipped(answers, configs[(objective_arg, flag_target)][4],
                              argv[argv.index("--unseen-since") + 1]))
    if check_only:
        return 0
    flag_heads, _, silenced, _, _ = configs[(objective_arg, flag_target)]

    digest = hashlib.sha256(json.dumps([[a["id"], a["text"], a["flags"], a["sentences"]] for a in answers],
                                       sort_keys=True).encode()).hexdigest()
    meta = {"silenced": silenced, "encoder": name,
            "trained_on": {"answers": len(answers), "sha256": digest, "splits": ["train", "dev"],
                           "fold_tops_run": fold_run},
            "thresholds": {"objective": objective_arg, "flag_precision": flag_target}}
    (DATA / "flag_heads.json").write_text(judged.to_json(flag_heads, mean, scale, meta) + "\n", encoding="utf-8")
    sequence_file = DATA / sequence.SEQUENCE_FILE
    if any(judged.reading_of(h["mode"]) in judged.SEQUENCE_READINGS for h in flag_heads.values()):
        models = [sequence_training.fit(sentence_rows, standard[:, answer_columns], flag_truth, flag_applies, seed)
                  for seed in range(sequence_training.SEEDS)]
        names = [judged.feature_names()[i] for i in answer_columns]
        lexical = fit_lexical(answer_texts, flag_truth, flag_applies) | {"share": shares} if shares.any() else None
        sequence_file.write_text(sequence.to_json(
            outputs, names, mean[answer_columns], scale[answer_columns],
            [{name: getattr(m, name) for name in sequence.PARAMETERS} for m in models], meta, lexical) + "\n",
            encoding="utf-8")
    elif sequence_file.exists():
        sequence_file.unlink()  # no decision reads it: a stale model must not stay in the rules' version
    terms = sorted(final_roles.vocabulary, key=final_roles.vocabulary.__getitem__)
    roles_json = {
        "encoder": name, **meta, "context": final_roles.context, "whole_answer": final_roles.whole_answer,
        "roles": {role: {"weights": [round(float(v), 6) for v in final_roles.weights[:, r]],
                         "bias": round(float(final_roles.bias[r]), 6), **thresholds[r]}
                  for r, role in enumerate(judged.ROLES)},
        # idf as float32 and one row of len(ROLES) weights per term as float16, both flattened, in base64
        "lexical": {"terms": terms, "idf": judged.pack_array(final_roles.idf, "<f4"),
                    "weights": judged.pack_array(final_roles.lexical.reshape(-1), "<f2")},
    }
    (DATA / "role_heads.json").write_text(json.dumps(roles_json, indent=1) + "\n", encoding="utf-8")
    print(f"\nwrote {DATA / 'role_heads.json'} and {DATA / 'flag_heads.json'} (data sha256 {digest[:12]})")
    return 0


if __name__ == "__main__":
    from threadpoolctl import threadpool_limits

    # One BLAS thread: the many small Newton solves waited on OpenBLAS's second thread (the training test took
    # 184 s with two threads on the busy 2-core machine, 10 s with one).
    with threadpool_limits(limits=1, user_api="blas"):
        sys.exit(main(sys.argv[1:]))
