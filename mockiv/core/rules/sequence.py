"""How the whole answer reads, sentence by sentence: a small trained model over every sentence's vector, its roles
and its place in the answer, beside what the answer's features say (the patterns' verdicts, the counts).

Why: each flag head reads a few aggregates of the sentences (the strongest "problem" sentence, the mean of the
"concrete" ones); this model learns its own sentence readings and pools them three ways (the mean, the strongest
and an attention-weighted one), all flags at once, so a problem told only after the actions or one concrete
sentence among general ones weigh as they should. It judges the two strengths too. Out of fold on 5,272 answers by
others, alone it ranks the answers better than the best of the other readings on seven of the ten flags (average
precision: blame 0.70 -> 0.74, early-negotiation 0.75 -> 0.79, failure-no-lesson 0.82 -> 0.84, hypothetical
0.91 -> 0.93) and on both strengths (business framing 0.70 -> 0.76); as a reading the decisions may choose
(judged.SEQUENCE_READINGS) it took the flags' micro figures from 0.898 / 0.702 to 0.907 / 0.711 and the praise of a
business link from 0.15 to 0.30 of the answers that deserve it, at precision 0.9.

Pure numpy; the weights are versioned data (rules/data/sequence_head.json, trained by tools/train_judgement.py,
several models averaged). The same forward pass is what training optimises (tools/sequence_training.py), so
the probabilities here are the ones the thresholds were chosen on.
"""

from __future__ import annotations

import json
import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:  # numpy loads when an answer is first judged, not when the app starts
    import numpy as np

SEQUENCE_FILE = "sequence_head.json"
_GELU_K = math.sqrt(2.0 / math.pi)


def gelu(x: np.ndarray) -> np.ndarray:
    """GELU, tanh form (training uses the same, so no approximation sits between the two)."""
    import numpy as np
    return 0.5 * x * (1.0 + np.tanh(_GELU_K * (x + 0.044715 * x * x * x)))


def sentence_inputs(vectors: np.ndarray, roles: np.ndarray) -> np.ndarray:
    """One row per sentence: its vector, its roles' probabilities and where it sits in the answer (0 to 1); an
    answer with no sentence reads as one row of zeros."""
    import numpy as np
    n = len(vectors)
    if n == 0:
        return np.zeros((1, vectors.shape[1] + roles.shape[1] + 1), dtype=np.float32)
    place = ((np.arange(n, dtype=np.float32) + 0.5) / n)[:, None]
    return np.hstack([vectors.astype(np.float32), roles.astype(np.float32), place]).astype(np.float32)


PARAMETERS = ("w_in", "b_in", "w_pool", "b_pool", "w_answer", "b_answer", "w_out", "b_out")


@dataclass(frozen=True, slots=True)
class SequenceModel:
    """One trained model: sentence rows -> hidden readings, pooled (mean, strongest, attention) beside the answer's
    features read through their own layer -> one logit per flag."""

    w_in: np.ndarray  # [sentence inputs, hidden]
    b_in: np.ndarray  # [hidden]
    w_pool: np.ndarray  # [hidden]: the attention pooling's score of a sentence
    b_pool: np.ndarray  # [1]
    w_answer: np.ndarray  # [answer features, hidden]
    b_answer: np.ndarray  # [hidden]
    w_out: np.ndarray  # [4 * hidden, flags]
    b_out: np.ndarray  # [flags]

    def logits(self, sentences: np.ndarray, answer: np.ndarray) -> np.ndarray:
        """One answer's logits, dropout off (as at run time)."""
        import numpy as np
        hidden = gelu(sentences @ self.w_in + self.b_in)
        scores = hidden @ self.w_pool + self.b_pool[0]
        weights = np.exp(scores - scores.max())
        weights /= weights.sum()
        pooled = np.concatenate([hidden.mean(axis=0), hidden.max(axis=0), weights @ hidden,
                                 gelu(answer @ self.w_answer + self.b_answer)])
        return pooled @ self.w_out + self.b_out


def sigmoid(z: np.ndarray) -> np.ndarray:
    import numpy as np
    return 1.0 / (1.0 + np.exp(-np.clip(z, -40.0, 40.0)))


@dataclass(frozen=True, slots=True)
class LexicalReading:
    """The answer's words beside the sentence model: one logistic regression per flag over the whole answer's
    terms (judged.lexical_terms: words and word pairs, 1 + log count times idf, unit length), mixed into the
    model's probability with a share per flag.

    Why: pooled sentence vectors blur the few words an interviewer hears at once ("toxic", "my old boss", "the
    benefits", "we"). Out of fold on 5,867 answers by others the mix ranked the answers better on the flags the
    model found hardest (average precision blame 0.74 -> 0.76, early-negotiation 0.78 -> 0.81, no-business-impact
    0.90 -> 0.92) and took the flags' micro figures from 0.910 / 0.705 to 0.914 / 0.713 (vague recall 0.52 ->
    0.58, failure-no-lesson 0.59 -> 0.65, blame 0.79 / 0.37 -> 0.86 / 0.41)."""

    vocabulary: Mapping[str, int]
    idf: np.ndarray  # [terms]
    weights: np.ndarray  # [terms, flags], float16 (read a few rows per answer)
    bias: np.ndarray  # [flags]
    share: np.ndarray  # [flags]: the words' weight in the mix, 0 (not read) to 1

    def probabilities(self, indexes: np.ndarray, values: np.ndarray) -> np.ndarray:
        """Each flag's probability from the answer's terms (judged.lexical_rows with this vocabulary)."""
        import numpy as np
        return sigmoid(values.astype(np.float32) @ self.weights[indexes].astype(np.float32) + self.bias)


@dataclass(frozen=True, slots=True)
class SequenceHead:
    """The averaged models, how they read the answer's features (which columns, standardised how), and the
    answer's words mixed in where the training found they help."""

    flags: tuple[str, ...]
    columns: np.ndarray  # indexes into judged.feature_names()
    mean: np.ndarray  # of those columns, over the training answers
    scale: np.ndarray
    models: tuple[SequenceModel, ...]
    lexical: LexicalReading | None = None

    def probabilities(self, vectors: np.ndarray, roles: np.ndarray, features: np.ndarray,
                      terms: tuple[np.ndarray, np.ndarray] | None = None) -> dict[str, float]:
        """Each flag's probability for one answer: its sentences' vectors and roles, its feature row and, where
        the head reads words, the answer's terms (judged.lexical_rows over `lexical.vocabulary`)."""
        import numpy as np
        sentences = sentence_inputs(vectors, roles)
        answer = ((features[self.columns] - self.mean) / self.scale).astype(np.float32)
        logits = np.stack([model.logits(sentences, answer) for model in self.models])
        probabilities = sigmoid(logits).mean(axis=0)
        if self.lexical is not None:
            if terms is None:
                raise ValueError("this answer-sequence model reads the answer's words: pass its terms")
            share = self.lexical.share
            probabilities = (1.0 - share) * probabilities + share * self.lexical.probabilities(*terms)
        return {flag: float(p) for flag, p in zip(self.flags, probabilities, strict=True)}


_PACKED = {"float32": "<f4", "float16": "<f2"}


def pack(values: np.ndarray, kind: str = "float32") -> dict[str, Any]:
    import base64

    import numpy as np
    array = np.ascontiguousarray(values, dtype=_PACKED[kind])
    return {"shape": list(array.shape), kind: base64.b64encode(array.tobytes()).decode("ascii")}


def unpack(entry: Mapping[str, Any]) -> np.ndarray:
    import base64

    import numpy as np
    kind = next(k for k in _PACKED if k in entry)
    return np.frombuffer(base64.b64decode(entry[kind]), dtype=_PACKED[kind]).reshape(entry["shape"])


def to_json(flags: Sequence[str], feature_names: Sequence[str], mean: np.ndarray, scale: np.ndarray,
            models: Sequence[Mapping[str, np.ndarray]], meta: Mapping[str, Any],
            lexical: Mapping[str, Any] | None = None) -> str:
    """The data file tools/train_judgement.py writes (sequence_head.json); `lexical`: terms, idf, weights [terms,
    flags], bias and share of the answer's words, where they are mixed in."""
    data: dict[str, Any] = {"flags": list(flags), "features": list(feature_names),
                            "mean": pack(mean), "scale": pack(scale),
                            "models": [{name: pack(model[name]) for name in PARAMETERS} for model in models]}
    if lexical is not None:
        data["lexical"] = {"terms": list(lexical["terms"]), "idf": pack(lexical["idf"]),
                           "weights": pack(lexical["weights"], "float16"), "bias": pack(lexical["bias"]),
                           "share": pack(lexical["share"])}
    return json.dumps(data | dict(meta), indent=1)


def sequence_head_from(data: Mapping[str, Any], feature_names: Sequence[str]) -> SequenceHead:
    import numpy as np
    index = {name: i for i, name in enumerate(feature_names)}
    missing = [name for name in data["features"] if name not in index]
    if missing:
        raise ValueError(f"{SEQUENCE_FILE} reads features this version does not compute ({', '.join(missing[:3])}): "
                         "retrain with tools/train_judgement.py")
    lexical = data.get("lexical")
    return SequenceHead(tuple(data["flags"]), np.asarray([index[name] for name in data["features"]]),
                        unpack(data["mean"]), unpack(data["scale"]),
                        tuple(SequenceModel(**{name: unpack(model[name]) for name in PARAMETERS})
                              for model in data["models"]),
                        LexicalReading({term: i for i, term in enumerate(lexical["terms"])},
                                       unpack(lexical["idf"]).astype(np.float64), unpack(lexical["weights"]),
                                       unpack(lexical["bias"]), unpack(lexical["share"])) if lexical else None)
