"""`mockiv retell` end to end on typed retellings: the prompt, the JSON verdict, earlier answers, errors."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from mockiv.cli import main
from mockiv.core.transcript import Transcript
from mockiv.stories import example_bank_path, load_bank
from tests.support.recitation_fixtures import PARAPHRASES, RETELLINGS

BANK = str(example_bank_path())


def retell(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str]:
    code = main(["retell", "--bank", BANK, *args])
    return code, capsys.readouterr().out


def test_without_an_answer_it_asks_for_an_angle_the_story_does_not_lean_on(
    capsys: pytest.CaptureFixture[str],
) -> None:
    code, out = retell(capsys, "--story", "pipeline-speed", "--json")
    assert code == 0
    asked = json.loads(out)
    assert asked["story_leans_on"] == "technical"
    assert asked["angle"] != "technical"
    assert "--answer" in asked["then"]
    code, out = retell(capsys, "--story", "pipeline-speed", "--angle", "leadership")
    assert code == 0
    assert "leadership interview" in out and "do not recite" in out


def test_a_real_retelling_passes_and_a_recitation_fails(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    retold = tmp_path / "retold.txt"
    retold.write_text(RETELLINGS[("pipeline-speed", "business")])
    code, out = retell(capsys, "--story", "pipeline-speed", "--angle", "business", "--answer", str(retold),
                       "--no-history", "--json")
    assert code == 0
    verdict = json.loads(out)
    assert verdict["retelling"]["passed"] and verdict["retelling"]["reasons"] == []
    assert verdict["rehearsal"]["rehearsed"] is False

    bank, _ = load_bank(example_bank_path())
    story = bank.story("pipeline-speed")
    recited = tmp_path / "recited.txt"
    recited.write_text(f"{story.situation} {story.action} {story.result}")
    code, out = retell(capsys, "--story", "pipeline-speed", "--angle", "business", "--answer", str(recited),
                       "--no-history")
    assert code == 0
    assert "TRY AGAIN" in out and "repeated: \"" in out and "word for word" in out
    assert "sounds REHEARSED" in out


def test_repeating_an_earlier_answer_from_the_store_is_caught(tmp_path: Path,
                                                               capsys: pytest.CaptureFixture[str]) -> None:
    from mockiv.store import Store

    earlier = PARAPHRASES["pipeline-speed"]
    with Store.open() as store:
        session = store.create_session("general")
        answer = store.begin_answer(session.id, question="Tell me about a process you improved.",
                                    kind="behavioral", record_audio=False)
        store.finish_answer(answer.id, transcript=Transcript.from_text(earlier))
    again = tmp_path / "again.txt"
    again.write_text(earlier)
    code, out = retell(capsys, "--story", "pipeline-speed", "--angle", "failure", "--answer", str(again), "--json")
    assert code == 0
    verdict = json.loads(out)
    assert verdict["rehearsal"]["rehearsed"] is True
    assert verdict["rehearsal"]["overlap"]["source"] == "answer"
    assert "Tell me about a process you improved." in verdict["rehearsal"]["overlap"]["label"]
    assert verdict["retelling"]["changed_angle"] is False


def test_unknown_story_is_one_line_and_exit_2(capsys: pytest.CaptureFixture[str]) -> None:
    code = main(["retell", "--bank", BANK, "--story", "no-such-story"])
    captured = capsys.readouterr()
    assert code == 2
    assert "no story 'no-such-story'" in captured.err and "Traceback" not in captured.err
