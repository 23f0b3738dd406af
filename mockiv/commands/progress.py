"""`mockiv progress [--json] [--last N]`: is the candidate getting better? Per metric and per signal, per session.

The TUI calls `load_progress()` (or `mockiv.core.progress.progress()` on sessions it already holds) and
renders the same `Progress` object.
"""

from __future__ import annotations

import argparse

from mockiv.commands._store_cli import open_store, print_json
from mockiv.core.export_model import signal_order
from mockiv.core.progress import Progress, progress
from mockiv.errors import UserInputError
from mockiv.present import local_time
from mockiv.store import Store


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser("progress", help="fillers, pace, outcomes, ownership and signals across sessions",
                                   description="Progress across stored sessions, oldest first, with a trend per "
                                   "metric and per signal.")
    parser.add_argument("--last", type=int, metavar="N", help="only the N most recent sessions")
    parser.add_argument("--json", action="store_true", help="one JSON object")
    parser.set_defaults(func=run)


def load_progress(store: Store, last: int | None = None) -> Progress:
    """Progress over the stored sessions (the `last` most recent ones when given)."""
    ids = store.session_ids()
    if last is not None:
        ids = ids[-last:]
    baseline = store.latest_baseline() or {}
    return progress((store.get_session(i).to_dict(history=False) for i in ids), signal_order(),
                    (baseline.get("bands") or {}).get("wpm"))


def _fmt(value: float | None, unit: str) -> str:
    if value is None:
        return "-"
    if unit == "":
        return f"{value:.0%}"
    return f"{value:.1f}" if unit == "/min" else f"{value:.0f}"


def print_progress(report: Progress) -> None:
    if not report.sessions:
        print("No analysed sessions yet: practise with `mockiv practice`, then come back.")
        return
    print(f"{'SESSION':<9} {'DATE':<16} {'ANS':>3} {'FILLERS/MIN':>11} {'WPM':>5} {'OUTCOME':>8} {'OWNERSHIP':>9}")
    for s in report.sessions:
        print(f"{s.session_id[:8]:<9} {local_time(s.started_at):<16} {s.answers:>3} "
              f"{_fmt(s.fillers_per_min, '/min'):>11} {_fmt(s.wpm, ' WPM'):>5} {_fmt(s.outcome_rate, ''):>8} "
              f"{_fmt(s.ownership, ''):>9}")
    print("\nTrend (oldest → newest)")
    for trend in report.metrics:
        print(f"  {trend.label:<22} {trend.spark:<12} {_fmt(trend.first, trend.unit):>6} → "
              f"{_fmt(trend.last, trend.unit):<6} {trend.verdict}")
    if report.personal_pace is not None:
        low, high = report.personal_pace
        inside = report.pace_chart().count("·")
        timed = len(report.pace_chart().replace(" ", ""))
        print(f"  {'Pace vs your baseline':<22} {report.pace_chart():<12} your band {low:.0f}-{high:.0f} WPM: "
              f"{inside} of {timed} sessions inside (· inside, ▲ faster, ▼ slower)")
    if report.signals:
        print("\nSignals (share of answers with no problem on it)")
        for trend in report.signals:
            print(f"  {trend.label:<22} {trend.spark:<12} {_fmt(trend.first, ''):>6} → {_fmt(trend.last, ''):<6} "
                  f"{trend.verdict}")


def run(args: argparse.Namespace) -> int:
    if args.last is not None and args.last < 1:
        raise UserInputError("--last must be at least 1")
    from mockiv.debrief import check_lines, latest_check

    with open_store(reading=True) as store:
        report = load_progress(store, args.last)
        debrief = latest_check(store)
    if args.json:
        print_json({**report.to_dict(), "debrief_check": None if debrief is None else {
            "pack_id": debrief[0]["pack_id"], "since": debrief[0]["created_at"],
            "targets": [c.to_dict() for c in debrief[1]]}})
    else:
        print_progress(report)
        if debrief is not None:
            print()
            print("\n".join(check_lines(*debrief)))
    return 0
