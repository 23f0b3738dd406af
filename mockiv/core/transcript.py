"""Transcripts as plain data: timed words, sentences, answers.

Everything downstream (delivery metrics, rules, reports, the store) works on these types, so they stay
small, immutable and serialisable to JSON with `to_dict` / `from_dict`.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from enum import StrEnum
from functools import cache, lru_cache
from typing import Any

_NORM_STRIP = re.compile(r"^[^\w']+|[^\w']+$")
_SENTENCE_END = re.compile(r"[.!?…]+[\"')\]]*$")
_TOKEN = re.compile(r"\S+")
_END_CHARS = frozenset(".!?…\"')]")  # what a word that _SENTENCE_END matches can end with


class Kind(StrEnum):
    """What a question is about; it decides which rules apply."""

    INTRO = "intro"
    BEHAVIORAL = "behavioral"
    FAILURE = "failure"
    TECHNICAL = "technical"
    MOTIVATION = "motivation"
    CLOSING = "closing"


@lru_cache(maxsize=1 << 16)  # answers repeat a small vocabulary: each distinct token is normalised once
def normalize_token(text: str) -> str:
    """Lower-case a token and strip the punctuation around it ("Umm," -> "umm", "I'm" stays "i'm")."""
    return _NORM_STRIP.sub("", text.strip().lower().replace("’", "'"))


_CLOSERS = "\"')]”’"
_WINDOW = 6  # words of context pysbd sees on each side of a doubtful full stop
_CHUNK_WORDS = 300  # pysbd slows down more than linearly on long texts: it reads at most this much at once


@cache
def _segmenter() -> Any:
    import pysbd  # loaded on first use: the CLI's start-up does not pay for it

    return pysbd.Segmenter(language="en", clean=False, char_span=True)


@cache
def _abbreviations() -> frozenset[str]:
    from pysbd.lang.english import English

    return frozenset(English.Abbreviation.ABBREVIATIONS)


def _doubtful_stop(text: str, following: str) -> bool:
    """Whether a full stop at the end of `text` may not end the sentence, so pysbd must decide: a known
    abbreviation, an initial, "U.S.", a number, an ellipsis, or a next word in lower case."""
    core = text.rstrip(_CLOSERS)
    if not core.endswith(".") or core.endswith(("?.", "!.")):
        return False
    stem = core.rstrip(".")
    return (core.endswith("..") or "." in stem or len(stem) <= 1 or stem.isdigit()
            or stem.lower().lstrip("(\"'“‘") in _abbreviations() or following[:1].islower()
            or following[:1].isdigit())


def sentence_ends(texts: Sequence[str]) -> set[int]:
    """Indices of the words that end a sentence. Any word ending in sentence punctuation does, except where a
    full stop is doubtful: there pysbd (Golden Rules sentence boundaries) decides, over a few words around it.
    Reading only those places keeps a long answer linear; on whole texts the result equals pysbd's."""
    ends: set[int] = set()
    doubtful: list[int] = []
    for i, text in enumerate(texts):
        if text[-1:] in _END_CHARS and _SENTENCE_END.search(text):  # the cheap test first: most words end no sentence
            if _doubtful_stop(text, texts[i + 1] if i + 1 < len(texts) else ""):
                doubtful.append(i)
            else:
                ends.add(i)
    chunk_begin = chunk_end = -1
    chunk_words: list[int] = []
    for i in doubtful:
        begin, end = max(0, i - _WINDOW), min(len(texts), i + _WINDOW + 1)
        if chunk_words and (begin > chunk_end or end - chunk_begin > _CHUNK_WORDS):
            ends |= _pysbd_ends(texts, chunk_begin, chunk_end, chunk_words)
            chunk_words = []
        if not chunk_words:
            chunk_begin = begin
        chunk_words.append(i)
        chunk_end = end
    if chunk_words:
        ends |= _pysbd_ends(texts, chunk_begin, chunk_end, chunk_words)
    return ends


def _pysbd_ends(texts: Sequence[str], begin: int, end: int, asked: Sequence[int]) -> set[int]:
    """Which of the `asked` words end a sentence, as pysbd segments words [begin, end)."""
    offsets: dict[int, int] = {}  # character offset just past a word -> its index
    at = 0
    for k in range(begin, end):
        at += len(texts[k])
        offsets[at] = k
        at += 1
    chunk = " ".join(texts[begin:end])
    cut = {offsets.get(span.end - (len(span.sent) - len(span.sent.rstrip()))) for span in _segmenter().segment(chunk)}
    return {i for i in asked if i in cut}


@dataclass(frozen=True, slots=True)
class Word:
    """One recognised word. `text` keeps its punctuation ("results."); times are seconds or None."""

    text: str
    start: float | None = None
    end: float | None = None
    probability: float | None = None

    @property
    def norm(self) -> str:
        return normalize_token(self.text)

    @property
    def timed(self) -> bool:
        return self.start is not None and self.end is not None

    @property
    def ends_sentence(self) -> bool:
        return bool(_SENTENCE_END.search(self.text.strip()))

    def to_dict(self) -> dict[str, Any]:
        return {"text": self.text, "start": self.start, "end": self.end, "probability": self.probability}

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Word:
        return cls(data["text"], data.get("start"), data.get("end"), data.get("probability"))


@dataclass(frozen=True, slots=True)
class Sentence:
    """A run of words [start_index, end_index) that ends in sentence punctuation (or the transcript)."""

    index: int
    start_index: int
    end_index: int
    text: str


@dataclass(frozen=True, slots=True)
class Transcript:
    """The words of one answer, in order, plus the length of the audio they came from (if any)."""

    words: tuple[Word, ...]
    duration: float | None = None
    language: str = "en"

    @classmethod
    def from_text(cls, text: str) -> Transcript:
        """An untimed transcript from plain text (a typed answer or a .txt file)."""
        tokens = _TOKEN.findall(text)
        # Untimed words are values: one Word per distinct token, shared, since building a frozen dataclass is
        # most of the cost of a long pasted text (a 5 MB answer: 0.9 s of 1.1 s, issue 14).
        made = {token: Word(token) for token in set(tokens)}
        return cls(tuple(map(made.__getitem__, tokens)), None)

    @classmethod
    def from_words(cls, words: Iterable[Word], duration: float | None = None) -> Transcript:
        return cls(tuple(words), duration)

    @property
    def text(self) -> str:
        return " ".join(w.text.strip() for w in self.words)

    @property
    def timed(self) -> bool:
        return bool(self.words) and all(w.timed for w in self.words)

    @property
    def norms(self) -> list[str]:
        return [normalize_token(w.text) for w in self.words]  # Word.norm, without a property call per word

    def __len__(self) -> int:
        return len(self.words)

    def span_text(self, start_index: int, end_index: int) -> str:
        return " ".join(w.text.strip() for w in self.words[start_index:end_index])

    def sentences(self) -> list[Sentence]:
        """Split where pysbd's rules end a sentence ("U.S.", "Inc." and "Dr. Smith" do not), at word ends.
        Whisper punctuates; typed text usually does too."""
        texts = [w.text.strip() for w in self.words]
        ends = sentence_ends(texts)
        out: list[Sentence] = []
        begin = 0
        for i in sorted({i for i in ends if 0 <= i < len(texts)} | ({len(texts) - 1} if texts else set())):
            out.append(Sentence(len(out), begin, i + 1, " ".join(texts[begin:i + 1])))
            begin = i + 1
        return out

    def to_dict(self) -> dict[str, Any]:
        return {
            "text": self.text,
            "duration": self.duration,
            "language": self.language,
            "timed": self.timed,
            "words": [w.to_dict() for w in self.words],
        }

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Transcript:
        return cls(
            tuple(Word.from_dict(w) for w in data.get("words", [])),
            data.get("duration"),
            data.get("language", "en"),
        )


@dataclass(frozen=True, slots=True)
class Span:
    """Evidence: words [start_index, end_index) of a transcript, with their text and times."""

    start_index: int
    end_index: int
    text: str
    start: float | None = None
    end: float | None = None

    @classmethod
    def of(cls, transcript: Transcript, start_index: int, end_index: int) -> Span:
        words: Sequence[Word] = transcript.words[start_index:end_index]
        start = words[0].start if words else None
        end = words[-1].end if words else None
        return cls(start_index, end_index, transcript.span_text(start_index, end_index), start, end)

    def to_dict(self) -> dict[str, Any]:
        return {
            "start_index": self.start_index,
            "end_index": self.end_index,
            "text": self.text,
            "start": self.start,
            "end": self.end,
        }

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Span:
        return cls(data["start_index"], data["end_index"], data["text"], data.get("start"), data.get("end"))


@dataclass(frozen=True, slots=True)
class Answer:
    """One spoken (or typed) answer to one question."""

    question: str
    kind: Kind
    transcript: Transcript
    question_id: str | None = None
    metadata: dict[str, Any] = field(default_factory=dict)
