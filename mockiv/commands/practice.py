"""`mockiv practice`: a whole practice session. `--no-tui` runs it in the plain terminal: speaks each question,
records the spoken answer (or takes it from `--answers` files, for demos and scripts) and prints feedback per answer.
Without `--no-tui`, in a terminal, it opens the interview app."""

from __future__ import annotations

import argparse
import json
import sys
import threading
from pathlib import Path
from typing import Any

from mockiv import paths
from mockiv.commands.analyze import add_model_arguments
from mockiv.errors import UserInputError


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser(
        "practice",
        help="a practice session: questions spoken aloud, answers recorded, feedback after each",
        description="Practise a question pack: mockiv speaks each question, records your spoken answer until you "
        "stop (2.5 s of silence, Enter, or the question's time budget), transcribes it while you speak and shows "
        "where the answer loses the interviewer. Recordings and results stay on this machine.",
    )
    parser.add_argument("--no-tui", action="store_true", help="run in the plain terminal instead of the app")
    parser.add_argument("--pack", help="question pack id or path (default: general; see `mockiv packs list`)")
    parser.add_argument("--answers", nargs="+", metavar="FILE", type=Path,
                        help="take the answers from these files, one per question in order: audio (wav, flac, ogg, "
                        "mp3) or .txt transcripts; no microphone needed")
    parser.add_argument("--input-device", help="microphone: index or part of the name (see `mockiv devices`)")
    parser.add_argument("--limit", type=int, help="ask only the first N questions")
    parser.add_argument("--follow-ups", type=int, default=0, metavar="N",
                        help="after each answer, ask up to N follow-up questions (default 0)")
    parser.add_argument("--end-silence", type=float, default=2.5, metavar="SECONDS",
                        help="an answer ends after this much silence once you have started (default 2.5)")
    parser.add_argument("--no-speech-timeout", type=float, default=15.0, metavar="SECONDS",
                        help="stop listening when nothing at all is heard for this long (default 15)")
    parser.add_argument("--json", action="store_true",
                        help="print one JSON object with every answer's analysis at the end, instead of reports")
    voice = parser.add_argument_group("voice")
    voice.add_argument("--no-tts", action="store_true", help="show the questions without speaking them")
    voice.add_argument("--voice", default=None, help="espeak-ng voice name (default en-us)")
    voice.add_argument("--rate", type=int, default=None, help="speaking rate in words a minute (default 165)")
    voice.add_argument("--tts", choices=["auto", "pyttsx3", "espeak-ng"], default="auto",
                       help="speech engine: pyttsx3 with espeak-ng as fallback (auto), or one of them")
    add_model_arguments(parser)
    parser.set_defaults(func=run)


class PlainListener:
    """The practice loop's events as plain lines: readable in a terminal, a log, or a screen reader."""

    def __init__(self, out: Any, interactive: bool, quiet: bool) -> None:
        self.out = out
        self.interactive = interactive
        self.quiet = quiet
        self._shown_words = 0

    def _print(self, text: str = "") -> None:
        if not self.quiet:
            print(text, file=self.out, flush=True)

    def question(self, prompt: Any, number: int, total: int) -> None:
        budget = f", {prompt.time_budget_s:.0f} s" if prompt.time_budget_s else ""
        self._print()
        self._print(f"Question {number}/{total} ({prompt.kind}{budget}): {prompt.text}")

    def speaking(self, prompt: Any) -> None:
        if prompt.is_follow_up:
            self._print(f"Follow-up: {prompt.text}")
        if self.interactive:
            self._print("  (speaking; Enter skips)")

    def listening(self, prompt: Any, audio_path: Path | None) -> None:
        self._shown_words = 0
        how = "Enter, or " if self.interactive else ""
        self._print(f"● Recording: answer aloud. It ends after {how}a pause of a few seconds.")

    def level(self, rms: float) -> None:
        return None

    def partial_transcript(self, transcript: Any) -> None:
        words = transcript.words[self._shown_words:]
        if words:
            self._shown_words = len(transcript.words)
            self._print("  … " + " ".join(w.text for w in words))

    def transcribing(self, prompt: Any) -> None:
        return None

    def feedback(self, outcome: Any) -> None:
        if self.quiet or outcome.analysis is None:
            return
        from rich.console import Console

        from mockiv.render import render_analysis

        self._print()
        render_analysis(outcome.analysis, Console(file=self.out, highlight=False))
        if outcome.findings_latency_s is not None and outcome.source == "microphone":
            self._print(f"(feedback ready {outcome.findings_latency_s:.2f} s after the answer ended; "
                        f"ended by {outcome.stop_reason}; recording: {outcome.audio_path})")

    def notice(self, line: str) -> None:
        # With --json, stdout is for the JSON only; sys.__stderr__ is the terminal even while fd 2 goes to the log.
        print(f"mockiv: {line}", file=self.out if not self.quiet else (sys.__stderr__ or sys.stderr), flush=True)


def _keys(session: Any) -> None:
    """Enter skips the voice or ends the answer. Only in a terminal: a script's stdin is never read."""
    for _line in sys.stdin:
        session.press_key()


def run(args: argparse.Namespace) -> int:
    interactive = sys.stdin.isatty() and sys.stdout.isatty()
    if not args.no_tui and interactive and not args.answers and not args.json:
        from mockiv.commands import app

        return app.run(argparse.Namespace(pack=args.pack, model=args.model, no_tts=args.no_tts, no_mic=False))
    if args.limit is not None and args.limit < 1:
        raise UserInputError("--limit must be at least 1")
    if args.follow_ups < 0 or args.follow_ups > 8:
        raise UserInputError("--follow-ups must be between 0 and 8")
    if not 0.5 <= args.end_silence <= 30:
        raise UserInputError("--end-silence must be between 0.5 and 30 seconds")
    from mockiv.packs import DEFAULT_PACK_ID, load_pack
    from mockiv.practice import PracticeOptions, PracticeSession, open_store

    pack = load_pack(args.pack or DEFAULT_PACK_ID)
    options = PracticeOptions(
        input_device=args.input_device,
        end_silence_s=args.end_silence,
        no_speech_timeout_s=args.no_speech_timeout,
        follow_ups=args.follow_ups,
        limit=args.limit,
        answers=tuple(args.answers or ()),
    )
    listener = PlainListener(sys.stdout, interactive, quiet=args.json)
    speaker = _make_speaker(args, listener)

    def load_model() -> Any:
        from mockiv.asr import DecodeOptions, load_transcriber

        decode = DecodeOptions(beam_size=args.beam_size, keep_fillers=not args.no_filler_prompt)
        return load_transcriber(args.model, args.allow_download, decode)

    store = open_store()
    try:
        session = PracticeSession(pack, listener, speaker, load_model, options, store)
        if interactive:
            threading.Thread(target=_keys, args=(session,), daemon=True).start()
        with _stderr_to_log():
            outcomes = session.run()
    finally:
        if speaker is not None:
            speaker.close()
        store.close()
    if args.json:
        json.dump({"pack": pack.id, "session_id": session.session_id,
                   "answers": [o.to_dict() for o in outcomes]}, sys.stdout, indent=2)
        sys.stdout.write("\n")
    else:
        print(f"\nSession saved ({len(outcomes)} answers): mockiv sessions show {session.session_id}")
    return 0


def _make_speaker(args: argparse.Namespace, listener: PlainListener) -> Any:
    from mockiv.speech import DEFAULT_RATE_WPM, DEFAULT_VOICE, Speaker, VoiceSettings

    if args.no_tts:
        return None
    try:
        settings = VoiceSettings(args.voice or DEFAULT_VOICE, args.rate or DEFAULT_RATE_WPM, args.tts)
    except ValueError as error:
        raise UserInputError(str(error)) from error
    return Speaker(settings, on_notice=listener.notice)


def _stderr_to_log() -> Any:
    """PortAudio and ALSA write to fd 2 (pitfalls.md §2): keep that chatter in a log, off the report."""
    from mockiv.commands.app import stderr_to_log

    return stderr_to_log(paths.sub_dir("logs") / "practice-stderr.log")
