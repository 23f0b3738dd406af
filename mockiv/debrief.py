"""Debrief of a real interview: the shell around mockiv.core.debrief.

Reads what the candidate wrote down (flags, prompts or a TOML/JSON file, validated like a pack: one line per
problem), scores the remembered answers through the one analysis entry point (`Analyzer`, as every answer is),
writes the personal pack into the user's packs folder (validated like any pack), and keeps the debrief and its
plan in the store, where the progress view finds the rules to check after each session.
"""

from __future__ import annotations

import json
import re
from collections.abc import Sequence
from pathlib import Path
from typing import Annotated, Any

from pydantic import BaseModel, BeforeValidator, ConfigDict, Field, StrictStr

from mockiv import packs, tomlcheck
from mockiv.core.debrief import Debrief, DebriefPlan, Remembered, TargetCheck, check_targets, pack_toml, plan, settings
from mockiv.core.rules.engine import RuleResult
from mockiv.core.transcript import Transcript
from mockiv.errors import UserInputError

MAX_FILE_BYTES = 256 * 1024
MAX_QUESTIONS = int(settings()["limits"]["max_questions"])
MAX_ITEMS = int(settings()["limits"]["max_items"])  # wins, and growth areas
AnswerText = Annotated[StrictStr, packs.bounded_text(20_000)]  # a remembered answer: a few minutes of speech


def _date_text(value: Any) -> Any:
    """A TOML date (date = 2026-12-03) or any short text ("last Tuesday"), as text."""
    if hasattr(value, "isoformat"):
        return value.isoformat()
    if isinstance(value, str):
        text = " ".join(value.split())
        if len(text) > 40 or any(not (ch.isalnum() or ch in " -/.,:") for ch in text):
            raise ValueError("must be a date such as 2026-12-03, or a few words (letters, digits, - / . , :)")
        return text
    return value


DateText = Annotated[StrictStr, BeforeValidator(_date_text)]


class _RememberedIn(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    question: packs.SpokenText
    answer: AnswerText | None = None


class _DebriefIn(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    title: packs.ShortText | None = None
    date: DateText | None = None
    questions: Annotated[list[_RememberedIn], Field(min_length=1, max_length=MAX_QUESTIONS)]
    wins: Annotated[list[packs.LongText], Field(max_length=MAX_ITEMS)] = []
    growth: Annotated[list[packs.LongText], Field(max_length=MAX_ITEMS)] = []


class DebriefError(tomlcheck.FileProblems):
    """A debrief that cannot be used; one line per problem."""


def debrief_from(value: dict[str, Any], source: str = "the debrief", text: str = "") -> Debrief:
    """Validate what the candidate gave (flags, prompts or a file's contents); DebriefError lists every problem."""
    checked = tomlcheck.validate(_DebriefIn, _RememberedIn, "questions", text, value, source, (), DebriefError)
    return Debrief(checked.title or "", checked.date or "",
                   tuple(Remembered(q.question, q.answer or "") for q in checked.questions),
                   tuple(checked.wins), tuple(checked.growth))


def read_debrief_file(path: Path) -> Debrief:
    """A debrief written as TOML or JSON (by its suffix): title, date, [[questions]] question/answer, wins, growth."""
    data = tomlcheck.read_user_file(path, MAX_FILE_BYTES, "a debrief file")
    if path.suffix.lower() == ".json":
        try:
            text = data.decode("utf-8-sig")
            value = json.loads(text)
        except (UnicodeDecodeError, json.JSONDecodeError) as error:
            raise DebriefError([f"{path}: not valid JSON ({error}); save it as UTF-8 JSON"]) from None
        if not isinstance(value, dict):
            raise DebriefError([f"{path}: must be a JSON object with questions, wins and growth"])
        return debrief_from(value, str(path))
    if path.suffix.lower() != ".toml":
        raise UserInputError(f"{path}: a debrief file must end in .toml or .json")
    text, value = tomlcheck.read_toml(data, str(path), MAX_FILE_BYTES, DebriefError)
    return debrief_from(value, str(path), text)


def score(debrief: Debrief, analyzer: Any) -> list[RuleResult | None]:
    """Each remembered answer through the analyzer (None where the candidate gave no answer)."""
    out: list[RuleResult | None] = []
    for remembered in debrief.questions:
        if not remembered.answer.strip():
            out.append(None)
            continue
        result = analyzer.analyze(Transcript.from_text(remembered.answer), remembered.question, None,
                                  source="typed")
        out.append(RuleResult.from_dict(result.result) if result.result else None)
    return out


def pack_id_for(debrief: Debrief, taken: set[str]) -> str:
    """`debrief-<date>` (or `debrief` without a date), with -2, -3 ... when that id is already a pack."""
    date = "-".join(re.findall(r"[a-z0-9]+", debrief.date.lower()))[:30].strip("-")
    base = f"debrief-{date}" if date else "debrief"
    pack_id, n = base, 2
    while pack_id in taken:
        pack_id, n = f"{base}-{n}", n + 1
    return pack_id


PACK_MARK = "# Written by `mockiv debrief`"  # the first line of every personal pack (core.debrief.pack_toml)


def check_pack_id(pack_id: str) -> None:
    """A personal pack's id must be a valid id and must not replace a pack the debrief did not write."""
    if not packs.NAME_PATTERN.fullmatch(pack_id):
        raise UserInputError(f"--pack-id {pack_id!r}: use lower-case letters, digits, '-' or '_'")
    existing = next((info for info in packs.list_packs() if info.id == pack_id), None)
    if existing is None:
        return
    written_here = existing.source == "user" and not existing.replaces_shipped and \
        existing.path.read_text(encoding="utf-8", errors="replace").startswith(PACK_MARK)
    if not written_here:
        what = "a pack that comes with mockiv" if existing.source == "shipped" or existing.replaces_shipped else \
            f"one of your own packs ({existing.path})"
        raise UserInputError(f"--pack-id {pack_id!r} is already {what}; choose another id, or leave --pack-id out "
                             "for debrief-<date>")


def write_pack(debrief: Debrief, debrief_plan: DebriefPlan, pack_id: str | None = None) -> tuple[str, Path]:
    """The personal pack in the user's packs folder, validated like any pack before it is kept."""
    from mockiv.export import atomic_write

    if pack_id is None:
        pack_id = pack_id_for(debrief, {info.id for info in packs.list_packs()})
    else:
        check_pack_id(pack_id)
    target = packs.user_dir() / f"{pack_id}.toml"
    text = pack_toml(pack_id, debrief, debrief_plan)
    packs.parse_pack(text.encode("utf-8"), str(target), expected_id=pack_id)  # never write a pack that won't load
    atomic_write(target, text)
    return pack_id, target


def keep(store: Any, debrief: Debrief, debrief_plan: DebriefPlan, pack_id: str, created_at: str) -> str:
    """The debrief and its plan in the store: the progress view checks the plan's rules after each session."""
    return store.save_debrief({"created_at": created_at, "debrief": debrief.to_dict(), "plan": debrief_plan.to_dict(),
                               "pack_id": pack_id, "version": settings()["version"]}, pack_id)


def latest_check(store: Any) -> tuple[dict[str, Any], tuple[TargetCheck, ...]] | None:
    """The newest debrief and, per rule of its plan, each session since it: still showing it or not."""
    stored = store.latest_debrief()
    if stored is None:
        return None
    sessions = [store.get_session(i).to_dict(history=False) for i in store.session_ids()]
    return stored, check_targets(stored["plan"]["targets"], sessions, stored["created_at"])


def check_lines(stored: dict[str, Any], checks: Sequence[TargetCheck]) -> list[str]:
    """The newest debrief's plan, per rule, session by session since: what `mockiv progress` and the end of a
    practice session print."""
    debrief = stored.get("debrief") or {}
    when = f" of {debrief['date']}" if debrief.get("date") else ""
    out = [f"Your debrief plan (interview{when}; pack {stored['pack_id']}): ✓ a session without it, ✗ still there"]
    if not checks:
        return [f"Your debrief plan (interview{when}; pack {stored['pack_id']}): no growth area to check"]
    if not any(c.clean for c in checks):
        return [*out, f"  No practice session since: `mockiv practice --pack {stored['pack_id']}`"]
    return [*out, *(f"  {check.title:<34} {check.marks}" for check in checks)]


def run_debrief(debrief: Debrief, analyzer: Any, store: Any, created_at: str,
                pack_id: str | None = None) -> tuple[DebriefPlan, str, Path]:
    """Score, plan, write the pack, keep it all: what `mockiv debrief` and the app's Debrief screen do."""
    debrief_plan = plan(debrief, score(debrief, analyzer))
    chosen, path = write_pack(debrief, debrief_plan, pack_id)
    if store is not None:  # without a store (the app can run without one) there is no progress to check
        keep(store, debrief, debrief_plan, chosen, created_at)
    return debrief_plan, chosen, path


def plan_lines(debrief_plan: DebriefPlan, pack_id: str, wins: tuple[str, ...] = ()) -> list[str]:
    """The plan as lines a candidate reads (the CLI prints them, the app shows them)."""
    out = []
    if wins:
        out += ["Keep doing what went well:"] + [f"  + {win}" for win in wins] + [""]
    if debrief_plan.strengths:
        out += ["What your answers show you did well:"] + [f"  + {s}" for s in debrief_plan.strengths] + [""]
    if debrief_plan.proposals:
        answers = debrief_plan.scored_answers
        out.append(f"Growth areas your {answers} remembered " + ("answer supports:" if answers == 1 else
                                                                   "answers support:"))
        for p in debrief_plan.proposals:
            where = ", ".join(f"Q{a + 1}" for a in p.answers)
            agree = f" (you named it too: \"{p.named}\")" if p.named else ""
            out.append(f"  - {p.title} ({where}){agree}")
            if p.quote:
                out.append(f"      you said: \"{p.quote}\"")
    elif debrief_plan.scored_answers:
        out.append("Your remembered answers show none of the problems mockiv checks for.")
    else:
        out.append("No answers given, so nothing to score: the plan follows the growth areas you named.")
    if debrief_plan.unsupported:
        out += ["", "Your own growth areas the remembered answers did not show (kept in the plan):"]
        out += [f"  - {area}" for area in debrief_plan.unsupported]
    questions = len(debrief_plan.questions)
    out += ["", f"Your plan: practise pack '{pack_id}' ({questions} question{'s' if questions != 1 else ''}): "
                f"mockiv practice --pack {pack_id}"]
    out += [f"  {i}. {drill}" for i, drill in enumerate(debrief_plan.drills, 1)]
    out.append("`mockiv progress` checks after each session whether your answers still show these.")
    return out
