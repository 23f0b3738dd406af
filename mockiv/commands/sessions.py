"""`mockiv sessions list|show ID|delete ID|repair`: every practice session kept, with its answers and results."""

from __future__ import annotations

import argparse
import sys

from mockiv.commands._store_cli import open_store, print_json
from mockiv.core.answer_view import answer_view
from mockiv.core.redo import changes
from mockiv.core.rules import rule_title
from mockiv.errors import UserInputError
from mockiv.present import duration, local_time
from mockiv.store import SessionDetail, SessionRecord, Store, TakeRecord


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser("sessions", help="list, show, delete or repair stored sessions",
                                   description="Every session is kept: its answers, audio, transcripts and "
                                   "every result, by rules version.")
    actions = parser.add_subparsers(dest="action", metavar="ACTION")
    listing = actions.add_parser("list", help="sessions, newest first")
    listing.add_argument("--limit", type=int, default=None, help="show at most N sessions")
    listing.add_argument("--json", action="store_true", help="one JSON array")
    show = actions.add_parser("show", help="one session: its answers, findings and result history")
    show.add_argument("id", help="session id (or a unique prefix, as `sessions list` shows it)")
    show.add_argument("--json", action="store_true", help="one JSON object (every result of every answer)")
    delete = actions.add_parser("delete", help="delete a session, its results and its recordings")
    delete.add_argument("id", help="session id or unique prefix")
    delete.add_argument("--yes", action="store_true", help="do not ask for confirmation")
    delete.add_argument("--json", action="store_true", help="print what was deleted as JSON")
    repair = actions.add_parser("repair", help="recover answers and recordings a crash left behind")
    repair.add_argument("--json", action="store_true", help="one JSON object")
    parser.set_defaults(func=run, action=None)


def run(args: argparse.Namespace) -> int:
    if args.action is None:
        args.action, args.limit, args.json = "list", 20, getattr(args, "json", False)
    if args.action == "repair":
        with Store.open() as store:  # not open_store(): the repair itself is what this command reports
            report = store.repair()
        if args.json:
            print_json(report.to_dict())
        else:
            print_repair(report.to_dict())
        return 0
    with open_store(reading=args.action != "delete") as store:
        if args.action == "list":
            if args.limit is not None and args.limit < 1:
                raise UserInputError("--limit must be at least 1")
            sessions = store.list_sessions(limit=args.limit)
            if args.json:
                print_json([s.to_dict() for s in sessions])
            else:
                print_list(sessions, store.count_sessions())
        elif args.action == "show":
            detail = store.get_session(args.id)
            takes = {a.id: store.takes_of(a.id) for a in detail.answers}  # redo takes (mockiv redo)
            if args.json:
                data = detail.to_dict()
                for answer in data["answers"]:
                    answer["takes"] = [t.to_dict() for t in takes[answer["id"]]]
                print_json(data)
            else:
                print_show(detail, takes)
        elif args.action == "delete":
            detail = store.get_session(args.id)
            if not args.yes and sys.stdin.isatty():
                reply = input(f"Delete session {detail.session.id[:8]} ({len(detail.answers)} answers and their "
                              "recordings)? [y/N] ")
                if reply.strip().lower() not in ("y", "yes"):
                    print("Nothing deleted.")
                    return 0
            deleted = store.delete_session(detail.session.id)
            if args.json:
                print_json({"deleted": deleted.to_dict()})
            else:
                print(f"Deleted session {deleted.id[:8]} ({deleted.answer_count} answers, recordings removed).")
    return 0


def print_list(sessions: list[SessionRecord], total: int) -> None:
    if not sessions:
        print("No sessions yet. Start one with `mockiv practice`.")
        return
    print(f"{'ID':<9} {'STARTED':<16} {'MODE':<9} {'PACK':<20} {'ANSWERS':>7} {'TIME':>6}  STATUS")
    for s in sessions:
        status = s.status + (" (resumable)" if s.resumable and s.status != "active" else "")
        if s.unfinished_count:
            status += f", {s.unfinished_count} partial"
        print(f"{s.id[:8]:<9} {local_time(s.started_at):<16} {s.mode:<9} {s.pack_id[:20]:<20} "
              f"{s.done_count:>3}/{s.answer_count:<3} {duration(s.duration_s):>6}  {status}")
    if total > len(sessions):
        print(f"({len(sessions)} of {total} shown; --limit to see more)")


def print_show(detail: SessionDetail, takes: dict[str, list[TakeRecord]] | None = None) -> None:
    s = detail.session
    print(f"Session {s.id}  {s.mode}, pack {s.pack_id}, started {local_time(s.started_at)}, {s.status}"
          + (" (resumable)" if s.resumable and s.status != "active" else ""))
    if not detail.answers:
        print("  no answers yet")
    for a in detail.answers:
        audio = "no audio"
        if a.audio_path is not None:
            audio = ("partial recording" if a.partial else "audio") + ("" if a.audio_path.exists() else " MISSING")
            audio += f" {a.audio_path}"
        print(f"\nQ{a.position} [{a.kind or '?'}] {a.question}")
        print(f"  {a.status}, {duration(a.duration_s)}, {audio}")
        latest = a.latest
        if latest is None:
            print("  not analysed yet" + (" (run `mockiv rescore` to transcribe it)" if a.audio_path else ""))
            continue
        versions = ", ".join(f"{r.rules_version}/{r.model or '-'}" for r in a.results)
        print(f"  rules {latest.rules_version}, model {latest.model or '-'}; results kept: {versions}")
        view = answer_view(a.to_dict(history=False))
        for finding in view.findings:
            evidence = (finding.get("evidence") or [{}])[0]
            quote = f' "{evidence["text"]}"' if evidence.get("text") else ""
            print(f"  - {finding['severity']:<8} {rule_title(finding['rule'])}: {finding.get('message', '')}{quote}")
        for strength in view.strengths:
            print(f"  + strength {strength.get('id')}: {strength.get('message', '')}")
        for take in (takes or {}).get(a.id, []):
            print_take(take, latest.findings)


def print_take(take: TakeRecord, findings: list[dict]) -> None:
    """One redo take: the part it redid, its words and what it changed against the answer's latest result."""
    said = f"“{(take.transcript or {}).get('text', '')}”" if take.transcript else "(no words)"
    line = f"  ↻ redo of {rule_title(take.rule)} ({take.status}): {said}"
    if take.result is not None:
        changed = changes(findings, take.result.get("findings", []))
        gone = ", ".join(rule_title(str(f["rule"])) for f in changed.gone) or "nothing"
        new = ", ".join(rule_title(str(f["rule"])) for f in changed.new) or "nothing"
        line += f"; gone: {gone}; new: {new}"
    print(line)


def print_repair(report: dict) -> None:
    if not any(report.values()):
        print("Nothing to repair: every session and recording is accounted for.")
        return
    for item in report["interrupted_answers"]:
        audio = f"{item['audio_s']:.1f} s of audio kept" if item["audio_s"] is not None else "no audio"
        problem = f" ({item['problem']})" if item.get("problem") else ""
        print(f"Recovered Q{item['position']} of session {item['session_id'][:8]}: interrupted, {audio}{problem}")
    for item in report["attached_recordings"]:
        print(f"Attached an orphan recording to session {item['session_id'][:8]} as Q{item['position']}: "
              f"{item['audio_path']}")
    for path in report["unattached_recordings"]:
        print(f"Kept an orphan recording outside any session: {path}")
    if report["sessions_marked_interrupted"]:
        print(f"{len(report['sessions_marked_interrupted'])} session(s) marked interrupted; resume them or run "
              "`mockiv rescore ID` to transcribe what was recorded.")
