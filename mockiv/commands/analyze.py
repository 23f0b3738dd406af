"""`mockiv analyze FILE`: transcribe one spoken answer (or read a .txt transcript) and report on it."""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import numpy as np

from mockiv.core.transcript import Kind, Transcript
from mockiv.errors import UserInputError


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser(
        "analyze",
        help="analyse one answer: an audio file (wav, flac, ogg, mp3) or a .txt transcript",
        description="Transcribe a spoken answer offline and show its delivery metrics and findings.",
    )
    parser.add_argument("file", help="audio file (any rate, mono or stereo) or a .txt transcript")
    parser.add_argument("--question", default="", help="the question that was answered (helps infer its kind)")
    parser.add_argument("--kind", choices=[k.value for k in Kind], help="question kind (default: inferred)")
    parser.add_argument("--json", action="store_true", help="print one JSON object instead of the report")
    parser.add_argument("--story-bank", help="story bank to compare against for recitation (default: yours)")
    parser.add_argument("--no-history", action="store_true",
                        help="do not compare with your earlier answers (looking for a recited script) nor with "
                        "your baseline")
    add_model_arguments(parser)
    parser.set_defaults(func=run)


def add_model_arguments(parser: argparse.ArgumentParser) -> None:
    group = parser.add_argument_group("speech recognition")
    group.add_argument("--model", help="CTranslate2 Whisper model: a directory, or a name under models/ "
                       "(default: models/ if it holds one, else the embedded tiny.en)")
    group.add_argument("--allow-download", action="store_true",
                       help="allow fetching --model NAME from the Hugging Face hub (the only network use)")
    group.add_argument("--beam-size", type=int, default=1, help="beam size for decoding (default 1: fastest)")
    group.add_argument("--no-filler-prompt", action="store_true",
                       help="decode without the prompt that keeps 'um' and 'uh' (Whisper then drops most fillers)")


def load_transcript(args: argparse.Namespace) -> tuple[Transcript, dict[str, object], np.ndarray | None]:
    from mockiv.engine.session import TEXT_SUFFIXES, read_transcript

    path = Path(args.file)
    if path.suffix.lower() in TEXT_SUFFIXES:
        return Transcript.from_text(read_transcript(path)), {"source": "text"}, None
    from mockiv.asr import DecodeOptions, load_transcriber
    from mockiv.audio.files import load_audio

    if args.beam_size < 1 or args.beam_size > 10:
        raise UserInputError("--beam-size must be between 1 and 10")
    audio = load_audio(path)  # fail on bad audio before paying for the model load
    options = DecodeOptions(beam_size=args.beam_size, keep_fillers=not args.no_filler_prompt)
    transcriber = load_transcriber(args.model, args.allow_download, options)
    transcript = transcriber.transcribe(audio)
    return transcript, {"source": "audio", "model": transcriber.model_name}, audio


def run(args: argparse.Namespace) -> int:
    from mockiv.baseline import stored_baseline
    from mockiv.engine.analysis import Analyzer
    from mockiv.recitation_context import recitation_references

    transcript, meta, audio = load_transcript(args)
    # The story bank and earlier answers let the `rehearsed` rule hear a recited script; pitch, a monotone.
    references = recitation_references(args.story_bank, earlier_answers=not args.no_history)
    analysis = Analyzer(baseline=None if args.no_history else stored_baseline()).analyze(
        transcript, args.question, args.kind, metadata=meta, references=references, audio=audio)
    if args.json:
        json.dump(analysis.to_dict(), sys.stdout, indent=2)
        sys.stdout.write("\n")
    else:
        from mockiv.present import render_analysis

        render_analysis(analysis)
    return 0
