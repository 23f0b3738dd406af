"""`mockiv redo SESSION ANSWER --finding RULE [--take FILE]`: record a new take of only the weak part of an answer
(the result with a number, the "I" in a "we" story, the lesson), hear the old part and the new one back to back,
and see what the answer's re-score changed.

Without --take the take is recorded from the microphone; --take reads an audio file or a .txt transcript, so a redo
works without one. The take is kept with the session (deleted with it); `--json` prints the outcome as one object.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Any

from mockiv.commands._store_cli import open_store, print_json
from mockiv.commands.analyze import add_model_arguments
from mockiv.core.rules import rule_title
from mockiv.errors import AudioError, UserInputError
from mockiv.present import clock


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser("redo", help="redo just the weak part of an answer and see what changed",
                                   description="Record a new take of the part of an answer a finding points at; "
                                   "the answer is re-scored with the take in place of that part.")
    parser.add_argument("id", help="session id (or a unique prefix)")
    parser.add_argument("answer", type=int, metavar="ANSWER", help="the answer's number (Q1 is 1)")
    parser.add_argument("--finding", required=True, metavar="RULE",
                        help="the finding to fix, by its id as `mockiv sessions show` and `mockiv rules` list them "
                        "(no-outcome, we-without-i, failure-no-lesson ...)")
    parser.add_argument("--take", type=Path, metavar="FILE",
                        help="the new take as an audio file or a .txt transcript (default: record it now)")
    parser.add_argument("--quote", type=int, metavar="N",
                        help="which of the finding's quotes to redo (default: its last, where the missing part goes)")
    parser.add_argument("--no-audio", action="store_true", help="do not play the old and the new part")
    parser.add_argument("--device", help="output device (index or name, as `python -m sounddevice` lists them)")
    parser.add_argument("--input-device", help="microphone (index or name, as `mockiv devices` lists them)")
    parser.add_argument("--json", action="store_true", help="print the outcome as one JSON object")
    add_model_arguments(parser)
    parser.set_defaults(func=run)


def _device(text: str | None) -> int | str | None:
    return int(text) if text and text.isdigit() else text


def _transcriber(args: argparse.Namespace) -> Any:
    from mockiv.asr import DecodeOptions, load_transcriber

    if args.beam_size < 1 or args.beam_size > 10:
        raise UserInputError("--beam-size must be between 1 and 10")
    return load_transcriber(args.model, args.allow_download,
                            DecodeOptions(beam_size=args.beam_size, keep_fillers=not args.no_filler_prompt))


def play_a_then_b(original: Path | None, from_s: float | None, to_s: float | None, take: Path | None,
                  device: int | str | None, say: Any) -> None:
    """The old part (from a little before it) and then the new take, back to back."""
    from mockiv.audio.playback import check_output, play

    check_output(device)
    if original is not None and from_s is not None:
        say(f"A: the part as you said it ({clock(from_s)}–{clock(to_s)})")
        play(original, start_s=from_s, end_s=to_s, device=device)
    if take is not None:
        say("B: the new take")
        play(take, device=device)


def run(args: argparse.Namespace) -> int:
    from mockiv.baseline import current_baseline
    from mockiv.engine.analysis import Analyzer
    from mockiv.engine.redo import RedoRun

    out = sys.stderr if args.json else sys.stdout

    def say(line: str) -> None:
        print(line, file=out, flush=True)

    if args.take is not None and not args.take.is_file():
        raise UserInputError(f"{args.take}: no such file")
    with open_store() as store:
        detail = store.get_session(args.id)
        answer = detail.answer(args.answer)
        redo = RedoRun.prepare(store, answer, args.finding, args.quote)
        say(f"Redo Q{answer.position} · {redo.title}")
        when = f" ({clock(redo.part.start_s)}–{clock(redo.part.end_s)})" if redo.part.start_s is not None else ""
        say(f"  The part{when}: “{redo.part.text}”")
        if redo.hint:
            say(f"  Try: {redo.hint}")
        if args.take is not None:
            take_id, words, take_audio = redo.from_file(args.take, lambda: _transcriber(args))
        else:
            from mockiv.audio.devices import resolve_input_device
            from mockiv.engine.listening import real_microphone

            try:  # no microphone: one line before anything is stored, with this command's way out
                resolve_input_device(_device(args.input_device))
            except AudioError as error:
                raise AudioError(f"{str(error).split(';')[0]}; give the take as a file instead with --take FILE "
                                 "(audio or a .txt transcript)") from error
            transcriber = _transcriber(args)
            say("  Recording the new take: say just this part; it ends after a silence (Ctrl-C cancels).")
            take_id, words, take_audio = redo.record(transcriber, real_microphone(_device(args.input_device)))
        analyzer = Analyzer(baseline=current_baseline(store))
        outcome = redo.apply(take_id, words, analyzer, take_audio)
    say(f"  New take: “{outcome.take.text}”")
    if not args.no_audio:
        original = answer.audio_path if answer.audio_path is not None and answer.audio_path.is_file() else None
        try:
            play_a_then_b(original, redo.original_from_s, redo.part.end_s, take_audio, _device(args.device), say)
        except AudioError as error:
            say(f"  (not played: {error})")
    if args.json:
        print_json(outcome.to_dict())
        return 0
    print_changes(outcome.changes, out)
    return 0


def print_changes(changes: Any, out: Any) -> None:
    if not changes.changed:
        print("No change: the same findings as before.", file=out)
    for mark, label, findings in (("✔", "Gone", changes.gone), ("▲", "New", changes.new)):
        for finding in findings:
            print(f"  {mark} {label}: {rule_title(str(finding['rule']))} — {finding.get('message', '')}", file=out)
    if changes.kept:
        print("  Still there: " + ", ".join(dict.fromkeys(rule_title(str(f["rule"])) for f in changes.kept)),
              file=out)
