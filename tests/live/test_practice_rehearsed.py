"""The practice loop hears a recited bank story: the rehearsed rule gets the bank and earlier answers."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from mockiv.cli import main


def test_reciting_a_bank_story_in_practice_is_flagged(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    from mockiv.stories import example_bank_path, load_bank
    from tests.support.recitation_fixtures import recitation_text

    assert main(["stories", "init"]) == 0
    story = load_bank(example_bank_path())[0].stories[0]
    recited = tmp_path / "recited.txt"
    recited.write_text(recitation_text({k: v for k, v in story.model_dump().items() if isinstance(v, str)}))
    capsys.readouterr()
    assert main(["practice", "--no-tui", "--no-tts", "--pack", "general", "--answers", str(recited),
                 "--limit", "1", "--json"]) == 0
    answer = json.loads(capsys.readouterr().out)["answers"][0]
    assert "rehearsed" in {f["rule"] for f in answer["analysis"]["findings"]}
