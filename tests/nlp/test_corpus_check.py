"""tools/corpus.py check: the same answer stored twice, even lightly reworded, is caught (a copy counts twice,
and under two sources it can land in two splits, where a test answer's trained-on copy measures nothing)."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "tools"))

import corpus  # a developer tool, imported from its folder

STORY = ("In my last role the nightly billing export kept failing because the vendor changed their file format "
         "without notice. I wrote a validator that rejected malformed rows before the import, added an alert to the "
         "team channel, and documented the format with the vendor's support engineer. The export has not failed "
         "since, and the finance team stopped reconciling invoices by hand every Monday morning.")
REWORDED = STORY.replace("In my last role", "At my previous job").replace("I wrote", "So I wrote").replace(
    "every Monday morning", "each Monday")
OTHER = ("I led the migration of our customer support inbox to a shared ticketing tool over six weeks, trained "
         "twelve agents on the new triage rules, and cut the average first reply time from nine hours to two.")


def record(ident: str, text: str, source: str) -> str:
    flags = {flag: False for flag in corpus.FLAGS}
    return json.dumps({"id": ident, "source": f"https://{source}", "source_key": source, "fidelity": "verbatim",
                       "style": "written", "question": "Tell me about a problem you solved.", "kind": "behavioral",
                       "text": text, "sentences": [{"text": text, "roles": []}], "flags": flags})


def run_check(tmp_path: Path, capsys: pytest.CaptureFixture[str], *answers: tuple[str, str, str]) -> tuple[int, str]:
    for number, (ident, text, source) in enumerate(answers):
        (tmp_path / f"x{number}-01.jsonl").write_text(record(ident, text, source) + "\n", encoding="utf-8")
    code = corpus.check(tmp_path)
    return code, capsys.readouterr().out


def test_a_reworded_copy_from_another_source_is_a_problem(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, out = run_check(tmp_path, capsys, ("a-1", STORY, "example.com/a"), ("b-1", REWORDED, "mirror.org/b"),
                          ("c-1", OTHER, "example.com/c"))
    assert code == 1
    assert "x1-01.jsonl:1: much the same text as x0-01.jsonl:1" in out and "1 problems" in out


def test_distinct_answers_sharing_a_phrase_pass(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    shared_phrase = OTHER + " In my last role the nightly billing export kept failing."
    code, out = run_check(tmp_path, capsys, ("a-1", STORY, "example.com/a"), ("c-1", shared_phrase, "example.com/c"))
    assert code == 0 and "0 problems" in out
