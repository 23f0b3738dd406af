"""The story bank: the candidate's own 7–10 STAR stories, each mapped to the signals it proves.

Seed 001's four-week plan: week 1, write 7–10 specific, results-driven STAR stories from real experience;
week 2, map each story to the qualities the target role is scored on. The coverage map shows which signals
the bank proves and which it lacks, so the candidate knows which story to write next. The bank is a TOML
file in the data folder (`stories/stories.toml`) or anywhere with `--file`; the format is in
question_packs/README.md and an example ships as question_packs/examples/story-bank.example.toml.
"""

from __future__ import annotations

import re
import tomllib
from dataclasses import dataclass
from functools import cache
from importlib import resources
from pathlib import Path
from typing import Annotated, Any

from pydantic import AfterValidator, BaseModel, ConfigDict, Field, StrictInt, StrictStr

from mockiv import paths, tomlcheck
from mockiv.core.numbers import as_digits
from mockiv.errors import UserInputError
from mockiv.packs import Name, ShortText, bounded_text, known_signal, signal_ids, signals

SCHEMA_VERSION = 1
RECOMMENDED_STORIES = (7, 10)  # seed 001, week 1: "Write 7-10 STAR stories from your real experience"
MAX_STORIES = 40
MAX_PART_CHARS = 2000
MAX_BANK_BYTES = 512 * 1024
BANK_FILE_NAME = "stories.toml"
EXAMPLE_BANK = Path("question_packs") / "examples" / "story-bank.example.toml"

StoryPart = Annotated[StrictStr, bounded_text(MAX_PART_CHARS)]


@cache
def _word_checks() -> dict[str, re.Pattern[str]]:
    """Patterns for the advice, built from mockiv/packs_data/story_checks.toml."""
    text = resources.files("mockiv").joinpath("packs_data", "story_checks.toml").read_text(encoding="utf-8")
    data = tomllib.loads(text)

    def words(key: str) -> str:
        return "|".join(re.escape(w) for w in sorted(data[key], key=len, reverse=True))

    return {
        "number": re.compile(rf"\d|\b(?:{words('quantity_words')})\b", re.IGNORECASE),
        "first_person": re.compile(rf"\b(?:{words('first_person')})\b", re.IGNORECASE),
        "team_voice": re.compile(rf"\b(?:{words('team_voice')})\b", re.IGNORECASE),
    }


def _unique_signals(values: list[str]) -> list[str]:
    repeated = sorted({value for value in values if values.count(value) > 1})
    if repeated:
        raise ValueError(f"lists {', '.join(repeated)} more than once")
    return values


class Story(BaseModel):
    """One STAR story: what was going on, what you had to do, what YOU did, what changed; and what it proves."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    id: Name
    title: ShortText
    situation: StoryPart
    task: StoryPart
    action: StoryPart
    result: StoryPart
    signals: Annotated[
        list[Annotated[StrictStr, AfterValidator(known_signal)]],
        Field(min_length=1),
        AfterValidator(_unique_signals),
    ]
    lesson: StoryPart | None = None


class StoryBank(BaseModel):
    """The candidate's stories, in the order they like to tell them."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    schema_version: StrictInt = SCHEMA_VERSION
    stories: Annotated[list[Story], Field(min_length=1, max_length=MAX_STORIES)]

    def story(self, story_id: str) -> Story:
        for story in self.stories:
            if story.id == story_id:
                return story
        known = ", ".join(s.id for s in self.stories)
        raise UserInputError(f"no story {story_id!r} in the bank{tomlcheck.did_you_mean(story_id, known.split(', '))}"
                             f" (stories: {known})")


class StoryBankError(tomlcheck.FileProblems):
    """A story bank that cannot be used; one line per problem."""


@dataclass(frozen=True, slots=True)
class Coverage:
    """Which stories prove each signal; `lacking` are the signals no story proves yet."""

    by_signal: dict[str, tuple[str, ...]]

    @property
    def covered(self) -> list[str]:
        return [signal for signal, ids in self.by_signal.items() if ids]

    @property
    def lacking(self) -> list[str]:
        return [signal for signal, ids in self.by_signal.items() if not ids]

    def to_dict(self) -> dict[str, Any]:
        return {"by_signal": {k: list(v) for k, v in self.by_signal.items()}, "covered": self.covered,
                "lacking": self.lacking}


def coverage(bank: StoryBank) -> Coverage:
    """Map every signal, in rubric order, to the stories that prove it (seed 001 week 2: rubric mapping)."""
    return Coverage({signal: tuple(s.id for s in bank.stories if signal in s.signals) for signal in signal_ids()})


def advice(bank: StoryBank) -> list[str]:
    """Warnings that do not make the bank invalid but cost the candidate in an interview; each says why."""
    notes: list[str] = []
    low, high = RECOMMENDED_STORIES
    if not low <= len(bank.stories) <= high:
        notes.append(f"the bank has {len(bank.stories)} stories; aim for {low}–{high}: enough to cover every "
                     f"signal, few enough to know each one well")
    for signal in coverage(bank).lacking:
        notes.append(f"no story proves {signal} ({signals()[signal].name.lower()}): "
                     f"{signals()[signal].how_to_show}")
    checks = _word_checks()
    for story in bank.stories:
        if not checks["number"].search(as_digits(story.result)):
            notes.append(f"stories[{story.id}].result has no number; stories without numbers are just stories: "
                         f"add time saved, users affected, money or risk reduced")
        if checks["team_voice"].search(story.action) and not checks["first_person"].search(story.action):
            notes.append(f"stories[{story.id}].action says 'we' but never 'I'; the interviewer needs what YOU did, "
                         f"not the team")
    return notes


def _cross_field_problems(parsed: dict[str, Any]) -> list[tomlcheck.LocatedProblem]:
    problems: list[tomlcheck.LocatedProblem] = []
    version = parsed.get("schema_version", SCHEMA_VERSION)
    if type(version) is int and version != SCHEMA_VERSION:
        problems.append((("schema_version",), f"must be {SCHEMA_VERSION} (got {version})"))
    problems += tomlcheck.duplicates(parsed.get("stories"), "stories", "id")
    problems += tomlcheck.duplicates(parsed.get("stories"), "stories", "title", normalise=True)
    return problems


def parse_bank(data: bytes, source: str = "<stories>") -> StoryBank:
    """Parse and validate story-bank bytes; StoryBankError lists every problem. Never any other exception."""
    text, parsed = tomlcheck.read_toml(data, source, MAX_BANK_BYTES, StoryBankError)
    return tomlcheck.validate(StoryBank, Story, "stories", text, parsed, source, _cross_field_problems(parsed),
                              StoryBankError)


def default_bank_path() -> Path:
    return paths.sub_dir("stories") / BANK_FILE_NAME


def example_bank_path() -> Path:
    return paths.project_root() / EXAMPLE_BANK


def load_bank(path: str | Path | None = None) -> tuple[StoryBank, Path]:
    """The bank at `path`, or the default one; a missing default bank says how to start one."""
    try:
        bank_path = Path(path).expanduser() if path else default_bank_path()
    except RuntimeError:  # "~nosuchuser/...": no home folder to expand
        raise UserInputError(f"{path}: no such file") from None
    if not path and not bank_path.exists():
        raise UserInputError(f"no story bank yet at {bank_path}; `mockiv stories init` copies the example there "
                             f"to edit")
    data = tomlcheck.read_user_file(bank_path, MAX_BANK_BYTES, "a story bank file")
    return parse_bank(data, str(bank_path)), bank_path


def validate_bank_file(path: str | Path | None) -> list[str]:
    """Every problem in a story-bank file (None: the default bank), one line each; empty means it is valid."""
    try:
        load_bank(path)
    except tomlcheck.FileProblems as error:
        return error.problems
    except UserInputError as error:
        return [str(error)]
    return []


def init_bank(path: Path | None = None) -> Path:
    """Copy the example bank to `path` (default: the data folder) for the candidate to rewrite; never overwrite."""
    target = path or default_bank_path()
    example = example_bank_path()
    try:
        data = example.read_bytes()
    except OSError:
        raise UserInputError(f"the example story bank is missing ({example})") from None
    try:
        with open(target, "xb") as out:  # "x": refuse to overwrite a bank the candidate already wrote
            out.write(data)
    except FileExistsError:
        raise UserInputError(f"{target} already exists; edit it, or pass --file for a new one") from None
    except OSError as error:
        raise UserInputError(f"{target}: cannot write it ({error.strerror or error})") from None
    return target
