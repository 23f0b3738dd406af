"""Read a user's TOML file into a pydantic model and report every problem as one line: file, line, where, what.

Shared by question packs and story banks. The guarantee: any bytes at all give either a valid model or a
FileProblems (a UserInputError) listing the problems, never a traceback.
"""

from __future__ import annotations

import difflib
import os
import re
import stat
import tomllib
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import Any, TypeVar

from pydantic import BaseModel, ValidationError

from mockiv.errors import UserInputError

Location = tuple[str | int, ...]
LocatedProblem = tuple[Location, str]
M = TypeVar("M", bound=BaseModel)

_TOML_LINE = re.compile(r"\(at line (\d+), column \d+\)")
_TABLE_HEADER = re.compile(r"^\s*\[")
_CONTROL = re.compile(r"[\x00-\x1f\x7f\u2028\u2029\x85]")
_BARE_KEY = re.compile(r"[A-Za-z0-9_-]+")
_TOML_TYPES = {
    str: "a string", int: "an integer", float: "a decimal number", bool: "true or false",
    list: "an array", dict: "a table",
}
_EXPECTED = {
    "string_type": "a string", "int_type": "a whole number", "list_type": "an array",
    "model_type": "a table", "dict_type": "a table", "bool_type": "true or false",
}


class FileProblems(UserInputError):
    """A file that cannot be used; `problems` holds one line per problem (file, where, what was expected)."""

    def __init__(self, problems: Sequence[str]) -> None:
        self.problems = list(problems)
        super().__init__("\n".join(self.problems))


def did_you_mean(value: str, choices: Iterable[str]) -> str:
    close = difflib.get_close_matches(value, list(choices), n=1)
    return f"; did you mean {close[0]!r}?" if close else ""


def describe(value: Any) -> str:
    """The TOML type of a parsed value, in words."""
    for python_type, name in _TOML_TYPES.items():
        if type(value) is python_type:
            return name
    return "a date or time" if hasattr(value, "isoformat") else type(value).__name__


def _key_line(lines: Sequence[str], key: str, start: int, stop: int) -> int | None:
    pattern = re.compile(rf"^\s*(?:{re.escape(key)}|\"{re.escape(key)}\"|'{re.escape(key)}')\s*=")
    for number in range(start, stop):
        if pattern.match(lines[number]):
            return number + 1
    return None


def line_of(text: str, loc: Location, array_key: str) -> int | None:
    """Best-effort line of a problem, for `[[array_key]]` tables and top-level keys written the usual way."""
    lines = text.splitlines()
    if not loc:
        return None
    if loc[0] == array_key and len(loc) > 1 and isinstance(loc[1], int):
        header = re.compile(rf"^\s*\[\[\s*{re.escape(array_key)}\s*\]\]\s*(#.*)?$")
        headers = [n for n, line in enumerate(lines) if header.match(line)]
        if loc[1] >= len(headers):
            return None
        start = headers[loc[1]]
        stop = next((n for n in range(start + 1, len(lines)) if _TABLE_HEADER.match(lines[n])), len(lines))
        if len(loc) > 2 and isinstance(loc[2], str):
            return _key_line(lines, loc[2], start + 1, stop) or start + 1
        return start + 1
    first_table = next((n for n, line in enumerate(lines) if _TABLE_HEADER.match(line)), len(lines))
    return _key_line(lines, loc[0], 0, first_table) if isinstance(loc[0], str) else None


def where(loc: Location, data: Any, array_key: str) -> str:
    """`questions[3] (id=why-us).time_budget_s` from a pydantic location and the parsed TOML."""
    if not loc:
        return "(top level)"
    out = ""
    node = data
    for i, part in enumerate(loc):
        if isinstance(part, int):
            out += f"[{part}]"
            node = node[part] if isinstance(node, list) and part < len(node) else None
            if i == 1 and loc[0] == array_key and isinstance(node, dict) and isinstance(node.get("id"), str):
                out += f" (id={node['id']})"
        else:
            shown = part if _BARE_KEY.fullmatch(part) else repr(part)
            out += f".{shown}" if out else shown
            node = node.get(part) if isinstance(node, dict) else None
    return out


def message(error: Any, model: type[BaseModel], array_key: str, item_model: type[BaseModel]) -> str:
    """A pydantic error as a sentence an author can act on."""
    kind, loc, value = error["type"], error["loc"], error.get("input")
    ctx = error.get("ctx") or {}
    if kind == "value_error":
        return str(ctx.get("error", error["msg"]))
    if kind == "extra_forbidden":
        allowed = list((item_model if loc and loc[0] == array_key else model).model_fields)
        return f"unknown key; expected one of: {', '.join(allowed)}{did_you_mean(str(loc[-1]), allowed)}"
    if kind == "missing":
        return "required key is missing"
    if kind == "enum":
        choices = [str(c) for c in ctx.get("expected", "").replace("'", "").replace(" or ", ", ").split(", ")]
        shown = repr(value) if isinstance(value, str) else describe(value)
        return f"must be one of: {', '.join(choices)} (got {shown}){did_you_mean(str(value), choices)}"
    if kind in _EXPECTED:
        noun = f"an array of [[{array_key}]] tables" if loc == (array_key,) else _EXPECTED[kind]
        return f"must be {noun} (got {describe(value)})"
    if kind == "too_short":
        minimum = ctx.get("min_length", 1)
        return "must not be empty" if minimum == 1 else f"must have at least {minimum} items"
    if kind == "too_long":
        return f"must have at most {ctx.get('max_length')} items (got {ctx.get('actual_length')})"
    return str(error["msg"])


def format_problem(source: str, line: int | None, place: str, text: str) -> str:
    problem = f"{source}:{line}: {place}: {text}" if line else f"{source}: {place}: {text}"
    # One problem, one line: a key or value with a line break or control character is shown escaped.
    return _CONTROL.sub(lambda m: f"\\u{ord(m.group()):04x}", problem)


def read_user_file(path: Path, max_bytes: int, what: str) -> bytes:
    """The bytes of a file the user named, refusing before reading what is no file (a device such as
    /dev/zero, a pipe that may never end, a folder) and reading at most `max_bytes` + 1 bytes, so the size
    check in `read_toml` sees an oversized file without loading all of it."""
    try:
        fd = os.open(path, os.O_RDONLY | os.O_NONBLOCK)  # O_NONBLOCK: opening a pipe must not wait for a writer
    except FileNotFoundError:
        raise UserInputError(f"{path}: no such file") from None
    except IsADirectoryError:
        raise UserInputError(f"{path}: is a folder, not {what}") from None
    except OSError as error:
        raise UserInputError(f"{path}: cannot read it ({error.strerror or error})") from None
    mode = os.fstat(fd).st_mode
    if not stat.S_ISREG(mode):
        os.close(fd)
        if stat.S_ISDIR(mode):
            raise UserInputError(f"{path}: is a folder, not {what}")
        raise UserInputError(f"{path}: is a device or a pipe, not {what}; give the path of a .toml file")
    with os.fdopen(fd, "rb") as handle:
        try:
            return handle.read(max_bytes + 1)
        except OSError as error:
            raise UserInputError(f"{path}: cannot read it ({error.strerror or error})") from None


def read_toml(data: bytes, source: str, max_bytes: int, error_type: type[FileProblems]) -> tuple[str, dict[str, Any]]:
    """Decode and parse TOML bytes; any failure is one line with the file and, where known, the line."""
    if len(data) > max_bytes:
        raise error_type([f"{source}: the file is too big; it must be under {max_bytes // 1024} KiB"])
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        raise error_type([f"{source}: not UTF-8 text (byte 0x{data[error.start]:02x} at offset {error.start}); "
                          f"save the file as UTF-8"]) from None
    try:
        parsed = tomllib.loads(text)
    except (tomllib.TOMLDecodeError, ValueError) as error:  # ValueError: belt and braces for odd dates
        found = _TOML_LINE.search(str(error))
        raise error_type([format_problem(source, int(found.group(1)) if found else None, "TOML syntax",
                                         str(error))]) from None
    except RecursionError:
        raise error_type([f"{source}: TOML syntax: nested too deeply"]) from None
    return text, parsed


def validate(
    model: type[M],
    item_model: type[BaseModel],
    array_key: str,
    text: str,
    parsed: dict[str, Any],
    source: str,
    cross_field: Sequence[LocatedProblem],
    error_type: type[FileProblems],
) -> M:
    """Validate parsed TOML against the model; field problems and cross-field problems come back together."""
    located: list[LocatedProblem] = []
    result: M | None = None
    try:
        result = model.model_validate(parsed)
    except ValidationError as error:
        located = [(tuple(e["loc"]), message(e, model, array_key, item_model)) for e in error.errors(include_url=False)]
    except RecursionError:
        raise error_type([f"{source}: nested too deeply"]) from None
    located += cross_field
    if located or result is None:
        rows = [(line_of(text, loc, array_key), where(loc, parsed, array_key), msg) for loc, msg in located]
        rows.sort(key=lambda row: row[0] or 0)  # file order, so an author fixes them top to bottom
        raise error_type([format_problem(source, line, place, msg) for line, place, msg in rows])
    return result


def duplicates(items: Any, array_key: str, key: str, normalise: bool = False) -> list[LocatedProblem]:
    """`duplicate id; questions[0] already uses 'x'` for each repeated string value of `key` in the array."""
    if not isinstance(items, list):
        return []
    problems: list[LocatedProblem] = []
    seen: dict[str, int] = {}
    for index, item in enumerate(items):
        value = item.get(key) if isinstance(item, dict) else None
        if not isinstance(value, str) or not value.split():
            continue
        folded = " ".join(value.split()).casefold() if normalise else value
        if folded in seen:
            what = f"same {key} as {array_key}[{seen[folded]}]" if normalise else \
                f"duplicate {key}; {array_key}[{seen[folded]}] already uses {value!r}"
            problems.append(((array_key, index, key), what))
        seen.setdefault(folded, index)
    return problems

