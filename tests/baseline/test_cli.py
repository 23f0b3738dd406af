"""`mockiv baseline` end to end on espeak-ng speech: a slow voice and a fast one each get their own band, and the
same answer is judged differently against each. Redoing replaces the baseline in use; bad input is one line."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from mockiv import cli, paths
from mockiv.baseline import passage
from tests.support.speech_fixtures import SpeechFixture, synthesize

EASY = ("I like to go hiking with my family on weekends. We walk in the hills near our town, and then we cook a big "
        "dinner together. I also read a lot, mostly history books and some science fiction.")
STAR = ("Last year our checkout page was timing out for many customers during sales. I profiled the service, found "
        "a slow database query and added an index and a cache. I tested the change and rolled it out over two days. "
        "After that the timeouts stopped and the conversion rate went up by five percent.")
# espeak-ng's -s rate; Whisper's word times make them about 143, 222 and 206 words a minute.
SLOW, FAST, ANSWER = 120, 185, 195


def _calibration(speech_dir: Path, rate: int) -> tuple[str, str]:
    return (str(synthesize(SpeechFixture(f"baseline-passage-{rate}", passage(), "en-us", rate), speech_dir)),
            str(synthesize(SpeechFixture(f"baseline-easy-{rate}", EASY, "en-us", rate), speech_dir)))


def _run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    code = cli.main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def _new_home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, name: str) -> None:
    monkeypatch.setenv("MOCKIV_HOME", str(tmp_path / name))
    paths.set_data_dir(None)


def _pace_finding(capsys: pytest.CaptureFixture[str], answer: str) -> dict:  # type: ignore[type-arg]
    code, out, _ = _run(capsys, "analyze", answer, "--question", "Tell me about a problem you solved.", "--json")
    assert code == 0
    return next(f for f in json.loads(out)["findings"] if f["rule"] == "pace-fast")


def test_a_slow_and_a_fast_voice_each_get_their_own_band(speech_dir: Path, tmp_path: Path,
                                                          monkeypatch: pytest.MonkeyPatch,
                                                          capsys: pytest.CaptureFixture[str]) -> None:
    answer = str(synthesize(SpeechFixture(f"baseline-star-{ANSWER}", STAR, "en-us", ANSWER), speech_dir))
    judged = {}
    for name, rate in (("slow", SLOW), ("fast", FAST)):
        _new_home(tmp_path, monkeypatch, name)
        code, out, err = _run(capsys, "baseline", "--no-tts", "--answers", *_calibration(speech_dir, rate), "--json")
        assert code == 0, err
        baseline = json.loads(out)
        assert baseline["pitch_spread_semitones"] is not None and baseline["speaking_s"] > 20
        judged[name] = (baseline, _pace_finding(capsys, answer))
    (slow, against_slow), (fast, against_fast) = judged["slow"], judged["fast"]
    assert slow["wpm"] < 165 < 190 < fast["wpm"], (slow["wpm"], fast["wpm"])
    assert slow["bands"]["wpm"][1] < fast["bands"]["wpm"][0]  # two bands that do not overlap
    # The same recording: too fast for any listener, and nerves for the slow speaker, natural for the fast one.
    assert "faster than your baseline" in against_slow["message"] and "nerves?" in against_slow["message"]
    assert "inside your own relaxed band" in against_fast["message"], against_fast["message"]
    assert against_slow["details"]["baseline_band"] == slow["bands"]["wpm"]


def test_redo_show_and_no_baseline(speech_dir: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = _run(capsys, "baseline", "--show")
    assert code == 0 and out.startswith("No baseline yet: run `mockiv baseline`")
    for rate in (SLOW, FAST):
        code, out, _ = _run(capsys, "baseline", "--no-tts", "--answers", *_calibration(speech_dir, rate))
        assert code == 0 and "Your baseline (measured" in out and "Pace: " in out and "(your band " in out
    code, out, _ = _run(capsys, "baseline", "--show", "--json")
    assert code == 0 and json.loads(out)["wpm"] > 190  # the redone (fast) one is in use
    from mockiv.store import Store

    with Store.open() as store:
        assert store.latest_baseline()["wpm"] == json.loads(out)["wpm"]


def test_typed_answers_make_no_baseline(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    typed = tmp_path / "passage.txt"
    typed.write_text(passage())
    code, _, err = _run(capsys, "baseline", "--no-tts", "--answers", str(typed), str(typed))
    assert code == 2
    assert err.strip().splitlines() == [
        "mockiv: no baseline kept: only 0 s of speech was heard; the baseline needs at least 20 s: read the whole "
        "passage aloud and answer in a few sentences"]
    code, _, err = _run(capsys, "baseline", "--answers", str(tmp_path / "nope.wav"), str(typed))
    assert code == 2 and "nope.wav: no such file" in err and "Traceback" not in err


def test_the_calibration_keeps_numbers_not_the_voice(speech_dir: Path, private_home: Path,
                                                      capsys: pytest.CaptureFixture[str]) -> None:
    code, _, _ = _run(capsys, "baseline", "--no-tts", "--answers", *_calibration(speech_dir, SLOW))
    assert code == 0
    recordings = private_home / "recordings"
    assert not recordings.exists() or not any(p.is_file() for p in recordings.rglob("*"))
    assert all(Path(p).is_file() for p in _calibration(speech_dir, SLOW))  # the files given are the candidate's
