"""Spelled numbers as digits, by text2num's `alpha2digit`: "two thousand five hundred" -> "2500", "forty" ->
"40". The one place mockiv reads number words; the rules, rehearsal matching, story advice and the
transcription score all go through it, so a number counts the same however it was written or heard.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from functools import lru_cache

from text_to_num import alpha2digit

_ORDINAL = re.compile(r"\d(?:st|nd|rd|th)\b")  # "first", "second": an order (or a unit of time), not an amount
_NUMBER_TOKEN = re.compile(r"^[\d.,]+$")


def as_digits(text: str) -> str:
    """`text` with every spelled number as digits, single ones too ("two weeks" -> "2 weeks")."""
    return alpha2digit(text, "en", threshold=0)


@lru_cache(maxsize=1 << 14)
def is_number_word(token: str) -> bool:
    """Whether a normalised token is part of a spelled amount ("forty", "twenty-five", "thousand")."""
    if not token or not token[0].isalpha():
        return False
    converted = as_digits(token)
    return converted != token and bool(_NUMBER_TOKEN.match(converted)) and not _ORDINAL.search(converted)


def number_runs(tokens: Sequence[str]) -> dict[int, tuple[int, str]]:
    """Spelled amounts among normalised `tokens`: start index -> (end index, the amount in digits).
    "five hundred and twelve" is one run ("512"); "one" alone is not an amount ("one of the services")."""
    runs: dict[int, tuple[int, str]] = {}
    n = len(tokens)
    i = 0
    while i < n:
        if not is_number_word(tokens[i]):
            i += 1
            continue
        end = i + 1
        while end < n:
            if is_number_word(tokens[end]):
                end += 1
            elif (tokens[end] == "and" and end + 1 < n and is_number_word(tokens[end + 1])
                  and " " not in as_digits(" ".join(tokens[i:end + 2]))):
                end += 2  # "five hundred and twelve"
            else:
                break
        digits = as_digits(" ".join(tokens[i:end])).split()
        if tokens[i:end] != ["one"]:
            runs[i] = (end, digits[0] if digits else tokens[i])
        i = end
    return runs
