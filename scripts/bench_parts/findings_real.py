"""How right the findings are on answers written by other people: the test split of the real-answer corpus
(corpus/real, split by source, never tuned on), through the one analysis entry point. Prints
content_micro_precision_real, content_micro_recall_real, per-rule precision/recall/positives and
strengths_precision_real (tools/eval_findings.py scores them; `python tools/eval_findings.py test` prints the
same as a table)."""

from __future__ import annotations

import sys
from pathlib import Path

TOOLS = Path(__file__).resolve().parents[2] / "tools"


def run(figures: dict[str, float]) -> None:
    sys.path.insert(0, str(TOOLS))
    from eval_findings import score

    from corpus import load

    figures.update(score(load("test"), "test").figures())
