"""tools/eval_findings.py --by-style: the written and the spoken answers of a split are scored apart."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[3] / "tools"))
from eval_findings import by_style

from corpus import FLAGS, STRENGTHS


def answer(ident: str, style: str, vague: bool) -> dict[str, Any]:
    flags = dict.fromkeys(FLAGS, False) | {"vague": vague}
    return {"id": ident, "kind": "behavioral", "style": style, "flags": flags,
            "strengths": dict.fromkeys(STRENGTHS, False)}


def test_written_and_spoken_answers_are_scored_apart() -> None:
    answers = [answer("w1", "written", True), answer("w2", "written", False),
               answer("s1", "spoken", True), answer("s2", "spoken", True)]
    found = {"w1": {"vague"}, "w2": {"vague"}, "s1": {"vague"}, "s2": set()}
    report = by_style(answers, "dev", lambda a: (found[a["id"]], set()))
    whole, written, spoken = report.split("\n\n")
    assert whole.startswith("dev: 4 answers") and written.startswith("dev, written: 2 answers")
    assert spoken.startswith("dev, spoken: 2 answers")
    vague_line = {part: next(line for line in table.splitlines() if line.startswith("vague "))
                  for part, table in (("whole", whole), ("written", written), ("spoken", spoken))}
    assert vague_line["written"].split()[1:3] == ["0.50", "1.00"]  # one right, one false alarm
    assert vague_line["spoken"].split()[1:3] == ["1.00", "0.50"]  # one found, one missed
    assert vague_line["whole"].split()[1:3] == ["0.67", "0.67"]
