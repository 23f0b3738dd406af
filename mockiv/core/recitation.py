"""Does an answer sound rehearsed, and did a retelling really change angle? Pure measures on transcripts.

Seed 000: candidates who "memorise answers so heavily that the interview stops feeling natural" sound
"rehearsed and robotic, and clients notice it"; prepare structure, not scripts. Seed 001, week 3: "Don't
memorize scripts. Practice telling the same story from different angles — technical depth vs. business
impact vs. leadership lessons."

The evidence, each piece measured on its own and shown to the candidate:

- recitation: how much of the answer repeats a reference text (a story-bank entry or one of the candidate's
  earlier answers) word for word, as runs of at least `ngram` words; the repeated passages are returned as
  word spans of the answer so a finding can quote them;
- even pace: the speaking rate of consecutive chunks of words hardly varies;
- no disfluency: not one filler, repetition or self-correction in a long answer;
- flat pitch: see mockiv.core.pitch.

`assess` combines them with the weights of the `rehearsed` rule; `angle_profile` and `retelling_check` serve
adaptive practice (`mockiv retell`). Thresholds and lexicons: data/recitation.toml.
"""

from __future__ import annotations

import re
import statistics
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from functools import cache
from typing import Any

from mockiv.core import data
from mockiv.core.delivery import DeliveryMetrics, is_hesitation
from mockiv.core.numbers import as_digits, number_runs
from mockiv.core.pitch import PitchSummary
from mockiv.core.transcript import Transcript

_TOKEN = re.compile(r"[a-z0-9]+(?:'[a-z]+)?")
_THOUSANDS = re.compile(r"(?<=\d),(?=\d{3}\b)")

ANGLES = ("technical", "business", "leadership", "failure")


@cache
def settings() -> dict[str, Any]:
    return data.load("recitation")


def version() -> str:
    return str(settings()["version"])


# -- tokens -------------------------------------------------------------------------------------------------


@cache
def _spelling() -> dict[str, str]:
    """British to American spellings: Whisper writes "behavior" for a story that says "behaviour", and the same
    words must count as the same words. (Numbers: mockiv.core.numbers.)"""
    return dict(settings()["tokens"]["spellings"])


def tokenize(text: str) -> list[str]:
    """Lower-case word tokens of plain text, numbers as digits ("2,000" -> "2000", "two thousand" -> "2000",
    "forty" -> "40"), "%" as "percent"."""
    spelling = _spelling()
    cleaned = _THOUSANDS.sub("", as_digits(text.lower().replace("’", "'")).replace("%", " percent "))
    return [spelling.get(t, t) for t in _TOKEN.findall(cleaned)]


@dataclass(frozen=True, slots=True)
class Tokens:
    """An answer's tokens, each with the index of the transcript word it came from. Hesitations are left out:
    "we, um, moved" still repeats "we moved"."""

    tokens: tuple[str, ...]
    word_index: tuple[int, ...]

    @classmethod
    def of(cls, transcript: Transcript) -> Tokens:
        tokens: list[str] = []
        indices: list[int] = []
        words = transcript.words
        spelled = number_runs(transcript.norms)  # "two thousand" must give "2000", as tokenize does
        end = 0
        for i, word in enumerate(words):
            if i < end or is_hesitation(word.text):
                continue
            text = word.text
            if i in spelled:
                end, digits = spelled[i]
                text = digits
            for token in tokenize(text):
                tokens.append(token)
                indices.append(i)
        return cls(tuple(tokens), tuple(indices))

    def __len__(self) -> int:
        return len(self.tokens)


def ngrams(tokens: Sequence[str], n: int) -> set[tuple[str, ...]]:
    return {tuple(tokens[i : i + n]) for i in range(len(tokens) - n + 1)}


# -- overlap ------------------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Reference:
    """A text the candidate may be reciting: a story-bank entry or an earlier answer."""

    source: str  # "story" | "answer"
    id: str
    label: str  # how the candidate knows it: the story's title, or the question and date of the answer
    text: str


@dataclass(frozen=True, slots=True)
class Passage:
    """A run of the answer, transcript words [start_index, end_index), that repeats the reference."""

    start_index: int
    end_index: int
    words: int  # tokens in the run


@dataclass(frozen=True, slots=True)
class Overlap:
    """How much of an answer repeats one reference, word for word."""

    reference: Reference
    answer_tokens: int
    repeated_tokens: int  # answer tokens inside repeated passages (near-verbatim runs)
    longest_run: int  # tokens in the longest exact repeated run
    containment: float  # share of the answer's n-grams found in the reference
    passages: tuple[Passage, ...] = ()

    @property
    def repeated_share(self) -> float:
        return self.repeated_tokens / self.answer_tokens if self.answer_tokens else 0.0

    def to_dict(self) -> dict[str, Any]:
        return {
            "source": self.reference.source,
            "id": self.reference.id,
            "label": self.reference.label,
            "answer_tokens": self.answer_tokens,
            "repeated_tokens": self.repeated_tokens,
            "repeated_share": round(self.repeated_share, 3),
            "longest_run": self.longest_run,
            "containment": round(self.containment, 3),
            "passages": [[p.start_index, p.end_index] for p in self.passages],
        }


def repeated_runs(answer: Sequence[str], reference: Sequence[str], n: int) -> list[tuple[int, int]]:
    """Maximal runs [start, end) of answer tokens covered by n-grams that also occur in the reference.

    Order-free: a recited paragraph counts wherever it comes in the answer.
    """
    if n <= 0 or len(answer) < n:
        return []
    shared = ngrams(reference, n)
    covered = [False] * len(answer)
    for i in range(len(answer) - n + 1):
        if tuple(answer[i : i + n]) in shared:
            for k in range(i, i + n):
                covered[k] = True
    runs: list[tuple[int, int]] = []
    start: int | None = None
    for i, is_covered in enumerate([*covered, False]):
        if is_covered and start is None:
            start = i
        elif not is_covered and start is not None:
            runs.append((start, i))
            start = None
    return runs


def bridge(runs: Sequence[tuple[int, int]], max_gap: int) -> list[tuple[int, int]]:
    """Join runs separated by at most `max_gap` tokens: near-verbatim recitation. A misheard word ("batched"
    heard as "matched") or a swapped one breaks an exact run, not the recited passage around it."""
    out: list[tuple[int, int]] = []
    for start, end in runs:
        if out and start - out[-1][1] <= max_gap:
            out[-1] = (out[-1][0], end)
        else:
            out.append((start, end))
    return out


def containment(answer: Sequence[str], reference: Sequence[str], n: int) -> float:
    """Share of the answer's distinct n-grams that the reference contains (Broder's containment)."""
    mine = ngrams(answer, n)
    return len(mine & ngrams(reference, n)) / len(mine) if mine else 0.0


def overlap(answer: Tokens, reference: Reference) -> Overlap:
    """Measure how much of `answer` repeats `reference`; passages shorter than `min_passage_words` are
    common phrases ("at the end of the"), not recitation, and are not kept."""
    s = settings()["recitation"]
    n = s["ngram"]
    ref_tokens = tokenize(reference.text)
    runs = repeated_runs(answer.tokens, ref_tokens, n)
    kept = [(a, b) for a, b in bridge(runs, s["max_gap_words"]) if b - a >= s["min_passage_words"]]
    passages = tuple(Passage(answer.word_index[a], answer.word_index[b - 1] + 1, b - a) for a, b in kept)
    return Overlap(
        reference=reference,
        answer_tokens=len(answer),
        repeated_tokens=sum(b - a for a, b in kept),
        longest_run=max((b - a for a, b in runs), default=0),
        containment=containment(answer.tokens, ref_tokens, n),
        passages=passages,
    )


def strongest_overlap(answer: Tokens, references: Iterable[Reference]) -> Overlap | None:
    """The reference the answer repeats most (by repeated share, then longest run)."""
    best: Overlap | None = None
    for reference in references:
        measured = overlap(answer, reference)
        if best is None or (measured.repeated_share, measured.longest_run) > (best.repeated_share, best.longest_run):
            best = measured
    return best


def recitation_level(measured: Overlap | None) -> str:
    """"recited" (most of the answer is the reference word for word), "partial", or "none"."""
    s = settings()["recitation"]
    if measured is None or measured.answer_tokens < s["min_answer_words"]:
        return "none"
    if measured.repeated_share >= s["recited_share"]:
        return "recited"
    if measured.repeated_share >= s["partial_share"] or measured.longest_run >= s["long_run_words"]:
        return "partial"
    return "none"


# -- delivery -----------------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class PaceEvenness:
    """Speaking rate of consecutive chunks of words and how much it varies (coefficient of variation)."""

    chunk_rates_wpm: tuple[float, ...]
    variation: float | None
    even: bool


def pace_evenness(transcript: Transcript) -> PaceEvenness:
    """Rate per chunk of `chunk_words` words, silences between chunks left out (a pause is not a change of
    pace). Spontaneous speech speeds up and slows down as the speaker thinks; recited text runs at one rate."""
    s = settings()["pace"]
    words = [w for w in transcript.words if w.timed and not is_hesitation(w.text)]
    size = s["chunk_words"]
    rates: list[float] = []
    for begin in range(0, len(words) - size + 1, size):
        chunk = words[begin : begin + size]
        start, end = chunk[0].start, chunk[-1].end
        assert start is not None and end is not None
        if end - start > 0:
            rates.append(size / (end - start) * 60.0)
    if len(rates) < s["min_chunks"]:
        return PaceEvenness(tuple(rates), None, False)
    mean = statistics.fmean(rates)
    variation = statistics.pstdev(rates) / mean if mean > 0 else None
    even = variation is not None and variation < s["even_variation"]
    return PaceEvenness(tuple(round(r, 1) for r in rates), None if variation is None else round(variation, 4), even)


@dataclass(frozen=True, slots=True)
class Fluency:
    """Fillers, repetitions and self-corrections per 100 words; `absent` when a long answer has none at all."""

    words: int
    disfluencies: int
    per_100_words: float
    absent: bool


def disfluency_absence(metrics: DeliveryMetrics) -> Fluency:
    s = settings()["disfluency"]
    count = len(metrics.disfluencies)
    per_100 = 100.0 * count / metrics.word_count if metrics.word_count else 0.0
    absent = metrics.word_count >= s["min_words"] and per_100 <= s["max_per_100_words"]
    return Fluency(metrics.word_count, count, round(per_100, 2), absent)


# -- the combined verdict -----------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Evidence:
    """One piece of evidence: what it is, whether it was found, its weight, and a sentence for the candidate."""

    id: str  # "recitation" | "even_pace" | "no_disfluency" | "monotone"
    found: bool
    points: int
    text: str
    measured: dict[str, Any] = field(default_factory=dict)

    def to_dict(self) -> dict[str, Any]:
        return {"id": self.id, "found": self.found, "points": self.points, "text": self.text,
                "measured": self.measured}


@dataclass(frozen=True, slots=True)
class Assessment:
    """All the evidence on one answer and the verdict: rehearsed when the recitation evidence is there and the
    points reach the rule's threshold."""

    evidence: tuple[Evidence, ...]
    overlap: Overlap | None
    score: int
    rehearsed: bool

    def found(self) -> list[Evidence]:
        return [e for e in self.evidence if e.found]

    def to_dict(self) -> dict[str, Any]:
        return {
            "rehearsed": self.rehearsed,
            "score": self.score,
            "evidence": [e.to_dict() for e in self.evidence],
            "overlap": self.overlap.to_dict() if self.overlap else None,
            "thresholds_version": version(),
        }


def evaluation_context(references: Iterable[Reference] = (), pitch: PitchSummary | None = None) -> dict[str, Any]:
    """The `context` the rule engine passes to the rehearsed family: reference texts and the pitch summary."""
    return {"references": tuple(references), "pitch": pitch}


def _recitation_evidence(measured: Overlap | None, weights: Mapping[str, int], compared: int) -> Evidence:
    level = recitation_level(measured)
    if measured is None:
        return Evidence("recitation", False, 0, "no story or earlier answer to compare with")
    if not measured.passages:
        return Evidence("recitation", False, 0,
                        f"no passage of {settings()['recitation']['min_passage_words']}+ words repeats any of the "
                        f"{compared} stories and earlier answers compared", measured.to_dict() | {"level": level})
    what = f"{measured.reference.source} '{measured.reference.label}'"
    summary = (f"{measured.repeated_tokens} of {measured.answer_tokens} words "
               f"({measured.repeated_share:.0%}) repeat {what} word for word; longest run {measured.longest_run} words")
    points = int(weights.get(f"recitation_{level}", 0))
    return Evidence("recitation", level != "none", points, summary, measured.to_dict() | {"level": level})


def assess(
    transcript: Transcript,
    metrics: DeliveryMetrics,
    references: Iterable[Reference] = (),
    pitch: PitchSummary | None = None,
    weights: Mapping[str, int] | None = None,
    threshold: int | None = None,
) -> Assessment:
    """Measure every piece of evidence and combine it. Weights and threshold default to data/recitation.toml
    ([verdict]); the `rehearsed` rule passes its own from its rule data."""
    verdict = settings()["verdict"]
    weights = dict(verdict["weights"]) if weights is None else dict(weights)
    threshold = int(verdict["threshold"]) if threshold is None else threshold
    compared = tuple(references)
    measured = strongest_overlap(Tokens.of(transcript), compared)
    recitation = _recitation_evidence(measured, weights, len(compared))
    pieces = [recitation]
    pace = pace_evenness(transcript)
    if pace.variation is None:
        pieces.append(Evidence("even_pace", False, 0, "pace not measurable (no word times, or too short)"))
    else:
        pieces.append(Evidence(
            "even_pace", pace.even, int(weights["even_pace"]) if pace.even else 0,
            f"speaking rate varies by {pace.variation:.0%} from one stretch of "
            f"{settings()['pace']['chunk_words']} words to the next"
            + (" — unnaturally even" if pace.even else ""),
            {"variation": pace.variation, "chunk_rates_wpm": list(pace.chunk_rates_wpm)}))
    fluency = disfluency_absence(metrics)
    pieces.append(Evidence(
        "no_disfluency", fluency.absent, int(weights["no_disfluency"]) if fluency.absent else 0,
        f"{fluency.disfluencies} fillers, repetitions or self-corrections in {fluency.words} words"
        + (" — none at all" if fluency.absent else ""),
        {"disfluencies": fluency.disfluencies, "per_100_words": fluency.per_100_words}))
    if pitch is None or pitch.spread_semitones is None:
        pieces.append(Evidence("monotone", False, 0, "pitch not measured (no audio, or too little voiced speech)"))
    else:
        pieces.append(Evidence(
            "monotone", pitch.monotone, int(weights["monotone"]) if pitch.monotone else 0,
            f"pitch moves over {pitch.spread_semitones:.1f} semitones" + (" — flat" if pitch.monotone else ""),
            pitch.to_dict()))
    score = sum(e.points for e in pieces)
    rehearsed = recitation.found and score >= threshold
    return Assessment(tuple(pieces), measured, score, rehearsed)


# -- angles and retellings ----------------------------------------------------------------------------------


@cache
def _angle_phrases() -> dict[str, tuple[tuple[str, ...], ...]]:
    lexicon = settings()["angles"]
    return {angle: tuple(tuple(tokenize(p)) for p in lexicon[angle]["phrases"] if tokenize(p)) for angle in ANGLES}


def angle_label(angle: str) -> str:
    return str(settings()["angles"][angle]["label"])


def angle_prompt(angle: str) -> str:
    return str(settings()["angles"][angle]["prompt"])


@dataclass(frozen=True, slots=True)
class AngleProfile:
    """How many angle phrases a telling uses, per angle, and each angle's share of them."""

    words: int
    counts: dict[str, int]
    hits: dict[str, tuple[tuple[int, int], ...]]  # token spans per angle, for quoting

    def share(self, angle: str) -> float:
        total = sum(self.counts.values())
        return self.counts[angle] / total if total else 0.0

    def per_100_words(self, angle: str) -> float:
        return 100.0 * self.counts[angle] / self.words if self.words else 0.0

    @property
    def dominant(self) -> str | None:
        if not any(self.counts.values()):
            return None
        return max(ANGLES, key=lambda a: (self.counts[a], -ANGLES.index(a)))

    def to_dict(self) -> dict[str, Any]:
        return {"words": self.words, "counts": dict(self.counts),
                "shares": {a: round(self.share(a), 3) for a in ANGLES}, "dominant": self.dominant}


def angle_profile(tokens: Sequence[str]) -> AngleProfile:
    """Count each angle's phrases (longest first, no overlaps) in a telling."""
    phrases = _angle_phrases()
    ordered = sorted(((len(p), angle, p) for angle in ANGLES for p in phrases[angle]), reverse=True)
    taken = [False] * len(tokens)
    hits: dict[str, list[tuple[int, int]]] = {a: [] for a in ANGLES}
    for size, angle, phrase in ordered:
        for i in range(len(tokens) - size + 1):
            if tuple(tokens[i : i + size]) == phrase and not any(taken[i : i + size]):
                for k in range(i, i + size):
                    taken[k] = True
                hits[angle].append((i, i + size))
    return AngleProfile(len(tokens), {a: len(hits[a]) for a in ANGLES},
                        {a: tuple(sorted(hits[a])) for a in ANGLES})


def weakest_angle(profile: AngleProfile, exclude: Iterable[str] = ()) -> str:
    """The angle the telling says least about: the natural one to ask for next."""
    skip = set(exclude)
    candidates = [a for a in ANGLES if a not in skip] or list(ANGLES)
    return min(candidates, key=lambda a: (profile.share(a), ANGLES.index(a)))


@dataclass(frozen=True, slots=True)
class RetellingCheck:
    """Did the retelling move to the requested angle, and did it avoid reciting the story?"""

    angle: str
    original: AngleProfile
    retelling: AngleProfile
    overlap: Overlap
    changed_angle: bool
    recited: bool
    reasons: tuple[str, ...]
    angle_phrases: tuple[tuple[int, int], ...]  # transcript word spans that carry the requested angle

    @property
    def passed(self) -> bool:
        return self.changed_angle and not self.recited

    def to_dict(self) -> dict[str, Any]:
        return {
            "angle": self.angle,
            "passed": self.passed,
            "changed_angle": self.changed_angle,
            "recited": self.recited,
            "reasons": list(self.reasons),
            "original": self.original.to_dict(),
            "retelling": self.retelling.to_dict(),
            "overlap": self.overlap.to_dict(),
            "thresholds_version": version(),
        }


def retelling_check(retelling: Transcript, story: Reference, angle: str) -> RetellingCheck:
    """Judge a retelling of `story` asked for from `angle` (seed 001, week 3: the same story from different
    angles, not the same script)."""
    if angle not in ANGLES:
        raise ValueError(f"unknown angle {angle!r}; one of {', '.join(ANGLES)}")
    s = settings()["retelling"]
    answer = Tokens.of(retelling)
    original = angle_profile(tokenize(story.text))
    profile = angle_profile(answer.tokens)
    measured = overlap(answer, story)
    recited = measured.repeated_share >= s["max_repeated_share"] or measured.longest_run >= s["max_run_words"]
    reasons: list[str] = []
    gain = profile.share(angle) - original.share(angle)
    density = profile.per_100_words(angle)
    label = angle_label(angle)
    if profile.dominant != angle:
        leading = angle_label(profile.dominant) if profile.dominant else "none"
        reasons.append(f"the retelling still leans on {leading}, not {label}")
    if density < s["min_angle_per_100_words"]:
        reasons.append(f"only {profile.counts[angle]} {label} phrases in {profile.words} words "
                       f"(aim for at least {s['min_angle_per_100_words']:g} per 100 words)")
    if gain < s["min_share_gain"] and original.dominant != angle:
        reasons.append(f"{label} is {profile.share(angle):.0%} of what the retelling stresses, against "
                       f"{original.share(angle):.0%} in the written story: the angle hardly moved")
    if recited:
        reasons.append(f"{measured.repeated_share:.0%} of the retelling repeats the written story word for word "
                       f"(longest run {measured.longest_run} words): tell it, do not recite it")
    changed = profile.dominant == angle and density >= s["min_angle_per_100_words"] and (
        gain >= s["min_share_gain"] or original.dominant == angle)
    spans = tuple((answer.word_index[a], answer.word_index[b - 1] + 1) for a, b in profile.hits[angle])
    return RetellingCheck(angle, original, profile, measured, changed, recited, tuple(reasons), spans)


def story_text(parts: Mapping[str, str | None]) -> str:
    """A bank story as one text, in STAR order (with its lesson), as the candidate wrote it."""
    order = ("situation", "task", "action", "result", "lesson")
    return " ".join(str(parts[key]) for key in order if parts.get(key))
