"""How right the findings are on answers written by other people (corpus/real, issue 12).

    python tools/eval_findings.py [train|dev|test] [--misses] [--by-style]

Every answer of the split goes through the one analysis entry point (`mockiv.analysis.analyze`), as a typed
answer to its question. A flag is scored only on the question kinds where shared/labelling.md says it applies.
Strengths are scored for precision on the two strengths the corpus labels. `--misses` lists the ids of missed
and false findings, and is refused on the test split: the test split is reported, never studied. `--by-style`
adds the figures on the split's written and spoken (transcribed) answers apart.
"""

from __future__ import annotations

import sys
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))

from corpus import APPLIES, FLAGS, STRENGTH_APPLIES, STRENGTHS, load


@dataclass
class Score:
    true_positives: list[str] = field(default_factory=list)
    false_positives: list[str] = field(default_factory=list)
    false_negatives: list[str] = field(default_factory=list)

    @property
    def precision(self) -> float | None:
        flagged = len(self.true_positives) + len(self.false_positives)
        return len(self.true_positives) / flagged if flagged else None

    @property
    def recall(self) -> float | None:
        expected = len(self.true_positives) + len(self.false_negatives)
        return len(self.true_positives) / expected if expected else None

    def add(self, ident: str, predicted: bool, expected: bool) -> None:
        if predicted and expected:
            self.true_positives.append(ident)
        elif predicted:
            self.false_positives.append(ident)
        elif expected:
            self.false_negatives.append(ident)


@dataclass
class Report:
    split: str
    answers: int
    flags: dict[str, Score]
    strengths: dict[str, Score]

    def micro(self) -> tuple[float, float]:
        tp = sum(len(s.true_positives) for s in self.flags.values())
        fp = sum(len(s.false_positives) for s in self.flags.values())
        fn = sum(len(s.false_negatives) for s in self.flags.values())
        return (tp / (tp + fp) if tp + fp else 0.0, tp / (tp + fn) if tp + fn else 0.0)

    def strengths_precision(self) -> float:
        tp = sum(len(s.true_positives) for s in self.strengths.values())
        fp = sum(len(s.false_positives) for s in self.strengths.values())
        return tp / (tp + fp) if tp + fp else 0.0

    def figures(self) -> dict[str, Any]:
        """Flat figures for scripts/bench: micro P/R, per-rule P/R and support, strengths precision."""
        precision, recall = self.micro()
        out: dict[str, Any] = {
            "content_micro_precision_real": round(precision, 3),
            "content_micro_recall_real": round(recall, 3),
            "strengths_precision_real": round(self.strengths_precision(), 3),
            "real_answers_scored": self.answers,
        }
        for flag, score in self.flags.items():
            key = flag.replace("-", "_")
            if score.precision is not None:  # a rule that never fired has no precision to print
                out[f"{key}_precision_real"] = round(score.precision, 3)
            if score.recall is not None:
                out[f"{key}_recall_real"] = round(score.recall, 3)
            out[f"{key}_positives_real"] = len(score.true_positives) + len(score.false_negatives)
        return out

    def table(self, misses: bool = False) -> str:
        def fmt(value: float | None) -> str:
            return "   - " if value is None else f"{value:5.2f}"

        precision, recall = self.micro()
        lines = [f"{self.split}: {self.answers} answers by others",
                 f"{'flag':22} {'prec':>5} {'recall':>6} {'tp':>4} {'fp':>4} {'fn':>4}"]
        for name, score in [*self.flags.items(), *((f"strength {k}", v) for k, v in self.strengths.items())]:
            lines.append(f"{name:22} {fmt(score.precision)} {fmt(score.recall):>6} {len(score.true_positives):>4} "
                         f"{len(score.false_positives):>4} {len(score.false_negatives):>4}")
        lines.append(f"{'micro (flags)':22} {precision:5.2f} {recall:6.2f}")
        lines.append(f"{'strengths precision':22} {self.strengths_precision():5.2f}")
        if misses:
            for name, score in self.flags.items():
                if score.false_negatives:
                    lines.append(f"  {name} missed: {' '.join(score.false_negatives)}")
                if score.false_positives:
                    lines.append(f"  {name} false: {' '.join(score.false_positives)}")
            for name, score in self.strengths.items():
                if score.false_positives:
                    lines.append(f"  strength {name} false: {' '.join(score.false_positives)}")
        return "\n".join(lines)


def engine_verdicts(answer: dict[str, Any]) -> tuple[set[str], set[str]]:
    """(rule ids found, strength ids praised) for one corpus answer, through the one analysis entry point."""
    from mockiv.analysis import analyze
    from mockiv.core.transcript import Transcript

    analysis = analyze(Transcript.from_text(answer["text"]), answer["question"], answer["kind"])
    return {f.rule for f in analysis.result.findings}, {s.id for s in analysis.result.strengths}


def score(answers: Iterable[dict[str, Any]], split: str,
          verdicts: Callable[[dict[str, Any]], tuple[set[str], set[str]]] = engine_verdicts) -> Report:
    flags = {flag: Score() for flag in FLAGS}
    strengths = {name: Score() for name in STRENGTHS}
    count = 0
    for answer in answers:
        count += 1
        found, praised = verdicts(answer)
        for flag in FLAGS:
            if answer["kind"] in APPLIES[flag]:
                flags[flag].add(answer["id"], flag in found, answer["flags"][flag])
        for name in STRENGTHS:
            if answer["kind"] in STRENGTH_APPLIES[name] and name in answer.get("strengths", {}):
                strengths[name].add(answer["id"], name in praised, answer["strengths"][name])
    return Report(split, count, flags, strengths)


def main(argv: list[str]) -> int:
    split = next((a for a in argv if not a.startswith("-")), "dev")
    misses = "--misses" in argv
    if misses and split == "test":
        print("the test split is reported, never studied: --misses works on train and dev only")
        return 2
    answers = list(load(split))
    if "--by-style" not in argv:
        print(score(answers, split).table(misses))
        return 0
    # Each answer judged once, then scored over all of them and over the written and the spoken ones apart.
    judged = {answer["id"]: engine_verdicts(answer) for answer in answers}
    print(by_style(answers, split, lambda answer: judged[answer["id"]], misses))
    return 0


def by_style(answers: list[dict[str, Any]], split: str,
             verdicts: Callable[[dict[str, Any]], tuple[set[str], set[str]]], misses: bool = False) -> str:
    """The split's table, then one for its written answers and one for its spoken (transcribed) answers."""
    tables = [score(answers, split, verdicts).table(misses)]
    for style in ("written", "spoken"):
        part = [answer for answer in answers if answer.get("style") == style]
        tables.append(score(part, f"{split}, {style}", verdicts).table())
    return "\n\n".join(tables)


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
