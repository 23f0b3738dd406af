"""Helpers shared by the session commands (sessions, replay, rescore, export, progress); times and durations
are written by mockiv.present."""

from __future__ import annotations

import json
import sys
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


def print_json(data: Any) -> None:
    json.dump(data, sys.stdout, indent=2, ensure_ascii=False)
    sys.stdout.write("\n")
