"""The personal band on the charts: the HTML export's pace chart outlines it and `mockiv progress` marks each
session against it; without a baseline both are as before."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from mockiv.cli import main
from mockiv.core.baseline import Baseline
from mockiv.core.export_model import svg_pace_chart
from mockiv.store import Store
from tests.store.helpers import populate


@pytest.fixture
def store() -> Store:  # type: ignore[misc]
    opened = Store.open()
    yield opened
    opened.close()


def _with_baseline(store: Store, wpm: float) -> dict:  # type: ignore[type-arg]
    baseline = Baseline(wpm, 1.0, 1.0, 4.0, 60.0, "2026-11-30T10:00:00+00:00").to_dict()
    store.save_baseline(baseline)
    return baseline


def test_the_html_pace_chart_outlines_the_personal_band(store: Store, tmp_path: Path,
                                                        capsys: pytest.CaptureFixture[str]) -> None:
    (session_id,) = populate(store, sessions=1, answers=2)
    assert main(["export", session_id, "--format", "html", "--out", str(tmp_path / "before.html")]) == 0
    assert "personal-band" not in (tmp_path / "before.html").read_text()
    _with_baseline(store, 120.0)
    assert main(["export", session_id, "--format", "html", "--out", str(tmp_path / "after.html")]) == 0
    html = (tmp_path / "after.html").read_text()
    assert 'class="personal-band"' in html and "your band 102-138" in html
    assert "the dashed one, your own relaxed pace (your baseline)" in html
    answers = store.get_session(session_id).to_dict(history=False)["answers"]
    assert svg_pace_chart(answers) == svg_pace_chart(answers, personal_band=None)


def test_progress_marks_each_session_against_the_personal_band(store: Store,
                                                               capsys: pytest.CaptureFixture[str]) -> None:
    populate(store, sessions=3, answers=1)
    assert main(["progress", "--json"]) == 0
    before = json.loads(capsys.readouterr().out)
    assert before["personal_pace"] is None and before["personal_pace_chart"] == ""
    paces = [s["wpm"] for s in before["sessions"]]
    baseline = _with_baseline(store, paces[-1])  # the last session is at the candidate's own pace
    assert main(["progress", "--json"]) == 0
    after = json.loads(capsys.readouterr().out)
    low, high = baseline["bands"]["wpm"]
    assert after["personal_pace"] == [low, high]
    assert after["personal_pace_chart"][-1] == "·"
    assert all(mark == ("·" if low <= wpm <= high else "▲" if wpm > high else "▼")
               for mark, wpm in zip(after["personal_pace_chart"], paces, strict=True))
    assert main(["progress"]) == 0
    out = capsys.readouterr().out
    assert f"Pace vs your baseline  {after['personal_pace_chart']:<12} your band {low:.0f}-{high:.0f} WPM" in out
