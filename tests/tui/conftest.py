"""Fixtures for the app's tests: a two-question pack in the private MOCKIV_HOME, a store, a hand-driven clock."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from mockiv.store import Store

MINI_PACK = '''
schema_version = 1
id = "mini"
title = "Mini pack for tests"
description = "Two questions: a story and a failure, enough to run every flow of the app."
target_role = "Any role"

[[questions]]
id = "proudest"
kind = "behavioral"
signal = "ownership"
text = "Tell me about the project you are proudest of."
time_budget_s = 60
thinking_time_s = 5
follow_ups = ["What would you do differently?"]

[[questions]]
id = "failure"
kind = "failure"
signal = "learning"
text = "Tell me about a time you failed."
time_budget_s = 30
thinking_time_s = 0
'''


@pytest.fixture
def mini_pack(private_home: Path) -> str:
    folder = private_home / "packs"
    folder.mkdir(exist_ok=True)
    (folder / "mini.toml").write_text(MINI_PACK, encoding="utf-8")
    return "mini"


@pytest.fixture
def store(private_home: Path) -> Iterator[Store]:
    opened = Store.open()
    yield opened
    opened.close()


class HandClock:
    """Time that moves only when a test says so."""

    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now

    def advance(self, seconds: float) -> None:
        self.now += seconds


@pytest.fixture
def clock() -> HandClock:
    return HandClock()
