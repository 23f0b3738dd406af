"""`mockiv app` (and plain `mockiv`): the interview in a Textual app, on the default pack."""

from __future__ import annotations

import argparse
import contextlib
import os
import sys
from collections.abc import Iterator
from pathlib import Path

from mockiv import paths
from mockiv.engine.listening import ListenSettings
from mockiv.errors import EXIT_USAGE, UserInputError


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
    parser.add_argument("--no-mic", action="store_true", help="answer by typing or with an audio file")
    add_session_arguments(parser)
    from mockiv.commands.voices import add_voice_arguments

    add_voice_arguments(parser)
    parser.set_defaults(func=run)


def add_session_arguments(parser: argparse.ArgumentParser) -> None:
    """How a session listens and follows up: the same options for the app and `practice --no-tui`."""
    parser.add_argument("--input-device", help="microphone: index or part of the name (see `mockiv devices`)")
    parser.add_argument("--follow-ups", type=int, default=0, metavar="N",
                        help="after each answer, ask up to N follow-up questions (default 0)")
    parser.add_argument("--end-silence", type=float, default=2.5, metavar="SECONDS",
                        help="an answer ends after this much silence once you have started (default 2.5)")
    parser.add_argument("--no-speech-timeout", type=float, default=15.0, metavar="SECONDS",
                        help="stop listening when nothing at all is heard for this long (default 15)")


def session_settings(args: argparse.Namespace) -> ListenSettings:
    """The listening settings of `add_session_arguments`, checked: a bad value is one line, exit 2."""
    if args.follow_ups < 0 or args.follow_ups > 8:
        raise UserInputError("--follow-ups must be between 0 and 8")
    if not 0.5 <= args.end_silence <= 30:
        raise UserInputError("--end-silence must be between 0.5 and 30 seconds")
    if not 1 <= args.no_speech_timeout <= 300:
        raise UserInputError("--no-speech-timeout must be between 1 and 300 seconds")
    return ListenSettings(end_silence_s=args.end_silence, no_speech_timeout_s=args.no_speech_timeout)


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

    pack_id = args.pack if args.pack is not None else DEFAULT_PACK_ID  # --pack "" is a mistake, not the default
    pack = load_pack(pack_id)  # a bad --pack is a one-line usage error before the screen opens
    listen = session_settings(args)
    from mockiv.commands.voices import voice_settings

    voice = voice_settings(args)
    log_path = paths.sub_dir("logs") / "app-stderr.log"
    with stderr_to_log(log_path):
        from mockiv.engine.prompts import prompts_from_pack
        from mockiv.tui.app import create_app
        from mockiv.tui.services import build_services

        services = build_services(model=args.model, tts=voice is not None, voice=voice, microphone=not args.no_mic,
                                  input_device=args.input_device, listen=listen, follow_ups=args.follow_ups)
        app = create_app(services, pack_id)
        prepare = getattr(services.speaker, "prepare", None)
        if callable(prepare) and pack.questions:
            # The first question's first words render while the home screen waits for a key (Engine.prepare).
            prepare(prompts_from_pack(pack, 1)[0].text)
        try:
            app.run()
        finally:
            services.close()
    return int(app.return_code or 0)
