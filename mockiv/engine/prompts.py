"""What the interviewer asks: a pack question or a follow-up to an answer, and which follow-up comes next."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from mockiv.core.findings import severity_rank
from mockiv.core.numbering import FOLLOW_UP_SUFFIX

# A follow-up is a narrower question than the one it follows: it gets at most this long.
FOLLOW_UP_BUDGET_S = 90


@dataclass(frozen=True, slots=True)
class Prompt:
    """A question as asked: from the pack, or a follow-up to an answer."""

    text: str
    kind: str
    question_id: str | None = None
    signal: str = ""
    time_budget_s: int = 120
    thinking_time_s: int = 0
    follow_ups: tuple[str, ...] = ()
    listen_for: str | None = None
    follow_up_of: str | None = None  # the question id it follows (None: a pack question)

    @classmethod
    def from_question(cls, question: Any) -> Prompt:
        return cls(question.text, str(question.kind), question.id, question.signal, int(question.time_budget_s),
                   int(question.thinking_time_s), tuple(question.follow_ups), question.listen_for)

    @property
    def is_follow_up(self) -> bool:
        return self.follow_up_of is not None

    def follow_up(self, text: str) -> Prompt:
        """The follow-up as its own question: same kind, a shorter budget, no thinking time; the pack's other
        follow-ups stay available for the next one."""
        origin = self.follow_up_of or self.question_id
        return Prompt(text, self.kind, f"{origin}{FOLLOW_UP_SUFFIX}" if origin else None, self.signal,
                      min(self.time_budget_s, FOLLOW_UP_BUDGET_S), 0, tuple(f for f in self.follow_ups if f != text),
                      None, origin or "")


def prompts_from_pack(pack: Any, limit: int | None = None) -> list[Prompt]:
    return [Prompt.from_question(q) for q in list(pack.questions)[: limit or None]]


def follow_up_text(findings: Iterable[Mapping[str, Any]], fallback: tuple[str, ...] = ()) -> str:
    """The question an interviewer would ask next: the worst finding's, else the pack's first one, else ""."""
    for finding in sorted(findings, key=lambda f: severity_rank(f.get("severity"))):
        if finding.get("follow_up"):
            return str(finding["follow_up"])
    return fallback[0] if fallback else ""
