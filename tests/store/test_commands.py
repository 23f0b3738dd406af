"""`mockiv sessions`, `replay` and `rescore` from the command line."""

from __future__ import annotations

import json
import sys
import types
from pathlib import Path
from typing import Any

import pytest

from mockiv.cli import main
from mockiv.commands.replay import WordPrinter, print_words
from mockiv.core.answer_view import mark_words
from mockiv.core.export_model import Follower
from mockiv.core.transcript import Transcript
from mockiv.store import Store
from tests.store.helpers import populate, rule_result


def test_sessions_list_show_delete_json(store: Store, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["sessions", "list"]) == 0
    assert "No sessions yet" in capsys.readouterr().out
    ids = populate(store, sessions=3, answers=2)
    assert main(["sessions", "list", "--json"]) == 0
    listed = json.loads(capsys.readouterr().out)
    assert [s["id"] for s in listed] == ids[::-1]
    assert listed[0]["answer_count"] == 2 and listed[0]["answers_done"] == 2 and not listed[0]["resumable"]
    assert main(["sessions", "list", "--limit", "1"]) == 0
    out = capsys.readouterr().out
    assert ids[-1][:8] in out and "(1 of 3 shown" in out
    assert main(["sessions", "show", ids[0][:6], "--json"]) == 0
    shown = json.loads(capsys.readouterr().out)
    assert shown["id"] == ids[0] and [a["position"] for a in shown["answers"]] == [1, 2]
    assert shown["answers"][0]["result"]["findings"][0]["rule"] == "we-without-i"
    assert main(["sessions", "show", ids[0]]) == 0
    out = capsys.readouterr().out
    assert "Q2 [behavioral] Tell me about a time you led project 2" in out and "results kept: 2026.1/tiny.en" in out
    assert main(["sessions", "delete", ids[0], "--yes", "--json"]) == 0
    assert json.loads(capsys.readouterr().out)["deleted"]["id"] == ids[0]
    assert [s.id for s in store.list_sessions()] == ids[:0:-1]


def test_sessions_repair_with_nothing_to_do(store: Store, capsys: pytest.CaptureFixture[str]) -> None:
    populate(store, sessions=1, answers=1)
    assert main(["sessions", "repair", "--json"]) == 0
    assert json.loads(capsys.readouterr().out)["interrupted_answers"] == []


def test_the_transcript_follows_the_playback_position(store: Store) -> None:
    (session_id,) = populate(store, sessions=1, answers=1)
    words = mark_words(store.get_session(session_id).answers[0].to_dict(history=False))
    follower = Follower(words)
    assert follower.due(0.5) == []
    assert [w.text for w in follower.due(1.0)] == ["Um,", "so"]
    assert [w.text for w in follower.due(2.7)] == ["we", "moved", "the", "billing"]
    assert follower.due(2.7) == []  # each word once
    assert [w.text for w in follower.rest()][-1] == "40%." and follower.done


def test_replay_marks_findings_where_they_occur(store: Store, capsys: pytest.CaptureFixture[str]) -> None:
    (session_id,) = populate(store, sessions=1, answers=2)
    assert main(["replay", session_id, "--no-audio"]) == 0
    out = capsys.readouterr().out
    assert out.count("⚑we-without-i [(Um,) so]") == 2  # marked at its first word, bracketed to its last
    assert "billing [1.6 s] service," in out and "(you) (know,)" in out
    assert "⚑Only “we”, never “I” at 00:00.6 (moderate): we-without-i message" in out  # titles, not ids
    assert main(["replay", session_id, "--answer", "3", "--no-audio"]) == 2
    assert "has no answer 3" in capsys.readouterr().err


def test_words_print_one_by_one_as_the_audio_plays(store: Store, tmp_path: Path) -> None:
    """What `replay` does with playback positions, without a sound card: positions in, words out."""
    (session_id,) = populate(store, sessions=1, answers=1)
    words = mark_words(store.get_session(session_id).answers[0].to_dict(history=False))
    out_path = tmp_path / "out.txt"
    with out_path.open("w") as out:
        printer, follower, seen = WordPrinter(out, colour=False), Follower(words), []
        for position in (0.0, 1.1, 3.0, 20.0):
            due = follower.due(position)
            print_words(due, printer)
            out.flush()
            seen.append(out_path.read_text())
        printer.end()
    assert seen[0] == "" and seen[1].split() == ["⚑we-without-i", "[(Um,)", "so]"]
    assert seen[2].endswith("billing [1.6 s]") and seen[3].rstrip().endswith("40%.")


@pytest.fixture
def controlled_engine(monkeypatch: pytest.MonkeyPatch) -> dict[str, Any]:
    """A rule engine whose findings the test chooses, to check what rescore keeps and reports."""
    chosen: dict[str, Any] = {"version": "2027.1", "rules": ("we-without-i",)}

    def analyze(transcript: Transcript, question: str = "", kind: Any = None, **_: Any) -> Any:
        result = rule_result(transcript, chosen["version"], chosen["rules"])
        return types.SimpleNamespace(to_dict=lambda: result, result=types.SimpleNamespace(to_dict=lambda: result))

    monkeypatch.setitem(sys.modules, "mockiv.analysis", types.SimpleNamespace(analyze=analyze))
    return chosen


def test_rescore_reports_gained_and_lost_and_keeps_old_results(
        store: Store, controlled_engine: dict[str, Any], capsys: pytest.CaptureFixture[str]) -> None:
    first, second = populate(store, sessions=2, answers=1)  # first: we-without-i + no-outcome (2026.1)
    controlled_engine["rules"] = ("we-without-i", "hedging")
    assert main(["rescore", first[:8]]) == 0
    out = capsys.readouterr().out
    assert f"Q1 ({first[:8]}): +1 -1 findings (2026.1/tiny.en -> 2027.1/tiny.en)" in out
    assert '  + Hedged ownership at 00:01.0 "so we": hedging message' in out
    assert '  - No measurable result at 00:01.0 "so we"' in out
    answer = store.get_session(first).answers[0]
    assert [r.rules_version for r in answer.results] == ["2026.1", "2027.1"]
    assert [f["rule"] for f in answer.result_for("2026.1").findings] == ["we-without-i", "no-outcome"]

    controlled_engine["version"], controlled_engine["rules"] = "2027.2", ("we-without-i",)
    assert main(["rescore", "--all", "--rules-version", "2026.1", "--json"]) == 0
    data = json.loads(capsys.readouterr().out)
    changes = {c["session_id"]: c for c in data["answers"]}
    assert [f["rule"] for f in changes[first]["lost"]] == ["no-outcome"] and changes[first]["gained"] == []
    assert changes[second]["gained"] == [] and changes[second]["lost"] == [] and changes[second]["kept"] == 1
    assert data["gained"] == 0 and data["lost"] == 1
    assert [r.rules_version for r in store.get_session(first).answers[0].results] == ["2026.1", "2027.1", "2027.2"]


def test_rescore_transcribes_an_answer_a_crash_left_without_one(
        store: Store, controlled_engine: dict[str, Any], monkeypatch: pytest.MonkeyPatch,
        capsys: pytest.CaptureFixture[str]) -> None:
    (session_id,) = populate(store, sessions=1, answers=1)
    orphan = store.begin_answer(session_id, question="Tell me about a failure", kind="failure")
    Path(orphan.audio_path).write_bytes(b"RIFF")  # what the recorder left; the fake model below reads nothing
    store.mark_interrupted(orphan.id)
    heard = Transcript.from_text("I broke the deploy and I fixed it the same day.")

    calls: list[Path] = []

    class Model:
        model_name = "fake-tiny"

        def transcribe_file(self, path: Path) -> Transcript:
            calls.append(Path(path))
            return heard

    monkeypatch.setattr("mockiv.asr.load_transcriber", lambda model=None, *a, **k: Model())
    assert main(["rescore", session_id]) == 0
    out = capsys.readouterr().out
    assert "Q2" in out and "re-transcribed" in out and calls == [orphan.audio_path]
    stored = store.get_answer(orphan.id)
    assert stored.status == "done" and stored.model == "fake-tiny"
    assert Transcript.from_dict(stored.transcript).text == heard.text
    assert stored.latest.model == "fake-tiny"


def test_rescore_with_the_real_rule_engine(store: Store, capsys: pytest.CaptureFixture[str]) -> None:
    pytest.importorskip("mockiv.analysis", reason="the rule engine has not landed", exc_type=ImportError)
    from mockiv.core.rules import RULES_VERSION

    (session_id,) = populate(store, sessions=1, answers=1)
    assert main(["rescore", session_id, "--json"]) == 0
    (change,) = json.loads(capsys.readouterr().out)["answers"]
    assert change["after"] == f"{RULES_VERSION}/tiny.en" and change["before"] == "2026.1/tiny.en"
    answer = store.get_session(session_id).answers[0]
    assert answer.latest.rules_version == RULES_VERSION
    assert len(answer.latest.findings) == len(change["gained"]) + change["kept"]
    assert {f["rule"] for f in change["gained"]} <= {f["rule"] for f in answer.latest.findings}
    assert answer.result_for("2026.1") is not None  # the old result stays available
