"""`mockiv rules [--json] [--kind KIND] [RULE]`: the rubric mockiv coaches with (--json keeps each rule's source
article, `seed`, for maintainers)."""

from __future__ import annotations

import argparse
import json
import sys
import textwrap
from typing import Any

from mockiv.errors import EXIT_OK, UserInputError

KINDS = ("intro", "behavioral", "failure", "technical", "motivation", "closing")


def register(subparsers: Any) -> None:
    parser = subparsers.add_parser(
        "rules",
        help="list the coaching rules (id, family, kinds, severity, why each costs you)",
        description="Every pattern mockiv flags, with the question kinds it applies to, how much it costs, "
        "why it costs you in an interview, and the follow-up an interviewer would ask.",
    )
    parser.add_argument("rule", nargs="?", metavar="RULE", help="show one rule in full (e.g. we-without-i)")
    parser.add_argument("--kind", choices=KINDS, help="only the rules that judge this kind of question")
    parser.add_argument("--json", action="store_true", help="print JSON (with rules_version)")
    parser.set_defaults(func=_run)


def _run(args: argparse.Namespace) -> int:
    from mockiv.core.rules import RULES_VERSION, catalog

    entries = catalog()
    if args.kind:
        entries = [e for e in entries if args.kind in e["kinds"]]
    if args.rule:
        entries = [e for e in entries if e["id"] == args.rule]
        if not entries:
            known = ", ".join(e["id"] for e in catalog())
            raise UserInputError(f"no rule named {args.rule!r}; known rules: {known}")
    if args.json:
        json.dump({"rules_version": RULES_VERSION, "rules": entries}, sys.stdout, indent=2, ensure_ascii=False)
        sys.stdout.write("\n")
        return EXIT_OK
    if args.rule:
        _print_full(entries[0])
        return EXIT_OK
    width = max(len(e["id"]) for e in entries) if entries else 10
    print(f"mockiv rules {RULES_VERSION} ({len(entries)} rules)")
    for e in entries:
        kinds = "all kinds" if len(e["kinds"]) == len(KINDS) else ", ".join(e["kinds"])
        print(f"{e['id']:<{width}}  {e['family']:<10} {e['severity']:<9} {kinds}")
        print(textwrap.fill(f"{e['message']} Why: {e['rationale']}.", 100,
                            initial_indent=" " * (width + 2), subsequent_indent=" " * (width + 2)))
    return EXIT_OK


def _print_full(e: dict[str, Any]) -> None:
    print(f"{e['id']}  ({e['family']}, {e['severity']}; kinds: {', '.join(e['kinds'])})")
    for label, key in (("Pattern", "message"), ("Why", "rationale"), ("Fix", "suggestion"),
                       ("Interviewer asks", "follow_up"), ("Practice", "practice")):
        print(textwrap.fill(f"{label}: {e[key]}", 100, subsequent_indent="  "))
    if e.get("params"):
        print("Thresholds: " + ", ".join(f"{k}={v}" for k, v in e["params"].items() if not isinstance(v, list)))
