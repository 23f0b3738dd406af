"""Question packs: plain TOML files of interview questions, validated with one clear line per problem.

Shipped packs live in `question_packs/*.toml` at the project root; the user's own packs in the `packs` folder of
the data directory (a user pack with the same id replaces the shipped one). A pack is named by its id, which is
also its file name; a name never reaches outside those two folders. The format is documented in
question_packs/README.md; signals are defined once, as data, in mockiv/packs_data/signals.toml.
"""

from __future__ import annotations

import difflib
import re
import tomllib
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from functools import cache
from importlib import resources
from pathlib import Path
from typing import Annotated, Any, Literal

from pydantic import AfterValidator, BaseModel, ConfigDict, Field, StrictInt, StrictStr, ValidationError

from mockiv import paths
from mockiv.core.transcript import Kind
from mockiv.errors import UserInputError

DEFAULT_PACK_ID = "general"
SCHEMA_VERSION = 1
NAME_PATTERN = re.compile(r"^[a-z0-9][a-z0-9_-]{0,63}$")

# Bounds that separate a typo from a real choice: a 5-second or 2-hour answer is a mistake, not a preference.
TIME_BUDGET_RANGE_S = (10, 900)
THINKING_TIME_RANGE_S = (0, 120)
MAX_TEXT_CHARS = 600
MAX_FOLLOW_UPS = 8
MAX_QUESTIONS = 100
MAX_PACK_BYTES = 256 * 1024

Source = Literal["shipped", "user", "file"]


@dataclass(frozen=True, slots=True)
class Signal:
    """One thing an interviewer scores (ownership, technical depth, ...), with how to show it and its source."""

    id: str
    name: str
    question: str
    how_to_show: str
    source: str


@cache
def signals() -> dict[str, Signal]:
    """The signals, in rubric order, read from mockiv/packs_data/signals.toml."""
    text = resources.files("mockiv").joinpath("packs_data", "signals.toml").read_text(encoding="utf-8")
    return {item["id"]: Signal(**item) for item in tomllib.loads(text)["signals"]}


def signal_ids() -> list[str]:
    return list(signals())


# --- field checks (each raises ValueError with the message the user sees) -------------------------------------


def _name(value: str) -> str:
    if not NAME_PATTERN.fullmatch(value):
        raise ValueError(
            f"must be lower-case letters, digits, '-' or '_', starting with a letter or digit, at most 64 "
            f"characters (got {value!r})"
        )
    return value


def _bounded_text(limit: int) -> Any:
    def check(value: str) -> str:
        # Multi-line TOML strings are read aloud as one utterance: collapse the line breaks.
        text = " ".join(value.split())
        if not text:
            raise ValueError("must not be empty")
        if not any(ch.isalpha() for ch in text):
            raise ValueError(f"must contain words (got {value!r})")
        if len(text) > limit:
            raise ValueError(f"must be at most {limit} characters (got {len(text)})")
        return text

    return AfterValidator(check)


def _in_range(low: int, high: int, unit: str = "seconds") -> Any:
    def check(value: int) -> int:
        if not low <= value <= high:
            raise ValueError(f"must be between {low} and {high} {unit} (got {value})")
        return value

    return AfterValidator(check)


def _known_signal(value: str) -> str:
    if value not in signals():
        hint = _did_you_mean(value, signal_ids())
        raise ValueError(f"must be one of: {', '.join(signal_ids())} (got {value!r}){hint}")
    return value


def _did_you_mean(value: str, choices: Iterable[str]) -> str:
    close = difflib.get_close_matches(value, list(choices), n=1)
    return f"; did you mean {close[0]!r}?" if close else ""


Name = Annotated[StrictStr, AfterValidator(_name)]
SpokenText = Annotated[StrictStr, _bounded_text(MAX_TEXT_CHARS)]
ShortText = Annotated[StrictStr, _bounded_text(120)]
LongText = Annotated[StrictStr, _bounded_text(1000)]


class Question(BaseModel):
    """One question as the app speaks it, what it tests, and how long the candidate has."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    id: Name
    text: SpokenText
    kind: Kind
    signal: Annotated[StrictStr, AfterValidator(_known_signal)]
    time_budget_s: Annotated[StrictInt, _in_range(*TIME_BUDGET_RANGE_S)]
    thinking_time_s: Annotated[StrictInt, _in_range(*THINKING_TIME_RANGE_S)] = 0
    follow_ups: Annotated[list[SpokenText], Field(max_length=MAX_FOLLOW_UPS)] = []
    listen_for: Annotated[StrictStr, _bounded_text(MAX_TEXT_CHARS)] | None = None


class Pack(BaseModel):
    """A question pack: who it is for, and its questions in the order they are asked."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    schema_version: StrictInt = SCHEMA_VERSION
    id: Name
    title: ShortText
    description: LongText
    target_role: ShortText
    questions: Annotated[list[Question], Field(min_length=1, max_length=MAX_QUESTIONS)]

    def question(self, question_id: str) -> Question:
        for question in self.questions:
            if question.id == question_id:
                return question
        raise UserInputError(f"pack {self.id!r} has no question {question_id!r}")

    @property
    def total_time_s(self) -> int:
        return sum(q.time_budget_s + q.thinking_time_s for q in self.questions)


@dataclass(frozen=True, slots=True)
class PackInfo:
    """A pack found in a packs folder, for `packs list`; `problems` is non-empty when it does not validate."""

    id: str
    path: Path
    source: Source
    title: str = ""
    description: str = ""
    target_role: str = ""
    question_count: int = 0
    kinds: tuple[str, ...] = ()
    replaces_shipped: bool = False
    problems: tuple[str, ...] = field(default=())

    @property
    def valid(self) -> bool:
        return not self.problems

    def to_dict(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "title": self.title,
            "description": self.description,
            "target_role": self.target_role,
            "question_count": self.question_count,
            "kinds": list(self.kinds),
            "source": self.source,
            "path": str(self.path),
            "replaces_shipped": self.replaces_shipped,
            "valid": self.valid,
            "problems": list(self.problems),
            "default": self.id == DEFAULT_PACK_ID,
        }


class PackError(UserInputError):
    """A pack that cannot be used; `problems` holds one line per problem (file, where, what was expected)."""

    def __init__(self, problems: Sequence[str]) -> None:
        self.problems = list(problems)
        super().__init__("\n".join(self.problems))


# --- parsing and error messages ---------------------------------------------------------------------------------

_TOML_LINE = re.compile(r"\(at line (\d+), column \d+\)")
_TABLE_HEADER = re.compile(r"^\s*\[")
_QUESTIONS_HEADER = re.compile(r"^\s*\[\[\s*questions\s*\]\]\s*(#.*)?$")
_TOML_TYPES = {
    str: "a string", int: "an integer", float: "a decimal number", bool: "true or false",
    list: "an array", dict: "a table",
}


def _describe(value: Any) -> str:
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


def _line_of(text: str, loc: Sequence[str | int]) -> int | None:
    """Best-effort line of a problem, for `[[questions]]` tables and top-level keys written the usual way."""
    lines = text.splitlines()
    if not loc:
        return None
    if loc[0] == "questions" and len(loc) > 1 and isinstance(loc[1], int):
        headers = [n for n, line in enumerate(lines) if _QUESTIONS_HEADER.match(line)]
        if loc[1] >= len(headers):
            return None
        start = headers[loc[1]]
        stop = next((n for n in range(start + 1, len(lines)) if _TABLE_HEADER.match(lines[n])), len(lines))
        if len(loc) > 2 and isinstance(loc[2], str):
            return _key_line(lines, loc[2], start + 1, stop) or start + 1
        return start + 1
    first_table = next((n for n, line in enumerate(lines) if _TABLE_HEADER.match(line)), len(lines))
    if isinstance(loc[0], str):
        return _key_line(lines, loc[0], 0, first_table)
    return None


def _where(loc: Sequence[str | int], data: Any) -> str:
    """`questions[3] (id=why-us).time_budget_s` from a pydantic location and the parsed TOML."""
    if not loc:
        return "(top level)"
    out = ""
    node = data
    for i, part in enumerate(loc):
        if isinstance(part, int):
            out += f"[{part}]"
            node = node[part] if isinstance(node, list) and part < len(node) else None
            if i == 1 and loc[0] == "questions" and isinstance(node, dict) and isinstance(node.get("id"), str):
                out += f" (id={node['id']})"
        else:
            out += f".{part}" if out else str(part)
            node = node.get(part) if isinstance(node, dict) else None
    return out


def _allowed_keys(loc: Sequence[str | int]) -> list[str]:
    model: type[BaseModel] = Question if loc and loc[0] == "questions" else Pack
    return list(model.model_fields)


def _message(error: Any) -> str:
    """The pydantic error as a sentence a pack author can act on."""
    kind, loc, value = error["type"], error["loc"], error.get("input")
    ctx = error.get("ctx") or {}
    if kind == "value_error":
        return str(ctx.get("error", error["msg"]))
    if kind == "extra_forbidden":
        allowed = _allowed_keys(loc)
        return f"unknown key; expected one of: {', '.join(allowed)}{_did_you_mean(str(loc[-1]), allowed)}"
    if kind == "missing":
        return "required key is missing"
    if kind == "enum":
        choices = ", ".join(k.value for k in Kind)
        hint = _did_you_mean(str(value), [k.value for k in Kind])
        shown = repr(value) if isinstance(value, str) else _describe(value)
        return f"must be one of: {choices} (got {shown}){hint}"
    expected = {
        "string_type": "a string", "int_type": "a whole number", "list_type": "an array",
        "model_type": "a table", "dict_type": "a table",
    }.get(kind)
    if expected:
        noun = "an array of [[questions]] tables" if loc == ("questions",) else expected
        return f"must be {noun} (got {_describe(value)})"
    if kind == "too_short":
        return f"must have at least {ctx.get('min_length', 1)} item(s)"
    if kind == "too_long":
        return f"must have at most {ctx.get('max_length')} items (got {ctx.get('actual_length')})"
    return str(error["msg"])


def _cross_field_problems(parsed: dict[str, Any], expected_id: str | None) -> list[tuple[tuple[str | int, ...], str]]:
    """What pydantic cannot see one field at a time: duplicates, the version, an id that does not match the file.

    Works on the raw TOML so these are reported together with the field problems, not after they are fixed.
    """
    problems: list[tuple[tuple[str | int, ...], str]] = []
    version = parsed.get("schema_version", SCHEMA_VERSION)
    if type(version) is int and version != SCHEMA_VERSION:
        problems.append((("schema_version",), f"must be {SCHEMA_VERSION}, the only format this mockiv reads "
                                              f"(got {version})"))
    pack_id = parsed.get("id")
    if expected_id is not None and isinstance(pack_id, str) and pack_id != expected_id:
        problems.append((("id",), f"must match the file name {expected_id!r} so the pack can be found by its id "
                                  f"(got {pack_id!r})"))
    questions = parsed.get("questions")
    if not isinstance(questions, list):
        return problems
    seen_ids: dict[str, int] = {}
    seen_texts: dict[str, int] = {}
    for index, question in enumerate(questions):
        if not isinstance(question, dict):
            continue
        question_id, text = question.get("id"), question.get("text")
        if isinstance(question_id, str):
            if question_id in seen_ids:
                problems.append((("questions", index, "id"),
                                 f"duplicate id; questions[{seen_ids[question_id]}] already uses {question_id!r}"))
            seen_ids.setdefault(question_id, index)
        if isinstance(text, str) and text.split():
            text_key = " ".join(text.split()).casefold()
            if text_key in seen_texts:
                problems.append((("questions", index, "text"), f"same text as questions[{seen_texts[text_key]}]"))
            seen_texts.setdefault(text_key, index)
    return problems


def _format(source: str, line: int | None, where: str, message: str) -> str:
    return f"{source}:{line}: {where}: {message}" if line else f"{source}: {where}: {message}"


def parse_pack(data: bytes, source: str = "<pack>", expected_id: str | None = None) -> Pack:
    """Parse and validate pack bytes; raise PackError listing every problem. Never any other exception."""
    if len(data) > MAX_PACK_BYTES:
        raise PackError([f"{source}: file is {len(data) // 1024} KiB; a pack must be under "
                         f"{MAX_PACK_BYTES // 1024} KiB"])
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        raise PackError([f"{source}: not UTF-8 text (byte 0x{data[error.start]:02x} at offset {error.start}); "
                         f"save the pack as UTF-8"]) from None
    try:
        parsed = tomllib.loads(text)
    except (tomllib.TOMLDecodeError, ValueError) as error:
        found = _TOML_LINE.search(str(error))
        line = int(found.group(1)) if found else None
        raise PackError([_format(source, line, "TOML syntax", str(error))]) from None
    except RecursionError:
        raise PackError([f"{source}: TOML syntax: nested too deeply"]) from None
    if not isinstance(parsed, dict):  # tomllib always returns a table; keep the checker honest anyway
        raise PackError([f"{source}: (top level): must be a table"])
    located: list[tuple[tuple[str | int, ...], str]] = []
    pack: Pack | None = None
    try:
        pack = Pack.model_validate(parsed)
    except ValidationError as error:
        located = [(tuple(e["loc"]), _message(e)) for e in error.errors(include_url=False)]
    except RecursionError:
        raise PackError([f"{source}: nested too deeply"]) from None
    located += _cross_field_problems(parsed, expected_id)
    if located or pack is None:
        lines = [(_line_of(text, loc), _where(loc, parsed), message) for loc, message in located]
        lines.sort(key=lambda item: item[0] or 0)  # file order, so an author fixes them top to bottom
        raise PackError([_format(source, line, where, message) for line, where, message in lines])
    return pack


def read_pack_file(path: Path) -> Pack:
    """Load one pack file; the file name (without .toml) must be the pack's id."""
    try:
        data = path.read_bytes()
    except FileNotFoundError:
        raise UserInputError(f"{path}: no such file") from None
    except IsADirectoryError:
        raise UserInputError(f"{path}: is a folder, not a pack file") from None
    except OSError as error:
        raise UserInputError(f"{path}: cannot read it ({error.strerror or error})") from None
    return parse_pack(data, str(path), expected_id=path.stem)


def validate_pack_file(path: str | Path) -> list[str]:
    """Every problem in a pack file, one line each; an empty list means the pack is valid."""
    try:
        read_pack_file(Path(path))
    except PackError as error:
        return error.problems
    except UserInputError as error:
        return [str(error)]
    return []


# --- the packs folders ------------------------------------------------------------------------------------------


def shipped_dir() -> Path:
    return paths.project_root() / "question_packs"


def user_dir() -> Path:
    return paths.sub_dir("packs")


def _folder_files(folder: Path) -> dict[str, Path]:
    """`<id>.toml` files directly in a folder, by id; names that are not valid ids are skipped."""
    if not folder.is_dir():
        return {}
    found: dict[str, Path] = {}
    for path in sorted(folder.glob("*.toml")):
        if NAME_PATTERN.fullmatch(path.stem) and _inside(path, folder):
            found[path.stem] = path
    return found


def _inside(path: Path, folder: Path) -> bool:
    """True when the path, links resolved, is a file inside the folder: a link out of it is refused."""
    try:
        return path.resolve().is_relative_to(folder.resolve()) and path.resolve().is_file()
    except OSError:
        return False


def _info(path: Path, source: Source, replaces_shipped: bool = False) -> PackInfo:
    try:
        pack = read_pack_file(path)
    except PackError as error:
        return PackInfo(path.stem, path, source, replaces_shipped=replaces_shipped, problems=tuple(error.problems))
    except UserInputError as error:
        return PackInfo(path.stem, path, source, replaces_shipped=replaces_shipped, problems=(str(error),))
    kinds = tuple(dict.fromkeys(str(q.kind) for q in pack.questions))
    return PackInfo(pack.id, path, source, pack.title, pack.description, pack.target_role, len(pack.questions),
                    kinds, replaces_shipped)


def list_packs() -> list[PackInfo]:
    """Every pack in the shipped and user folders, by id; a user pack replaces a shipped one of the same id."""
    shipped = _folder_files(shipped_dir())
    user = _folder_files(user_dir())
    infos = {pack_id: _info(path, "shipped") for pack_id, path in shipped.items() if pack_id not in user}
    infos.update({pack_id: _info(path, "user", pack_id in shipped) for pack_id, path in user.items()})
    return [infos[pack_id] for pack_id in sorted(infos)]


def resolve_pack(name_or_path: str) -> tuple[Path, Source]:
    """A pack id (looked up in the user folder, then the shipped one) or an explicit path to a .toml file.

    A name is checked against NAME_PATTERN before it touches the file system, so '../x' or '/etc/x' can never
    be read as a name; an explicit path must name an existing .toml file the user can already read.
    """
    if NAME_PATTERN.fullmatch(name_or_path):
        for folder, source in ((user_dir(), "user"), (shipped_dir(), "shipped")):
            candidate = folder / f"{name_or_path}.toml"
            if candidate.exists() and _inside(candidate, folder):
                return candidate, source  # type: ignore[return-value]
        available = ", ".join(info.id for info in list_packs()) or "none"
        raise UserInputError(f"no pack named {name_or_path!r}; available: {available} "
                             f"(`mockiv packs list` shows them)")
    if name_or_path.endswith(".toml"):
        path = Path(name_or_path).expanduser()
        if not path.is_file():
            raise UserInputError(f"{name_or_path}: no such pack file")
        return path, "file"
    raise UserInputError(f"{name_or_path!r} is neither a pack name (lower-case letters, digits, '-' and '_') "
                         f"nor a path to a .toml file")


def load_pack(name_or_path: str) -> Pack:
    """The pack with this id, or from this .toml path; PackError (a UserInputError) lists what is wrong."""
    path, _source = resolve_pack(name_or_path)
    return read_pack_file(path)


def pack_json_schema() -> dict[str, Any]:
    """The JSON schema of the pack format, for pack authors' editors."""
    return Pack.model_json_schema()
