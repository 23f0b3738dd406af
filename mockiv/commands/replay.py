"""`mockiv replay ID [--answer N [--finding RULE]] [--no-audio]`: hear an answer again while its transcript follows
word by word.

Findings are marked where their evidence begins (`⚑rule-id`) and their words are bracketed, so the candidate
hears the exact moment an answer lost the interviewer. Fillers show in parentheses, long silences as `[1.4 s]`.
`--finding RULE` goes straight to that finding's moment: playback starts just before its evidence
(mockiv.core.moments) and the words follow from there.
"""

from __future__ import annotations

import argparse
import sys
from typing import TextIO

from mockiv.commands._store_cli import open_store
from mockiv.core.answer_view import MarkedWord, answer_view, mark_words
from mockiv.core.export_model import Follower
from mockiv.core.moments import Moment, moment_for_rule
from mockiv.core.rules import rule_title
from mockiv.errors import AudioError, UserInputError
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
    parser.add_argument("--finding", metavar="RULE", help="with --answer: start at this finding's moment, just "
                        "before its evidence (its id, as `mockiv sessions show` lists it)")
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


def finding_moment(answer: AnswerRecord, rule: str) -> Moment:
    """The moment of `rule`'s finding in the answer; one line when there is none to go to."""
    if answer.transcript is None or answer.latest is None:
        raise UserInputError(f"Q{answer.position} is not scored yet; run `mockiv rescore` on its session first")
    moment = moment_for_rule(answer_view(answer.to_dict(history=False)), rule)
    if moment is None:
        have = ", ".join(dict.fromkeys(str(f["rule"]) for f in answer.latest.findings)) or "none"
        raise UserInputError(f"Q{answer.position} has no finding {rule!r} with words to go to (its findings: {have})")
    return moment


def replay_answer(answer: AnswerRecord, *, audio: bool, device: int | str | None, out: TextIO,
                  moment: Moment | None = None) -> None:
    out.write(f"\nQ{answer.position}. {answer.question}\n")
    if answer.transcript is None:
        out.write("  (not transcribed yet: run `mockiv rescore` on this session)\n")
        return
    words = mark_words(answer.to_dict(history=False))
    from_s = moment.play_from_s if moment is not None else None
    if moment is not None:
        out.write(f"  ⚑ {moment.label} at {clock(moment.start_s)}" +
                  (f"; from {clock(from_s)}\n" if from_s is not None else "\n"))
        # the words from the moment on: those heard from a little before the evidence (or the evidence, untimed)
        words = [w for w in words if (w.start is not None and from_s is not None and w.start >= from_s)
                 or w.index >= moment.start_index]
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

    play(answer.audio_path, follow, device=device, start_s=from_s or 0.0)
    pending.extend(follower.rest())
    print_words(pending, printer)
    printer.end()
    print_findings(answer, out)


def run(args: argparse.Namespace) -> int:
    with open_store(reading=True) as store:
        detail = store.get_session(args.id)
    answers = [detail.answer(args.answer)] if args.answer is not None else list(detail.answers)
    if args.finding is not None and args.answer is None:
        raise UserInputError("--finding needs --answer N: the answer whose finding to go to")
    moment = finding_moment(answers[0], args.finding) if args.finding is not None else None
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
        replay_answer(answer, audio=not args.no_audio and answer.id not in missing, device=device, out=sys.stdout,
                      moment=moment)
    return 1 if missing else 0
