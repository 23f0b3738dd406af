"""How answers are numbered in reports: as the candidate met the questions. A pack question gets its number,
its follow-ups a letter under it ("1", "1a", "1b", "2"), and a question answered again keeps its label; only its
final attempt counts in a report's strengths and growth areas."""

from __future__ import annotations

from collections.abc import Sequence

# A follow-up's question id is its question's id plus this (mockiv.engine.prompts makes them).
FOLLOW_UP_SUFFIX = "-follow-up"

AnswerKey = tuple[str | None, str]  # (question id, question text): two follow-ups of one question share the id


def answer_labels(keys: Sequence[AnswerKey]) -> list[str]:
    """The label of each answer, in order."""
    numbers: dict[str, int] = {}
    follow_ups: dict[str, int] = {}
    labels: dict[AnswerKey, str] = {}
    out = []
    for key in keys:
        if key not in labels:
            question_id = key[0] or key[1]
            origin = question_id.removesuffix(FOLLOW_UP_SUFFIX)
            number = numbers.setdefault(origin, len(numbers) + 1)
            if question_id.endswith(FOLLOW_UP_SUFFIX):
                follow_ups[origin] = follow_ups.get(origin, 0) + 1
                labels[key] = f"{number}{chr(ord('a') + (follow_ups[origin] - 1) % 26)}"
            else:
                labels[key] = str(number)
        out.append(labels[key])
    return out


def final_attempts(keys: Sequence[AnswerKey]) -> list[int]:
    """Indices of the answers not answered again later."""
    return sorted({key: i for i, key in enumerate(keys)}.values())
