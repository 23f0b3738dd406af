"""The rule engine: reads an answer once, runs every rule that applies to its kind, and returns findings
(with the candidate's words as evidence), strengths and the story structure, stamped with `RULES_VERSION`.

Rules are data (rules/data/<family>.toml); a family module registers the few checks that need code.
"""

from __future__ import annotations

import hashlib
from collections.abc import Mapping
from dataclasses import dataclass
from functools import cache
from typing import Any

from mockiv.core import delivery
from mockiv.core.analysis import Doc, read
from mockiv.core.baseline import with_note
from mockiv.core.delivery import DeliveryMetrics
from mockiv.core.findings import Finding, Severity, Strength, severity_rank
from mockiv.core.kinds import asks_about_terms, infer_kind
from mockiv.core.phrases import load_rules_data, rules_data_text
from mockiv.core.rules import (  # noqa: F401  (importing a family registers its checks)
    attitude,
    closing,
    evidence,
    failure,
    judged,
    ownership,
    stories,
    strengths,
)
from mockiv.core.rules import baseline as baseline_rules  # noqa: F401  (reads `context`)
from mockiv.core.rules import delivery as delivery_rules  # noqa: F401
from mockiv.core.rules import rehearsed as rehearsed_rules  # noqa: F401  (reads `context`)
from mockiv.core.rules.base import CHECKS, STRENGTH_CHECKS, Hit, RuleSpec, StrengthSpec
from mockiv.core.rules.judged import Encoder, judge_sentences
from mockiv.core.structure import SentencePart, tag_doc
from mockiv.core.transcript import Answer, Kind

FAMILIES = ("ownership", "evidence", "stories", "attitude", "failure", "closing", "delivery", "rehearsed",
            "baseline")
_VERSIONED = ("engine", "common", "structure", "kinds", *FAMILIES, "strengths")


def _rules_version() -> str:
    """The engine's declared version plus a digest of every data file: a stored result names the exact
    lexicons and thresholds that produced it."""
    texts = [rules_data_text(name) for name in _VERSIONED] + [judged.heads_text(name) for name in judged.HEAD_FILES]
    digest = hashlib.sha256("".join(texts).encode()).hexdigest()[:8]
    return f"{load_rules_data('engine')['version']}+{digest}"


RULES_VERSION = _rules_version()


def _examples(entry: dict[str, Any], key: str) -> tuple[Any, ...]:
    return tuple(entry.get(key, ()))


@cache
def rule_specs() -> tuple[RuleSpec, ...]:
    specs: list[RuleSpec] = []
    for family in FAMILIES:
        data = load_rules_data(family)
        for entry in data.get("rules", []):
            check = entry.get("check", entry["id"])
            if {"flag", "pass"} & set(entry.get("params", {})):
                raise ValueError(f"rule {entry['id']}: flag/pass examples must come before [rules.params]")
            if check not in CHECKS:
                raise ValueError(f"rule {entry['id']}: no check named {check!r}")
            specs.append(RuleSpec(
                id=entry["id"], family=family, kinds=tuple(Kind(k) for k in entry["kinds"]),
                severity=Severity(entry["severity"]), check=check, message=entry["message"],
                rationale=entry["rationale"], seed=entry["seed"], suggestion=entry["suggestion"],
                follow_up=entry["follow_up"], practice=entry.get("practice", ""),
                params=dict(entry.get("params", {})), flag=_examples(entry, "flag"),
                passes=_examples(entry, "pass"), title=entry.get("title", ""),
            ))
    ids = [s.id for s in specs]
    if len(ids) != len(set(ids)):
        raise ValueError("duplicate rule id in rules/data")
    return tuple(specs)


@cache
def _titles() -> dict[str, str]:
    return {spec.id: spec.title for spec in rule_specs() if spec.title}


def rule_title(rule_id: str) -> str:
    """What users read for a rule: its title, or for a rule no longer in the catalog (an old result) its id in
    words ("opens-with-filler" -> "Opens with filler")."""
    return _titles().get(rule_id) or rule_id.replace("-", " ").capitalize()


@cache
def strength_specs() -> tuple[StrengthSpec, ...]:
    out = []
    for entry in load_rules_data("strengths").get("strengths", []):
        out.append(StrengthSpec(
            id=entry["id"], kinds=tuple(Kind(k) for k in entry["kinds"]), message=entry["message"],
            signal=entry["signal"], seed=entry["seed"], unless=tuple(entry.get("unless", ())),
            params=dict(entry.get("params", {})), flag=_examples(entry, "flag"), passes=_examples(entry, "pass"),
        ))
    return tuple(out)


def spec(rule_id: str) -> RuleSpec:
    for s in rule_specs():
        if s.id == rule_id:
            return s
    raise KeyError(rule_id)


def catalog() -> list[dict[str, Any]]:
    """One entry per rule: id, family, kinds, severity, message, rationale, seed, suggestion, follow-up."""
    return [s.catalog_entry() for s in rule_specs()]


@dataclass(frozen=True, slots=True)
class RuleResult:
    """What the engine says about one answer."""

    kind: Kind
    findings: tuple[Finding, ...]
    strengths: tuple[Strength, ...]
    structure: tuple[SentencePart, ...]
    rules_version: str

    def rule_ids(self) -> set[str]:
        return {f.rule for f in self.findings}

    def to_dict(self) -> dict[str, Any]:
        return {
            "kind": str(self.kind),
            "rules_version": self.rules_version,
            "findings": [f.to_dict() for f in self.findings],
            "strengths": [s.to_dict() for s in self.strengths],
            "structure": [p.to_dict() for p in self.structure],
        }

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> RuleResult:
        return cls(
            kind=Kind(data["kind"]),
            findings=tuple(Finding.from_dict(f) for f in data.get("findings", [])),
            strengths=tuple(Strength.from_dict(s) for s in data.get("strengths", [])),
            structure=tuple(SentencePart.from_dict(p) for p in data.get("structure", [])),
            rules_version=data.get("rules_version", ""),
        )



def read_answer(answer: Answer, metrics: DeliveryMetrics | None = None, kind: Kind | None = None,
                context: Mapping[str, Any] | None = None, encoder: Encoder | None = None) -> Doc:
    """The answer read once for every rule: words, phrase hits, story structure and, with an encoder, what each
    sentence does (its roles)."""
    kind = kind or answer.kind or infer_kind(answer.question)
    transcript = answer.transcript
    if metrics is None:
        metrics = delivery.compute(transcript)
    doc = read(transcript, Kind(kind), metrics, answer.question)
    doc.memo["structure"] = tag_doc(doc)
    doc.memo["context"] = dict(context or {})
    if encoder is not None and (judgement := judge_sentences(doc, encoder)) is not None:
        doc.memo["judgement"] = judgement
    return doc


def pattern_verdicts(doc: Doc) -> dict[str, Hit | None]:
    """What each rule's own check says: every rule that applies to the answer's kind and length, plus the
    judged flags everywhere (the judgement layer weighs them as features whatever the kind)."""
    min_words = load_rules_data("engine")["min_words_for_content"]
    verdicts: dict[str, Hit | None] = {}
    for rule in rule_specs():
        applies = doc.kind in rule.kinds and (
            rule.family == "delivery" or doc.word_count >= rule.param("min_words", min_words))
        if applies or (rule.id in judged.FLAGS and doc.word_count >= min_words):
            verdicts[rule.id] = CHECKS[rule.check](doc, rule)
    return verdicts


def pattern_verdicts_memo(doc: Doc) -> dict[str, Hit | None]:
    if "pattern_verdicts" not in doc.memo:
        doc.memo["pattern_verdicts"] = pattern_verdicts(doc)
    return doc.memo["pattern_verdicts"]


def judged_probabilities(doc: Doc, verdicts: Mapping[str, Hit | None]) -> dict[str, float]:
    """The trained heads' probability for each judged flag and strength; empty without a judgement."""
    if "judged" in doc.memo:
        return doc.memo["judged"]
    judgement = judged.judgement_of(doc)
    heads = judged.flag_heads()
    out: dict[str, float] = {}
    if judgement is not None and heads:
        out = judged.decide(doc, judgement, {k: v is not None for k, v in verdicts.items()},
                            asks_about_terms(doc.question), heads)
    doc.memo["judged"] = out
    return out


def final_verdicts(doc: Doc, verdicts: Mapping[str, Hit | None]) -> dict[str, Hit | None]:
    """The verdicts that become findings: the patterns' own, except that with a judgement the trained heads
    decide the judged flags (quoting the patterns' words where they found some, else the telling sentences)."""
    min_words = load_rules_data("engine")["min_words_for_content"]
    out: dict[str, Hit | None] = {}
    judgement = judged.judgement_of(doc)
    asks_terms = asks_about_terms(doc.question)
    heads = judged.flag_heads()
    probabilities = judged_probabilities(doc, verdicts)
    for rule in rule_specs():
        if rule.id not in verdicts:
            continue
        if doc.kind not in rule.kinds or (rule.family != "delivery"
                                          and doc.word_count < rule.param("min_words", min_words)):
            continue
        hit = verdicts[rule.id]
        if rule.id in judged.silenced_flags() and judgement is not None:
            hit = None
        elif rule.id == "early-negotiation" and asks_terms:
            hit = None  # the interviewer asked about salary or terms: answering is not negotiating early
        elif rule.id in probabilities and judgement is not None:
            probability = probabilities[rule.id]
            if not heads[rule.id].fires(probability, hit is not None):
                hit = None
            elif hit is None or not hit.evidence:
                hit = Hit(judged.evidence_sentences(doc, judgement, rule.id), {"judged": round(probability, 2)})
            else:
                hit = Hit(hit.evidence, {**hit.details, "judged": round(probability, 2)})
        out[rule.id] = hit
    return out


def evaluate(answer: Answer, metrics: DeliveryMetrics | None = None, kind: Kind | None = None,
             context: Mapping[str, Any] | None = None, encoder: Encoder | None = None) -> RuleResult:
    """Run every rule that applies to the answer's kind (given, or inferred from the question).

    `context`: what some rules need beyond the answer, e.g. the texts it may recite and its pitch
    (rehearsed family; built by mockiv.recitation_context.context_for). Rules without it stay silent.
    `encoder`: the sentence encoder of the judgement layer; without one the patterns decide alone."""
    doc = read_answer(answer, metrics, kind, context, encoder)
    structure = doc.memo["structure"]
    min_words = load_rules_data("engine")["min_words_for_content"]
    findings: list[Finding] = []
    for rule_id, hit in final_verdicts(doc, pattern_verdicts_memo(doc)).items():
        if hit is None:
            continue
        rule = spec(rule_id)
        findings.append(Finding(
            rule=rule.id, family=rule.family, severity=rule.severity,
            # Against the candidate's own baseline too, when the context has one (mockiv.core.rules.baseline).
            message=with_note(rule.message, hit.details.get("baseline")),
            rationale=rule.rationale, suggestion=rule.suggestion,
            follow_up=rule.follow_up, evidence=hit.spans(doc), details=hit.details,
        ))
    fired = {f.rule for f in findings}
    found_strengths: list[Strength] = []
    strength_probabilities = judged_probabilities(doc, pattern_verdicts_memo(doc))
    heads = judged.flag_heads()

    def threshold(strength_id: str) -> float:
        return heads[strength_id].threshold if strength_id in heads else 0.0  # no head: the pattern decides alone

    for strength in strength_specs():
        if doc.kind not in strength.kinds or fired.intersection(strength.unless) or doc.word_count < min_words:
            continue
        hit = STRENGTH_CHECKS[strength.id](doc, strength)
        if hit is not None and strength_probabilities.get(strength.id, 1.0) < threshold(strength.id):
            hit = None  # the patterns saw a number or a customer, but not a result of the candidate's own work
        if hit is not None:
            found_strengths.append(Strength(strength.id, strength.message, strength.signal, hit.spans(doc)))
    # What the answer says comes first: a short answer's length is worth saying, but never in place of (or
    # ahead of) a content finding, whose follow-up question is the one an interviewer would ask.
    findings.sort(key=lambda f: (f.rule == "too-short", severity_rank(f.severity), f.family == "delivery",
                                 f.evidence[0].start_index if f.evidence else 0))
    return RuleResult(doc.kind, tuple(findings), tuple(found_strengths), structure, RULES_VERSION)
