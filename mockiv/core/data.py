"""Versioned data files of the core (thresholds, lexicons), read once from the installed package."""

from __future__ import annotations

import tomllib
from functools import cache
from importlib import resources
from typing import Any


@cache
def load(name: str) -> dict[str, Any]:
    """Read `mockiv/core/data/<name>.toml`. Static package data, not user I/O: the core may use it."""
    text = resources.files("mockiv.core").joinpath("data", f"{name}.toml").read_text(encoding="utf-8")
    return tomllib.loads(text)
