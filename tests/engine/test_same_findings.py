"""One answer file, five ways in, the same findings: `analyze`, `practice --no-tui --answers`, the app's
audio-file answer, the stored session and `rescore` all go through mockiv.analysis.analyze with the same context
(the story bank, the answers from before, the pitch of the audio)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from mockiv.cli import main
from mockiv.engine.analysis import Analyzer
from mockiv.engine.model import ModelHolder
from mockiv.packs import list_packs, load_pack
from mockiv.store import Store
from mockiv.tui.app import create_app
from mockiv.tui.screens.feedback import FeedbackScreen
from mockiv.tui.services import Services
from tests.support.speech_fixtures import DISFLUENT, synthesize


def signature(findings: list[dict[str, Any]]) -> list[tuple[str, str, tuple[str, ...]]]:
    """What the candidate reads: each rule, its severity and the quoted words."""
    return sorted((f["rule"], f["severity"], tuple(e.get("text", "") for e in f.get("evidence", [])))
                  for f in findings)


def new_home(monkeypatch: pytest.MonkeyPatch, tmp_path: Path, name: str) -> Path:
    """A fresh data folder per path: no earlier answer of another path can look recited."""
    home = tmp_path / name
    monkeypatch.setenv("MOCKIV_HOME", str(home))
    return home


async def answer_in_the_app(path: Path) -> None:
    from mockiv.asr import load_transcriber

    store = Store.open()
    services = Services(analyzer=Analyzer(), model=ModelHolder(lambda: load_transcriber(None)), store=store,
                        tick_s=0.05)
    app = create_app(services, "general", packs=list_packs())
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.press("p")
        for _ in range(500):
            if getattr(app.screen, "phase", "") == "typing":
                break
            await pilot.pause(0.02)
        await pilot.press("ctrl+o")
        app.screen.query_one("#file-path").value = str(path)  # type: ignore[attr-defined]
        await pilot.press("enter")
        for _ in range(3000):
            if isinstance(app.screen, FeedbackScreen):
                break
            await pilot.pause(0.02)
        assert isinstance(app.screen, FeedbackScreen), [n.message for n in app._notifications]
    services.close()


@pytest.mark.model
async def test_one_answer_file_gives_the_same_findings_on_every_path(
        private_home: Path, tmp_path: Path, speech_dir: Path, monkeypatch: pytest.MonkeyPatch,
        capsys: pytest.CaptureFixture[str]) -> None:
    answer = synthesize(DISFLUENT[0], speech_dir)
    question = load_pack("general").questions[0]

    new_home(monkeypatch, tmp_path, "analyze")
    assert main(["analyze", str(answer), "--question", question.text, "--kind", str(question.kind), "--json"]) == 0
    analyzed = json.loads(capsys.readouterr().out)

    new_home(monkeypatch, tmp_path, "practice")
    assert main(["practice", "--no-tui", "--no-tts", "--pack", "general", "--limit", "1", "--json",
                 "--answers", str(answer)]) == 0
    [practised] = json.loads(capsys.readouterr().out)["answers"]

    new_home(monkeypatch, tmp_path, "app")
    await answer_in_the_app(answer)
    with Store.open() as store:
        [session] = store.list_sessions()
        [stored] = store.get_session(session.id).answers
    assert main(["rescore", session.id, "--json"]) == 0
    capsys.readouterr()
    with Store.open() as store:
        [rescored] = store.get_session(session.id).answers

    expected = signature(analyzed["findings"])
    assert expected, "the fixture should give at least one finding to compare"
    assert analyzed["transcript"]["text"] == practised["analysis"]["transcript"]["text"] == stored.transcript["text"]
    assert signature(practised["analysis"]["findings"]) == expected
    assert signature(stored.latest.findings) == expected  # what the app showed and stored
    assert len(rescored.results) == 1  # same rules, same model: rescore replaced its own result ...
    assert signature(rescored.latest.findings) == expected  # ... with the same findings
    # The session keeps its own copy of the audio.
    assert stored.audio_path is not None and stored.audio_path != answer and stored.audio_path.exists()
