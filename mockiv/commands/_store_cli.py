"""Helpers shared by the session commands (sessions, replay, rescore, export, progress); times and durations
are written by mockiv.present."""

from __future__ import annotations

import json
import sys
from typing import Any

from mockiv import paths
from mockiv.store import DB_NAME, Store, StoreLockedError, writable


def open_store(*, reading: bool = False) -> Store:
    """The user's store (MOCKIV_HOME / --data-dir aware), repaired of orphans left by a crash. `reading`: the
    command only reads, so a read-only data folder or database is opened read-only (unrepaired) instead of
    failing: sessions can still be listed, replayed and exported from a read-only backup or disk."""
    if reading and not writable(paths.data_dir() / DB_NAME):
        return Store.open_read_only()
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
