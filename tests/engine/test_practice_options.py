"""`mockiv practice` in a terminal opens the app with every listening option it was given."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Any

import pytest

from mockiv.cli import main


def test_practice_hands_its_options_to_the_app(private_home: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    seen: list[argparse.Namespace] = []

    def app_run(args: argparse.Namespace) -> int:
        seen.append(args)
        return 0

    monkeypatch.setattr("mockiv.commands.app.run", app_run)
    for stream in (sys.stdin, sys.stdout):
        monkeypatch.setattr(stream, "isatty", lambda: True)
    assert main(["practice", "--pack", "general", "--end-silence", "4", "--follow-ups", "2",
                 "--input-device", "USB mic", "--no-speech-timeout", "20", "--no-tts"]) == 0
    [args] = seen
    assert (args.pack, args.end_silence, args.follow_ups, args.input_device, args.no_speech_timeout, args.no_tts,
            args.no_mic) == ("general", 4.0, 2, "USB mic", 20.0, True, False)


@pytest.mark.parametrize(("option", "value"), [("--end-silence", "0.1"), ("--follow-ups", "9"),
                                               ("--no-speech-timeout", "0")])
def test_a_bad_listening_option_is_one_line_before_the_app_opens(
        private_home: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str], option: str,
        value: str) -> None:
    opened: list[Any] = []
    monkeypatch.setattr("mockiv.commands.app.run", opened.append)
    for stream in (sys.stdin, sys.stdout):
        monkeypatch.setattr(stream, "isatty", lambda: True)
    assert main(["practice", option, value]) == 2
    assert opened == [] and capsys.readouterr().err.count("\n") == 1
