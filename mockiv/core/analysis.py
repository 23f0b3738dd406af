"""One reading of an answer shared by the structure tagger and every rule: sentences, phrase hits, and the
light syntax the rules need (who did what, which numbers are results).

Built once per answer (`read`), so a rule is a few set look-ups rather than another pass over the text.
Lexicons come from mockiv/core/rules/data/*.toml; labels are "<file>.<pattern list>" ("evidence.business").
"""

from __future__ import annotations

import re
from bisect import bisect_right
from collections.abc import Iterable
from dataclasses import dataclass, field
from functools import cache
from typing import Any

from mockiv.core.delivery import DeliveryMetrics, is_hesitation
from mockiv.core.numbers import number_runs
from mockiv.core.phrases import Match, PhraseSet, TextView, load_rules_data, text_view
from mockiv.core.transcript import Kind, Span, Transcript

DATA_FILES = ("common", "structure", "ownership", "evidence", "stories", "attitude", "failure", "closing",
              "strengths")

_NUMBER = re.compile(r"^[$€£]?\d[\d,]*(\.\d+)?(k|m|bn|ms|s|h|x|%)?$", re.IGNORECASE)
_YEAR = re.compile(r"^(?:19|20)\d\d$")
_NOT_VERBS = frozenset({"and", "or", "but", "so", "the", "a", "an", "of", "to", "in", "on", "at", "for", "with", "from",
                        "that", "which", "who", "as", "by", "about", "into", "than", "because", "if", "when", "while"})
_HAS_DIGIT = re.compile(r"\d")
_STRIP = re.compile(r"^[\"'(\[]+|[\"'.,;:!?)\]…]+$")


@cache
def lexicons(name: str) -> dict[str, list[str]]:
    """A data file's lexicons, over the common ones (a file may refine a common list)."""
    merged = dict(load_rules_data("common").get("lexicons", {}))
    if name != "common":
        merged.update(load_rules_data(name).get("lexicons", {}))
    return merged


@cache
def lexicon_set(name: str, key: str) -> frozenset[str]:
    return frozenset(lexicons(name)[key])


@cache
def phrase_set() -> PhraseSet:
    """Every pattern of every data file, each compiled against its own file's lexicons, in one index."""
    return PhraseSet.merged([
        PhraseSet({f"{name}.{key}": v for key, v in load_rules_data(name).get("patterns", {}).items()}, lexicons(name))
        for name in DATA_FILES
    ])


@dataclass(frozen=True, slots=True)
class Quantity:
    """A number in the answer: word indices [start, end) and what it is (percent, money, multiplier,
    count, year, version)."""

    start: int
    end: int
    sort: str
    unit: str = ""


@dataclass
class Doc:
    """An answer as the rules read it."""

    transcript: Transcript
    kind: Kind
    metrics: DeliveryMetrics | None
    view: TextView
    hits: dict[str, list[Match]]
    norms: list[str]
    question: str = ""
    memo: dict[str, Any] = field(default_factory=dict)

    # -- phrase hits -------------------------------------------------------------------------------------
    def matches(self, label: str) -> list[Match]:
        return self.hits.get(label, [])

    def has(self, label: str) -> bool:
        return bool(self.hits.get(label))

    def count(self, label: str) -> int:
        return len(self.hits.get(label, ()))

    def sentences_with(self, label: str) -> set[int]:
        return {m.sentence for m in self.hits.get(label, ())}

    def span(self, start: int, end: int) -> Span:
        return Span.of(self.transcript, start, end)

    def sentence_span(self, sentence: int) -> Span:
        begin, end = self.view.sentence_spans[sentence]
        return Span.of(self.transcript, begin, end)

    @property
    def sentence_count(self) -> int:
        return len(self.view.sentence_spans)

    @property
    def word_count(self) -> int:
        return len(self.transcript.words)

    def sentence_of_word(self, index: int) -> int:
        """The sentence holding word `index` (the last one for a word past them all): a binary search, since
        rules ask this for every quantity and action and a scan made long answers quadratic."""
        if "sentence_starts" not in self.memo:
            self.memo["sentence_starts"] = [begin for begin, _end in self.view.sentence_spans]
        s = bisect_right(self.memo["sentence_starts"], index) - 1
        if s >= 0 and index < self.view.sentence_spans[s][1]:
            return s
        return max(0, self.sentence_count - 1)

    # -- light syntax ------------------------------------------------------------------------------------
    def subject_verbs(self) -> list[tuple[int, str, str, int]]:
        """(word index of the subject, subject, verb, word index of the verb) for every "I"/"we" followed by
        its verb, plus past verbs joined to it ("I profiled it, found the leak and fixed it")."""
        if "subject_verbs" in self.memo:
            return self.memo["subject_verbs"]
        adverbs = lexicon_set("common", "adverbs")
        others = lexicon_set("common", "other_subjects")
        tokens, positions, sentence_of = self.view.tokens, self.view.positions, self.view.sentence_of
        words = self.transcript.words
        out: list[tuple[int, str, str, int]] = []
        n = len(tokens)
        for i, token in enumerate(tokens):
            subject = ""
            if token in ("i", "we", "i've", "we've"):
                subject = token
            elif token in ("team", "teams") and i > 0 and tokens[i - 1] in ("the", "our", "my", "whole"):
                subject = "we"
            if not subject:
                continue
            # "If the team still disagreed, I would...": a condition, not something that happened.
            if any(tokens[k] in ("if", "unless", "whether") for k in range(max(0, i - 3), i)
                   if sentence_of[k] == sentence_of[i]):
                continue
            j = i + 1
            while j < n and tokens[j] in adverbs and sentence_of[j] == sentence_of[i]:
                j += 1
            if j >= n or sentence_of[j] != sentence_of[i]:
                continue
            verb = tokens[j]
            if verb in _NOT_VERBS:
                continue  # "the team, and ...": no verb follows the subject
            if subject in ("i've", "we've"):
                subject = subject.removesuffix("'ve")
                verb = "have " + verb if verb not in ("been", "got") else verb
            out.append((positions[i], subject, verb, positions[j]))
            if not self.is_past(verb):
                continue  # only a past clause ("I profiled it and found...") lends its subject to the next verb
            # Verbs that share this subject: after "and"/"then" or a comma, until another subject appears.
            k = j + 1
            while k < n and sentence_of[k] == sentence_of[i] and tokens[k] not in others:
                joined = tokens[k - 1] in ("and", "then", "also") or words[positions[k - 1]].text.endswith(",")
                if joined and tokens[k] not in adverbs and self.is_past(tokens[k]):
                    out.append((positions[k], subject, tokens[k], positions[k]))
                k += 1
        self.memo["subject_verbs"] = out
        return out

    def is_past(self, verb: str) -> bool:
        verb = verb.removeprefix("have ")
        if verb in lexicon_set("common", "irregular_past"):
            return True
        return len(verb) > 4 and verb.endswith("ed") and verb not in lexicon_set("common", "not_past")

    def i_actions(self) -> list[int]:
        """Word indices of "I" where the candidate says they did something ("I built", "I was responsible")."""
        if "i_actions" in self.memo:
            return self.memo["i_actions"]
        non_action = lexicon_set("common", "i_non_action")
        motion = lexicon_set("common", "motion_particles")
        ownership = lexicons("common")["i_was_ownership"]
        norms = self.norms
        out: list[int] = []
        for index, subject, verb, at in self.subject_verbs():
            if subject != "i":
                continue
            bare = verb.removeprefix("have ")
            if verb in ("was", "am"):
                after = " ".join(norms[at + 1:at + 5])
                if not any(after.startswith(o) for o in ownership):
                    continue
            elif verb.startswith("have "):
                if not self.is_past(verb) or bare in non_action:
                    continue
            elif bare in non_action:
                continue
            if bare == "moved" and at + 1 < len(norms) and norms[at + 1] in motion:
                continue
            out.append(index)
        self.memo["i_actions"] = out
        return out

    def we_actions(self) -> list[int]:
        """Word indices where "we" / "the team" carries an action."""
        if "we_actions" in self.memo:
            return self.memo["we_actions"]
        skip = {"would", "could", "might", "should", "can", "will", "think", "thought", "are", "were", "'re"}
        out = [index for index, subject, verb, _at in self.subject_verbs() if subject == "we" and verb not in skip]
        self.memo["we_actions"] = out
        return out

    def past_actions(self) -> list[int]:
        """"I"/"we" + a past-tense verb: the marks of a real story rather than a hypothetical one."""
        if "past_actions" in self.memo:
            return self.memo["past_actions"]
        # "If I encountered that..." is a condition, not something that happened.
        out = [index for index, _subject, verb, _at in self.subject_verbs()
               if self.is_past(verb) and (index == 0 or self.norms[index - 1] not in ("if", "imagine", "suppose"))]
        self.memo["past_actions"] = out
        return out

    def quantities(self) -> list[Quantity]:
        """Numbers with what they measure. Years ("in 2019") and versions ("Python 3") are told apart."""
        if "quantities" in self.memo:
            return self.memo["quantities"]
        lex = lexicons("evidence")
        units = frozenset(lex["outcome_units"])
        currencies = frozenset(lex["currency_words"])
        quantity_words = frozenset(lex["quantity_words"])
        words = self.transcript.words
        norms = self.norms
        spelled = number_runs(norms)  # "two thousand five hundred" is one amount: 2500
        starts = {b for b, _ in self.view.sentence_spans}
        out: list[Quantity] = []
        n = len(words)
        end = 0
        for i, word in enumerate(words):
            if i < end:
                continue  # inside a spelled amount
            norm = norms[i]
            text = word.text
            if i in spelled:
                end, raw = spelled[i]
            elif norm in quantity_words or _HAS_DIGIT.search(text):
                end, raw = i + 1, _STRIP.sub("", text.strip())
            else:
                continue
            nxt = norms[end] if end < n else ""
            nxt2 = norms[end + 1] if end + 1 < n else ""
            numeric = bool(_NUMBER.match(raw))
            if not numeric and norm not in quantity_words:
                continue
            if norm == "half" and nxt not in ("the", "of", "an", "a") and norms[i - 1:i] != ["in"]:
                continue
            if raw.startswith(("$", "€", "£")) or nxt in currencies:
                out.append(Quantity(i, end, "money", nxt))
            elif raw.endswith("%") or (nxt in ("percent", "per", "pc") and (nxt != "per" or nxt2 == "cent")):
                out.append(Quantity(i, end + 1 if not raw.endswith("%") else end, "percent"))
            elif (raw.lower().endswith("x") and numeric) or (nxt == "times" and nxt2 in lex["comparatives"]):
                out.append(Quantity(i, end, "multiplier"))
            elif numeric and _YEAR.match(raw) and nxt not in units:
                out.append(Quantity(i, end, "year"))
            elif numeric and self._is_version(i, raw, starts):
                out.append(Quantity(i, end, "version"))
            else:
                unit = nxt if nxt in units else (nxt2 if nxt2 in units else "")
                if not unit:
                    # "112 access keys", "forty services": a counted plural thing
                    plurals = (w for w in (nxt, nxt2) if len(w) > 3 and w.endswith("s") and not w.endswith("ss"))
                    unit = next(plurals, "")
                if (not unit and raw[-2:].lower() == "ms") or (raw[-1:].lower() in ("k", "m", "s", "h") and numeric):
                    unit = "suffix"
                out.append(Quantity(i, end, "count", unit))
        self.memo["quantities"] = out
        return out

    def _is_version(self, i: int, raw: str, sentence_starts: Iterable[int]) -> bool:
        words = self.transcript.words
        if raw.count(".") >= 2:
            return True
        if i == 0:
            return False
        prev_raw = words[i - 1].text.strip()
        prev = self.norms[i - 1]
        if prev in ("version", "v", "release", "level", "tier", "phase", "step", "stage", "sprint", "chapter"):
            return True
        # "Python 3", "Java 8", "Angular 2": a capitalised name straight before the number, not opening a
        # sentence and not a word such as "I".
        return (prev_raw[:1].isupper() and (i - 1) not in sentence_starts and prev not in ("i", "i'm")
                and not prev_raw.endswith((",", ".")))


def _skipped(transcript: Transcript, metrics: DeliveryMetrics | None) -> set[int]:
    """Word indices the matcher ignores: hesitations and the first copy of a repeated word."""
    if metrics is not None and metrics.word_count == len(transcript.words):
        return {k for d in metrics.disfluencies if d.category in ("hesitation", "repetition")
                for k in range(d.start_index, d.end_index)}
    return {i for i, w in enumerate(transcript.words) if is_hesitation(w.text)}


def read(transcript: Transcript, kind: Kind, metrics: DeliveryMetrics | None = None, question: str = "") -> Doc:
    """Read an answer once for all rules."""
    sentences = transcript.sentences()
    spans = [(s.start_index, s.end_index) for s in sentences]
    norms = transcript.norms
    view = text_view(norms, spans, _skipped(transcript, metrics))
    hits = phrase_set().scan(view.tokens, view.positions, view.sentence_of)
    doc = Doc(transcript, kind, metrics, view, hits, norms, question)
    doc.memo["sentence_texts"] = [s.text for s in sentences]  # each sentence's words, joined once
    return doc


def outcomes(doc: Doc) -> list[Quantity]:
    """The quantities that read as a measurable result: a percentage, money, a multiplier, or a count with a
    unit ("40 minutes", "2,000 users") in a sentence that says something changed."""
    if "outcomes" in doc.memo:
        return doc.memo["outcomes"]
    change_sentences = doc.sentences_with("evidence.change") | doc.sentences_with("structure.result")
    strong_sentences = doc.sentences_with("evidence.change_strong")
    out: list[Quantity] = []
    counts_in: dict[int, int] = {}
    for q in doc.quantities():
        if q.sort == "count":
            counts_in[doc.sentence_of_word(q.start)] = counts_in.get(doc.sentence_of_word(q.start), 0) + 1
    for q in doc.quantities():
        if (q.sort == "count" and q.start > 0 and doc.norms[q.start - 1] in ("from", "to")
                and counts_in.get(doc.sentence_of_word(q.start), 0) >= 2):
            out.append(q)  # "went from 62 to 78": a before and after, whatever the unit
            continue
        sentence = doc.sentence_of_word(q.start) if q.sort == "count" and q.unit else -1
        # A real unit needs any change word; a merely counted thing ("forty services") a strong result verb.
        real_unit = q.unit == "suffix" or q.unit in lexicon_set("evidence", "outcome_units")
        measured = sentence >= 0 and (sentence in strong_sentences or (real_unit and sentence in change_sentences))
        if q.sort in ("percent", "money", "multiplier") or measured:
            out.append(q)
    out.extend(Quantity(m.start, m.end, "phrase") for m in doc.matches("evidence.outcome_phrase"))
    doc.memo["outcomes"] = out
    return out
