"""`mockiv retell --story ID [--angle ANGLE] [--answer FILE]`: adaptive practice (seed 001, week 3).

"Don't memorize scripts. Practice telling the same story from different angles — technical depth vs.
business impact vs. leadership lessons." Without --answer, mockiv asks for one story of the bank from an
angle it does not already lean on (or the one you name). With --answer (a recording or a .txt transcript),
it checks that the retelling really moved to that angle, that it did not recite the written story or an
earlier answer word for word, and how it was delivered (pace, disfluency, pitch).
"""

from __future__ import annotations

import argparse
import json
import sys
import textwrap
from pathlib import Path
from typing import Any

from mockiv.commands.analyze import add_model_arguments, load_transcript
from mockiv.core import delivery
from mockiv.core.recitation import (
    ANGLES,
    Assessment,
    RetellingCheck,
    angle_label,
    angle_profile,
    angle_prompt,
    assess,
    retelling_check,
    tokenize,
    weakest_angle,
)
from mockiv.errors import EXIT_OK
from mockiv.recitation_context import earlier_answer_references, story_reference

WIDTH = 100


def register(subparsers: Any) -> None:
    parser = subparsers.add_parser(
        "retell",
        help="adaptive practice: tell a bank story again from another angle, checked for fresh words",
        description="Practise telling the same story from different angles (technical depth, "
        "business impact, leadership, failure) instead of memorising a script. Without --answer, mockiv asks "
        "for the story from an angle; with --answer, it checks the retelling.",
    )
    parser.add_argument("--story", required=True, metavar="ID", help="the story's id (see `mockiv stories list`)")
    parser.add_argument("--angle", choices=ANGLES,
                        help="the angle to tell it from (default: the one the written story says least about)")
    parser.add_argument("--answer", type=Path, metavar="FILE",
                        help="your retelling: an audio file (wav, flac, ogg, mp3) or a .txt transcript")
    parser.add_argument("--bank", type=Path, metavar="FILE", help="a story bank file (default: yours)")
    parser.add_argument("--no-history", action="store_true",
                        help="do not compare with your earlier answers in the session store")
    parser.add_argument("--json", action="store_true", help="print one JSON object")
    add_model_arguments(parser)
    parser.set_defaults(func=run)


def choose_angle(story_text: str, requested: str | None) -> tuple[str, str | None]:
    """The angle to ask for, and the angle the written story already leans on."""
    profile = angle_profile(tokenize(story_text))
    if requested:
        return requested, profile.dominant
    return weakest_angle(profile, exclude=[profile.dominant] if profile.dominant else []), profile.dominant


def run(args: argparse.Namespace) -> int:
    from mockiv.stories import load_bank

    bank, _ = load_bank(args.bank)
    story = bank.story(args.story)
    reference = story_reference(story)
    angle, leaning = choose_angle(reference.text, args.angle)
    if args.answer is None:
        return _ask(story, angle, leaning, args.json)
    transcript, meta, _audio = load_transcript(argparse.Namespace(**{**vars(args), "file": str(args.answer)}))
    check = retelling_check(transcript, reference, angle)
    audio = None
    if meta.get("source") == "audio":
        from mockiv.audio.files import load_audio

        audio = load_audio(args.answer)
    from mockiv.core.pitch import analyze_pitch

    pitch = analyze_pitch(audio) if audio is not None else None
    references = [story_reference(s) for s in bank.stories]
    if not args.no_history:
        references += earlier_answer_references()
    metrics = delivery.compute(transcript)
    delivery_check = assess(transcript, metrics, references, pitch)
    if args.json:
        out = {"story": story.id, "title": story.title, "angle": angle, "story_leans_on": leaning,
               "retelling": check.to_dict(), "rehearsal": delivery_check.to_dict(),
               "transcript": transcript.to_dict(), **meta}
        json.dump(out, sys.stdout, indent=2, ensure_ascii=False)
        sys.stdout.write("\n")
    else:
        _report(story, check, delivery_check, transcript)
    return EXIT_OK


def _wrap(text: str, indent: str = "  ") -> str:
    return textwrap.fill(text, WIDTH, initial_indent=indent, subsequent_indent=indent)


def _ask(story: Any, angle: str, leaning: str | None, as_json: bool) -> int:
    command = f"mockiv retell --story {story.id} --angle {angle} --answer FILE"
    if as_json:
        json.dump({"story": story.id, "title": story.title, "angle": angle, "story_leans_on": leaning,
                   "prompt": angle_prompt(angle), "then": command}, sys.stdout, indent=2, ensure_ascii=False)
        sys.stdout.write("\n")
        return EXIT_OK
    print(f"Story: {story.title} ({story.id})")
    if leaning and leaning != angle:
        print(_wrap(f"As written, it leans on {angle_label(leaning)}. This time: {angle_label(angle)}.", ""))
    elif leaning == angle:
        print(_wrap(f"As written, it already leans on {angle_label(angle)}; for real practice pick another angle "
                    f"({', '.join(a for a in ANGLES if a != angle)}).", ""))
    print()
    print(_wrap(angle_prompt(angle), ""))
    print()
    print(_wrap("Keep the facts and the numbers, not the sentences: do not recite what you wrote. Interviewers hear "
                "a memorised answer as rehearsed and robotic; telling the same story from different "
                "angles is how you prepare without a script.", ""))
    print()
    print(f"Record your answer (or type it into a .txt file), then run:\n  {command}")
    return EXIT_OK


def _report(story: Any, check: RetellingCheck, rehearsal: Assessment, transcript: Any) -> None:
    label = angle_label(check.angle)
    verdict = "PASSED" if check.passed else "TRY AGAIN"
    print(f"Retelling of '{story.title}' from the {label} angle: {verdict}")
    print()
    print("Angle (phrases per angle, written story -> your retelling):")
    for angle in ANGLES:
        mark = "  <- asked for" if angle == check.angle else ""
        print(f"  {angle_label(angle):<22} {check.original.counts[angle]:>3} ({check.original.share(angle):>4.0%})"
              f" -> {check.retelling.counts[angle]:>3} ({check.retelling.share(angle):>4.0%}){mark}")
    if check.angle_phrases:
        phrases = dict.fromkeys(transcript.span_text(a, b).strip(" .,;:!?") for a, b in check.angle_phrases)
        quoted = ", ".join(f"\"{phrase}\"" for phrase in list(phrases)[:10])
        print(_wrap(f"{label} in your words: {quoted}"))
    print()
    measured = check.overlap
    print(f"Fresh words: {measured.repeated_share:.0%} of the retelling repeats the written story word for word "
          f"(longest run {measured.longest_run} words).")
    for passage in sorted(measured.passages, key=lambda p: p.words, reverse=True)[:3]:
        print(_wrap(f"repeated: \"{transcript.span_text(passage.start_index, passage.end_index)}\""))
    if check.reasons:
        print()
        print("What to change:")
        for reason in check.reasons:
            print(_wrap(f"- {reason}"))
    print()
    print("Delivery:" + ("  sounds REHEARSED" if rehearsal.rehearsed else ""))
    for evidence in rehearsal.evidence:
        print(_wrap(f"{'!' if evidence.found else '-'} {evidence.text}"))
    if rehearsal.rehearsed:
        print(_wrap("Memorised words plus a scripted delivery sound rehearsed and robotic, and interviewers notice: "
                    "keep the structure, tell it fresh each time.", "  "))
