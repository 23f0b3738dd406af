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
from mockiv.commands.app import add_session_arguments, session_settings
from mockiv.commands.voices import add_voice_arguments, voice_settings
from mockiv.core.transcript import Transcript
from mockiv.engine.prompts import Prompt
from mockiv.engine.session import TEXT_SUFFIXES, AnswerOutcome, Engine, EngineEvents
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
    parser.add_argument("--limit", type=int, help="ask only the first N questions")
    add_session_arguments(parser)
    parser.add_argument("--json", action="store_true",
                        help="print one JSON object with every answer's analysis at the end, instead of reports")
    add_voice_arguments(parser)
    add_model_arguments(parser)
    parser.set_defaults(func=run)


class PlainView(EngineEvents):
    """The engine's events as plain lines: readable in a terminal, a log, or a screen reader."""

    def __init__(self, out: Any, interactive: bool, quiet: bool) -> None:
        self.out = out
        self.interactive = interactive
        self.quiet = quiet
        self._shown_words = 0

    def _print(self, text: str = "") -> None:
        if not self.quiet:
            print(text, file=self.out, flush=True)

    def question(self, prompt: Prompt, number: int, total: int) -> None:
        self._print()
        if prompt.is_follow_up:
            self._print(f"Follow-up: {prompt.text}")
        else:
            self._print(f"Question {number}/{total} ({prompt.kind}, {prompt.time_budget_s} s): {prompt.text}")

    def speaking(self, attempt: int, prompt: Prompt) -> None:
        if self.interactive:
            self._print("  (speaking; Enter skips)")

    def listening(self, attempt: int, prompt: Prompt) -> None:
        self._shown_words = 0
        how = "Enter, or " if self.interactive else ""
        self._print(f"● Recording: answer aloud. It ends after {how}a pause of a few seconds.")

    def partial_transcript(self, attempt: int, transcript: Transcript) -> None:
        words = transcript.words[self._shown_words:]
        if words:
            self._shown_words = len(transcript.words)
            self._print("  … " + " ".join(w.text for w in words))

    def answered(self, outcome: AnswerOutcome) -> None:
        if self.quiet:
            return
        from rich.console import Console

        from mockiv.present import render_analysis

        self._print()
        render_analysis(outcome.result, Console(file=self.out, highlight=False))
        if outcome.findings_latency_s is not None and outcome.result.source == "microphone":
            self._print(f"(feedback ready {outcome.findings_latency_s:.2f} s after the answer ended; "
                        f"ended by {outcome.stop_reason}; recording: {outcome.result.audio_path})")

    def failed(self, attempt: int, prompt: Prompt, line: str) -> None:
        self.notice(line)

    def notice(self, line: str) -> None:
        # With --json, stdout is for the JSON only; sys.__stderr__ is the terminal even while fd 2 goes to the log.
        print(f"mockiv: {line}", file=self.out if not self.quiet else (sys.__stderr__ or sys.stderr), flush=True)


def _keys(engine: Engine) -> None:
    """Enter skips the voice or ends the answer. Only in a terminal: a script's stdin is never read."""
    for _line in sys.stdin:
        engine.press()


def run(args: argparse.Namespace) -> int:
    interactive = sys.stdin.isatty() and sys.stdout.isatty()
    if args.limit is not None and args.limit < 1:
        raise UserInputError("--limit must be at least 1")
    listen = session_settings(args)
    if not args.no_tui and interactive and not args.answers and not args.json:
        from mockiv.commands import app

        # The same session in the app: every listening option goes with it.
        return app.run(argparse.Namespace(**vars(args), no_mic=False))
    from mockiv.engine.analysis import Analyzer
    from mockiv.engine.listening import real_microphone
    from mockiv.engine.model import ModelHolder
    from mockiv.engine.prompts import prompts_from_pack
    from mockiv.engine.session import EngineSettings, Plan, check_answer_files, run_through
    from mockiv.packs import DEFAULT_PACK_ID, load_pack
    from mockiv.store import Store

    pack = load_pack(args.pack if args.pack is not None else DEFAULT_PACK_ID)  # --pack "" is a mistake, not the default
    plan = Plan(prompts_from_pack(pack, args.limit), follow_ups=args.follow_ups)
    answers = tuple(args.answers or ())
    if answers:
        check_answer_files(answers, plan.total, args.follow_ups)
    else:
        # No microphone is one line before anything is asked (pitfalls.md §2).
        from mockiv.audio.devices import resolve_input_device

        resolve_input_device(args.input_device)
    view = PlainView(sys.stdout, interactive, quiet=args.json)
    speaker = _make_speaker(args, view)

    def load_model() -> Any:
        from mockiv.asr import DecodeOptions, load_transcriber

        decode = DecodeOptions(beam_size=args.beam_size, keep_fillers=not args.no_filler_prompt)
        return load_transcriber(args.model, args.allow_download, decode)

    model = ModelHolder(load_model)
    if not answers or any(p.suffix.lower() not in TEXT_SUFFIXES for p in answers):
        # Loads while the first question is spoken.
        threading.Thread(target=model.load, name="mockiv-model-load", daemon=True).start()
    store = Store.open()
    from mockiv.baseline import current_baseline

    analyzer = Analyzer(baseline=current_baseline(store))  # delivery also against the candidate's own baseline
    # The rule engine compiles its phrase index on first use: do it while the first question is spoken.
    threading.Thread(target=analyzer.warm, name="mockiv-rules-warm-up", daemon=True).start()
    settings = EngineSettings(listen)
    engine = Engine(pack_id=pack.id, mode="practice", analyzer=analyzer, model=model, speaker=speaker,
                    store=store, microphone=None if answers else real_microphone(args.input_device),
                    settings=settings)
    engine.subscribe(view)
    try:
        if interactive and not answers:
            threading.Thread(target=_keys, args=(engine,), daemon=True).start()
        with _stderr_to_log():
            run_through(engine, plan, answers, on_question=view.question)
        from mockiv.debrief import check_lines, latest_check

        followed = latest_check(store)  # the newest debrief's plan, this session included
    finally:
        if speaker is not None:
            speaker.close()
        store.close()
    if args.json:
        json.dump({"pack": pack.id, "session_id": engine.session_id,
                   "answers": [o.to_dict() for o in engine.outcomes]}, sys.stdout, indent=2)
        sys.stdout.write("\n")
    else:
        print(f"\nSession saved ({len(engine.outcomes)} answers): mockiv sessions show {engine.session_id}")
        if followed is not None:
            print("\n".join(["", *check_lines(*followed)]))
    return 0


def _make_speaker(args: argparse.Namespace, view: PlainView) -> Any:
    from mockiv.speech import Speaker

    settings = voice_settings(args)
    return None if settings is None else Speaker(settings, on_notice=view.notice)


def _stderr_to_log() -> Any:
    """PortAudio and ALSA write to fd 2 (pitfalls.md §2): keep that chatter in a log, off the report."""
    from mockiv.commands.app import stderr_to_log

    return stderr_to_log(paths.sub_dir("logs") / "practice-stderr.log")
