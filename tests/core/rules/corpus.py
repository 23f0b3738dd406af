"""The development corpus (corpus.toml) and per-rule precision and recall on it."""

from __future__ import annotations

import tomllib
from dataclasses import dataclass
from functools import cache
from pathlib import Path

from mockiv.core import delivery
from mockiv.core.kinds import infer_kind
from mockiv.core.rules import evaluate, rule_specs
from mockiv.core.transcript import Answer, Kind, Transcript

CORPUS = Path(__file__).with_name("corpus.toml")


@dataclass(frozen=True)
class Labelled:
    id: str
    answer: Answer
    expect: frozenset[str]


@cache
def corpus() -> tuple[Labelled, ...]:
    data = tomllib.loads(CORPUS.read_text(encoding="utf-8"))
    out = []
    for entry in data["answers"]:
        kind = Kind(entry["kind"]) if "kind" in entry else infer_kind(entry["question"])
        answer = Answer(entry["question"], kind, Transcript.from_text(entry["text"]))
        out.append(Labelled(entry["id"], answer, frozenset(entry["expect"])))
    return tuple(out)


def content_rules() -> list[str]:
    return [s.id for s in rule_specs() if s.family != "delivery"]


def scores() -> dict[str, dict[str, float | list[str]]]:
    """Per content rule: tp, fp, fn, precision, recall, and which answers were wrong."""
    table: dict[str, dict[str, float | list[str]]] = {
        r: {"tp": 0, "fp": 0, "fn": 0, "false_positives": [], "misses": []} for r in content_rules()}
    for item in corpus():
        fired = evaluate(item.answer, delivery.compute(item.answer.transcript)).rule_ids()
        for rule, row in table.items():
            if rule in fired and rule in item.expect:
                row["tp"] += 1
            elif rule in fired:
                row["fp"] += 1
                row["false_positives"].append(item.id)
            elif rule in item.expect:
                row["fn"] += 1
                row["misses"].append(item.id)
    for row in table.values():
        tp, fp, fn = row["tp"], row["fp"], row["fn"]
        row["precision"] = tp / (tp + fp) if tp + fp else 1.0
        row["recall"] = tp / (tp + fn) if tp + fn else 1.0
    return table


if __name__ == "__main__":
    for rule, row in scores().items():
        print(f"{rule:24} P={row['precision']:.2f} R={row['recall']:.2f} tp={row['tp']} "
              f"fp={row['false_positives']} fn={row['misses']}")
