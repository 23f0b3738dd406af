"""Delivery metrics from word timings: pace, fillers, pauses, time to first word, pace variability.

Pure functions on a Transcript. Timing metrics are None when the transcript has no times (typed text).
Thresholds and lexicons come from data/delivery.toml and data/fillers.toml, each with its source.
"""

from __future__ import annotations

import itertools
import operator
import re
import statistics
from dataclasses import asdict, dataclass, field
from functools import cache, lru_cache
from typing import Any

from mockiv.core import data
from mockiv.core.transcript import Transcript, Word

_FOLD_REPEATS = re.compile(r"(.)\1+")


@dataclass(frozen=True, slots=True)
class Disfluency:
    """A filler, a repeated word or a false start, at words [start_index, end_index)."""

    category: str  # "hesitation" | "discourse" | "repetition" | "false-start"
    text: str
    start_index: int
    end_index: int
    start: float | None = None
    end: float | None = None


@dataclass(frozen=True, slots=True)
class Pause:
    """A silence between word `after_index` and the next one."""

    after_index: int
    start: float
    end: float

    @property
    def duration(self) -> float:
        return self.end - self.start


@dataclass(frozen=True, slots=True)
class PaceWindow:
    start: float
    end: float
    wpm: float


@dataclass(frozen=True, slots=True)
class DeliveryMetrics:
    """Everything measured about how an answer was spoken. None means "not measurable here"."""

    word_count: int
    timed: bool
    duration_s: float | None = None
    speaking_time_s: float | None = None
    time_to_first_word_s: float | None = None
    wpm: float | None = None
    articulation_wpm: float | None = None
    pace_windows: tuple[PaceWindow, ...] = ()
    pace_variability: float | None = None
    disfluencies: tuple[Disfluency, ...] = ()
    filler_count: int = 0
    filler_ratio: float = 0.0
    fillers_per_min: float | None = None
    pauses: tuple[Pause, ...] = ()
    long_pause_count: int = 0
    longest_pause_s: float | None = None
    thresholds_version: str = field(default="")

    @property
    def fillers(self) -> tuple[Disfluency, ...]:
        """Hesitations and discourse fillers (not repetitions or false starts)."""
        return tuple(d for d in self.disfluencies if d.category in ("hesitation", "discourse"))

    def to_dict(self) -> dict[str, Any]:
        out = asdict(self)
        out["pauses"] = [dict(p, duration=round(p["end"] - p["start"], 3)) for p in out["pauses"]]
        return out


@cache
def thresholds() -> dict[str, Any]:
    return data.load("delivery")


@cache
def _lexicon() -> dict[str, Any]:
    lex = data.load("fillers")
    return {
        "version": lex["version"],
        "hesitations": frozenset(lex["hesitations"]),
        "positional": frozenset(lex["positional"]),
        "always": frozenset(lex["always"]),
        "phrases": [tuple(p) for p in lex["phrases"]],
        "kind_of_det": frozenset(lex["kind_of_determiners"]),
        "yk_before": frozenset(lex["you_know_blockers_before"]),
        "yk_after": frozenset(lex["you_know_blockers_after"]),
        "like_verb_before": frozenset(lex["like_verb_before"]),
        "like_be_next": frozenset(lex["like_after_be_filler_next"]),
        "legit_doubles": frozenset(lex["legit_doubles"]),
    }


@lru_cache(maxsize=1 << 16)  # called for every word, often twice: each distinct token is looked up once
def is_hesitation(token: str) -> bool:
    """"um", "umm", "Uhh," ... -> True. Repeated letters are folded before the lexicon lookup."""
    norm = _FOLD_REPEATS.sub(r"\1", token.lower().strip(" ,.!?;:-—…\"'"))
    return norm in _lexicon()["hesitations"] or (len(norm) >= 2 and norm in ("umm", "uhm", "hmm"))


def _comma_after(word: Word) -> bool:
    return word.text.rstrip().endswith((",", ";", ":", "—", "…", "..."))


def _boundary_before(words: tuple[Word, ...], i: int) -> bool:
    """True at the start of the answer, of a sentence, or of a comma-separated clause."""
    return i == 0 or words[i - 1].ends_sentence or _comma_after(words[i - 1])


def find_disfluencies(transcript: Transcript) -> list[Disfluency]:
    """All fillers, repetitions and false starts, in transcript order, without overlaps."""
    lex = _lexicon()
    words = transcript.words
    norms = transcript.norms
    n = len(words)
    hits: list[tuple[str, int, int]] = []
    taken = [False] * n

    def add(category: str, i: int, j: int) -> None:
        if any(taken[i:j]):
            return
        for k in range(i, j):
            taken[k] = True
        hits.append((category, i, j))

    # Most words can start nothing below: decided once per distinct word (a long answer repeats a small
    # vocabulary), so a 5 MB pasted answer does not pay every check for each of its million words.
    starters = {phrase[0] for phrase in lex["phrases"]} | set(lex["always"]) | set(lex["positional"]) | {"like"}
    inert: dict[str, bool] = {}
    for i, norm in enumerate(norms):
        if not norm:
            continue
        text = words[i].text
        quiet = inert.get(text)
        if quiet is None:
            quiet = inert[text] = (norm not in starters and not is_hesitation(text)
                                   and not text.rstrip().endswith(("-", "—")))
        if quiet:
            continue
        nxt = norms[i + 1] if i + 1 < n else ""
        if is_hesitation(words[i].text):
            add("hesitation", i, i + 1)
            continue
        # Multi-word fillers first, so "you know" is not read as two words.
        if (norm, nxt) in lex["phrases"]:
            if _phrase_is_filler(words, norms, i, lex):
                add("discourse", i, i + 2)
            continue
        if norm in lex["always"]:
            add("discourse", i, i + 1)
        elif norm in lex["positional"]:
            # A positional marker counts only when it opens a clause and is set off by a comma
            # ("So, we..." / "Actually, ..."), or is sandwiched by commas mid-sentence.
            if _comma_after(words[i]) and (_boundary_before(words, i) or is_hesitation(words[i - 1].text)):
                add("discourse", i, i + 1)
        elif norm == "like" and _like_is_filler(words, norms, i, lex):
            add("discourse", i, i + 1)
        elif words[i].text.rstrip().endswith(("-", "—")) and len(norm) >= 1 and i + 1 < n:
            add("false-start", i, i + 1)
    # Repetitions: "I I", "we we", and restarted two/three-word phrases ("we moved, we moved").
    for size in (3, 2, 1):
        # Only where a word equals the one `size` later can a repetition start: found at C speed (a 5 MB answer
        # has a million words, and almost none repeat).
        same = map(operator.eq, norms[: max(0, n - 2 * size + 1)], norms[size:])
        for i in itertools.compress(itertools.count(), same):
            first = norms[i : i + size]
            second = norms[i + size : i + 2 * size]
            if not all(first) or first != second:
                continue
            if size == 1 and first[0] in lex["legit_doubles"]:
                continue
            if size == 1 and is_hesitation(words[i].text):
                continue
            add("repetition", i, i + size)
    hits.sort(key=lambda h: h[1])
    return [
        Disfluency(
            category,
            transcript.span_text(i, j),
            i,
            j,
            words[i].start,
            words[j - 1].end,
        )
        for category, i, j in hits
    ]


def _phrase_is_filler(words: tuple[Word, ...], norms: list[str], i: int, lex: dict[str, Any]) -> bool:
    first = norms[i]
    prev = norms[i - 1] if i > 0 else ""
    after = norms[i + 2] if i + 2 < len(norms) else ""
    if first in ("kind", "sort"):
        # "what kind of tool" is a noun phrase; "it was kind of slow" is a hedge-filler.
        return prev not in lex["kind_of_det"]
    if first == "you":
        if prev in lex["yk_before"]:
            return False
        # "you know, ..." / "..., you know." / "you know" closing a sentence are fillers.
        if _comma_after(words[i + 1]) or words[i + 1].ends_sentence or _boundary_before(words, i):
            return after not in lex["yk_after"] or _comma_after(words[i + 1])
        return False
    if first == "i":
        # "I mean," as a restart marker; "I mean that we..." is a real statement.
        return _comma_after(words[i + 1]) or (_boundary_before(words, i) and after not in lex["yk_after"]
                                              and after not in ("it", "to", "business"))
    return False


def _like_is_filler(words: tuple[Word, ...], norms: list[str], i: int, lex: dict[str, Any]) -> bool:
    prev = norms[i - 1] if i > 0 else ""
    nxt = norms[i + 1] if i + 1 < len(norms) else ""
    comma_after = _comma_after(words[i])
    comma_before = i > 0 and _comma_after(words[i - 1])
    if prev in ("was", "is", "were", "it's", "i'm", "he's", "she's", "they're", "we're") and (
        nxt in lex["like_be_next"] or nxt[:1].isdigit() or comma_after
    ):
        return True  # quotative "he was like, ..." or approximator "it was like 50 users"
    if prev in lex["like_verb_before"] and not comma_after:
        return False  # "I like", "looks like", "would like to"
    if i > 0 and is_hesitation(words[i - 1].text):
        return True
    return comma_after or comma_before or (_boundary_before(words, i) and comma_after)


def _pauses(words: tuple[Word, ...], min_gap: float) -> list[Pause]:
    out = []
    for i in range(len(words) - 1):
        end, start = words[i].end, words[i + 1].start
        if end is not None and start is not None and start - end >= min_gap:
            out.append(Pause(i, end, start))
    return out


def _pace_windows(words: tuple[Word, ...], t: dict[str, Any]) -> list[PaceWindow]:
    first = words[0].start or 0.0
    last = words[-1].end or first
    size, step, min_size = t["window_s"], t["window_step_s"], t["min_window_s"]
    mids = [((w.start or 0.0) + (w.end or 0.0)) / 2 for w in words]
    out: list[PaceWindow] = []
    begin = first
    while begin < last:
        end = min(begin + size, last)
        if end - begin < min_size and out:
            break
        if end - begin >= min_size or not out:
            count = sum(1 for m in mids if begin <= m < end or (end == last and m == last))
            out.append(PaceWindow(round(begin, 3), round(end, 3), count / max(end - begin, 1e-6) * 60.0))
        if end >= last:
            break
        begin += step
    return out


def compute(transcript: Transcript) -> DeliveryMetrics:
    """Measure delivery. An untimed transcript gets word and filler counts only."""
    t = thresholds()
    words = transcript.words
    disfluencies = find_disfluencies(transcript)
    filler_words = sum(d.end_index - d.start_index for d in disfluencies if d.category in ("hesitation", "discourse"))
    filler_count = sum(1 for d in disfluencies if d.category in ("hesitation", "discourse"))
    ratio = filler_words / len(words) if words else 0.0
    version = t["version"]
    if not transcript.timed:
        return DeliveryMetrics(
            word_count=len(words),
            timed=False,
            duration_s=transcript.duration,
            disfluencies=tuple(disfluencies),
            filler_count=filler_count,
            filler_ratio=round(ratio, 4),
            thresholds_version=version,
        )
    first = words[0].start or 0.0
    last = words[-1].end or first
    span = max(last - first, 1e-6)
    pauses = _pauses(words, t["pauses"]["pause_s"])
    gaps_for_articulation = _pauses(words, t["pace"]["articulation_gap_s"])
    articulation_time = max(span - sum(p.duration for p in gaps_for_articulation), 1e-6)
    windows = _pace_windows(words, t["pace"])
    window_rates = [w.wpm for w in windows]
    variability = (
        statistics.pstdev(window_rates) / statistics.fmean(window_rates)
        if len(window_rates) >= 2 and statistics.fmean(window_rates) > 0
        else None
    )
    long_pauses = [p for p in pauses if p.duration >= t["pauses"]["long_pause_s"]]
    return DeliveryMetrics(
        word_count=len(words),
        timed=True,
        duration_s=transcript.duration if transcript.duration is not None else last,
        speaking_time_s=round(span, 3),
        time_to_first_word_s=round(first, 3),
        wpm=round(len(words) / span * 60.0, 1),
        articulation_wpm=round(len(words) / articulation_time * 60.0, 1),
        pace_windows=tuple(windows),
        pace_variability=round(variability, 4) if variability is not None else None,
        disfluencies=tuple(disfluencies),
        filler_count=filler_count,
        filler_ratio=round(ratio, 4),
        fillers_per_min=round(filler_count / span * 60.0, 2),
        pauses=tuple(pauses),
        long_pause_count=len(long_pauses),
        longest_pause_s=round(max((p.duration for p in pauses), default=0.0), 3) or None,
        thresholds_version=version,
    )
