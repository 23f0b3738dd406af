"""End to end in a real terminal (tmux, 80x24): the Baseline screen measured from speech played into the virtual
PulseAudio microphone, and the Debrief screen typed, its personal pack then practised."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

from mockiv.baseline import passage
from tests.live.conftest import MIC, play_into_microphone, pulse_reachable
from tests.support.speech_fixtures import SpeechFixture, synthesize
from tests.tui.test_e2e_tmux import Terminal, open_terminal, terminal_env  # noqa: F401  (fixtures)

EASY = ("I like to go hiking with my family on weekends. We walk in the hills near our town, and then we cook a big "
        "dinner together. I also read a lot, mostly history books.")


def _speak(term: Terminal, audio: Path) -> None:
    term.wait_for("LISTENING", "listening once the step was shown")  # no key pressed
    player = play_into_microphone(audio, MIC)
    assert player.wait(timeout=120) == 0


@pytest.mark.audio
@pytest.mark.model
def test_a_baseline_spoken_into_the_virtual_microphone(open_terminal: Callable[..., Terminal],  # noqa: F811
                                                       private_home: Path, speech_dir: Path) -> None:
    reason = pulse_reachable()
    if reason:
        pytest.skip(reason)
    read = synthesize(SpeechFixture("baseline-passage-160", passage(), "en-us", 160), speech_dir)
    easy = synthesize(SpeechFixture("baseline-easy-e2e-160", EASY, "en-us", 160), speech_dir)
    term = open_terminal("--no-tts")
    term.wait_for("mini (2 q)", "the home screen")
    term.keys("b")
    screen = term.wait_for("When the sunlight strikes", "the passage to read")
    assert "step 1 of 2" in screen
    _speak(term, read)
    term.wait_for("What do you enjoy doing", "the easy question")
    _speak(term, easy)
    screen = term.wait_for("(your band ", "the measured baseline")
    assert "Pace: " in screen and "(your band " in screen and "Pitch range: " in screen, screen
    assert "not measured" not in screen
    term.keys("Escape")
    term.wait_for("Recent sessions", "home again")
    term.keys("q")
    term.wait_for("EXIT=0", "a clean exit")
    from mockiv.store import Store

    with Store.open(private_home / "mockiv.db") as store:
        kept = store.latest_baseline()
        assert store.list_sessions() == []  # calibration is no practice session
    assert kept is not None and 120 < kept["wpm"] < 260 and kept["pitch_spread_semitones"] is not None


def test_a_debrief_typed_in_a_real_terminal_then_practised(open_terminal: Callable[..., Terminal],  # noqa: F811
                                                           private_home: Path) -> None:
    term = open_terminal("--no-mic", "--no-tts")
    term.wait_for("mini (2 q)", "the home screen")
    term.keys("d")
    term.wait_for("The interview: company and role", "the debrief's first step")
    # Typed as a person does: each entry once the screen asks for it.
    for entry, next_step in (("Acme, backend engineer", "When was it?"), ("2026-12-03", "Question 1 you were"),
                             ("Tell me about a time you improved performance.", "How you answered question 1"),
                             ("We had a slow page. We added some caching and it was much better after that.",
                              "Question 2 you were"), ("", "Something you did well (1 of 3"),
                             ("I stayed calm", "Something you did well (2 of 3"), ("", "Something to work on (1"),
                             ("I said we instead of I", "Something to work on (2 of 3"), ("", "Your plan")):
        if entry:
            term.keys("-l", entry)
        term.keys("Enter")
        term.wait_for(next_step, next_step)
    screen = term.wait_for("Your plan", "the plan")
    assert "practise pack 'debrief-2026-12-03'" in screen.replace("\n", " ") or "debrief-2026-12-03" in screen
    assert "+ I stayed calm" in screen
    assert (private_home / "packs" / "debrief-2026-12-03.toml").is_file()
    term.keys("p")
    screen = term.wait_for("Practice · debrief-2026-12-03", "practising the personal pack")
    assert "improved performance" in screen
    term.keys("Escape")
    term.wait_for("Recent sessions", "home again")
    term.keys("q")
    term.wait_for("EXIT=0", "a clean exit")
