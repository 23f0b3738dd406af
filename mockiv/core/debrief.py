"""Debrief of a real interview, and the plan it turns into. Pure.

Seed 003's recovery routine: after an interview, write down three things you did well and your top three growth
areas, then build a curriculum from them. The candidate gives the questions they were asked (and, optionally,
their answers as they remember them), their wins and growth areas; the shell scores the remembered answers with
the one analysis entry point. `plan` then proposes the growth areas the findings support (matching the
candidate's own words where they agree), and turns all of it into a personal pack of those questions, drills
aimed at the weak signals, and the rules a check follows in the progress view after each practice session.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import asdict, dataclass, field, replace
from functools import cache
from typing import Any

from mockiv.core import data
from mockiv.core.kinds import infer_kind
from mockiv.core.report import session_report
from mockiv.core.rules.engine import RuleResult, rule_specs, rule_title
from mockiv.core.transcript import Answer, Transcript


@cache
def settings() -> dict[str, Any]:
    return data.load("debrief")


@dataclass(frozen=True, slots=True)
class Remembered:
    """A question the interviewer asked, and the answer as the candidate remembers it ("" when not given)."""

    question: str
    answer: str = ""


@dataclass(frozen=True, slots=True)
class Debrief:
    """What the candidate wrote down after the interview."""

    title: str
    date: str
    questions: tuple[Remembered, ...]
    wins: tuple[str, ...] = ()
    growth: tuple[str, ...] = ()

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_dict(cls, value: Mapping[str, Any]) -> Debrief:
        return cls(str(value.get("title", "")), str(value.get("date", "")),
                   tuple(Remembered(str(q["question"]), str(q.get("answer") or "")) for q in value["questions"]),
                   tuple(value.get("wins", ())), tuple(value.get("growth", ())))


@dataclass(frozen=True, slots=True)
class Proposal:
    """A growth area the findings support: the rule, how often it showed, a quote, the drill, and whether the
    candidate named it too (`named`: their own words)."""

    rule: str
    title: str
    message: str
    answers: tuple[int, ...]
    quote: str
    drill: str
    named: str = ""

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


@dataclass(frozen=True, slots=True)
class PersonalQuestion:
    id: str
    text: str
    kind: str
    signal: str
    time_budget_s: int
    follow_ups: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class DebriefPlan:
    """The curriculum: what the findings propose, the candidate's own areas mockiv did not see, the personal pack's
    questions, the drills, and the rules the progress check follows."""

    proposals: tuple[Proposal, ...]
    unsupported: tuple[str, ...]  # the candidate's growth areas no remembered answer showed
    questions: tuple[PersonalQuestion, ...]
    drills: tuple[str, ...]
    targets: tuple[str, ...]  # rule ids checked after each session
    scored_answers: int
    strengths: tuple[str, ...] = field(default=())

    def to_dict(self) -> dict[str, Any]:
        return {"proposals": [p.to_dict() for p in self.proposals], "unsupported": list(self.unsupported),
                "questions": [asdict(q) for q in self.questions], "drills": list(self.drills),
                "targets": list(self.targets), "scored_answers": self.scored_answers,
                "strengths": list(self.strengths)}


_WORD = re.compile(r"[a-z]+(?:'[a-z]+)?")


def named_rules(growth_area: str) -> tuple[str, ...]:
    """The rules whose findings would show a growth area the candidate wrote ("I used 'we' too much" -> we-without-i),
    the most telling first (each area's rules are listed in that order in data/debrief.toml)."""
    text = growth_area.lower()
    words = set(_WORD.findall(text))
    out: dict[str, None] = {}
    for area in settings()["areas"].values():
        if any((w in words) if " " not in w else (w in text) for w in area["words"]):
            out.update(dict.fromkeys(area["rules"]))
    return tuple(out)


def _slug(text: str, taken: set[str]) -> str:
    words = _WORD.findall(text.lower())[:6]
    base = "-".join(words)[:40].strip("-") or "question"
    slug, n = base, 2
    while slug in taken:
        slug, n = f"{base}-{n}", n + 1
    taken.add(slug)
    return slug


def plan(debrief: Debrief, results: Sequence[RuleResult | None]) -> DebriefPlan:
    """The plan from a debrief and the rule results of its remembered answers (None where no answer was given)."""
    if len(results) != len(debrief.questions):
        raise ValueError("one result (or None) per remembered question")
    ignored = set(settings()["ignore_rules"])
    scored = [(i, replace(r, findings=tuple(f for f in r.findings if f.rule not in ignored)))
              for i, r in enumerate(results) if r is not None]
    items = [(Answer(debrief.questions[i].question, r.kind,
                     Transcript.from_text(debrief.questions[i].answer)), None, r) for i, r in scored]
    report = session_report(items) if items else None
    positions = [i for i, _ in scored]
    named_by_rule: dict[str, str] = {}
    for area in debrief.growth:
        for rule in named_rules(area):
            named_by_rule.setdefault(rule, area)
    proposals = []
    for item in report.growth_areas if report else ():
        quote = item.evidence[0].span.text if item.evidence else ""
        proposals.append(Proposal(item.id, rule_title(item.id), item.message,
                                  tuple(positions[a] for a in item.answers), quote, item.practice,
                                  named_by_rule.get(item.id, "")))
    # An area the candidate named that a finding beyond the top three supports is proposed too: they saw it.
    proposed = {p.rule for p in proposals}
    for _, result in scored:
        for finding in result.findings:
            named = named_by_rule.get(finding.rule, "")
            if named and finding.rule not in proposed:
                proposed.add(finding.rule)
                spec = next((s for s in rule_specs() if s.id == finding.rule), None)
                quote = finding.evidence[0].text if finding.evidence else ""
                answers = tuple(i for i, r in scored if finding.rule in r.rule_ids())
                proposals.append(Proposal(finding.rule, rule_title(finding.rule), finding.message, answers, quote,
                                          spec.practice if spec else finding.suggestion, named))
    supported = {p.named for p in proposals if p.named}
    unsupported = tuple(area for area in debrief.growth if area not in supported)
    # The candidate's own areas get a drill too, even when the remembered answers did not show them.
    specs = {s.id: s for s in rule_specs()}
    drills = [p.drill for p in proposals if p.drill]
    targets = [p.rule for p in proposals]
    for area in unsupported:
        for rule in named_rules(area):
            if rule in specs and rule not in targets:
                targets.append(rule)
                if specs[rule].practice and specs[rule].practice not in drills:
                    drills.append(specs[rule].practice)
                break
    questions = _personal_questions(debrief, results)
    strengths = tuple(s.message for s in report.strengths) if report else ()
    return DebriefPlan(tuple(proposals), unsupported, questions, tuple(drills), tuple(targets), len(scored),
                       strengths)


def _personal_questions(debrief: Debrief, results: Sequence[RuleResult | None]) -> tuple[PersonalQuestion, ...]:
    s = settings()
    taken: set[str] = set()
    out = []
    for remembered, result in zip(debrief.questions, results, strict=True):
        kind = str(result.kind if result is not None else infer_kind(remembered.question))
        findings = result.findings if result is not None else ()
        signal = next((s["signal_by_family"][f.family] for f in findings if f.family in s["signal_by_family"]),
                      s["signal_by_kind"].get(kind, "execution"))
        follow_ups = tuple(dict.fromkeys(f.follow_up for f in findings if f.follow_up))[:8]
        out.append(PersonalQuestion(_slug(remembered.question, taken), remembered.question, kind, signal,
                                    int(s["time_budget_by_kind"].get(kind, 120)), follow_ups))
    return tuple(out)


def _toml_string(text: str) -> str:
    """A TOML basic string: JSON's escapes are TOML's (\\n, \\", \\\\, \\uXXXX)."""
    import json

    return json.dumps(text, ensure_ascii=False)


def pack_toml(pack_id: str, debrief: Debrief, debrief_plan: DebriefPlan) -> str:
    """The personal pack as a question pack file (validated like any pack by mockiv.packs when it is written)."""
    when = f" of {debrief.date}" if debrief.date else ""
    title = f"Your interview{when}: {debrief.title}" if debrief.title else f"Your interview{when}"
    weak = ", ".join(p.title.lower() for p in debrief_plan.proposals) or "the growth areas you named"
    lines = [
        "# Written by `mockiv debrief`: the questions of a real interview, to practise again.",
        "schema_version = 1",
        f"id = {_toml_string(pack_id)}",
        f"title = {_toml_string(title[:120])}",
        f"description = {_toml_string(f'The questions you were asked, again; work on: {weak}.'[:1000])}",
        f"target_role = {_toml_string((debrief.title or 'The role you interviewed for')[:120])}",
    ]
    for question in debrief_plan.questions:
        lines += ["", "[[questions]]", f"id = {_toml_string(question.id)}", f"kind = {_toml_string(question.kind)}",
                  f"signal = {_toml_string(question.signal)}", f"text = {_toml_string(question.text)}",
                  f"time_budget_s = {question.time_budget_s}"]
        if question.follow_ups:
            lines.append(f"follow_ups = [{', '.join(_toml_string(f) for f in question.follow_ups)}]")
    return "\n".join(lines) + "\n"


@dataclass(frozen=True, slots=True)
class TargetCheck:
    """One rule of the plan, session by session since the debrief: True where no answer showed it."""

    rule: str
    title: str
    clean: tuple[bool, ...]

    @property
    def marks(self) -> str:
        return "".join("✓" if c else "✗" for c in self.clean)

    def to_dict(self) -> dict[str, Any]:
        return {"rule": self.rule, "title": self.title, "clean": list(self.clean), "marks": self.marks}


def check_targets(targets: Sequence[str], sessions: Sequence[Mapping[str, Any]], since: str) -> tuple[TargetCheck, ...]:
    """After each practice session that started after the debrief (`since`, ISO time), whether its analysed
    answers still showed each target rule (store session dicts, oldest first)."""
    after = [s for s in sessions if str(s.get("started_at", "")) >= since]
    rules_per_session = []
    for session in after:
        answers = [a for a in session.get("answers", []) if a.get("result")]
        if answers:
            rules_per_session.append({f["rule"] for a in answers for f in a["result"].get("findings", [])})
    return tuple(TargetCheck(rule, rule_title(rule), tuple(rule not in fired for fired in rules_per_session))
                 for rule in targets)
