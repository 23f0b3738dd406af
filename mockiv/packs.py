"""Question packs: plain TOML files of interview questions, validated with one clear line per problem.

Shipped packs live in `question_packs/*.toml` at the project root; the user's own packs in the `packs` folder of
the data directory (a user pack with the same id replaces the shipped one). A pack is named by its id, which is
also its file name; a name never reaches outside those two folders. The format is documented in
question_packs/README.md; signals are defined once, as data, in mockiv/packs_data/signals.toml.
"""

from __future__ import annotations

import re
import tomllib
import unicodedata
from dataclasses import dataclass, field
from functools import cache
from importlib import resources
from pathlib import Path
from typing import Annotated, Any, Literal

from pydantic import AfterValidator, BaseModel, ConfigDict, Field, StrictInt, StrictStr

from mockiv import paths, tomlcheck
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


_JOINERS = {"\u200c", "\u200d"}  # format characters that belong in some scripts' words and emoji


def bounded_text(limit: int) -> Any:
    def check(value: str) -> str:
        # Multi-line TOML strings are read aloud as one utterance: collapse the line breaks.
        text = " ".join(value.split())
        control = next((ch for ch in text if unicodedata.category(ch) in ("Cc", "Cf") and ch not in _JOINERS), None)
        if control is not None:
            # ESC [ ... would restyle or rewrite the candidate's terminal when the question is shown.
            raise ValueError(f"must not contain control characters such as terminal escape sequences "
                             f"(found {control!a})")
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


def known_signal(value: str) -> str:
    if value not in signals():
        hint = tomlcheck.did_you_mean(value, signal_ids())
        raise ValueError(f"must be one of: {', '.join(signal_ids())} (got {value!r}){hint}")
    return value


Name = Annotated[StrictStr, AfterValidator(_name)]
SpokenText = Annotated[StrictStr, bounded_text(MAX_TEXT_CHARS)]
ShortText = Annotated[StrictStr, bounded_text(120)]
LongText = Annotated[StrictStr, bounded_text(1000)]


class Question(BaseModel):
    """One question as the app speaks it, what it tests, and how long the candidate has."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    id: Name
    text: SpokenText
    kind: Kind
    signal: Annotated[StrictStr, AfterValidator(known_signal)]
    time_budget_s: Annotated[StrictInt, _in_range(*TIME_BUDGET_RANGE_S)]
    thinking_time_s: Annotated[StrictInt, _in_range(*THINKING_TIME_RANGE_S)] = 0
    follow_ups: Annotated[list[SpokenText], Field(max_length=MAX_FOLLOW_UPS)] = []
    listen_for: Annotated[StrictStr, bounded_text(MAX_TEXT_CHARS)] | None = None


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


class PackError(tomlcheck.FileProblems):
    """A pack that cannot be used; `problems` holds one line per problem (file, where, what was expected)."""


def _cross_field_problems(parsed: dict[str, Any], expected_id: str | None) -> list[tomlcheck.LocatedProblem]:
    """What pydantic cannot see one field at a time: duplicates, the version, an id that does not match the file.

    Works on the raw TOML so these are reported together with the field problems, not after they are fixed.
    """
    problems: list[tomlcheck.LocatedProblem] = []
    version = parsed.get("schema_version", SCHEMA_VERSION)
    if type(version) is int and version != SCHEMA_VERSION:
        problems.append((("schema_version",), f"must be {SCHEMA_VERSION}, the only format this mockiv reads "
                                              f"(got {version})"))
    pack_id = parsed.get("id")
    if expected_id is not None and isinstance(pack_id, str) and pack_id != expected_id:
        problems.append((("id",), f"must match the file name {expected_id!r} so the pack can be found by its id "
                                  f"(got {pack_id!r})"))
    questions = parsed.get("questions")
    problems += tomlcheck.duplicates(questions, "questions", "id")
    problems += tomlcheck.duplicates(questions, "questions", "text", normalise=True)
    return problems


def parse_pack(data: bytes, source: str = "<pack>", expected_id: str | None = None) -> Pack:
    """Parse and validate pack bytes; raise PackError listing every problem. Never any other exception."""
    text, parsed = tomlcheck.read_toml(data, source, MAX_PACK_BYTES, PackError)
    return tomlcheck.validate(Pack, Question, "questions", text, parsed, source,
                              _cross_field_problems(parsed, expected_id), PackError)


def read_pack_file(path: Path) -> Pack:
    """Load one pack file; the file name (without .toml) must be the pack's id."""
    data = tomlcheck.read_user_file(path, MAX_PACK_BYTES, "a pack file")
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
    if not name_or_path.strip():
        raise UserInputError("the pack name is empty; give a pack id (`mockiv packs list` shows them) or a .toml path")
    if NAME_PATTERN.fullmatch(name_or_path):
        for folder, source in ((user_dir(), "user"), (shipped_dir(), "shipped")):
            candidate = folder / f"{name_or_path}.toml"
            if candidate.exists() and _inside(candidate, folder):
                return candidate, source  # type: ignore[return-value]
        available = ", ".join(info.id for info in list_packs()) or "none"
        raise UserInputError(f"no pack named {name_or_path!r}; available: {available} "
                             f"(`mockiv packs list` shows them)")
    if name_or_path.endswith(".toml"):
        try:
            path = Path(name_or_path).expanduser()
        except RuntimeError:  # "~nosuchuser/x.toml": no home folder to expand
            raise UserInputError(f"{name_or_path}: no such pack file") from None
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
