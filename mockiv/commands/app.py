"""`mockiv app` (and plain `mockiv`): the interview in a Textual app, on the default pack."""

from __future__ import annotations

import argparse
import contextlib
import os
import sys
from collections.abc import Iterator
from pathlib import Path

from mockiv import paths
from mockiv.errors import EXIT_USAGE


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser(
        "app",
        help="practise in the interview app (the default when no command is given)",
        description="Open the interview app: practice with feedback after each answer, or a timed rehearsal of "
                    "the whole pack; history, replay and reports.",
    )
    parser.add_argument("--pack", help="question pack to start on (default: general)")
    parser.add_argument("--model", help="CTranslate2 Whisper model: a directory, or a name under models/ "
                        "(default: the embedded tiny.en)")
    parser.add_argument("--no-tts", action="store_true", help="show questions without speaking them")
    parser.add_argument("--no-mic", action="store_true", help="answer by typing or with an audio file")
    parser.set_defaults(func=run)


@contextlib.contextmanager
def stderr_to_log(log_path: Path) -> Iterator[None]:
    """Send fd 2 to a log while the app runs, so PortAudio/ALSA/espeak chatter cannot scribble over the screen.

    Textual draws on `sys.__stderr__`, so it gets a duplicate of the real terminal first (pitfalls.md §2).
    """
    sys.stderr.flush()
    terminal = os.dup(2)
    original = sys.__stderr__
    log_fd = os.open(log_path, os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o600)
    terminal_file = os.fdopen(terminal, "w", buffering=1, encoding="utf-8", errors="replace", closefd=False)
    sys.__stderr__ = terminal_file  # type: ignore[misc]
    os.dup2(log_fd, 2)
    os.close(log_fd)
    try:
        yield
    finally:
        terminal_file.flush()
        os.dup2(terminal, 2)
        os.close(terminal)
        sys.__stderr__ = original  # type: ignore[misc]


def run(args: argparse.Namespace) -> int:
    if not (sys.stdin.isatty() and sys.stdout.isatty()):
        print("mockiv: the app needs a terminal (stdin and stdout are not one); try `mockiv analyze FILE` or "
              "`mockiv --help`", file=sys.stderr)
        return EXIT_USAGE
    from mockiv.packs import DEFAULT_PACK_ID, load_pack

    pack_id = args.pack or DEFAULT_PACK_ID
    load_pack(pack_id)  # a bad --pack is a one-line usage error before the screen opens
    log_path = paths.sub_dir("logs") / "app-stderr.log"
    with stderr_to_log(log_path):
        from mockiv.tui.app import create_app
        from mockiv.tui.services import build_services

        services = build_services(model=args.model, tts=not args.no_tts, microphone=not args.no_mic)
        app = create_app(services, pack_id)
        try:
            app.run()
        finally:
            services.close()
    return int(app.return_code or 0)
