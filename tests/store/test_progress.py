"""Progress across sessions (pure), the findings diff, and `mockiv progress`."""

from __future__ import annotations

import json
from typing import Any

import pytest

from mockiv.cli import main
from mockiv.core.progress import diff_findings, ownership_ratio, progress, sparkline, verdict
from mockiv.store import Store
from tests.store.helpers import populate


def _finding(rule: str, start: int, end: int, family: str = "ownership") -> dict[str, Any]:
    return {"rule": rule, "family": family, "severity": "minor", "message": "m",
            "evidence": [{"start_index": start, "end_index": end, "text": "x"}]}


def test_diff_matches_findings_by_rule_and_words() -> None:
    old = [_finding("we-without-i", 0, 2), _finding("no-outcome", 10, 12), _finding("hedging", 3, 4)]
    new = [_finding("we-without-i", 0, 2), _finding("hedging", 5, 6), _finding("rambling", 0, 20)]
    diff = diff_findings(old, new)
    assert [(f["rule"], f["evidence"][0]["start_index"]) for f in diff.gained] == [("hedging", 5), ("rambling", 0)]
    assert [(f["rule"], f["evidence"][0]["start_index"]) for f in diff.lost] == [("no-outcome", 10), ("hedging", 3)]
    assert [f["rule"] for f in diff.kept] == ["we-without-i"] and diff.changed
    assert not diff_findings(old, list(reversed(old))).changed


def test_ownership_is_the_share_of_i_among_i_and_we() -> None:
    assert ownership_ratio("We shipped it. I led the rollout and my team, we".split()) == pytest.approx(0.5)
    assert ownership_ratio("I decided, I built it".split()) == 1.0
    assert ownership_ratio("the service was migrated".split()) is None


def test_verdicts_know_which_way_is_better() -> None:
    assert verdict([12.0, None, 6.0], "down") == "better"
    assert verdict([6.0, 12.0], "down") == "worse"
    assert verdict([0.5, 0.51], "up") == "steady"  # within steady_ratio of the first value
    assert verdict([190.0, 160.0], "band") == "better"  # back inside the conversational band
    assert verdict([130.0, 150.0], "band") == "steady"  # both inside it
    assert verdict([130.0, 95.0], "band") == "worse"
    assert verdict([1.0], "up") == "not enough data"


def test_sparkline_scales_between_min_and_max() -> None:
    assert sparkline([1.0, 5.0, None, 9.0]) == "▁▅ █"
    assert sparkline([3.0, 3.0]) == "▅▅" and sparkline([]) == ""


def test_progress_across_sessions_shows_the_candidate_getting_better(store: Store) -> None:
    ids = populate(store, sessions=3, answers=2)
    interrupted = store.create_session("general", started_at="2026-11-04T10:00:00+00:00")
    store.begin_answer(interrupted.id, question="never finished")  # not analysed: left out
    report = progress([store.get_session(i).to_dict(history=False) for i in [*ids[::-1], interrupted.id]],
                      ["ownership", "execution"])
    assert [p.session_id for p in report.sessions] == ids  # oldest first, whatever the input order
    metrics = {t.name: t for t in report.metrics}
    assert metrics["fillers_per_min"].values[0] > metrics["fillers_per_min"].values[-1]
    assert metrics["fillers_per_min"].verdict == "better"
    assert metrics["outcome_rate"].values == (0.0, 0.0, 1.0) and metrics["outcome_rate"].verdict == "better"
    assert metrics["ownership"].verdict == "better"  # fewer "we did it" tails
    assert metrics["wpm"].verdict == "steady"
    signals = {t.name: t for t in report.signals}
    assert list(signals) == ["ownership", "execution", "outcome"]
    assert signals["ownership"].values == (0.0, 0.0, 0.0) and signals["execution"].values == (1.0, 1.0, 1.0)
    assert signals["outcome"].values == (0.0, 0.0, 1.0)
    assert report.to_dict()["metrics"][0]["spark"] == metrics["fillers_per_min"].spark


def test_progress_command_table_and_json(store: Store, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["progress"]) == 0
    assert "No analysed sessions yet" in capsys.readouterr().out
    ids = populate(store, sessions=3, answers=1)
    assert main(["progress"]) == 0
    out = capsys.readouterr().out
    assert all(i[:8] in out for i in ids)
    assert "Fillers per minute" in out and "better" in out and "Signals" in out
    assert main(["progress", "--json", "--last", "2"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert [s["session_id"] for s in data["sessions"]] == ids[1:]
    assert {m["name"] for m in data["metrics"]} == {"fillers_per_min", "wpm", "outcome_rate", "ownership"}
    assert main(["progress", "--last", "0"]) == 2
