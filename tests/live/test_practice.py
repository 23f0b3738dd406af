"""A whole practice session: through the virtual microphone, and from answer files, as a user runs it."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from mockiv.audio.files import load_audio
from mockiv.engine.analysis import Analyzer
from mockiv.engine.listening import ListenSettings, real_microphone
from mockiv.engine.model import ModelHolder
from mockiv.engine.prompts import Prompt, prompts_from_pack
from mockiv.engine.session import AnswerOutcome, Engine, EngineEvents, EngineSettings, Plan, run_through
from mockiv.packs import load_pack
from mockiv.store import Store
from tests.live.conftest import REPO, play_into_microphone
from tests.support.evaluation import word_error_rate
from tests.support.speech_fixtures import DISFLUENT, synthesize


def practice(view: EngineEvents, transcriber: Any, store: Any, **listen: Any) -> list[AnswerOutcome]:
    """One question of the general pack through the engine and the virtual microphone, as the plain terminal
    runs it."""
    engine = Engine(pack_id="general", mode="practice", analyzer=Analyzer(), model=ModelHolder.ready_with(transcriber),
                    store=store, microphone=real_microphone(), settings=EngineSettings(ListenSettings(**listen)))
    engine.subscribe(view)
    run_through(engine, Plan(prompts_from_pack(load_pack("general"), 1)))
    view.session_id = engine.session_id  # type: ignore[attr-defined]
    return engine.outcomes


class Recorded(EngineEvents):
    """Plays an answer into the virtual microphone as soon as mockiv starts listening."""

    def __init__(self, answer: Path | None) -> None:
        self.answer = answer
        self.events: list[str] = []
        self.notices: list[str] = []
        self.partials: list[str] = []
        self.player: subprocess.Popen[bytes] | None = None
        self.session_id: str | None = None

    def speaking(self, attempt: int, prompt: Prompt) -> None:
        self.events.append("speaking")

    def listening(self, attempt: int, prompt: Prompt) -> None:
        self.events.append("listening")
        if self.answer is not None:
            self.player = play_into_microphone(self.answer)

    def answer_started(self, attempt: int) -> None:
        self.events.append("answer-started")

    def partial_transcript(self, attempt: int, transcript: Any) -> None:
        self.partials.append(transcript.text)

    def transcribing(self, attempt: int, prompt: Prompt) -> None:
        self.events.append("transcribing")

    def answered(self, outcome: AnswerOutcome) -> None:
        self.events.append("feedback")

    def failed(self, attempt: int, prompt: Prompt, line: str) -> None:
        self.events.append("failed")
        self.notices.append(line)

    def notice(self, line: str) -> None:
        self.notices.append(line)


@pytest.mark.audio
def test_a_spoken_answer_is_recorded_transcribed_stored_and_analysed(
    pulse: str, speech_dir: Path, transcriber  # type: ignore[no-untyped-def]
) -> None:
    fixture = DISFLUENT[1]  # has a 1.5 s pause inside: the answer must not end there
    listener = Recorded(synthesize(fixture, speech_dir))
    store = Store.open()
    try:
        outcomes = practice(listener, transcriber, store, end_silence_s=2.5)
        detail = store.get_session(listener.session_id)
    finally:
        store.close()
    assert listener.player is not None and listener.player.wait(30) == 0

    assert [o.stop_reason for o in outcomes] == ["silence"]
    outcome = outcomes[0]
    assert listener.events == ["speaking", "listening", "answer-started", "transcribing", "feedback"]
    assert outcome.problem is None and listener.notices == []
    assert outcome.result.question_id == "walk-me-through"
    transcript = outcome.result.transcript
    baseline = word_error_rate(fixture.reference, transcriber.transcribe(load_audio(listener.answer)).text)
    assert word_error_rate(fixture.reference, transcript.text) <= baseline + 0.1, transcript.text
    assert outcome.findings_latency_s is not None and outcome.transcript_latency_s is not None
    # Kept: the WAV at its final name, the answer and its findings in the store.
    audio = outcome.result.audio_path
    assert audio is not None and audio.exists()
    assert not audio.with_name(audio.stem + ".partial.wav").exists()
    assert detail.session.status == "done"
    [answer] = detail.answers
    assert answer.status == "done" and answer.audio_path == audio
    assert answer.transcript is not None and answer.latest is not None


@pytest.mark.audio
def test_a_silent_microphone_gets_one_line_and_the_recording_is_kept(
    pulse: str, transcriber  # type: ignore[no-untyped-def]
) -> None:
    listener = Recorded(None)  # nothing is played: the virtual microphone hears digital silence
    store = Store.open()
    try:
        outcomes = practice(listener, transcriber, store, no_speech_timeout_s=2.0)
        [answer] = store.get_session(listener.session_id).answers
    finally:
        store.close()
    assert outcomes == [] and listener.events[-1] == "failed"
    [line] = listener.notices
    assert line.startswith("the microphone is silent") and "not muted" in line
    assert answer.audio_path is not None and str(answer.audio_path) in line
    assert answer.audio_path.stat().st_size > 44 + 2 * 16_000 * 2
    assert answer.status == "done"


def run_cli(*args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "mockiv.cli", *args], cwd=REPO, capture_output=True, text=True,
                          env=env or os.environ.copy(), stdin=subprocess.DEVNULL, timeout=300)


def test_practice_from_answer_files_prints_feedback_per_answer(tmp_path: Path, speech_dir: Path) -> None:
    strong = tmp_path / "strong.txt"
    strong.write_text("I led the migration of our payment service. I wrote the plan, I moved the traffic myself, "
                      "and we cut the monthly bill by 20 percent.", encoding="utf-8")
    spoken = synthesize(DISFLUENT[0], speech_dir)
    done = run_cli("practice", "--no-tui", "--no-tts", "--pack", "general", "--answers", str(strong), str(spoken))
    assert done.returncode == 0, done.stderr
    pack = load_pack("general")
    assert f"Question 1/2 ({pack.questions[0].kind}" in done.stdout and pack.questions[1].text in done.stdout
    assert done.stdout.count("Findings (") == 2 and done.stdout.count("Transcript") >= 2
    assert "stale cache" in done.stdout or "tail cache" in done.stdout  # the audio answer was transcribed
    assert "Session saved (2 answers)" in done.stdout

    as_json = run_cli("practice", "--no-tui", "--no-tts", "--json", "--limit", "1", "--answers", str(strong))
    assert as_json.returncode == 0, as_json.stderr
    data = json.loads(as_json.stdout)
    [answer] = data["answers"]
    assert answer["source"] == "text-file" and answer["analysis"]["transcript"]["text"].startswith("I led")
    assert "findings" in answer["analysis"] and "rules_version" in answer["analysis"]


def test_a_follow_up_is_asked_from_the_worst_finding(tmp_path: Path) -> None:
    vague = tmp_path / "vague.txt"
    vague.write_text("I did stuff.", encoding="utf-8")
    fuller = tmp_path / "fuller.txt"
    fuller.write_text("I rewrote the deploy script, and releases went from a day to an hour.", encoding="utf-8")
    done = run_cli("practice", "--no-tui", "--no-tts", "--json", "--limit", "1", "--follow-ups", "1",
                   "--answers", str(vague), str(fuller))
    assert done.returncode == 0, done.stderr
    first, follow = json.loads(done.stdout)["answers"]
    assert not first["follow_up"] and follow["follow_up"]
    asked = [f.get("follow_up") for f in first["analysis"]["findings"] if f.get("follow_up")]
    pack_follow_ups = load_pack("general").questions[0].follow_ups
    assert follow["question"] in asked or follow["question"] == pack_follow_ups[0]
    assert follow["analysis"]["transcript"]["text"].startswith("I rewrote")


def test_practice_refuses_bad_answer_files_with_one_line(tmp_path: Path) -> None:
    missing = run_cli("practice", "--no-tui", "--no-tts", "--answers", str(tmp_path / "nope.wav"))
    assert missing.returncode == 2 and missing.stderr.strip().count("\n") == 0
    assert "nope.wav: no such file" in missing.stderr
    too_many = run_cli("practice", "--no-tui", "--no-tts", "--limit", "1", "--answers",
                       *[str(REPO / "README.md")] * 2)
    assert too_many.returncode == 2 and "one file per question" in too_many.stderr


def test_no_input_device_is_one_line_before_anything_is_asked(tmp_path: Path) -> None:
    # A sound server that is not there: PortAudio lists no input device at all.
    env = {**os.environ, "PULSE_SERVER": f"unix:{tmp_path}/no-server", "MOCKIV_HOME": str(tmp_path / "home")}
    done = run_cli("practice", "--no-tui", "--no-tts", "--limit", "1", env=env)
    assert done.returncode == 2
    assert done.stderr.startswith("mockiv: no microphone found") and done.stderr.count("\n") == 1
    assert "Question 1" not in done.stdout
    listed = run_cli("devices", env=env)
    assert listed.returncode == 0 and "Input devices (microphones):\n  none found" in listed.stdout


@pytest.mark.audio
def test_devices_lists_the_virtual_devices(pulse: str) -> None:
    done = run_cli("devices", "--json")
    assert done.returncode == 0, done.stderr
    data = json.loads(done.stdout)
    assert data["inputs"] and data["outputs"]
    assert any(d["is_default_input"] for d in data["inputs"])


@pytest.mark.audio
def test_ctrl_c_while_recording_keeps_the_answer(pulse: str, tmp_path: Path, speech_dir: Path) -> None:
    import signal
    import time
    import wave

    home = tmp_path / "home"
    env = {**os.environ, "MOCKIV_HOME": str(home)}
    process = subprocess.Popen([sys.executable, "-m", "mockiv.cli", "practice", "--no-tui", "--no-tts", "--limit", "1"],
                               cwd=REPO, env=env, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                               stderr=subprocess.PIPE, text=True)
    player = None
    try:
        deadline = time.monotonic() + 60
        partial: Path | None = None
        while time.monotonic() < deadline and partial is None:
            found = list(home.glob("recordings/*/*.partial.wav"))
            partial = found[0] if found else None
            time.sleep(0.05)
        assert partial is not None, "the recording never started"
        player = play_into_microphone(synthesize(DISFLUENT[0], speech_dir))
        while time.monotonic() < deadline:
            with wave.open(str(partial), "rb") as handle:
                if handle.getnframes() >= 3 * handle.getframerate():
                    break
            time.sleep(0.05)
        process.send_signal(signal.SIGINT)
        out, err = process.communicate(timeout=60)
    finally:
        if process.poll() is None:
            process.kill()
        if player is not None:
            player.kill()
            player.wait()
    assert process.returncode == 130, err
    assert "interrupted: the answer so far" in out and err.strip().endswith("nothing already recorded was lost.")
    final = partial.with_name(partial.name.replace(".partial.wav", ".wav"))
    assert final.exists() and not partial.exists()
    with wave.open(str(final), "rb") as handle:
        assert handle.getnframes() >= 3 * handle.getframerate()
    from mockiv.store import DB_NAME, Store

    store = Store.open(home / DB_NAME)
    try:
        [session] = store.list_sessions()
        [answer] = store.get_session(session.id).answers
    finally:
        store.close()
    assert answer.status == "interrupted" and session.status == "interrupted"
