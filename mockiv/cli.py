"""The `mockiv` command. Subcommands live in mockiv/commands/<name>.py, each with `register(subparsers)`.

A handler returns an exit code. A MockivError becomes one line on stderr and its exit code; Ctrl-C is 130.
"""

from __future__ import annotations

import argparse
import difflib
import importlib
import os
import pkgutil
import re
import sys
from collections.abc import Sequence
from typing import NoReturn

from mockiv import __version__, commands, paths
from mockiv.errors import EXIT_INTERRUPTED, EXIT_USAGE, MockivError


class _Parser(argparse.ArgumentParser):
    """argparse, plus the closest command for a misspelt one (`mockiv analyse` -> analyze)."""

    def error(self, message: str) -> NoReturn:
        wrong = re.search(r"argument COMMAND: invalid choice: '([^']*)'", message)
        if wrong:
            commands = re.findall(r"'([^']*)'", message.split("choose from", 1)[-1])
            close = difflib.get_close_matches(wrong.group(1), commands, n=1, cutoff=0.6)
            hint = f"; did you mean `mockiv {close[0]}`?" if close else ""
            message = f"no command {wrong.group(1)!r}{hint} (`mockiv --help` lists them all)"
        super().error(message)


def build_parser() -> argparse.ArgumentParser:
    parser = _Parser(
        prog="mockiv",
        description="Voice mock-interview practice in the terminal: asks aloud, records, transcribes offline, "
        "and shows where an answer loses the interviewer.",
    )
    parser.add_argument("--version", action="version", version=f"mockiv {__version__}")
    parser.add_argument("--data-dir", help="where sessions and recordings live (default: MOCKIV_HOME or the "
                        "user data folder)")
    parser.add_argument("--debug", action="store_true", help="show tracebacks instead of one-line errors")
    subparsers = parser.add_subparsers(dest="command", metavar="COMMAND")
    for module_info in sorted(pkgutil.iter_modules(commands.__path__), key=lambda m: m.name):
        if module_info.name.startswith("_"):
            continue
        module = importlib.import_module(f"mockiv.commands.{module_info.name}")
        module.register(subparsers)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    # Offline by design: the Hugging Face hub library reads these at import time, so set them first.
    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    os.environ.setdefault("HF_HUB_DISABLE_TELEMETRY", "1")
    os.umask(0o077)  # recordings and the database are the user's alone
    parser = build_parser()
    args = parser.parse_args(argv)
    if args.command is None:
        args = parser.parse_args([*(argv or sys.argv[1:]), "app"])
    try:
        paths.set_data_dir(args.data_dir)
        return int(args.func(args) or 0)
    except MockivError as error:
        if args.debug:
            raise
        print(f"mockiv: {error}", file=sys.stderr)
        return error.exit_code
    except KeyboardInterrupt:
        print("mockiv: interrupted; nothing already recorded was lost.", file=sys.stderr)
        return EXIT_INTERRUPTED
    except BrokenPipeError:
        return 0
    except OSError as error:
        if args.debug:
            raise
        if isinstance(error, IsADirectoryError):
            print(f"mockiv: {error.filename or 'that path'}: is a folder, not a file", file=sys.stderr)
        elif error.errno == 28:
            print("mockiv: the disk is full; free some space and try again (nothing recorded was lost).",
                  file=sys.stderr)
        else:
            print(f"mockiv: {error.strerror or error}: {error.filename or ''}".rstrip(": "), file=sys.stderr)
        return EXIT_USAGE if isinstance(error, FileNotFoundError | PermissionError | IsADirectoryError
                                        | NotADirectoryError) else 1


if __name__ == "__main__":
    sys.exit(main())
