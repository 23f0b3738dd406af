"""`mockiv redo`: a take of only the weak part, stored beside the answer, re-scored with the part in place."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest

from mockiv.cli import main
from mockiv.store import Store
from tests.redo.conftest import TAKE, stored_answer
from tests.support.speech_fixtures import SpeechFixture, synthesize


def _take_file(tmp_path: Path, text: str = TAKE) -> Path:
    path = tmp_path / "take.txt"
    path.write_text(text, encoding="utf-8")
    return path


def test_a_take_with_the_number_removes_no_outcome(store: Store, tmp_path: Path,
                                                   capsys: pytest.CaptureFixture[str]) -> None:
    session_id, answer = stored_answer(store)
    assert {"no-outcome", "we-without-i"} <= {f["rule"] for f in answer.latest.findings}
    code = main(["redo", session_id, "1", "--finding", "no-outcome", "--take", str(_take_file(tmp_path)),
                 "--no-audio"])
    out = capsys.readouterr().out
    assert code == 0
    assert "The part (00:08.7–00:10.4): “The team was happy.”" in out and "Try: End with one number" in out
    assert "✔ Gone: No measurable result" in out
    (take,) = store.takes_of(answer.id)
    assert take.status == "done" and take.rule == "no-outcome" and take.part["text"] == "The team was happy."
    assert "The team was happy." not in take.result["transcript"]["text"]
    assert take.result["transcript"]["text"].endswith(TAKE)
    assert "no-outcome" not in {f["rule"] for f in take.result["findings"]}
    assert store.get_answer(answer.id).latest.findings == answer.latest.findings  # the original stays as it was


def test_json_gives_the_changes_and_the_spliced_answer(store: Store, tmp_path: Path,
                                                        capsys: pytest.CaptureFixture[str]) -> None:
    session_id, _ = stored_answer(store)
    assert main(["redo", session_id[:8], "1", "--finding", "we-without-i", "--take", str(_take_file(tmp_path)),
                 "--no-audio", "--json"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert "we-without-i" in [f["rule"] for f in data["gone"]]
    assert data["part"]["text"] == "We split the work and we shipped it on time."
    assert data["answer"].startswith("We had a hard deadline on the billing migration. I rewrote")


@pytest.mark.parametrize(("argv", "line"), [
    (["--finding", "blame"], "has no finding 'blame' (its findings: we-without-i, no-outcome"),
    (["--finding", "no-outcome", "--quote", "5"], "choose one from 1 to"),
    (["--finding", "no-outcome", "--take", "missing.txt"], "missing.txt: no such file"),
])
def test_mistakes_are_one_line_and_exit_2(store: Store, argv: list[str], line: str, tmp_path: Path,
                                          capsys: pytest.CaptureFixture[str]) -> None:
    session_id, answer = stored_answer(store, audio=False)
    os.chdir(tmp_path)
    assert main(["redo", session_id, "1", "--no-audio", *argv]) == 2
    err = capsys.readouterr().err
    assert line in err and len(err.strip().splitlines()) == 1 and "Traceback" not in err
    assert store.takes_of(answer.id) == []


def test_an_empty_take_is_refused_before_anything_is_stored(store: Store, tmp_path: Path,
                                                            capsys: pytest.CaptureFixture[str]) -> None:
    session_id, answer = stored_answer(store, audio=False)
    empty = _take_file(tmp_path, "   \n")
    assert main(["redo", session_id, "1", "--finding", "no-outcome", "--take", str(empty), "--no-audio"]) == 2
    assert "the transcript is empty" in capsys.readouterr().err
    assert store.takes_of(answer.id) == []


def test_a_spoken_take_is_transcribed_and_kept_beside_the_answer(store: Store, tmp_path: Path, speech_dir: Path,
                                                                  capsys: pytest.CaptureFixture[str]) -> None:
    session_id, answer = stored_answer(store)
    wav = synthesize(SpeechFixture("redo-take", "I cut the nightly billing run from six hours to forty minutes."),
                     speech_dir)
    assert main(["redo", session_id, "1", "--finding", "no-outcome", "--take", str(wav), "--no-audio"]) == 0
    out = capsys.readouterr().out
    assert "✔ Gone: No measurable result" in out and "40 minutes" in out
    (take,) = store.takes_of(answer.id)
    assert take.audio_path is not None and take.audio_path.is_file()
    assert take.audio_path.parent == store.recordings_dir / session_id / "takes"
    assert take.transcript["timed"] and take.result["transcript"]["timed"]


def test_deleting_the_session_deletes_its_takes(store: Store, tmp_path: Path) -> None:
    session_id, answer = stored_answer(store)
    take = store.begin_take(answer.id, "no-outcome")
    take.audio_path.write_bytes(b"RIFF")
    assert main(["sessions", "delete", session_id, "--yes"]) == 0
    assert not take.audio_path.exists() and not (store.recordings_dir / session_id).exists()
    with store._read() as conn:
        assert conn.execute("SELECT COUNT(*) FROM takes").fetchone()[0] == 0


def test_a_take_a_crash_left_recording_is_kept_interrupted_and_never_becomes_an_answer(store: Store) -> None:
    from tests.store.helpers import write_wav

    session_id, answer = stored_answer(store)
    take = store.begin_take(answer.id, "no-outcome")
    write_wav(take.audio_path, 0.5)
    with store._tx() as conn:  # as if the recording process died
        conn.execute("UPDATE takes SET recorder_pid = 999999999 WHERE id = ?", (take.id,))
    store.repair()
    assert store.get_take(take.id).status == "interrupted" and take.audio_path.exists()
    assert len(store.get_session(session_id).answers) == 1


def test_replay_goes_to_a_findings_moment(store: Store, capsys: pytest.CaptureFixture[str]) -> None:
    session_id, _ = stored_answer(store)
    assert main(["replay", session_id, "--answer", "1", "--finding", "no-outcome", "--no-audio"]) == 0
    out = capsys.readouterr().out
    assert "⚑ No measurable result at 00:04.5; from 00:04.0" in out
    assert "hard deadline" not in out.split("[00:04.0]")[1].split("⚑Only")[0]  # the words start at the moment
    assert main(["replay", session_id, "--finding", "no-outcome", "--no-audio"]) == 2
    assert "--finding needs --answer N" in capsys.readouterr().err


def test_no_microphone_is_one_line_before_anything_is_stored(store: Store, monkeypatch: pytest.MonkeyPatch,
                                                             capsys: pytest.CaptureFixture[str]) -> None:
    from mockiv.audio import devices
    from mockiv.errors import AudioError

    def no_microphone(device: object = None) -> None:
        raise AudioError("no microphone found (PortAudio lists no input device); plug one in, or answer from "
                         "files with --answers")

    monkeypatch.setattr(devices, "resolve_input_device", no_microphone)
    session_id, answer = stored_answer(store, audio=False)
    assert main(["redo", session_id, "1", "--finding", "no-outcome", "--no-audio"]) == 2
    err = capsys.readouterr().err
    assert err.strip() == ("mockiv: no microphone found (PortAudio lists no input device); give the take as a file "
                           "instead with --take FILE (audio or a .txt transcript)")
    assert store.takes_of(answer.id) == []


def test_sessions_show_lists_the_takes_with_what_they_changed(store: Store, tmp_path: Path,
                                                              capsys: pytest.CaptureFixture[str]) -> None:
    session_id, _ = stored_answer(store, audio=False)
    assert main(["redo", session_id, "1", "--finding", "no-outcome", "--take", str(_take_file(tmp_path)),
                 "--no-audio"]) == 0
    capsys.readouterr()
    assert main(["sessions", "show", session_id]) == 0
    out = capsys.readouterr().out
    assert f"↻ redo of No measurable result (done): “{TAKE}”; gone: " in out and "No measurable result" in \
        out.split("gone: ")[1]
    assert main(["sessions", "show", session_id, "--json"]) == 0
    [take] = json.loads(capsys.readouterr().out)["answers"][0]["takes"]
    assert take["rule"] == "no-outcome" and take["part"]["text"] == "The team was happy."
