"""Helpers shared by the session commands (sessions, replay, rescore, export, progress)."""

from __future__ import annotations

import json
import sys
from datetime import datetime
from typing import Any

from mockiv.store import Store, StoreLockedError


def open_store() -> Store:
    """The user's store (MOCKIV_HOME / --data-dir aware), repaired of orphans left by a crash."""
    store = Store.open()
    try:
        store.repair()
    except StoreLockedError:
        pass  # another mockiv is writing; reading still works, and the next command repairs
    except BaseException:
        store.close()
        raise
    return store


def signal_order() -> list[str]:
    """The signals reports score, in the rule engine's order: its rule families (ownership, evidence, ...).

    Listing them all means a family with no finding in a session scores 100% rather than being left out.
    """
    try:
        from mockiv.core.rules import rule_specs
    except ImportError:
        return []
    return list(dict.fromkeys(spec.family for spec in rule_specs()))


def print_json(data: Any) -> None:
    json.dump(data, sys.stdout, indent=2, ensure_ascii=False)
    sys.stdout.write("\n")


def local_time(iso: str | None) -> str:
    if not iso:
        return "-"
    try:
        return datetime.fromisoformat(iso).astimezone().strftime("%Y-%m-%d %H:%M")
    except ValueError:
        return iso


def duration(seconds: float | None) -> str:
    if seconds is None:
        return "-"
    minutes, secs = divmod(round(seconds), 60)
    return f"{minutes}:{secs:02d}"


def clock(seconds: float | None) -> str:
    if seconds is None:
        return "--:--.-"
    minutes, secs = divmod(seconds, 60)
    return f"{int(minutes):02d}:{secs:04.1f}"
