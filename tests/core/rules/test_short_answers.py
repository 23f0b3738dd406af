"""One- and two-sentence answers in many phrasings: each shows its pattern without a long story around it."""

from __future__ import annotations

import pytest

from mockiv.core.rules import evaluate
from mockiv.core.transcript import Answer, Transcript

CASES = [
 ("Tell me about a time you resolved a conflict.",
  "What I'd do is sit down with both people and hear them out, and then I'd look for a compromise.", "hypothetical"),
 ("Tell me about a time you resolved a conflict.",
  "My first step would be to understand both sides. Then I'd bring them together.", "hypothetical"),
 ("Tell me about a time you resolved a conflict.",
  "The way I'd approach it is to listen first, and then find common ground.", "hypothetical"),
 ("Tell me about a time you resolved a conflict.",
  "In general, I try to listen first and I focus on the facts rather than feelings.", "hypothetical"),
 ("Do you have any questions?", "I'm all good, thanks.", "no-questions"),
 ("Do you have any questions?", "Nope, that covers it.", "no-questions"),
 ("Do you have any questions?", "What does the compensation look like?", "early-negotiation"),
 ("Do you have any questions?", "Is remote work possible?", "early-negotiation"),
 ("Do you have any questions?", "What's the pay like?", "early-negotiation"),
 ("Do you have any questions?", "Can I work from home?", "early-negotiation"),
 ("Do you have any questions?", "How many holidays do I get per year?", "early-negotiation"),
 ("Do you have any questions?", "How much annual leave is there?", "early-negotiation"),
 ("Why are you leaving?", "My old boss was a nightmare.", "negativity"),
 ("Why are you leaving?", "The people at my last job were incompetent.", "negativity"),
 ("Why are you leaving?", "I hated my last company.", "negativity"),
 ("Why are you leaving?", "My team was full of lazy people who never did their work.", "negativity"),
 ("Tell me about a failure.", "I don't really have any failures.", "no-mistakes-claim"),
 ("Tell me about a failure.", "I've been fortunate to never fail at anything.", "no-mistakes-claim"),
 ("Tell me about a failure.", "I can't say I've ever really failed.", "no-mistakes-claim"),
 ("Tell me about a failure.", "Honestly, I've never made a mistake that mattered.", "no-mistakes-claim"),
 ("Tell me about a project.", "They wanted me to build a new report, so I built it in Python.", "reactive"),
 ("Tell me about a project.", "I got told to fix the build, so I fixed it.", "reactive"),
 ("Tell me about a failure.",
  "My team let me down and it was the other team's fault that the launch slipped.", "blame"),
 ("Tell me about a failure.", "The project failed because management gave us no resources.", "blame"),
 ("Tell me about a project.",
  "I was solely responsible for everything on that project, from design to launch.", "exaggeration"),
 ("Tell me about a project.", "I'm the reason that project succeeded, honestly nobody else did much.", "exaggeration"),
 ("Tell me about a project.", "Our team built a new billing system and we launched it on time.", "we-without-i"),
 ("Tell me about a project.", "As a team we migrated everything to the cloud.", "we-without-i"),
 ("Tell me about a project.", "I kind of sort of helped out a bit, I guess, with some of the testing.", "hedging"),
 ("Tell me about a project.", "I made the app better and improved the user experience overall.", "vague"),
]


@pytest.mark.parametrize(("question", "text", "rule"), CASES, ids=[f"{c[2]}-{i}" for i, c in enumerate(CASES)])
def test_short_answer_shows_its_pattern(question: str, text: str, rule: str) -> None:
    fired = evaluate(Answer(question, None, Transcript.from_text(text))).rule_ids()  # type: ignore[arg-type]
    assert rule in fired


def test_too_short_never_leads_over_a_content_finding() -> None:
    # A short answer that calls a manager names: the interviewer's next question is about the insult, not "tell
    # me more", so the content finding comes first and too-short follows it.
    text = "Honestly my old boss was a nightmare, so I left after a year."
    result = evaluate(Answer("Why did you leave your last job?", None, Transcript.from_text(text)))  # type: ignore[arg-type]
    rules = [f.rule for f in result.findings]
    assert "too-short" in rules and "negativity" in rules
    assert rules.index("negativity") < rules.index("too-short")
    assert result.findings[0].follow_up != next(f.follow_up for f in result.findings if f.rule == "too-short")
