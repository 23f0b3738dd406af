"""From a finding to its moment, heard on the virtual speaker: `mockiv replay --finding` starts playback where the
finding's moment begins (0.5 s before its evidence), within 0.2 s.

The recording is a rising tone whose pitch says where in the file it is (300 Hz + 150 Hz per second), so the
first sound the speaker plays tells which instant of the recording playback started at.
"""

from __future__ import annotations

import numpy as np
import pytest
import soundfile

from mockiv.cli import main
from mockiv.core.moments import LEAD_IN_S
from mockiv.store import Store
from tests.live.conftest import record_speaker
from tests.store.helpers import finding, rule_result, timed_transcript

RATE = 16_000
BASE_HZ, SLOPE_HZ_PER_S = 300.0, 150.0
SECONDS = 8.0
WINDOW_S = 0.1


def chirp() -> np.ndarray:
    t = np.arange(int(SECONDS * RATE)) / RATE
    return (0.4 * np.sin(2 * np.pi * (BASE_HZ * t + SLOPE_HZ_PER_S / 2 * t * t))).astype(np.float32)


def position_heard_first(captured: np.ndarray) -> float:
    """Where in the recording the first sound the speaker played comes from (its pitch at the onset)."""
    loud = np.flatnonzero(np.abs(captured) > 0.05)
    assert loud.size, "nothing reached the speaker"
    onset = int(loud[0]) + int(0.005 * RATE)
    window = captured[onset : onset + int(WINDOW_S * RATE)] * np.hanning(int(WINDOW_S * RATE))
    spectrum = np.abs(np.fft.rfft(window, 1 << 18))
    peak_hz = float(np.argmax(spectrum)) * RATE / (1 << 18)
    return (peak_hz - BASE_HZ) / SLOPE_HZ_PER_S - WINDOW_S / 2 - 0.005  # the pitch is the window's middle


@pytest.mark.audio
def test_replay_of_a_finding_starts_within_0_2_s_of_its_moment(pulse: str, tmp_path, capsys) -> None:  # type: ignore[no-untyped-def]
    with Store.open() as store:
        session = store.create_session("general", "practice")
        answer = store.begin_answer(session.id, question="Tell me about a project.", kind="behavioral")
        soundfile.write(str(answer.final_audio_path), chirp(), RATE, subtype="PCM_16")
        transcript = timed_transcript("We moved the billing jobs. The team was happy with it in the end.",
                                      wpm=100, lead_s=0.5)
        result = rule_result(transcript, rules=())
        evidence = finding(transcript, "no-outcome", 5, 13)
        result["findings"] = [evidence.to_dict()]
        store.finish_answer(answer.id, transcript=transcript, result=result, model="tiny.en")
        store.end_session(session.id)
    evidence_start = float(transcript.words[5].start)
    with record_speaker(tmp_path / "speaker.wav") as captured:
        assert main(["replay", session.id, "--answer", "1", "--finding", "no-outcome"]) == 0
    heard, rate = soundfile.read(str(captured), dtype="float32")
    assert rate == RATE
    started_at = position_heard_first(heard)
    expected = evidence_start - LEAD_IN_S
    out = capsys.readouterr().out
    with capsys.disabled():  # the measured figure, for the README and the bench
        print(f"\nevidence at {evidence_start:.2f} s, playback meant to start at {expected:.2f} s, "
              f"heard from {started_at:.3f} s (error {abs(started_at - expected) * 1000:.0f} ms)")
    assert abs(started_at - expected) < 0.2
    assert "⚑ No measurable result at" in out


@pytest.mark.audio
@pytest.mark.model
def test_redo_plays_a_then_b_on_the_speaker(pulse: str, tmp_path, capsys, speech_dir) -> None:  # type: ignore[no-untyped-def]
    from tests.redo.conftest import stored_answer
    from tests.support.speech_fixtures import SpeechFixture, synthesize

    take = synthesize(SpeechFixture("redo-take", "I cut the nightly billing run from six hours to forty minutes."),
                      speech_dir)
    with Store.open() as store:
        session_id, _ = stored_answer(store)
    with record_speaker(tmp_path / "speaker.wav") as captured:
        assert main(["redo", session_id, "1", "--finding", "no-outcome", "--take", str(take)]) == 0
    out = capsys.readouterr().out
    assert "A: the part as you said it (00:08.2–00:10.4)" in out and "B: the new take" in out
    heard, _ = soundfile.read(str(captured), dtype="float32")
    windows = heard[: len(heard) // 800 * 800].reshape(-1, 800)  # 50 ms
    sounding = float((np.sqrt(np.mean(np.square(windows), axis=1)) > 0.01).sum()) * 0.05
    # A is 2.2 s of the answer's tone, B a take of about 4 s: both came out of the speaker, one after the other.
    assert sounding > 2.2 + 2.5, sounding


@pytest.mark.audio
def test_the_apps_player_starts_a_moment_within_0_2_s(pulse: str, tmp_path, capsys) -> None:  # type: ignore[no-untyped-def]
    """The app's feedback, report and replay play a moment through AudioPlayer: the same check on that path."""
    from mockiv.core.moments import play_from
    from mockiv.tui.real import AudioPlayer

    recording = tmp_path / "answer.wav"
    soundfile.write(str(recording), chirp(), RATE, subtype="PCM_16")
    evidence_start = 5.3
    expected = play_from(evidence_start)
    with record_speaker(tmp_path / "speaker.wav") as captured:
        AudioPlayer().play(recording, expected, expected + 1.0)
    heard, _ = soundfile.read(str(captured), dtype="float32")
    started_at = position_heard_first(heard)
    with capsys.disabled():
        print(f"\napp player: meant to start at {expected:.2f} s, heard from {started_at:.3f} s "
              f"(error {abs(started_at - expected) * 1000:.0f} ms)")
    assert abs(started_at - expected) < 0.2
