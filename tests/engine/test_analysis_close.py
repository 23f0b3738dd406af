"""Closing the app's analysis process never leaves a thread waiting on it (quitting while the rules warm up
used to hang the app for up to ten minutes)."""

from __future__ import annotations

import threading
import time
from typing import Any

import pytest

from mockiv.core.transcript import Transcript
from mockiv.engine import analysis
from mockiv.engine.analysis import AnalysisStopped, Analyzer


def test_a_waiting_analysis_ends_when_the_analyzer_closes(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(analysis, "_analyze_in_child", _sleeps)  # the child never answers in time
    analyzer = Analyzer(isolated=True)
    analyzer.start()
    outcome: dict[str, Any] = {}

    def waiting() -> None:
        try:
            analyzer.analyze(Transcript.from_text("I led the project and we shipped it."), "Tell me.", None)
        except AnalysisStopped as error:
            outcome["error"] = error

    thread = threading.Thread(target=waiting)
    thread.start()
    time.sleep(1.0)
    closed = time.monotonic()
    analyzer.close()
    thread.join(5)
    assert not thread.is_alive()
    assert time.monotonic() - closed < 2.0
    assert "closing" in str(outcome["error"])


def _sleeps(*_args: Any, **_kwargs: Any) -> Any:
    time.sleep(60)
