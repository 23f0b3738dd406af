"""End to end in a real terminal (tmux, 80x24) through the virtual PulseAudio devices: a spoken answer's finding
heard from its moment (m), and a spoken redo of just that part (d, space) re-scored, with A and B heard."""

from __future__ import annotations

import time
from collections.abc import Callable
from pathlib import Path

import numpy as np
import pytest
import soundfile

from tests.live.conftest import MIC, play_into_microphone, pulse_reachable, record_speaker
from tests.support.speech_fixtures import SpeechFixture, synthesize
from tests.tui.test_e2e_tmux import Terminal, open_terminal, stored_sessions, terminal_env  # noqa: F401

WE_STORY = SpeechFixture("e2e-we-story", "We had a hard deadline on the billing migration. We split the work and "
                         "we shipped it on time. The team was happy.", rate_wpm=150)
TAKE = SpeechFixture("e2e-redo-take", "I rewrote the billing job myself and cut the nightly run from six hours to "
                     "forty minutes.", rate_wpm=150)


def loudness(path: Path) -> float:
    heard, _ = soundfile.read(str(path), dtype="float32")
    return float(np.sqrt(np.mean(np.square(heard)))) if heard.size else 0.0


def answer_by_speech(term: Terminal, speech: Path) -> str:
    term.wait_for("mini (2 q)", "the home screen")
    term.keys("Enter")
    term.wait_for("LISTENING", "listening once the question was asked")
    player = play_into_microphone(speech, MIC)
    assert player.wait(60) == 0
    return term.wait_for("Feedback", "the feedback")


@pytest.mark.audio
@pytest.mark.model
def test_m_plays_a_spoken_answers_finding_from_its_moment(open_terminal: Callable[..., Terminal],  # noqa: F811
                                                          speech_dir: Path, tmp_path: Path) -> None:
    reason = pulse_reachable()
    if reason:
        pytest.skip(reason)
    term = open_terminal("--no-tts")
    answer_by_speech(term, synthesize(WE_STORY, speech_dir))
    with record_speaker(tmp_path / "heard.wav") as heard:
        term.keys("m")
        screen = term.wait_for("playing from", "the moment playing")
        time.sleep(2.0)  # hear some of it
    assert "▶ " in screen and "(1 of" in screen and "Traceback" not in screen
    assert loudness(heard) > 0.005, "nothing was heard on the virtual speaker"


@pytest.mark.audio
@pytest.mark.model
def test_d_redoes_the_part_by_speech_and_shows_what_changed(open_terminal: Callable[..., Terminal],  # noqa: F811
                                                           private_home: Path, speech_dir: Path,
                                                           tmp_path: Path) -> None:
    reason = pulse_reachable()
    if reason:
        pytest.skip(reason)
    take = synthesize(TAKE, speech_dir)
    term = open_terminal("--no-tts")
    answer_by_speech(term, synthesize(WE_STORY, speech_dir))
    term.keys("m")  # the worst finding first: redo its part
    term.wait_for("playing from", "the moment")
    term.keys("d")
    screen = term.wait_for("Redo just this part", "the redo screen")
    assert "The part" in screen and "Try:" in screen
    term.wait_for("space records", "ready to record the take")
    with record_speaker(tmp_path / "ab.wav") as heard:
        term.keys("Space")
        term.wait_for("RECORDING the new take", "recording")
        player = play_into_microphone(take, MIC)
        assert player.wait(60) == 0
        screen = term.wait_for("What changed", "the re-score")
        term.wait_for("p plays A and B again", "A and B played")
    assert "✔ Gone:" in screen and "Traceback" not in screen, screen
    assert loudness(heard) > 0.005, "A and B were not heard on the virtual speaker"
    term.keys("Escape")
    term.wait_for("Feedback", "back to the feedback")
    from mockiv.store import Store

    [session] = stored_sessions(private_home)
    with Store.open(private_home / "mockiv.db") as store:
        (kept,) = store.takes_of(str(session["answers"][0]["id"]))
    assert kept.status == "done" and kept.audio_path is not None and kept.audio_path.stat().st_size > 44
    assert "minutes" in kept.transcript["text"].lower(), kept.transcript["text"]
