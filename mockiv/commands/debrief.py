"""`mockiv debrief`: after a real interview, turn what you remember into a plan (seed 003's recovery routine).

The questions you were asked, optionally your answers as you remember them, your three wins and three growth
areas: from flags, from a TOML/JSON file (`--from`), or asked one by one in a terminal. mockiv scores the
remembered answers, proposes the growth areas its findings support, writes a personal pack with those questions
and keeps the plan, which `mockiv progress` checks after each practice session.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import Any

from mockiv.errors import UserInputError


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser(
        "debrief",
        help="after a real interview: score what you remember and build your own practice plan from it",
        description="Debrief a real interview: give the questions you were asked and, if you like, your answers as "
        "you remember them, then your three wins and three growth areas. mockiv scores the answers, proposes "
        "the growth areas they support, and writes a plan: a personal question pack, drills for the weak "
        "signals, and a check in `mockiv progress` after each session. Without --from or --question, in a "
        "terminal, it asks for each item in turn.",
    )
    parser.add_argument("--from", dest="source", metavar="FILE", type=Path,
                        help="the debrief as a .toml or .json file: title, date, [[questions]] with question and "
                        "answer, wins, growth")
    parser.add_argument("--question", action="append", default=[], metavar="TEXT",
                        help="a question you were asked (repeat for each)")
    parser.add_argument("--answer", action="append", default=[], metavar="TEXT",
                        help="your answer to the question of the same position, as you remember it (repeat; "
                        "'' for a question you skip); @FILE takes it from a recording of you saying it (wav, "
                        "flac, ogg, mp3: transcribed here) or a .txt file")
    parser.add_argument("--win", action="append", default=[], metavar="TEXT", help="something you did well (up to 3)")
    parser.add_argument("--growth", action="append", default=[], metavar="TEXT",
                        help="something to work on (up to 3)")
    parser.add_argument("--title", help="the interview, e.g. 'Acme, backend engineer'")
    parser.add_argument("--date", help="when it was, e.g. 2026-12-03")
    parser.add_argument("--pack-id", help="the personal pack's id (default: debrief-<date>)")
    parser.add_argument("--json", action="store_true", help="print the plan as one JSON object")
    parser.set_defaults(func=run)


def _from_flags(args: argparse.Namespace) -> dict[str, Any]:
    if len(args.answer) > len(args.question):
        raise UserInputError(f"{len(args.answer)} --answer for {len(args.question)} --question; give each answer "
                             "after its question")
    answers = [_answer_text(a) for a in args.answer] + [""] * (len(args.question) - len(args.answer))
    return {"title": args.title, "date": args.date, "wins": args.win, "growth": args.growth,
            "questions": [{"question": q, **({"answer": a} if a.strip() else {})}
                          for q, a in zip(args.question, answers, strict=True)]}


def _answer_text(answer: str) -> str:
    """An --answer as text: itself, or from @FILE (a transcript, or a recording transcribed by the speech model)."""
    if not answer.startswith("@"):
        return answer
    from mockiv.engine.session import TEXT_SUFFIXES, read_transcript

    path = Path(answer[1:]).expanduser()
    if not path.is_file():
        raise UserInputError(f"--answer {answer}: no such file")
    if path.suffix.lower() in TEXT_SUFFIXES:
        return read_transcript(path)
    from mockiv.asr import load_transcriber
    from mockiv.audio.files import load_audio

    audio = load_audio(path)  # a bad file is one line before the model loads
    return load_transcriber().transcribe(audio).text


def _ask(prompt: str) -> str:
    print(prompt, end="", flush=True)
    line = sys.stdin.readline()
    if not line:  # end of input: what was typed so far is the debrief
        raise EOFError
    return line.strip()


def _from_prompts(args: argparse.Namespace) -> dict[str, Any]:
    """Each item in turn; an empty line ends a list."""
    from mockiv.debrief import MAX_ITEMS, MAX_QUESTIONS

    print("Debrief: what you remember of the interview. An empty line ends each list.")
    value: dict[str, Any] = {"title": args.title or _ask("The interview (company, role; optional): ") or None,
                             "date": args.date or _ask("When was it (optional): ") or None,
                             "questions": [], "wins": [], "growth": []}
    try:
        while len(value["questions"]) < MAX_QUESTIONS:
            question = _ask(f"Question {len(value['questions']) + 1} you were asked: ")
            if not question:
                break
            answer = _ask("  How you answered, as you remember it (optional): ")
            value["questions"].append({"question": question, **({"answer": answer} if answer else {})})
        for key, label in (("wins", "Something you did well"), ("growth", "Something to work on")):
            while len(value[key]) < MAX_ITEMS:
                item = _ask(f"{label} ({len(value[key]) + 1}/{MAX_ITEMS}): ")
                if not item:
                    break
                value[key].append(item)
    except EOFError:
        print()
    return {k: v for k, v in value.items() if v is not None}


def run(args: argparse.Namespace) -> int:
    from mockiv.commands._store_cli import open_store
    from mockiv.debrief import check_pack_id, debrief_from, plan_lines, read_debrief_file, run_debrief
    from mockiv.engine.analysis import Analyzer
    from mockiv.store.store import now_iso

    if args.pack_id is not None:
        check_pack_id(args.pack_id)  # before anything is asked or scored

    if args.source is not None:
        if args.question or args.answer or args.win or args.growth:
            raise UserInputError("give the debrief either with --from FILE or with --question/--answer/--win/"
                                 "--growth, not both")
        debrief = read_debrief_file(args.source)
    elif args.question:
        debrief = debrief_from(_from_flags(args), "the command line")
    elif sys.stdin.isatty():
        debrief = debrief_from(_from_prompts(args), "what you typed")
    else:
        raise UserInputError("no questions: give --question TEXT (once per question) or --from FILE "
                             "(`mockiv debrief --help` shows the format)")
    with open_store() as store:
        debrief_plan, pack_id, path = run_debrief(debrief, Analyzer(), store, now_iso(), args.pack_id)
    if args.json:
        json.dump({"pack_id": pack_id, "pack_path": str(path), "debrief": debrief.to_dict(),
                   "plan": debrief_plan.to_dict()}, sys.stdout, indent=2, ensure_ascii=False)
        sys.stdout.write("\n")
        return 0
    print()
    for line in plan_lines(debrief_plan, pack_id, debrief.wins):
        print(line)
    return 0
