"""`mockiv packs list|show|validate|schema`: the question packs a candidate practises with."""

from __future__ import annotations

import argparse
import json
import textwrap
from typing import Any

from mockiv import packs
from mockiv.errors import EXIT_OK, EXIT_USAGE, UserInputError


def register(subparsers: Any) -> None:
    parser = subparsers.add_parser(
        "packs",
        help="list, show and validate question packs",
        description="Question packs are TOML files of interview questions. Shipped packs live in question_packs/; "
        "your own go in the 'packs' folder of the data directory (question_packs/README.md documents the format).",
    )
    actions = parser.add_subparsers(dest="packs_command", metavar="ACTION", required=True)

    list_parser = actions.add_parser("list", help="every pack, shipped and yours")
    list_parser.add_argument("--json", action="store_true", help="print JSON instead of a table")
    list_parser.set_defaults(func=_list)

    show = actions.add_parser("show", help="a pack's questions, follow-ups and time budgets")
    show.add_argument("pack", metavar="ID", help="a pack id (see `mockiv packs list`) or a path to a .toml file")
    show.add_argument("--json", action="store_true", help="print JSON")
    show.set_defaults(func=_show)

    validate = actions.add_parser("validate", help="check pack files; one line per problem")
    validate.add_argument("files", metavar="FILE", nargs="+", help="a .toml pack file, or a pack id")
    validate.set_defaults(func=_validate)

    schema = actions.add_parser("schema", help="the JSON schema of the pack format, for editors")
    schema.set_defaults(func=_schema)


def _list(args: argparse.Namespace) -> int:
    infos = packs.list_packs()
    if args.json:
        print(json.dumps([info.to_dict() for info in infos], indent=2))
        return EXIT_OK
    width = max([len(info.id) for info in infos] + [4])
    print(f"{'ID':<{width}}  {'QUESTIONS':>9}  {'SOURCE':<8}  TITLE")
    for info in infos:
        marker = " (default)" if info.id == packs.DEFAULT_PACK_ID else ""
        if info.replaces_shipped:
            marker += " (replaces the shipped pack)"
        if info.valid:
            print(f"{info.id:<{width}}  {info.question_count:>9}  {info.source:<8}  {info.title}{marker}")
        else:
            print(f"{info.id:<{width}}  {'-':>9}  {info.source:<8}  INVALID: {len(info.problems)} problem(s); "
                  f"run `mockiv packs validate {info.path}`")
    print(f"\nYour own packs: {packs.user_dir()} (a file named <id>.toml; `mockiv packs validate FILE` checks it)")
    return EXIT_OK


def _show(args: argparse.Namespace) -> int:
    path, source = packs.resolve_pack(args.pack)
    pack = packs.read_pack_file(path)
    if args.json:
        print(json.dumps({**pack.model_dump(mode="json"), "source": source, "path": str(path),
                          "total_time_s": pack.total_time_s}, indent=2))
        return EXIT_OK
    print(f"{pack.title}  [{pack.id}, {source}]")
    print(f"For: {pack.target_role}")
    print(textwrap.fill(pack.description, width=100))
    print(f"{len(pack.questions)} questions, about {round(pack.total_time_s / 60)} minutes with thinking time.\n")
    for number, question in enumerate(pack.questions, start=1):
        think = f", think {question.thinking_time_s} s" if question.thinking_time_s else ""
        print(f"{number:>2}. [{question.kind} · {question.signal} · {question.time_budget_s} s{think}] "
              f"({question.id})")
        print(textwrap.fill(question.text, width=100, initial_indent="    ", subsequent_indent="    "))
        if question.listen_for:
            print(textwrap.fill(f"What they listen for: {question.listen_for}", width=100, initial_indent="    ",
                                subsequent_indent="      "))
        for follow_up in question.follow_ups:
            print(textwrap.fill(f"- {follow_up}", width=100, initial_indent="      ", subsequent_indent="        "))
        print()
    return EXIT_OK


def _validate(args: argparse.Namespace) -> int:
    failed = 0
    for name in args.files:
        try:
            path, _source = packs.resolve_pack(name)
        except UserInputError as error:
            print(error)
            failed += 1
            continue
        problems = packs.validate_pack_file(path)
        for problem in problems:
            print(problem)
        if problems:
            failed += 1
        else:
            print(f"{path}: ok")
    return EXIT_USAGE if failed else EXIT_OK


def _schema(args: argparse.Namespace) -> int:
    print(json.dumps(packs.pack_json_schema(), indent=2))
    return EXIT_OK
