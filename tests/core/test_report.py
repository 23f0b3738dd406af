from __future__ import annotations

import json

from mockiv.core import delivery
from mockiv.core.report import session_report
from mockiv.core.rules import evaluate
from mockiv.core.transcript import Answer, Kind, Transcript

ANSWERS = [
    ("Tell me about a challenging project.", Kind.BEHAVIORAL,
     "We moved the platform to Kubernetes. We wrote the Helm charts, we migrated the services, and we handled the "
     "networking. It went well and the team was happy."),
    ("Tell me about a time you improved something.", Kind.BEHAVIORAL,
     "We rebuilt the reporting pipeline. We switched to Airflow, we rewrote the jobs and we added tests. The team "
     "liked the new setup a lot."),
    ("Tell me about a time you took the initiative.", Kind.BEHAVIORAL,
     "I noticed our checkout was timing out for 5% of customers, which cost us orders. I profiled it, found an N+1 "
     "query and added an index. Timeouts dropped to zero and revenue rose by 3 percent."),
    ("Tell me about a time you failed.", Kind.FAILURE,
     "I pushed a config change on a Friday and it took down logins for twenty minutes. I rolled it back and told my "
     "manager. I learned to canary every change, and now I always do."),
    ("Do you have any questions for us?", Kind.CLOSING, "No, I think you covered everything, thank you."),
]


def _session():
    items = []
    for question, kind, text in ANSWERS:
        answer = Answer(question, kind, Transcript.from_text(text))
        metrics = delivery.compute(answer.transcript)
        items.append((answer, metrics, evaluate(answer, metrics)))
    return items


def test_three_growth_areas_ranked_by_cost_and_frequency() -> None:
    report = session_report(_session())
    assert report.answer_count == 5
    assert len(report.growth_areas) == 3
    # Four short typed answers (moderate x 4) outrank two majors in two answers each (ties by id).
    assert [g.id for g in report.growth_areas] == ["too-short", "no-outcome", "we-without-i"]
    top = report.growth_areas[2]
    assert top.answers == (0, 1)
    assert top.evidence[0].span.text == "We moved"
    assert top.follow_up == "What exactly did you do yourself?"
    scores = [g.score for g in report.growth_areas]
    assert scores == sorted(scores, reverse=True)


def test_strengths_come_with_evidence_from_the_answers() -> None:
    report = session_report(_session())
    assert 1 <= len(report.strengths) <= 3
    ids = {s.id for s in report.strengths}
    assert "quantified-result" in ids or "proactive-action" in ids
    for strength in report.strengths:
        assert strength.answers


def test_practice_plan_follows_the_growth_areas() -> None:
    report = session_report(_session())
    assert len(report.practice_plan) == len(report.growth_areas) + 1
    assert "three things you did well" in report.practice_plan[-1]
    assert report.practice_plan[1] == report.growth_areas[1].practice


def test_report_is_json_ready_and_renders_as_text() -> None:
    report = session_report(_session())
    data = json.loads(json.dumps(report.to_dict()))
    assert set(data) == {"answer_count", "strengths", "growth_areas", "practice_plan", "rules_versions"}
    text = "\n".join(report.lines())
    assert "Top growth areas" in text and "We moved" in text


def test_empty_session() -> None:
    report = session_report([])
    assert report.answer_count == 0 and report.strengths == () and report.growth_areas == ()
