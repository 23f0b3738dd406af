"""`mockiv stories list|show|validate|coverage|init`: the candidate's STAR story bank and the signals it covers."""

from __future__ import annotations

import argparse
import json
import textwrap
from pathlib import Path
from typing import Any

from mockiv import stories
from mockiv.errors import EXIT_OK, EXIT_USAGE
from mockiv.packs import signals


def register(subparsers: Any) -> None:
    parser = subparsers.add_parser(
        "stories",
        help="your STAR story bank and the signals it proves",
        description="The story bank is a TOML file of your own 7–10 STAR stories, each mapped to the signals it "
        "proves (ownership, technical-depth, execution, leadership, business-impact, learning, curiosity). "
        "Default location: the 'stories' folder of the data directory; `mockiv stories init` starts one.",
    )
    actions = parser.add_subparsers(dest="stories_command", metavar="ACTION", required=True)

    def with_file(sub: argparse.ArgumentParser) -> argparse.ArgumentParser:
        sub.add_argument("--file", type=Path, help="a story bank file (default: the one in the data folder)")
        return sub

    list_parser = with_file(actions.add_parser("list", help="your stories and the signal coverage map"))
    list_parser.add_argument("--json", action="store_true", help="print JSON")
    list_parser.set_defaults(func=_list)

    show = with_file(actions.add_parser("show", help="one story in full, in STAR order"))
    show.add_argument("story", metavar="ID", help="the story's id (see `mockiv stories list`)")
    show.add_argument("--json", action="store_true", help="print JSON")
    show.set_defaults(func=_show)

    validate = with_file(actions.add_parser("validate", help="check a bank: problems, advice and coverage"))
    validate.add_argument("path", metavar="FILE", nargs="?", type=Path, help="same as --file")
    validate.set_defaults(func=_validate)

    coverage = with_file(actions.add_parser("coverage", help="which signals the bank proves and which it lacks"))
    coverage.add_argument("--json", action="store_true", help="print JSON")
    coverage.set_defaults(func=_coverage)

    init = with_file(actions.add_parser("init", help="start a bank from the example (never overwrites)"))
    init.set_defaults(func=_init)


def _print_coverage(cover: stories.Coverage) -> None:
    total = len(cover.by_signal)
    print(f"Signals covered: {len(cover.covered)} of {total}")
    width = max(len(signal) for signal in cover.by_signal)
    for signal, ids in cover.by_signal.items():
        if ids:
            print(f"  {signal:<{width}}  {len(ids)}  {', '.join(ids)}")
        else:
            print(f"  {signal:<{width}}  0  LACKING: {signals()[signal].how_to_show}")


def _list(args: argparse.Namespace) -> int:
    bank, path = stories.load_bank(args.file)
    cover = stories.coverage(bank)
    if args.json:
        print(json.dumps({"path": str(path), "stories": [s.model_dump(mode="json") for s in bank.stories],
                          "coverage": cover.to_dict(), "advice": stories.advice(bank)}, indent=2))
        return EXIT_OK
    print(f"{len(bank.stories)} stories in {path}\n")
    width = max(len(story.id) for story in bank.stories)
    for story in bank.stories:
        print(f"  {story.id:<{width}}  {story.title}  [{', '.join(story.signals)}]")
    print()
    _print_coverage(cover)
    return EXIT_OK


def _show(args: argparse.Namespace) -> int:
    bank, _path = stories.load_bank(args.file)
    story = bank.story(args.story)
    if args.json:
        print(json.dumps(story.model_dump(mode="json"), indent=2))
        return EXIT_OK
    print(f"{story.title}  [{story.id}]")
    print(f"Proves: {', '.join(story.signals)}\n")
    parts = [("Situation", story.situation), ("Task", story.task), ("Action", story.action),
             ("Result", story.result), ("Lesson", story.lesson)]
    for label, text in parts:
        if text:
            print(f"{label}:")
            print(textwrap.fill(text, width=100, initial_indent="  ", subsequent_indent="  "))
    return EXIT_OK


def _validate(args: argparse.Namespace) -> int:
    path = args.path or args.file
    problems = stories.validate_bank_file(path)
    if problems:
        for problem in problems:
            print(problem)
        return EXIT_USAGE
    bank, bank_path = stories.load_bank(path)
    print(f"{bank_path}: ok, {len(bank.stories)} stories")
    notes = stories.advice(bank)
    if notes:
        print("\nAdvice:")
        for note in notes:
            print(textwrap.fill(note, width=100, initial_indent="  - ", subsequent_indent="    "))
    print()
    _print_coverage(stories.coverage(bank))
    return EXIT_OK


def _coverage(args: argparse.Namespace) -> int:
    bank, _path = stories.load_bank(args.file)
    cover = stories.coverage(bank)
    if args.json:
        print(json.dumps(cover.to_dict(), indent=2))
    else:
        _print_coverage(cover)
    return EXIT_OK


def _init(args: argparse.Namespace) -> int:
    target = stories.init_bank(args.file)
    print(f"Started your story bank at {target} from the example. Replace each story with one of your own, "
          f"then run `mockiv stories validate`.")
    return EXIT_OK
