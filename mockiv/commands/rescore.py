"""`mockiv rescore ID|--all [--model M] [--rules-version V]`: re-run the rule engine on stored answers.

Each rescore adds a result keyed by (rules version, model); older results stay available (`sessions show`).
With `--model`, the recordings are transcribed again with that model first. Answers a crash left without a
transcript are transcribed (default model) when their recording survives. Prints findings gained and lost.
"""

from __future__ import annotations

import argparse
import sys
from dataclasses import dataclass, field
from typing import Any

from mockiv.commands._store_cli import open_store, print_json
from mockiv.core.progress import FindingsDiff, diff_findings
from mockiv.core.rules import rule_title
from mockiv.core.transcript import Transcript
from mockiv.engine.analysis import Analyzer
from mockiv.errors import UserInputError
from mockiv.present import clock
from mockiv.store import AnswerRecord, Store


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser("rescore", help="re-run the rules (and optionally transcription) on sessions",
                                   description="Re-analyse stored answers with the current rules; old results "
                                   "stay available. Shows the findings gained and lost per answer.")
    target = parser.add_mutually_exclusive_group(required=True)
    target.add_argument("id", nargs="?", help="session id (or a unique prefix)")
    target.add_argument("--all", action="store_true", help="every stored session")
    parser.add_argument("--model", help="re-transcribe the recordings with this model (a directory or a name "
                        "under models/) before re-scoring")
    parser.add_argument("--rules-version", metavar="V",
                        help="compare with the stored result of rules version V (default: the latest earlier one)")
    parser.add_argument("--json", action="store_true", help="one JSON object with the changes per answer")
    parser.set_defaults(func=run)


@dataclass
class AnswerChange:
    session_id: str
    position: int
    answer_id: str
    before: str | None  # "rules_version/model" compared against
    after: str
    diff: FindingsDiff
    transcribed: bool = False

    def to_dict(self) -> dict[str, Any]:
        return {"session_id": self.session_id, "position": self.position, "answer_id": self.answer_id,
                "before": self.before, "after": self.after, "transcribed": self.transcribed} | self.diff.to_dict()


@dataclass
class Rescorer:
    """Re-transcribes (on request) and re-analyses answers, loading a Whisper model only when needed."""

    store: Store
    model: str | None = None
    compare_with: str | None = None
    _transcriber: Any = None
    skipped: list[str] = field(default_factory=list)
    analyzer: Analyzer = field(default_factory=Analyzer)

    def transcriber(self) -> Any:
        if self._transcriber is None:
            from mockiv.asr import load_transcriber

            self._transcriber = load_transcriber(self.model)
        return self._transcriber

    def rescore(self, answer: AnswerRecord) -> AnswerChange | None:
        transcript_d = answer.transcript
        model_name = answer.model or ""
        transcribed = False
        if self.model is not None or transcript_d is None:
            if answer.audio_path is None or not answer.audio_path.exists():
                why = "has no recording" if answer.audio_path is None else f"recording {answer.audio_path} is missing"
                keeps = "kept its old transcript" if transcript_d else "not scored"
                self.skipped.append(f"Q{answer.position} of {answer.session_id[:8]} {why}; {keeps}")
                if transcript_d is None:
                    return None
            else:
                transcriber = self.transcriber()
                transcript = transcriber.transcribe_file(answer.audio_path)
                model_name, transcript_d, transcribed = transcriber.model_name, transcript.to_dict(), True
        transcript = Transcript.from_dict(transcript_d)
        if not transcript.words:
            self.skipped.append(f"Q{answer.position} of {answer.session_id[:8]} has an empty transcript; not scored")
            return None
        before = answer.result_for(rules_version=self.compare_with) if self.compare_with else answer.latest
        if self.compare_with and before is None:
            self.skipped.append(f"Q{answer.position} of {answer.session_id[:8]} has no result of rules version "
                                f"{self.compare_with}; compared with nothing")
        analysis = self.analyzer.analyze_stored(answer, self.store, transcript)
        if transcribed:
            self.store.update_transcript(answer.id, transcript, model=model_name, metrics=analysis.metrics)
        new = self.store.record_result(answer.id, analysis.result, model=model_name, transcript=transcript,
                                       metrics=analysis.metrics)
        return AnswerChange(answer.session_id, answer.position, answer.id,
                            f"{before.rules_version}/{before.model or '-'}" if before else None,
                            f"{new.rules_version}/{new.model or '-'}",
                            diff_findings(before.findings if before else [], new.findings), transcribed)


def print_change(change: AnswerChange) -> None:
    head = f"Q{change.position} ({change.session_id[:8]})"
    where = f"{change.before or 'nothing'} -> {change.after}" + (", re-transcribed" if change.transcribed else "")
    if not change.diff.changed:
        print(f"{head}: no change ({len(change.diff.kept)} findings; {where})")
        return
    print(f"{head}: +{len(change.diff.gained)} -{len(change.diff.lost)} findings ({where})")
    for sign, findings in (("+", change.diff.gained), ("-", change.diff.lost)):
        for finding in findings:
            evidence = (finding.get("evidence") or [{}])[0]
            quote = f' "{evidence["text"]}"' if evidence.get("text") else ""
            at = f" at {clock(evidence['start'])}" if evidence.get("start") is not None else ""
            print(f"  {sign} {rule_title(finding['rule'])}{at}{quote}: {finding.get('message', '')}")


def run(args: argparse.Namespace) -> int:
    changes: list[AnswerChange] = []
    with open_store() as store:
        ids = store.session_ids() if args.all else [store.resolve_session_id(args.id)]
        if not ids:
            raise UserInputError("no sessions to rescore yet")
        rescorer = Rescorer(store, args.model, args.rules_version)
        for session_id in ids:
            for answer in store.get_session(session_id).answers:
                if answer.status == "recording":
                    continue  # still being recorded by a live process
                change = rescorer.rescore(answer)
                if change is None:
                    continue
                changes.append(change)
                if not args.json:
                    print_change(change)
    for line in rescorer.skipped:
        print(f"mockiv: {line}", file=sys.stderr)
    if args.json:
        print_json({"answers": [c.to_dict() for c in changes],
                    "gained": sum(len(c.diff.gained) for c in changes),
                    "lost": sum(len(c.diff.lost) for c in changes), "skipped": rescorer.skipped})
    else:
        print(f"Rescored {len(changes)} answer(s): +{sum(len(c.diff.gained) for c in changes)} "
              f"-{sum(len(c.diff.lost) for c in changes)} findings in all; earlier results are kept.")
    return 0
