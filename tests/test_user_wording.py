"""What users read speaks of interviews and the candidate: no internal references (the seed articles, their
file names or folder) and no "client" outside a contract interview."""

from __future__ import annotations

import contextlib
import re
from pathlib import Path

import pytest

from mockiv import cli, packs
from mockiv.core.report import session_report
from mockiv.core.rules import catalog

INTERNAL = re.compile(r"seed|shared/|\d{3}_[0-9a-f]{16}\.txt", re.IGNORECASE)
USER_FIELDS = ("message", "rationale", "suggestion", "follow_up", "practice")


def test_rule_texts_carry_no_internal_reference_and_no_client() -> None:
    for rule in catalog():
        for field in USER_FIELDS:
            text = rule.get(field) or ""
            assert not INTERNAL.search(text), (rule["id"], field, text)
            assert not re.search(r"\bclients?\b", text, re.IGNORECASE), (rule["id"], field, text)


@pytest.mark.parametrize("argv", [["rules", "--help"], ["retell", "--help"], ["rules"], ["rules", "no-outcome"]])
def test_help_and_rule_listings(argv: list[str], capsys: pytest.CaptureFixture[str]) -> None:
    with contextlib.suppress(SystemExit):  # --help exits
        cli.main(argv)
    out = capsys.readouterr().out
    assert out and not INTERNAL.search(out), INTERNAL.search(out)


def test_an_analysed_answer_cites_no_article(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    answer = tmp_path / "answer.txt"
    answer.write_text("We moved the platform to Kubernetes. We handled it and the team was happy with it.")
    assert cli.main(["analyze", str(answer), "--question", "Tell me about a project you led."]) == 0
    out = capsys.readouterr().out
    assert "Why it costs you" in out and not INTERNAL.search(out), INTERNAL.search(out)


def test_the_general_pack_never_says_client() -> None:
    pack = packs.load_pack("general")
    for question in pack.questions:
        for text in (question.text, *question.follow_ups):
            assert not re.search(r"\bclients?\b", text, re.IGNORECASE), text


def test_the_session_report_cites_no_article() -> None:
    from tests.core.test_report import _session

    report = session_report(_session())
    plan = report.practice_plan
    assert plan and not any(INTERNAL.search(line) for line in plan), plan
    for area in report.growth_areas:
        assert not INTERNAL.search(str(area.to_dict())), area
