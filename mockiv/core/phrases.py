"""Phrase patterns over normalised words, matched in one pass (the shared primitive of the rule engine).

A pattern is a short string of slots separated by spaces, in the spirit of Vale's token lists:

- `word`          one literal, normalised token ("i'm", "didn't", "on-call")
- `a|b|_`         alternatives; `_` means "nothing" (an optional slot); `no+one` is a two-word alternative
- `@name`         any entry of the lexicon `name` (entries may be several words: "our team")
- `*`             any one word; `~N` up to N words of any kind (never the first slot)

All patterns of all rule families compile into one index keyed by their first word, so an answer is
scanned once whatever the number of rules. Matches never cross a sentence boundary.
Data lives in mockiv/core/rules/data/*.toml; this module only knows the syntax.
"""

from __future__ import annotations

import itertools
import tomllib
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from functools import cache
from importlib import resources
from typing import Any

from mockiv.core.transcript import normalize_token

WILDCARD = "*"


@cache
def load_rules_data(name: str) -> dict[str, Any]:
    """Read `mockiv/core/rules/data/<name>.toml` (static package data, not user I/O)."""
    path = resources.files("mockiv.core").joinpath("rules", "data", f"{name}.toml")
    return tomllib.loads(path.read_text(encoding="utf-8"))


@cache
def rules_data_text(name: str) -> str:
    return resources.files("mockiv.core").joinpath("rules", "data", f"{name}.toml").read_text(encoding="utf-8")


def _slot_options(slot: str, lexicons: Mapping[str, Sequence[str]]) -> list[tuple[str, ...]]:
    if slot.startswith("~"):
        return [(WILDCARD,) * n for n in range(int(slot[1:]) + 1)]
    if slot == WILDCARD:
        return [(WILDCARD,)]
    options: list[tuple[str, ...]] = []
    for alt in slot.split("|"):
        if alt == "_":
            options.append(())
        elif alt.startswith("@"):
            name = alt[1:]
            if name not in lexicons:
                raise KeyError(f"unknown lexicon @{name}")
            options.extend(tuple(normalize_token(t) for t in entry.split()) for entry in lexicons[name])
        else:
            options.append(tuple(normalize_token(t) for t in alt.split("+")))
    return options


@dataclass(frozen=True, slots=True)
class _Slot:
    """One slot of a compiled pattern: alternatives grouped by length, or a gap of 0..`gap` words."""

    by_length: tuple[tuple[int, frozenset[tuple[str, ...]]], ...] = ()
    gap: int = -1


def _compile(pattern: str, lexicons: Mapping[str, Sequence[str]]) -> tuple[list[tuple[str, ...]], tuple[_Slot, ...]]:
    """The first slot's alternatives (they key the index) and the remaining slots."""
    parts = pattern.split()
    while parts and (parts[-1] == WILDCARD or parts[-1].startswith("~")):
        parts.pop()  # trailing gaps add nothing but length
    if not parts or parts[0] == WILDCARD or parts[0].startswith("~"):
        raise ValueError(f"pattern {pattern!r} must start with a word")
    first = [o for o in _slot_options(parts[0], lexicons) if o]
    if len(first) != len(_slot_options(parts[0], lexicons)):
        raise ValueError(f"pattern {pattern!r}: the first slot cannot be optional")
    rest: list[_Slot] = []
    for part in parts[1:]:
        if part == WILDCARD:
            rest.append(_Slot(gap=-2))
        elif part.startswith("~"):
            rest.append(_Slot(gap=int(part[1:])))
        else:
            groups: dict[int, set[tuple[str, ...]]] = {}
            for option in _slot_options(part, lexicons):
                groups.setdefault(len(option), set()).add(option)
            rest.append(_Slot(tuple(sorted((n, frozenset(v)) for n, v in groups.items()))))
    return first, tuple(rest)


def expand(pattern: str, lexicons: Mapping[str, Sequence[str]]) -> list[tuple[str, ...]]:
    """Every concrete token sequence a pattern stands for (for small patterns and tests only)."""
    slots = [_slot_options(s, lexicons) for s in pattern.split()]
    out = []
    for combo in itertools.product(*slots):
        tokens = tuple(t for part in combo for t in part)
        while tokens and tokens[-1] == WILDCARD:
            tokens = tokens[:-1]
        if tokens:
            out.append(tokens)
    return out


@dataclass(frozen=True, slots=True)
class Match:
    """A matched phrase: word indices [start, end) in the transcript and the sentence it sits in."""

    start: int
    end: int
    sentence: int


def starting_outside(matches: Iterable[Match], excluded: Iterable[Match], reach: int = 0) -> list[Match]:
    """The matches that start in none of `excluded` (each stretched `reach` words past its end). One set of
    covered positions rather than a pair-wise test, so a long answer with many matches stays linear."""
    covered = {p for e in excluded for p in range(e.start, e.end + reach)}
    return [m for m in matches if m.start not in covered]


def overlapping_none(matches: Iterable[Match], excluded: Iterable[Match]) -> list[Match]:
    """The matches that share no word with any of `excluded` (linear, like `starting_outside`)."""
    excluded = list(excluded)
    covered = {p for e in excluded for p in range(e.start, e.end)}
    starts = {e.start for e in excluded}
    return [m for m in matches
            if m.start not in covered and not any(p in starts for p in range(m.start, m.end))]


def _match_rest(slots: tuple[_Slot, ...], k: int, pos: int, tokens: Sequence[str], sentence_of: Sequence[int],
                sentence: int) -> int:
    """End position (exclusive) of the first way slots[k:] match from `pos`, or -1."""
    if k == len(slots):
        return pos
    slot = slots[k]
    n = len(tokens)
    last = k + 1 == len(slots)  # the end is known without another call (this runs for every candidate)
    if slot.gap == -2:  # exactly one word of any kind
        if pos < n and sentence_of[pos] == sentence:
            return pos + 1 if last else _match_rest(slots, k + 1, pos + 1, tokens, sentence_of, sentence)
        return -1
    if slot.gap >= 0:
        for skip in range(slot.gap + 1):
            end = pos + skip
            if end > n or (skip and sentence_of[end - 1] != sentence):
                break
            found = end if last else _match_rest(slots, k + 1, end, tokens, sentence_of, sentence)
            if found >= 0:
                return found
        return -1
    for length, options in slot.by_length:
        end = pos + length
        if end > n or (length and sentence_of[end - 1] != sentence):
            continue
        if (tokens[pos],) in options if length == 1 else tuple(tokens[pos:end]) in options:
            found = end if last else _match_rest(slots, k + 1, end, tokens, sentence_of, sentence)
            if found >= 0:
                return found
    return -1


class PhraseSet:
    """Many labelled pattern lists compiled into one first-word index."""

    def __init__(self, labelled: Mapping[str, Iterable[str]], lexicons: Mapping[str, Sequence[str]]) -> None:
        index: dict[str, list[tuple[tuple[str, ...], tuple[_Slot, ...], str]]] = {}
        for label, patterns in labelled.items():
            for pattern in patterns:
                first, rest = _compile(pattern, lexicons)
                for head in dict.fromkeys(first):
                    index.setdefault(head[0], []).append((head, rest, label))
        self._index = index
        self.labels = frozenset(labelled)
        self._two_level: dict[str, tuple[list[Any], dict[str, list[Any]]]] | None = None

    def _second_level(self) -> dict[str, tuple[list[Any], dict[str, list[Any]], int, dict[str, list[Any]]]]:
        """Candidates per first word, split by the words they need next, so a scan at "i" tries only the
        patterns that can continue there: keyed by the next word, or (a gap "~N" then a word) by a word up to
        N + 1 later; the rest are tried everywhere. Entries carry their rank (those tried everywhere or after a
        gap first, then those keyed by the next word, each in the index's order), so a label's first match is the
        one it always was."""
        if self._two_level is None:
            table: dict[str, tuple[list[Any], dict[str, list[Any]], int, dict[str, list[Any]]]] = {}
            for first, entries in self._index.items():
                anywhere: list[Any] = []
                by_next: dict[str, list[Any]] = {}
                within: dict[str, list[Any]] = {}
                reach = 0
                for order, (head, rest, label) in enumerate(entries):
                    gapped = False
                    if len(head) >= 2:
                        keys: set[str] | None = {head[1]}
                    elif rest and rest[0].gap == -1 and all(n >= 1 for n, _ in rest[0].by_length):
                        keys = {option[0] for _, options in rest[0].by_length for option in options}
                    elif (len(rest) >= 2 and rest[0].gap >= 0 and rest[1].gap == -1
                          and all(n >= 1 for n, _ in rest[1].by_length)):
                        keys = {option[0] for _, options in rest[1].by_length for option in options}
                        gapped = True
                    else:
                        keys = None
                    if keys is None or WILDCARD in keys:
                        anywhere.append((order, head, rest, label))
                    elif gapped:
                        reach = max(reach, rest[0].gap)
                        for key in keys:
                            within.setdefault(key, []).append((order, head, rest, label))
                    else:
                        for key in keys:
                            by_next.setdefault(key, []).append((len(entries) + order, head, rest, label))
                table[first] = (anywhere, by_next, reach, within)
            self._two_level = table
        return self._two_level

    @classmethod
    def merged(cls, sets: Iterable[PhraseSet]) -> PhraseSet:
        """One index over several sets (each compiled against its own lexicons)."""
        out = cls({}, {})
        labels: set[str] = set()
        for s in sets:
            for first, entries in s._index.items():
                out._index.setdefault(first, []).extend(entries)
            labels |= s.labels
        out.labels = frozenset(labels)
        out._two_level = None
        return out

    def scan(
        self, tokens: Sequence[str], positions: Sequence[int], sentence_of: Sequence[int]
    ) -> dict[str, list[Match]]:
        """Match over content `tokens` (normalised words, fillers removed); `positions` maps each back to
        its word index in the transcript and `sentence_of` gives its sentence. One match per label and start."""
        hits: dict[str, list[Match]] = {}
        n = len(tokens)
        table = self._second_level()
        levels = list(map(table.get, tokens))  # most words start no pattern: skipped at C speed below
        for i in itertools.compress(itertools.count(), levels):
            level = levels[i]
            sentence = sentence_of[i]
            anywhere, by_next, reach, within = level
            candidates = anywhere
            if i + 1 < n and sentence_of[i + 1] == sentence:
                following = by_next.get(tokens[i + 1])
                if following:
                    candidates = anywhere + following if anywhere else following
                if within:
                    # A gap pattern can only match if its word comes within the gap's reach (same sentence).
                    found = [e for k in range(i + 1, min(n, i + reach + 2)) if sentence_of[k] == sentence
                             for e in within.get(tokens[k], ())]
                    if found:
                        merged = {e[0]: e for e in (*candidates, *found)}
                        candidates = [merged[rank] for rank in sorted(merged)]
            matched_here: set[str] = set()  # one match per label and start
            for _rank, head, rest, label in candidates:
                if label in matched_here:
                    continue
                size = len(head)
                end = i + size
                if size > 1 and (end > n or sentence_of[end - 1] != sentence or tuple(tokens[i:end]) != head):
                    continue
                end = _match_rest(rest, 0, end, tokens, sentence_of, sentence) if rest else end
                if end < 0 or end == i:
                    continue
                matched_here.add(label)
                hits.setdefault(label, []).append(Match(positions[i], positions[end - 1] + 1, sentence))
        return hits


@dataclass(frozen=True, slots=True)
class TextView:
    """The words of a transcript as the matcher sees them: normalised, hesitations and repeats left out."""

    tokens: tuple[str, ...]
    positions: tuple[int, ...]
    sentence_of: tuple[int, ...]
    sentence_spans: tuple[tuple[int, int], ...]  # per sentence: word indices [start, end)


def text_view(
    words_norms: Sequence[str], sentence_spans: Sequence[tuple[int, int]], skip: Iterable[int] = ()
) -> TextView:
    skipped = set(skip)
    tokens: list[str] = []
    positions: list[int] = []
    sentence_of: list[int] = []
    for s, (begin, end) in enumerate(sentence_spans):
        for i in range(begin, end):
            norm = words_norms[i]
            if i in skipped or not norm:
                continue
            tokens.append(norm)
            positions.append(i)
            sentence_of.append(s)
    return TextView(tuple(tokens), tuple(positions), tuple(sentence_of), tuple(sentence_spans))
