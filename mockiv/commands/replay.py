"""`mockiv replay ID [--answer N] [--no-audio]`: hear an answer again while its transcript follows word by word.

Findings are marked where their evidence begins (`⚑rule-id`) and their words are bracketed, so the candidate
hears the exact moment an answer lost the interviewer. Fillers show in parentheses, long silences as `[1.4 s]`.
"""

from __future__ import annotations

import argparse
import sys
from typing import TextIO

from mockiv.commands._store_cli import open_store
from mockiv.core.answer_view import MarkedWord, mark_words
from mockiv.core.export_model import Follower
from mockiv.core.rules import rule_title
from mockiv.errors import AudioError
from mockiv.present import clock
from mockiv.store import AnswerRecord

_STYLE = {"major": "\033[1;31m", "moderate": "\033[33m", "minor": "\033[36m"}
_RESET = "\033[0m"


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser("replay", help="play a session's answers while the transcript follows",
                                   description="Play the recorded answers; the transcript appears word by word "
                                   "as it is heard, with findings marked where they occur.")
    parser.add_argument("id", help="session id (or a unique prefix)")
    parser.add_argument("--answer", type=int, metavar="N", help="only answer N (Q1 is 1)")
    parser.add_argument("--no-audio", action="store_true",
                        help="print the timed transcript with its findings instead of playing it")
    parser.add_argument("--device", help="output device (index or name, as `python -m sounddevice` lists them)")
    parser.set_defaults(func=run)


class WordPrinter:
    """Writes marked words as they become due, wrapping lines, in colour only on a terminal."""

    def __init__(self, out: TextIO, colour: bool, width: int = 88) -> None:
        self.out, self.colour, self.width = out, colour, width
        self.column = 0
        self.open_rules: tuple[str, ...] = ()

    def _emit(self, text: str, style: str = "") -> None:
        if self.column and self.column + len(text) + 1 > self.width:
            self.out.write("\n  ")
            self.column = 2
        elif self.column:
            self.out.write(" ")
            self.column += 1
        else:
            self.out.write("  ")
            self.column = 2
        self.out.write(f"{style}{text}{_RESET}" if style and self.colour else text)
        self.column += len(text)

    def word(self, word: MarkedWord) -> None:
        for rule in word.opens:
            self._emit(f"⚑{rule}", _STYLE.get(word.severity or "", ""))
        text = f"({word.text})" if word.filler else word.text
        inside = bool(word.rules)
        if inside and not self.open_rules:
            text = "[" + text
        self.open_rules = word.rules
        self._emit(text, _STYLE.get(word.severity or "", "") if inside else "")
        if word.pause_after_s is not None:
            self._emit(f"[{word.pause_after_s:.1f} s]", "\033[2m")
        self.out.flush()

    def close_span_if_needed(self, next_word: MarkedWord | None) -> None:
        if self.open_rules and (next_word is None or not next_word.rules):
            self.out.write("]")
            self.column += 1
            self.open_rules = ()

    def end(self) -> None:
        self.close_span_if_needed(None)
        self.out.write("\n")
        self.out.flush()
        self.column = 0


def print_words(words: list[MarkedWord], printer: WordPrinter) -> None:
    for i, word in enumerate(words):
        printer.word(word)
        printer.close_span_if_needed(words[i + 1] if i + 1 < len(words) else None)


def print_findings(answer: AnswerRecord, out: TextIO) -> None:
    latest = answer.latest
    if latest is None:
        return
    for finding in latest.findings:
        evidence = (finding.get("evidence") or [{}])[0]
        out.write(f"  ⚑{rule_title(finding['rule'])} at {clock(evidence.get('start'))} ({finding['severity']}): "
                  f"{finding.get('message', '')}\n")
        if finding.get("suggestion"):
            out.write(f"      try: {finding['suggestion']}\n")


def replay_answer(answer: AnswerRecord, *, audio: bool, device: int | str | None, out: TextIO) -> None:
    out.write(f"\nQ{answer.position}. {answer.question}\n")
    if answer.transcript is None:
        out.write("  (not transcribed yet: run `mockiv rescore` on this session)\n")
        return
    words = mark_words(answer.to_dict(history=False))
    printer = WordPrinter(out, colour=out.isatty())
    if not audio:
        out.write(f"  [{clock(words[0].start if words else None)}]\n")
        print_words(words, printer)
        printer.end()
        print_findings(answer, out)
        return
    from mockiv.audio.playback import play

    if answer.audio_path is None:
        raise AudioError(f"Q{answer.position} has no recording (typed answer); use --no-audio")
    follower = Follower(words)
    pending: list[MarkedWord] = []

    def follow(position: float) -> None:
        pending.extend(follower.due(position))
        # keep one word back so a finding's closing bracket lands after its last word
        while len(pending) > 1:
            word = pending.pop(0)
            printer.word(word)
            printer.close_span_if_needed(pending[0])

    play(answer.audio_path, follow, device=device)
    pending.extend(follower.rest())
    print_words(pending, printer)
    printer.end()
    print_findings(answer, out)


def run(args: argparse.Namespace) -> int:
    with open_store() as store:
        detail = store.get_session(args.id)
    answers = [detail.answer(args.answer)] if args.answer is not None else list(detail.answers)
    if not answers:
        print(f"Session {detail.session.id[:8]} has no answers.")
        return 0
    device = int(args.device) if args.device and args.device.isdigit() else args.device
    missing: dict[str, str] = {}
    if not args.no_audio:
        for answer in answers:
            if answer.audio_path is None:
                missing[answer.id] = "has no recording"
            elif not answer.audio_path.exists():
                missing[answer.id] = f"recording {answer.audio_path} is missing"
        if args.answer is not None and missing:
            raise AudioError(f"Q{answers[0].position}'s {missing[answers[0].id]}; use --no-audio to read its "
                             "transcript")
        if len(missing) < len(answers):
            from mockiv.audio.playback import check_output

            check_output(device)  # one line before anything plays, when there is nothing to play on
    for answer in answers:
        if answer.id in missing:
            print(f"mockiv: Q{answer.position}'s {missing[answer.id]}; showing its transcript without sound",
                  file=sys.stderr)
        replay_answer(answer, audio=not args.no_audio and answer.id not in missing, device=device, out=sys.stdout)
    return 1 if missing else 0
