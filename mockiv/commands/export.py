"""`mockiv export ID --format md|html|json [--out PATH]`: a session report to keep or send to a coach
(written by mockiv.export, which the app's History uses too)."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from mockiv.commands._store_cli import open_store
from mockiv.errors import UserInputError
from mockiv.export import FORMATS, atomic_write, check_target, render


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser("export", help="write a session report (Markdown, HTML with charts, JSON)",
                                   description="A report of one session: every answer, its transcript, delivery "
                                   "and findings with the exact words as evidence.")
    parser.add_argument("id", help="session id (or a unique prefix)")
    parser.add_argument("--format", choices=FORMATS, default="md", help="md (default), html or json")
    parser.add_argument("--out", metavar="PATH", help="file to write (default: standard output); a folder gets "
                        "mockiv-<id>.<format> inside it")
    parser.add_argument("--force", action="store_true", help="write over an existing file that is not an earlier "
                        "mockiv report (never over the session database, a recording, a device or a pipe)")
    parser.add_argument("--no-recordings", action="store_true",
                        help="HTML: leave the recordings out (a smaller file; findings are not linked to their moment)")
    parser.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    with open_store(reading=True) as store:
        detail = store.get_session(args.id)
        store_path, recordings_dir = store.path, store.recordings_dir
        baseline = store.latest_baseline()  # the charts draw the candidate's own band when there is one
    text = render(detail.to_dict(history=args.format == "json"), args.format, baseline,
                  recordings=not args.no_recordings)
    if not args.out:
        sys.stdout.write(text)
        return 0
    target = Path(args.out).expanduser()
    if target.is_dir():
        target = target / f"mockiv-{detail.session.id[:8]}.{args.format}"
    if not target.parent.is_dir():
        raise UserInputError(f"cannot write {target}: the folder {target.parent} does not exist")
    check_target(target, store_path, recordings_dir, force=args.force)
    atomic_write(target, text)
    print(f"Wrote {target}", file=sys.stderr)
    return 0
