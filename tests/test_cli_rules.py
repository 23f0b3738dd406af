"""`mockiv rules`: the rubric, as a table, in full for one rule, and as JSON."""

from __future__ import annotations

import json

import pytest

from mockiv.cli import main


def test_rules_json_lists_every_rule_with_seed(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["rules", "--json"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert data["rules_version"]
    ids = {r["id"] for r in data["rules"]}
    assert {"we-without-i", "no-outcome", "failure-no-lesson", "no-questions", "pace-fast"} <= ids
    for rule in data["rules"]:
        assert rule["family"] and rule["kinds"] and rule["severity"] and rule["rationale"] and rule["seed"]


def test_rules_filtered_by_kind(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["rules", "--json", "--kind", "closing"]) == 0
    ids = {r["id"] for r in json.loads(capsys.readouterr().out)["rules"]}
    assert "no-questions" in ids and "failure-no-lesson" not in ids


def test_one_rule_in_full(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["rules", "we-without-i"]) == 0
    out = capsys.readouterr().out
    assert "What exactly did you do yourself?" in out and "seed" not in out.lower()


def test_unknown_rule_is_a_usage_error(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["rules", "no-such-rule"]) == 2
    assert "no rule named" in capsys.readouterr().err


def test_table(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["rules"]) == 0
    out = capsys.readouterr().out
    assert out.startswith("mockiv rules ") and "no-mistakes-claim" in out
