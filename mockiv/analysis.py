"""One answer from transcript to findings: delivery metrics, then the rule engine with the judgement layer.

The one analysis entry point: `mockiv analyze`, practice (the app and the terminal) and rescore all call
`analyze`, so the same words and question give the same findings on every path. The rule engine is pure; the
sentence encoder it reads through is loaded here, once per process, unless the caller passes its own."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from mockiv.core import delivery
from mockiv.core.delivery import DeliveryMetrics
from mockiv.core.kinds import infer_kind
from mockiv.core.rules import RuleResult, evaluate
from mockiv.core.rules.judged import Encoder
from mockiv.core.transcript import Answer, Kind, Transcript


@dataclass(frozen=True, slots=True)
class Analysis:
    answer: Answer
    metrics: DeliveryMetrics
    result: RuleResult

    def to_dict(self) -> dict[str, Any]:
        """The `mockiv analyze --json` contract: transcript, metrics, findings, rules_version (and more)."""
        result = self.result.to_dict()
        return {
            "question": self.answer.question,
            "kind": str(self.result.kind),
            "transcript": self.answer.transcript.to_dict(),
            "metrics": self.metrics.to_dict(),
            "findings": result.get("findings", []),
            "strengths": result.get("strengths", []),
            "structure": result.get("structure", []),
            "rules_version": self.result.rules_version,
            **{k: v for k, v in self.answer.metadata.items() if k not in ("question", "kind")},
        }


# The judgement layer encodes every sentence (about 12 ms each on 2 cores); a 15-minute spoken answer, the longest
# a session records, has about 2,300 words. Past this many words (a pasted document, not an answer) the patterns
# decide alone, so a 5 MB text is still analysed in seconds rather than encoded for a quarter of an hour.
MAX_JUDGED_WORDS = 3000


def analyze(
    transcript: Transcript,
    question: str = "",
    kind: Kind | str | None = None,
    question_id: str | None = None,
    metadata: dict[str, Any] | None = None,
    context: Mapping[str, Any] | None = None,
    encoder: Encoder | None = None,
) -> Analysis:
    """`context` carries what the rehearsed family needs beyond the words (the story bank, earlier answers,
    pitch): built in the shell by mockiv.recitation_context.context_for. `encoder`: the sentence encoder
    of the judgement layer (default: the process-wide one, loaded on first use; none past MAX_JUDGED_WORDS)."""
    if len(transcript.words) > MAX_JUDGED_WORDS:
        encoder = None
    elif encoder is None:
        from mockiv.nlp.encoder import default_encoder  # loaded only when an answer is judged

        encoder = default_encoder()
    resolved_kind = Kind(kind) if kind else infer_kind(question)
    answer = Answer(question, resolved_kind, transcript, question_id, dict(metadata or {}))
    metrics = delivery.compute(transcript)
    return Analysis(answer, metrics, evaluate(answer, metrics, resolved_kind, context, encoder))
