"""`mockiv analyze` end to end: the JSON contract, human output, and one clear line for every bad input."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from mockiv.cli import main
from tests.support.speech_fixtures import DISFLUENT, synthesize

WEAK_ANSWER = (
    "We migrated the platform to Kubernetes and we improved the automation. We handled governance and we "
    "managed the deployments. The team was happy with it."
)


def run_cli(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "mockiv.cli", *args], capture_output=True, text=True, timeout=300)


def test_text_transcript_json_contract(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    answer = tmp_path / "answer.txt"
    answer.write_text(WEAK_ANSWER)
    code = main(["analyze", str(answer), "--question", "Tell me about a project you led.", "--json"])
    assert code == 0
    data = json.loads(capsys.readouterr().out)
    assert {"transcript", "metrics", "findings", "rules_version", "kind"} <= data.keys()
    assert data["metrics"]["timed"] is False and data["metrics"]["wpm"] is None
    rules = {f["rule"] for f in data["findings"]}
    assert "we-without-i" in rules
    finding = next(f for f in data["findings"] if f["rule"] == "we-without-i")
    assert {"rule", "severity", "message", "evidence", "suggestion"} <= finding.keys()
    span = finding["evidence"][0]
    words = data["transcript"]["words"]
    quoted = " ".join(w["text"] for w in words[span["start_index"]:span["end_index"]])
    assert quoted == span["text"]


@pytest.mark.model
def test_audio_answer_json_has_timed_words_and_fillers(speech_dir: Path, capsys: pytest.CaptureFixture[str]) -> None:
    wav = synthesize(DISFLUENT[0], speech_dir)
    assert main(["analyze", str(wav), "--json"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert data["transcript"]["timed"] is True
    assert data["metrics"]["wpm"] > 0
    hesitations = [d for d in data["metrics"]["disfluencies"] if d["category"] == "hesitation"]
    assert hesitations and all(d["start"] is not None for d in hesitations)
    assert data["model"].startswith("tiny.en")


def test_human_output_highlights_and_explains(tmp_path: Path) -> None:
    answer = tmp_path / "answer.txt"
    answer.write_text(WEAK_ANSWER)
    result = run_cli("analyze", str(answer), "--question", "Tell me about a project you led.")
    assert result.returncode == 0, result.stderr
    assert "Transcript" in result.stdout and "Only “we”, never “I”" in result.stdout
    assert "Timing" in result.stdout and "unavailable" in result.stdout
    assert "\x1b[" not in result.stdout  # no colour codes when piped


@pytest.mark.parametrize(
    "content, name, message",
    [
        (None, "missing.wav", "no such file"),
        (b"", "empty.wav", "empty"),
        (b"RIFF\x10\x00\x00\x00WAVEjunk" + bytes(range(256)) * 10, "corrupt.wav", "cannot decode"),
        (b"   \n", "blank.txt", "transcript is empty"),
        (b"\xff\xfe\xfa", "latin.txt", "not UTF-8"),
    ],
    ids=["missing", "empty", "corrupt", "blank-text", "not-utf8"],
)
def test_bad_input_gets_one_line_and_exit_2(tmp_path: Path, content: bytes | None, name: str, message: str) -> None:
    path = tmp_path / name
    if content is not None:
        path.write_bytes(content)
    result = run_cli("analyze", str(path))
    assert result.returncode == 2
    assert message in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1, result.stderr
    assert "Traceback" not in result.stderr


def test_missing_model_gets_one_line(tmp_path: Path, speech_dir: Path) -> None:
    wav = synthesize(DISFLUENT[1], speech_dir)
    result = run_cli("analyze", str(wav), "--model", str(tmp_path / "no-such-model"))
    assert result.returncode == 2
    assert "--model" in result.stderr and len(result.stderr.strip().splitlines()) == 1
    result = run_cli("analyze", str(wav), "--model", "large-v3")
    assert result.returncode == 2 and "--allow-download" in result.stderr


def test_bad_kind_is_a_usage_error(tmp_path: Path) -> None:
    answer = tmp_path / "a.txt"
    answer.write_text("I did it.")
    result = run_cli("analyze", str(answer), "--kind", "poetry")
    assert result.returncode == 2 and "invalid choice" in result.stderr


def test_a_recited_bank_story_is_heard_as_rehearsed(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    from mockiv.stories import example_bank_path, load_bank
    from tests.support.recitation_fixtures import recitation_text

    bank = load_bank(example_bank_path())[0]
    story = bank.stories[0]
    parts = {k: v for k, v in story.model_dump().items() if isinstance(v, str)}
    recited = tmp_path / "recited.txt"
    recited.write_text(recitation_text(parts))
    args = ["analyze", str(recited), "--question", "Tell me about a time you led a change.", "--json",
            "--story-bank", str(example_bank_path())]
    assert main(args) == 0
    findings = json.loads(capsys.readouterr().out)["findings"]
    rehearsed = next(f for f in findings if f["rule"] == "rehearsed")
    assert rehearsed["evidence"], "the repeated passage must be quoted"
    retold = tmp_path / "retold.txt"
    retold.write_text("So, um, the thing I remember most is, uh, how I got people to agree. I spoke to each lead "
                      "on their own first and, you know, I asked what worried them before I showed any plan.")
    assert main([*args[:1], str(retold), *args[2:]]) == 0
    assert "rehearsed" not in {f["rule"] for f in json.loads(capsys.readouterr().out)["findings"]}
