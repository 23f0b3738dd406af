"""The judgement layer's verdict on the content flags: what each sentence does (its roles, from the sentence
encoder and the role heads) plus what the precise patterns found, weighed by a small trained head per flag.

Why: the phrase lists alone caught about a quarter of what real answers by other people contain (issue 12); a
sentence that says "the launch went fine and everyone was happy" names no number, whatever words it uses. The
patterns stay: where they are precise ("I would", a percentage in a result) they are features the heads trust,
and their evidence is what a finding quotes. Where only the roles see it, the finding quotes the sentences whose
roles carry the verdict.

Pure: the vectors come in with the answer (`Doc.memo["judgement"]`); the weights are versioned data
(rules/data/flag_heads.json, trained by tools/train_judgement.py on the real-answer corpus).
"""

from __future__ import annotations

import base64
import json
import math
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from functools import cache
from importlib import resources
from itertools import pairwise
from typing import TYPE_CHECKING, Any, Protocol

from mockiv.core.analysis import Doc, outcomes
from mockiv.core.kinds import asks_about_people, asks_for_story
from mockiv.core.rules.sequence import SEQUENCE_FILE, SequenceHead, sequence_head_from
from mockiv.core.transcript import Kind

if TYPE_CHECKING:  # numpy loads when a sentence is first judged, not when the app starts (issue 12)
    import numpy as np

# The flags the judgement layer decides (shared/labelling.md), and the sentence roles it reads.
FLAGS = (
    "we-without-i", "no-outcome", "hypothetical", "negativity", "vague", "no-problem",
    "no-business-impact", "failure-no-lesson", "blame", "early-negotiation",
)
# The strengths the heads also weigh: a praise must be as right as a finding (labelling.md, "Strengths").
STRENGTHS = ("quantified-result", "business-framing")
ROLES = (
    "problem", "own_action", "team_action", "measured_result", "unmeasured_result", "business_link", "lesson",
    "hypothetical", "blame", "disparagement", "compensation", "failure", "concrete",
)

# The roles whose sentences a finding quotes when the patterns found no words of their own (the most telling
# sentences first), and "low" where the missing thing is the point (vague: the least concrete sentences).
EVIDENCE_ROLES: dict[str, tuple[str, str]] = {
    "we-without-i": ("team_action", "high"),
    "no-outcome": ("unmeasured_result", "high"),
    "hypothetical": ("hypothetical", "high"),
    "negativity": ("disparagement", "high"),
    "vague": ("concrete", "low"),
    "no-problem": ("own_action", "high"),
    "no-business-impact": ("business_link", "low"),
    "failure-no-lesson": ("failure", "high"),
    "blame": ("blame", "high"),
    "early-negotiation": ("compensation", "high"),
}


class Encoder(Protocol):
    """A sentence encoder: texts in, one L2-normalised float32 vector per text out ([n, dim])."""

    def encode(self, texts: Sequence[str]) -> np.ndarray: ...


# The words a role head reads besides the sentence's vector: lowercase words, any number as "#", and "%"/"$" signs,
# with the pairs of neighbouring tokens. Why: the encoder's one vector per sentence blurs the small words that
# decide a role ("I" against "we", "would", a number next to "percent"); read with them, the heads found each role
# better on real answers (cross-validated average precision 0.48 -> 0.57 over the thirteen roles).
_TOKEN = re.compile(r"[a-z]+(?:'[a-z]+)?|\d+(?:[.,]\d+)*|[%$\u20ac\u00a3]")


def lexical_terms(text: str) -> list[str]:
    """A sentence's tokens and token pairs, as the role heads' vocabulary names them."""
    tokens = ["#" if token[0].isdigit() else token for token in _TOKEN.findall(text.lower())]
    return tokens + [f"{a} {b}" for a, b in pairwise(tokens)]


def lexical_rows(texts: Sequence[str], vocabulary: Mapping[str, int], idf: np.ndarray
                 ) -> list[tuple[np.ndarray, np.ndarray]]:
    """Each sentence as (term indexes, weights): 1 + log(count) times the term's idf, scaled to unit length
    (terms outside the vocabulary are left out)."""
    import numpy as np
    rows = []
    for text in texts:
        counts: dict[int, int] = {}
        for term in lexical_terms(text):
            index = vocabulary.get(term)
            if index is not None:
                counts[index] = counts.get(index, 0) + 1
        indexes = np.fromiter(counts, dtype=np.int64, count=len(counts))
        values = (1.0 + np.log(np.fromiter(counts.values(), dtype=np.float64, count=len(counts)))) * idf[indexes]
        norm = float(np.sqrt((values * values).sum()))
        rows.append((indexes, values / norm if norm > 0 else values))
    return rows


def with_context(vectors: np.ndarray, whole_answer: bool = False) -> np.ndarray:
    """Each sentence's vector beside those of the sentences before and after it (zeros at the ends): "it took
    three weeks" is a result after an action and a problem after a failure. With `whole_answer`, also the mean of
    the answer's sentences: "he never tested it" blames in a failure story and only describes in a code review."""
    import numpy as np
    before = np.vstack([np.zeros((1, vectors.shape[1]), dtype=vectors.dtype), vectors[:-1]])
    after = np.vstack([vectors[1:], np.zeros((1, vectors.shape[1]), dtype=vectors.dtype)])
    if not whole_answer:
        return np.hstack([vectors, before, after])
    mean = np.repeat(vectors.mean(axis=0, keepdims=True), len(vectors), axis=0)
    return np.hstack([vectors, before, after, mean])


def _zeros(shape: tuple[int, ...], dtype: str) -> np.ndarray:
    import numpy as np

    return np.zeros(shape, dtype=dtype)


@dataclass(frozen=True, slots=True)
class RoleHeads:
    """One logistic regression per sentence role over the encoder's vectors (with the neighbours' vectors when
    `context`) and, when a vocabulary is given, the sentence's words."""

    encoder: str
    weights: np.ndarray  # [dim, len(ROLES)]; [3 * dim, ...] with context; [4 * dim, ...] with the whole answer too
    bias: np.ndarray  # [len(ROLES)]
    context: bool = False
    vocabulary: Mapping[str, int] = field(default_factory=dict)
    idf: np.ndarray = field(default_factory=lambda: _zeros((0,), "float64"))
    lexical: np.ndarray = field(default_factory=lambda: _zeros((0, len(ROLES)), "float32"))  # [terms, roles]
    whole_answer: bool = False  # with context: the answer's mean vector is read too

    def probabilities(self, vectors: np.ndarray, texts: Sequence[str] = ()) -> np.ndarray:
        """Per sentence of one answer, in order (the context is read from the neighbours), each role's
        probability; `texts` are the sentences the vectors encode (needed when the heads read words)."""
        import numpy as np
        if not len(vectors):
            return np.zeros((0, len(ROLES)), dtype=np.float32)
        z = (with_context(vectors, self.whole_answer) if self.context else vectors) @ self.weights + self.bias
        if self.vocabulary:
            if len(texts) != len(vectors):
                raise ValueError("these role heads read the sentences' words: pass their texts")
            for row, (indexes, values) in enumerate(lexical_rows(texts, self.vocabulary, self.idf)):
                if len(indexes):
                    z[row] += values.astype(np.float32) @ self.lexical[indexes]
        z = np.clip(z, -40.0, 40.0)
        return (1.0 / (1.0 + np.exp(-z))).astype(np.float32)


@cache
def role_heads() -> RoleHeads | None:
    """The trained role heads, or None when none have been trained yet."""
    path = resources.files("mockiv.core").joinpath("rules", "data", "role_heads.json")
    if not path.is_file():
        return None
    return role_heads_from(json.loads(path.read_text(encoding="utf-8")))


def role_heads_from(data: Mapping[str, Any]) -> RoleHeads:
    """Role heads from the data tools/train_judgement.py writes (role_heads.json)."""
    import numpy as np
    if tuple(data["roles"]) != ROLES:
        raise ValueError("role_heads.json has other roles: retrain with tools/train_judgement.py")
    weights = np.asarray([data["roles"][r]["weights"] for r in ROLES], dtype=np.float32).T
    bias = np.asarray([data["roles"][r]["bias"] for r in ROLES], dtype=np.float32)
    context = bool(data.get("context", False))
    lexical = data.get("lexical")
    if not lexical:
        return RoleHeads(str(data["encoder"]), weights, bias, context)
    terms = lexical["terms"]
    return RoleHeads(str(data["encoder"]), weights, bias, context, {term: i for i, term in enumerate(terms)},
                     unpack_array(lexical["idf"], "<f4").astype(np.float64),
                     unpack_array(lexical["weights"], "<f2").astype(np.float32).reshape(len(terms), len(ROLES)),
                     bool(data.get("whole_answer", False)))


def pack_array(values: np.ndarray, dtype: str) -> str:
    """A flat array as base64 text: the word weights are ~180,000 numbers, 2.9 MB as JSON numbers and 0.5 MB as
    float16 (its rounding moves no probability by more than 0.01)."""
    import numpy as np
    return base64.b64encode(np.ascontiguousarray(values, dtype=dtype).tobytes()).decode("ascii")


def unpack_array(text: str, dtype: str) -> np.ndarray:
    import numpy as np
    return np.frombuffer(base64.b64decode(text), dtype=dtype)


def sentence_texts(doc: Doc) -> list[str]:
    """The Doc's sentences as the encoder reads them (the words as said, hesitations left in)."""
    words = doc.transcript.words
    return [" ".join(w.text for w in words[begin:end]) for begin, end in doc.view.sentence_spans]


def answer_text(doc: Doc) -> str:
    """The answer as the answer-level word reading sees it: its sentences, as the encoder reads them, in order."""
    return " ".join(sentence_texts(doc))


# The length of the whole answer's vector a flag head may read (all-MiniLM-L6-v2's width; another encoder's
# vector is cut or padded to it).
ANSWER_VECTOR_DIM = 384


def answer_vector(vectors: np.ndarray) -> np.ndarray:
    """The whole answer as one unit-length vector: the mean of its sentences' vectors, cut or padded to
    ANSWER_VECTOR_DIM (zeros for an answer with no sentence)."""
    import numpy as np
    out = np.zeros(ANSWER_VECTOR_DIM, dtype=np.float32)
    if len(vectors):
        mean = vectors.mean(axis=0)[:ANSWER_VECTOR_DIM]
        norm = float(np.sqrt((mean * mean).sum()))
        out[: len(mean)] = mean / norm if norm > 0 else mean
    return out


@dataclass(frozen=True, slots=True)
class Judgement:
    """Per-sentence role probabilities for exactly the Doc's sentences ([n_sentences, len(ROLES)]), the whole
    answer's vector (`answer_vector`) and each sentence's own vector (None where only the roles are known)."""

    roles: np.ndarray
    answer: np.ndarray | None = None
    vectors: np.ndarray | None = None

    def role(self, name: str) -> np.ndarray:
        import numpy as np
        return self.roles[:, ROLES.index(name)] if len(self.roles) else np.zeros(0, dtype=np.float32)


def judgement_of(doc: Doc) -> Judgement | None:
    return doc.memo.get("judgement")


def judge_sentences(doc: Doc, encoder: Encoder, heads: RoleHeads | None = None) -> Judgement | None:
    """What each of the Doc's sentences does; None when no role heads have been trained."""
    heads = role_heads() if heads is None else heads
    if heads is None:
        return None
    texts = sentence_texts(doc)
    vectors = encoder.encode(texts)
    return Judgement(heads.probabilities(vectors, texts), answer_vector(vectors), vectors)


@cache  # read per flag while an answer is judged (role_score): built once, not per call
def feature_names() -> tuple[str, ...]:
    names: list[str] = []
    for role in ROLES:
        names += [f"{role}.max", f"{role}.mean", f"{role}.share"]
    names += [f"pattern.{flag}" for flag in FLAGS]
    names += ["problem_before_action", "lesson_after_failure", "i_actions", "we_actions", "past_actions",
              "outcomes", "numbers", "specific_terms", "words", "sentences", "asks_story", "asks_people",
              "asks_terms"]
    names += [f"kind.{kind}" for kind in Kind]
    names += [f"vector.{i}" for i in range(ANSWER_VECTOR_DIM)]
    return tuple(names)


def features(doc: Doc, judgement: Judgement, pattern_hits: Mapping[str, bool], asks_terms: bool) -> np.ndarray:
    """One answer as numbers: role aggregates over its sentences, what the patterns found, and counts."""
    import numpy as np

    from mockiv.core.rules.evidence import specificity  # the evidence family's own reading of specifics

    out: list[float] = []
    roles = judgement.roles
    n = max(len(roles), 1)
    for index in range(len(ROLES)):
        column = roles[:, index] if len(roles) else np.zeros(1, dtype=np.float32)
        out += [float(column.max()), float(column.mean()), float((column >= 0.5).sum()) / n]
    out += [1.0 if pattern_hits.get(flag) else 0.0 for flag in FLAGS]
    problem, action = judgement.role("problem"), judgement.role("own_action") + judgement.role("team_action")
    first_action = next((i for i, p in enumerate(action) if p >= 0.5), len(action))
    out.append(float(problem[: max(first_action, 1)].max()) if len(problem) else 0.0)
    failure, lesson = judgement.role("failure"), judgement.role("lesson")
    first_failure = next((i for i, p in enumerate(failure) if p >= 0.5), 0)
    out.append(float(lesson[first_failure:].max()) if len(lesson[first_failure:]) else 0.0)
    numbers = sum(1 for q in doc.quantities() if q.sort != "year")
    out += [math.log1p(len(doc.i_actions())), math.log1p(len(doc.we_actions())), math.log1p(len(doc.past_actions())),
            math.log1p(len(outcomes(doc))), math.log1p(numbers), math.log1p(specificity(doc)),
            math.log1p(doc.word_count), math.log1p(doc.sentence_count),
            1.0 if not doc.question or asks_for_story(doc.question) else 0.0,
            1.0 if doc.question and asks_about_people(doc.question) else 0.0,
            1.0 if asks_terms else 0.0]
    out += [1.0 if doc.kind == kind else 0.0 for kind in Kind]
    vector = judgement.answer if judgement.answer is not None else np.zeros(ANSWER_VECTOR_DIM, dtype=np.float32)
    return np.concatenate([np.asarray(out, dtype=np.float32), vector.astype(np.float32)])


# What each flag's head may read (feature-name prefixes; every head also reads the question kind). A few
# telling features per flag, not all of them: with tens of positive answers per rare flag, a head over every
# feature learns the corpus, not the pattern.
HEAD_FEATURES: dict[str, tuple[str, ...]] = {
    "we-without-i": ("team_action.", "own_action.", "pattern.we-without-i", "i_actions", "we_actions"),
    "no-outcome": ("measured_result.", "unmeasured_result.", "pattern.no-outcome", "outcomes", "numbers"),
    "hypothetical": ("hypothetical.", "pattern.hypothetical", "past_actions", "own_action."),
    "negativity": ("disparagement.", "pattern.negativity", "blame.", "failure.max"),
    "vague": ("concrete.", "pattern.vague", "specific_terms", "numbers", "words", "sentences"),
    "no-problem": ("problem.", "pattern.no-problem", "problem_before_action", "asks_story"),
    "no-business-impact": ("business_link.", "pattern.no-business-impact", "asks_people", "asks_story"),
    "failure-no-lesson": ("lesson.", "failure.", "pattern.failure-no-lesson", "lesson_after_failure"),
    # blame also reads disparagement (a departure put on a "useless" boss), the problem and a lesson (owning it)
    "blame": ("blame.", "pattern.blame", "own_action.", "failure.max", "disparagement.", "lesson.max", "problem.max"),
    "early-negotiation": ("compensation.", "pattern.early-negotiation", "asks_terms"),
    "quantified-result": ("measured_result.", "outcomes", "numbers", "failure.max", "pattern.no-outcome"),
    "business-framing": ("business_link.", "pattern.no-business-impact", "asks_people"),
}


def head_columns(name: str, mode: str = "head") -> np.ndarray:
    """The feature columns one head reads (a "vector" head also reads the whole answer's vector)."""
    import numpy as np
    prefixes = (*HEAD_FEATURES[name], "kind.", *(("vector.",) if reading_of(mode) in ("vector", "seqvector") else ()))
    return np.asarray([i for i, feature in enumerate(feature_names()) if feature.startswith(prefixes)])


# The one role that tells most about each flag, and whether the flag means it is present ("high") or missing
# ("low"): some flags are best judged by that role alone (a sentence that disparages a former boss is enough).
PRIMARY_ROLE: dict[str, tuple[str, str]] = {
    "we-without-i": ("own_action", "low"),
    "no-outcome": ("measured_result", "low"),
    "hypothetical": ("hypothetical", "high"),
    "negativity": ("disparagement", "high"),
    "vague": ("concrete", "low"),
    "no-problem": ("problem", "low"),
    "no-business-impact": ("business_link", "low"),
    "failure-no-lesson": ("lesson", "low"),
    "blame": ("blame", "high"),
    "early-negotiation": ("compensation", "high"),
    "quantified-result": ("measured_result", "high"),
    "business-framing": ("business_link", "high"),
}
# How a flag is decided: a logistic head over its features, its primary role alone, the mean of the two
# ("blend": two readings that err on different answers), or a head that also reads the whole answer's vector
# ("vector": how the answer reads as a whole, which no one sentence's role carries), each alone, or with the
# patterns ("_or_pattern": any pattern hit fires), or with the patterns the reading backs ("_or_backed_pattern": a
# hit fires where the score is at least BACKING, so "it was the QA team's fault" is blame where the sentence reads
# as blame at all, while the phrase lists' many misfires on real answers stay silent).
#
# The answer-sequence model (rules/sequence.py) adds four readings: its own probability ("seq"), or its mean with
# the head, the vector head or the primary role ("seqhead", "seqvector", "seqrole"): two readings that err on
# different answers, as "blend" is.
SEQUENCE_READINGS = ("seq", "seqhead", "seqvector", "seqrole")
BASE_MODES = ("head", "role", "blend", "vector", *SEQUENCE_READINGS)
MODES = (*BASE_MODES, *(f"{m}_or_pattern" for m in BASE_MODES), *(f"{m}_or_backed_pattern" for m in BASE_MODES))
BACKING = 0.5


def reading_of(mode: str) -> str:
    """The reading a mode scores with, the patterns' part left off ("vector_or_pattern" -> "vector")."""
    return mode.split("_or_")[0]


def uses_logistic(mode: str) -> bool:
    """Whether a mode's score includes a logistic head over the features (its weights are stored)."""
    return reading_of(mode) in ("head", "blend", "vector", "seqhead", "seqvector")


def with_patterns(mode: str, score: Any, pattern_hit: Any) -> Any:
    """The score a decision fires on, the patterns folded in as its mode says: 1.0 where a pattern hit counts
    (any hit for "_or_pattern", one the reading backs for "_or_backed_pattern"). Scalars at run time, arrays of
    out-of-fold scores in training: one definition, so the thresholds are chosen on what the engine does."""
    import numpy as np
    if mode.endswith("_or_backed_pattern"):
        counts = np.logical_and(pattern_hit, np.asarray(score) >= BACKING)
    elif mode.endswith("_or_pattern"):
        counts = np.asarray(pattern_hit, dtype=bool)
    else:
        return score
    return np.where(counts, 1.0, score)


def role_score(x: np.ndarray, name: str) -> float:
    """The primary role's strongest sentence, turned so that a high score means the flag."""
    role, direction = PRIMARY_ROLE[name]
    value = float(x[feature_names().index(f"{role}.max")])
    return value if direction == "high" else 1.0 - value


@dataclass(frozen=True, slots=True)
class FlagHead:
    """How one flag (or strength) is decided, and the score from which it fires."""

    name: str
    mode: str
    columns: np.ndarray
    weights: np.ndarray
    bias: float
    mean: np.ndarray
    scale: np.ndarray
    threshold: float

    def probability(self, x: np.ndarray, sequence: float | None = None) -> float:
        """The score this head fires on, from the answer's feature row and, for a sequence reading, the
        answer-sequence model's probability of the flag."""
        reading = reading_of(self.mode)
        if reading in SEQUENCE_READINGS and sequence is None:
            raise ValueError(f"the {self.name} decision reads the answer-sequence model: pass its probability")
        if reading == "role":
            return role_score(x, self.name)
        if reading == "seq":
            return float(sequence)  # type: ignore[arg-type]
        if reading == "seqrole":
            return (float(sequence) + role_score(x, self.name)) / 2  # type: ignore[arg-type]
        z = float(((x[self.columns] - self.mean[self.columns]) / self.scale[self.columns]) @ self.weights + self.bias)
        probability = 1.0 / (1.0 + math.exp(-max(min(z, 40.0), -40.0)))
        if reading == "blend":
            return (probability + role_score(x, self.name)) / 2
        if reading in ("seqhead", "seqvector"):
            return (probability + float(sequence)) / 2  # type: ignore[arg-type]
        return probability

    def fires(self, score: float, pattern_hit: bool) -> bool:
        return float(with_patterns(self.mode, score, pattern_hit)) >= self.threshold


HEAD_FILES = ("role_heads.json", "flag_heads.json", SEQUENCE_FILE)


def heads_text(name: str) -> str:
    """A trained heads file as text ("" when absent): its digest is part of RULES_VERSION, so a result names
    the exact heads that produced it."""
    path = resources.files("mockiv.core").joinpath("rules", "data", name)
    return path.read_text(encoding="utf-8") if path.is_file() else ""


@cache
def sequence_head() -> SequenceHead | None:
    """The shipped answer-sequence model; None when none has been trained (then no decision reads it)."""
    text = heads_text(SEQUENCE_FILE)
    return sequence_head_from(json.loads(text), feature_names()) if text else None


@cache
def flag_heads() -> dict[str, FlagHead]:
    """The trained heads; empty when none have been trained (then the patterns decide alone)."""
    path = resources.files("mockiv.core").joinpath("rules", "data", "flag_heads.json")
    if not path.is_file():
        return {}
    return flag_heads_from(json.loads(path.read_text(encoding="utf-8")))


def flag_heads_from(data: Mapping[str, Any]) -> dict[str, FlagHead]:
    """Flag heads from the data tools/train_judgement.py writes (flag_heads.json). Heads trained before the
    answer's vector was a feature read the same leading features, so they load with it left unread."""
    import numpy as np
    names, trained = feature_names(), tuple(data["features"])
    if names[: len(trained)] != trained or any(
            reading_of(h.get("mode", "head")) in ("vector", "seqvector") and len(trained) < len(names)
            for h in data["flags"].values()):
        raise ValueError("flag_heads.json was trained on other features: retrain with tools/train_judgement.py")
    unread = len(names) - len(trained)
    mean = np.concatenate([np.asarray(data["mean"], dtype=np.float32), np.zeros(unread, dtype=np.float32)])
    scale = np.concatenate([np.asarray(data["scale"], dtype=np.float32), np.ones(unread, dtype=np.float32)])
    return {flag: FlagHead(flag, h.get("mode", "head"), head_columns(flag, h.get("mode", "head")),
                           np.asarray(h.get("weights", ()), dtype=np.float32), float(h.get("bias", 0.0)),
                           mean, scale, float(h["threshold"]))
            for flag, h in data["flags"].items()}


@cache
def silenced_flags() -> frozenset[str]:
    """Flags whose patterns alone were too often wrong on real answers and that no head could judge better:
    they stay silent rather than mislead the candidate."""
    path = resources.files("mockiv.core").joinpath("rules", "data", "flag_heads.json")
    if not path.is_file():
        return frozenset()
    return frozenset(json.loads(path.read_text(encoding="utf-8")).get("silenced", ()))


def evidence_sentences(doc: Doc, judgement: Judgement, flag: str, limit: int = 2) -> tuple[tuple[int, int], ...]:
    """The sentences a judged finding quotes: those whose role tells most about the flag, in answer order."""
    import numpy as np
    role, direction = EVIDENCE_ROLES[flag]
    column = judgement.role(role)
    if not len(column):
        return ()
    order = np.argsort(-column if direction == "high" else column, kind="stable")[:limit]
    return tuple(doc.view.sentence_spans[int(s)] for s in sorted(order))


def decide(doc: Doc, judgement: Judgement, pattern_hits: Mapping[str, bool], asks_terms: bool,
           heads: Mapping[str, FlagHead] | None = None) -> dict[str, float]:
    """Each judged flag's probability for this answer."""
    heads = flag_heads() if heads is None else heads
    x = features(doc, judgement, pattern_hits, asks_terms)
    sequence: dict[str, float] = {}
    if any(reading_of(head.mode) in SEQUENCE_READINGS for head in heads.values()):
        model = sequence_head()
        if model is None or judgement.vectors is None:
            raise ValueError(f"the flag decisions read the answer-sequence model but {SEQUENCE_FILE} or the "
                             "sentences' vectors are missing: retrain with tools/train_judgement.py")
        terms = None
        if model.lexical is not None:
            terms = lexical_rows([answer_text(doc)], model.lexical.vocabulary, model.lexical.idf)[0]
        sequence = model.probabilities(judgement.vectors, judgement.roles, x, terms)
    return {flag: head.probability(x, sequence.get(flag)) for flag, head in heads.items()}


def to_json(heads: Mapping[str, Any], mean: Sequence[float], scale: Sequence[float], meta: Mapping[str, Any]) -> str:
    """The data file tools/train_judgement.py writes (stable key order, so a retrain diffs cleanly)."""
    return json.dumps({"features": list(feature_names()), "mean": [round(float(v), 6) for v in mean],
                       "scale": [round(float(v), 6) for v in scale], "flags": heads, **meta}, indent=1)
