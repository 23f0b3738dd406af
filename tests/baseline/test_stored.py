"""A stored answer analysed again (rescore, the app's History, a redo) is judged against the baseline in use when
its session began, not one measured later."""

from __future__ import annotations

from mockiv.core import delivery
from mockiv.core.baseline import Baseline
from mockiv.core.rules.samples import timed_transcript
from mockiv.engine.analysis import Analyzer
from mockiv.store import Store
from tests.baseline.test_core import STORY


def _rules(result) -> set[str]:  # type: ignore[no-untyped-def]
    return {f["rule"] for f in result.findings}


def test_a_stored_answer_is_judged_against_the_baseline_of_its_time() -> None:
    transcript = timed_transcript(STORY, 150)
    with Store.open() as store:
        session = store.create_session("general", "practice", started_at="2026-11-01T10:00:00+00:00")
        record = store.begin_answer(session.id, question="Tell me about a project you led.", kind="behavioral",
                                    record_audio=False)
        store.finish_answer(record.id, transcript=transcript, metrics=delivery.compute(transcript))
        answer = store.get_answer(record.id)
        later = Baseline(300.0, 1.0, 1.0, None, 60.0, "2026-12-01T10:00:00+00:00")
        store.save_baseline(later)
        analyzer = Analyzer(baseline=later.to_dict())
        assert "off-baseline" in _rules(analyzer.analyze(transcript, answer.question, answer.kind))  # a new answer
        assert "off-baseline" not in _rules(analyzer.analyze_stored(answer, store))  # none measured back then
        store.save_baseline(Baseline(300.0, 1.0, 1.0, None, 60.0, "2026-10-01T10:00:00+00:00"))
        again = analyzer.analyze_stored(answer, store)
        assert "off-baseline" in _rules(again)
        assert store.latest_baseline()["measured_at"].startswith("2026-12-01")
        assert store.latest_baseline(before="2026-11-01T10:00:00+00:00")["measured_at"].startswith("2026-10-01")
