"""`mockiv baseline`: measure the candidate's own relaxed delivery (a passage read aloud, one easy question), so
later findings also say where an answer sits against their own band. `--show` prints the one in use; running it
again redoes it (the newest is used; older ones stay in the store)."""

from __future__ import annotations

import argparse
import json
import sys
import threading
from pathlib import Path
from typing import Any

from mockiv.commands.analyze import add_model_arguments
from mockiv.commands.app import add_session_arguments, session_settings
from mockiv.commands.practice import PlainView
from mockiv.commands.voices import add_voice_arguments


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser(
        "baseline",
        help="measure your own relaxed pace, pauses, fillers and pitch range (redo it any time)",
        description="Calibrate mockiv to you: read a short passage aloud, then answer one easy question. mockiv "
        "keeps your own pace, pause, filler and pitch-range norms, and from then on says where each answer sits "
        "against them as well as against the general band. Run it again to redo it.",
    )
    parser.add_argument("--show", action="store_true", help="print the baseline in use and measure nothing")
    parser.add_argument("--answers", nargs=2, metavar=("PASSAGE", "ANSWER"), type=Path,
                        help="recordings of the passage read aloud and of the easy answer (wav, flac, ogg, mp3), "
                        "instead of the microphone")
    parser.add_argument("--json", action="store_true", help="print the baseline as one JSON object")
    add_session_arguments(parser)
    add_voice_arguments(parser)
    add_model_arguments(parser)
    parser.set_defaults(func=run)


def _print_baseline(baseline: Any, as_json: bool) -> None:
    from mockiv.baseline import describe

    if as_json:
        json.dump(baseline.to_dict(), sys.stdout, indent=2)
        sys.stdout.write("\n")
        return
    from mockiv.present import local_time

    print(f"Your baseline (measured {local_time(baseline.measured_at)}, {baseline.speaking_s:.0f} s of speech):")
    for line in describe(baseline):
        print(f"  {line}")


def run(args: argparse.Namespace) -> int:
    from mockiv.baseline import calibration_plan, measure_results
    from mockiv.commands._store_cli import open_store
    from mockiv.core.baseline import Baseline
    from mockiv.store.store import now_iso

    if args.show:
        with open_store() as store:
            stored = store.latest_baseline()
        if stored is None:
            print("No baseline yet: run `mockiv baseline` to read a short passage and answer one easy question.")
            return 0
        _print_baseline(Baseline.from_dict(stored), args.json)
        return 0
    listen = session_settings(args)
    answers = tuple(args.answers or ())
    from mockiv.engine.session import check_answer_files

    plan = calibration_plan()
    if answers:
        check_answer_files(answers, plan.total, 0)
    else:
        from mockiv.audio.devices import resolve_input_device

        resolve_input_device(args.input_device)  # no microphone: one line before anything is asked
    outcomes = _calibrate(args, plan, answers, listen, quiet=args.json)
    baseline = measure_results([o.result for o in outcomes], now_iso())
    with open_store() as store:
        store.save_baseline(baseline)
    if not args.json:
        print()
    _print_baseline(baseline, args.json)
    if not args.json:
        print("From now on, feedback on delivery also compares each answer with this baseline. "
              "Redo it any time with `mockiv baseline`.")
    return 0


def _calibrate(args: argparse.Namespace, plan: Any, answers: tuple[Path, ...], listen: Any, quiet: bool) -> list[Any]:
    """The two calibration answers, through the practice engine (not kept as a practice session)."""
    from mockiv.baseline import PASSAGE_ID, passage
    from mockiv.commands.practice import _make_speaker, _stderr_to_log
    from mockiv.engine.analysis import Analyzer
    from mockiv.engine.listening import real_microphone
    from mockiv.engine.model import ModelHolder
    from mockiv.engine.session import Engine, EngineSettings, run_through

    interactive = sys.stdin.isatty() and sys.stdout.isatty()
    view = _BaselineView(sys.stdout, interactive, quiet)
    speaker = _make_speaker(args, view)

    def load_model() -> Any:
        from mockiv.asr import DecodeOptions, load_transcriber

        decode = DecodeOptions(beam_size=args.beam_size, keep_fillers=not args.no_filler_prompt)
        return load_transcriber(args.model, args.allow_download, decode)

    model = ModelHolder(load_model)
    threading.Thread(target=model.load, name="mockiv-model-load", daemon=True).start()
    engine = Engine(pack_id="baseline", mode="baseline", analyzer=Analyzer(), model=model, speaker=speaker,
                    store=None, microphone=None if answers else real_microphone(args.input_device),
                    settings=EngineSettings(listen))
    engine.subscribe(view)

    def on_question(prompt: Any, number: int, total: int) -> None:
        view.question(prompt, number, total)
        if prompt.question_id == PASSAGE_ID:
            view.show_passage(passage())

    try:
        if interactive and not answers:
            from mockiv.commands.practice import _keys

            threading.Thread(target=_keys, args=(engine,), daemon=True).start()
        with _stderr_to_log():
            run_through(engine, plan, answers, on_question=on_question)
    finally:
        if speaker is not None:
            speaker.close()
    return list(engine.outcomes)


class _BaselineView(PlainView):
    """The practice terminal's view, with the passage shown and no findings after each calibration answer."""

    def show_passage(self, text: str) -> None:
        import textwrap

        self._print()
        for line in textwrap.wrap(text, 76):
            self._print(f"  {line}")
        self._print()

    def answered(self, outcome: Any) -> None:
        metrics = outcome.result.metrics
        if metrics.wpm is not None:
            self._print(f"  heard {metrics.word_count} words in {metrics.speaking_time_s:.0f} s "
                        f"({metrics.wpm:.0f} WPM)")
