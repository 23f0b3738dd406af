"""`mockiv export`: Markdown, JSON and one self-contained HTML file whose charts render in a real Chromium."""

from __future__ import annotations

import json
import os
import re
import shutil
import stat
import subprocess
from pathlib import Path

import pytest

from mockiv.cli import main
from mockiv.core.answer_view import mark_words
from mockiv.core.export_model import signal_scores, svg_pace_chart, svg_signal_bars, svg_timeline
from mockiv.store import Store
from tests.store.helpers import populate

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")

# Appended to a copy of the report (the report itself has no script): measures what the browser laid out.
PROBE = """<script>
const box = (el) => { const r = el.getBoundingClientRect(); return [Math.round(r.width), Math.round(r.height)]; };
const hit = (el) => { const r = el.getBoundingClientRect(); el.scrollIntoView({block: "center"});
  const q = el.getBoundingClientRect();
  const at = document.elementFromPoint(q.left + q.width / 2, q.top + q.height / 2); return at === el; };
const out = {
  pace: box(document.getElementById("pace-chart")),
  pacePoints: [...document.querySelectorAll("#pace-chart circle.pace-point")].map(box),
  bars: [...document.querySelectorAll("#signal-chart rect.bar")].map((b) => [b.getBBox().width, hit(b)]),
  timelines: [...document.querySelectorAll("svg.timeline")].map(box),
  pauses: [...document.querySelectorAll("svg.timeline rect.pause")].map((p) => p.getBBox().width),
  fillers: document.querySelectorAll("svg.timeline line.filler").length,
  marks: document.querySelectorAll("mark").length,
};
document.body.setAttribute("data-probe", JSON.stringify(out));
</script>"""


def _export(session_id: str, fmt: str, out: Path) -> Path:
    assert main(["export", session_id, "--format", fmt, "--out", str(out)]) == 0
    return out


def test_markdown_report_quotes_the_evidence_and_explains_why(store: Store, tmp_path: Path) -> None:
    ids = populate(store, sessions=1, answers=2)
    text = _export(ids[0], "md", tmp_path / "r.md").read_text()
    assert text.startswith("# Interview practice: general (practice)")
    assert "2 of 2 answers complete" in text
    assert "## Q1. Tell me about a time you led project 1" in text
    assert "**moderate: Only “we”, never “I”** at 00:00.6" in text and "You said: “Um, so”" in text
    assert "Why it costs you: why it costs you" in text and "| ownership | 0% |" in text
    assert (tmp_path / "r.md").stat().st_mode & 0o077 == 0


def test_json_report_holds_every_answer_and_the_result_history(store: Store, tmp_path: Path) -> None:
    (session_id,) = populate(store, sessions=1, answers=1)
    answer = store.get_session(session_id).answers[0]
    store.record_result(answer.id, {"rules_version": "2027.1", "findings": []}, model="tiny.en")
    data = json.loads(_export(session_id, "json", tmp_path).joinpath(f"mockiv-{session_id[:8]}.json").read_text())
    assert data["format"] == "mockiv-session-report" and data["session"]["id"] == session_id
    (exported,) = data["answers"]
    assert exported["rules_version"] == "2027.1" and exported["result"]["findings"] == []
    assert [r["rules_version"] for r in exported["results"]] == ["2026.1", "2027.1"]
    assert exported["transcript"]["words"][0] == {"text": "Um,", "start": 0.6, "end": 0.92, "probability": 0.9}


def test_export_to_stdout_and_to_a_missing_folder(store: Store, tmp_path: Path,
                                                  capsys: pytest.CaptureFixture[str]) -> None:
    (session_id,) = populate(store, sessions=1, answers=1)
    assert main(["export", session_id, "--format", "json"]) == 0
    assert json.loads(capsys.readouterr().out)["session"]["id"] == session_id
    assert main(["export", session_id, "--out", str(tmp_path / "nope" / "r.md")]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "does not exist" in err


def test_html_is_one_self_contained_file(store: Store, tmp_path: Path) -> None:
    ids = populate(store, sessions=1, answers=2)
    html = _export(ids[0], "html", tmp_path / "r.html").read_text()
    assert html.startswith("<!DOCTYPE html>") and html.count("<svg") == 4  # pace, signals, two timelines
    # Nothing outside the file: the recordings are data: URIs, the links point inside it, one inline script seeks.
    assert not re.search(r"<link|<img|<iframe|url\(|@import", html, re.IGNORECASE)
    assert set(re.findall(r'\bsrc="([a-z]+:)', html)) == {"data:"} and html.count("<audio") == 2
    assert set(re.findall(r'\bhref="(.)', html)) == {"#"} and html.count("<script") == 1
    assert '<a class="seek" href="#rec-1" data-t="0.10">▶ hear it</a>' in html  # 0.5 s before "Um," at 0.6 s


def test_html_without_recordings_has_no_player_link_or_script(store: Store, tmp_path: Path) -> None:
    ids = populate(store, sessions=1, answers=1)
    target = tmp_path / "r.html"
    assert main(["export", ids[0], "--format", "html", "--out", str(target), "--no-recordings"]) == 0
    html = target.read_text()
    assert not re.search(r"<script|<audio|\bsrc=|\bhref=", html, re.IGNORECASE)


def test_charts_hold_the_data_they_claim(store: Store) -> None:
    ids = populate(store, sessions=1, answers=2)
    answers = store.get_session(ids[0]).to_dict(history=False)["answers"]
    pace = svg_pace_chart(answers)
    assert pace.count('class="pace-point"') == 2 and "Q1: 128 WPM" in pace and "Q2" in pace
    timeline = svg_timeline(answers[0])
    assert timeline.count('class="filler"') == 2 and timeline.count('class="pause"') == 1
    assert 'class="finding"' in timeline and "we-without-i: Um, so" in timeline
    scores = signal_scores(answers, ["ownership", "execution"])
    assert scores == {"ownership": 0.0, "execution": 1.0}
    bars = svg_signal_bars(scores)
    assert 'width="0.0"' in bars and "execution: 100%" in bars
    typed = {"position": 1, "metrics": {"timed": False}}
    assert "no word timings" in svg_timeline(typed) and "no timed answers" in svg_pace_chart([typed])


def test_words_are_marked_with_their_findings_fillers_and_pauses(store: Store) -> None:
    (session_id,) = populate(store, sessions=1, answers=1)
    answer = store.get_session(session_id).answers[0].to_dict(history=False)
    words = mark_words(answer)
    assert words[0].rules == ("we-without-i",) and words[0].opens == ("we-without-i",) and words[0].filler
    assert words[1].rules == ("we-without-i",) and not words[1].opens
    assert words[5].pause_after_s == 1.58 and words[7].filler and words[8].filler
    assert not words[12].rules and words[12].text == "I"


@pytest.mark.skipif(CHROMIUM is None, reason="chromium is not installed (scripts/setup installs it)")
def test_the_html_charts_render_in_headless_chromium(store: Store, tmp_path: Path) -> None:
    ids = populate(store, sessions=1, answers=2)
    html = _export(ids[0], "html", tmp_path / "r.html").read_text()
    probe = tmp_path / "probe.html"
    probe.write_text(html.replace("</body>", PROBE + "</body>"))
    profile = tmp_path / "chromium-profile"
    result = subprocess.run(
        [CHROMIUM, "--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
         "--disable-component-update", "--disable-sync", "--no-first-run", f"--user-data-dir={profile}",
         "--window-size=900,1200", "--virtual-time-budget=2000", "--dump-dom", probe.as_uri()],
        capture_output=True, text=True, timeout=120, check=False)
    assert result.returncode == 0, result.stderr[-2000:]
    found = re.search(r'data-probe="([^"]*)"', result.stdout)
    assert found, result.stdout[:2000]
    laid_out = json.loads(found.group(1).replace("&quot;", '"'))
    width, height = laid_out["pace"]
    assert width >= 600 and height >= 180  # the pace chart took its place on the page
    assert len(laid_out["pacePoints"]) == 2 and all(w > 0 and h > 0 for w, h in laid_out["pacePoints"])
    widths = [w for w, _ in laid_out["bars"]]
    assert widths[0] == 0 and max(widths) > 400  # ownership flagged in every answer; clean signals full width
    assert all(visible for w, visible in laid_out["bars"] if w > 0)  # nothing covers a drawn bar
    assert len(laid_out["timelines"]) == 2 and all(w >= 600 for w, _ in laid_out["timelines"])
    assert len(laid_out["pauses"]) == 2 and all(w > 10 for w in laid_out["pauses"])
    assert laid_out["fillers"] == 4 and laid_out["marks"] == 4


def test_overlapping_findings_get_their_own_row_on_the_timeline() -> None:
    from mockiv.core.export_model import finding_lanes

    assert finding_lanes([(0.0, 9.0), (5.0, 6.0), (6.5, 8.0), (9.5, 10.0)]) == [0, 1, 1, 0]
    answer = {"position": 1, "metrics": {"timed": True, "duration_s": 10.0},
              "result": {"findings": [
                  {"rule": "too-short", "severity": "moderate", "evidence": [{"start": 0.5, "end": 9.0, "text": "a"}]},
                  {"rule": "no-outcome", "severity": "major", "evidence": [{"start": 5.0, "end": 9.0, "text": "b"}]},
              ]}}
    svg = svg_timeline(answer)
    assert re.findall(r'class="finding" x="[\d.]+" y="(\d+)"', svg) == ["6", "15"]


def _refused(argv: list[str], capsys: pytest.CaptureFixture[str], *words: str) -> None:
    assert main(argv) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "Traceback" not in err
    assert all(word in err for word in words), err


def test_export_never_writes_over_the_database_or_a_recording(store: Store, home: Path,
                                                              capsys: pytest.CaptureFixture[str]) -> None:
    (session_id,) = populate(store, sessions=1, answers=1)
    database = home / "mockiv.db"
    before = database.read_bytes()
    for force in ([], ["--force"]):
        _refused(["export", session_id, "--out", str(database), *force], capsys, "sessions are stored")
    link = home.parent / "link.md"
    link.symlink_to(database)
    _refused(["export", session_id, "--out", str(link), "--force"], capsys, "sessions are stored")
    assert database.read_bytes() == before and store.get_session(session_id).answers
    recording = home / "recordings" / session_id / "a.wav"
    recording.parent.mkdir(parents=True, exist_ok=True)
    recording.write_bytes(b"RIFF....WAVE")
    _refused(["export", session_id, "--out", str(recording), "--force"], capsys, "recorded answers")
    assert recording.read_bytes() == b"RIFF....WAVE"


def test_export_asks_for_force_before_replacing_a_file_it_did_not_write(store: Store, tmp_path: Path,
                                                                        capsys: pytest.CaptureFixture[str]) -> None:
    (session_id,) = populate(store, sessions=1, answers=1)
    notes = tmp_path / "notes.md"
    notes.write_text("my own notes\n")
    _refused(["export", session_id, "--out", str(notes)], capsys, "not a mockiv report", "--force")
    assert notes.read_text() == "my own notes\n"
    assert main(["export", session_id, "--out", str(notes), "--force"]) == 0
    assert notes.read_text().startswith("# Interview practice:")
    for fmt in FORMATS_TO_REEXPORT:  # an earlier report is replaced without --force
        target = tmp_path / f"again.{fmt}"
        _export(session_id, fmt, target)
        _export(session_id, fmt, target)


FORMATS_TO_REEXPORT = ("md", "html", "json")


def test_export_never_writes_over_a_device_or_a_fifo(store: Store, tmp_path: Path,
                                                     capsys: pytest.CaptureFixture[str]) -> None:
    (session_id,) = populate(store, sessions=1, answers=1)
    fifo = tmp_path / "x.md"
    os.mkfifo(fifo)
    for target in (fifo, Path("/dev/null")):
        _refused(["export", session_id, "--out", str(target), "--force"], capsys, "not a file")
    assert stat.S_ISFIFO(fifo.stat().st_mode) and Path("/dev/null").is_char_device()


def test_answers_are_numbered_by_question_with_follow_ups_lettered(store: Store, tmp_path: Path) -> None:
    session = store.create_session("general", "practice")
    for question_id, question in (("q1", "Tell me about a project."), ("q1-follow-up", "What was your part?"),
                                  ("q2", "Tell me about a failure.")):
        store.begin_answer(session.id, question=question, kind="behavioral", question_id=question_id)
    text = _export(session.id, "md", tmp_path / "r.md").read_text()
    assert [line for line in text.splitlines() if line.startswith("## Q")] == [
        "## Q1. Tell me about a project.", "## Q1a. What was your part?", "## Q2. Tell me about a failure."]
    html = _export(session.id, "html", tmp_path / "r.html").read_text()
    assert "<h2>Q1a. What was your part?</h2>" in html


SEEK_PROBE = """<script>
window.addEventListener("load", function () {
  var link = document.querySelector("a.seek"), player = document.getElementById("rec-1");
  player.addEventListener("loadedmetadata", function () {
    player.muted = true; link.click();
    setTimeout(function () {
      document.body.setAttribute("data-probe", JSON.stringify({t: player.currentTime, want: link.dataset.t,
                                                               duration: player.duration}));
    }, 300);
  });
  player.load();
});
</script>"""


@pytest.mark.skipif(CHROMIUM is None, reason="chromium is not installed (scripts/setup installs it)")
def test_a_findings_link_seeks_the_embedded_recording_in_chromium(store: Store, tmp_path: Path) -> None:
    ids = populate(store, sessions=1, answers=1)
    html = _export(ids[0], "html", tmp_path / "r.html").read_text()
    probe = tmp_path / "probe.html"
    probe.write_text(html.replace("</body>", SEEK_PROBE + "</body>"))
    result = subprocess.run(
        [CHROMIUM, "--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
         "--disable-component-update", "--disable-sync", "--no-first-run", f"--user-data-dir={tmp_path / 'p'}",
         "--autoplay-policy=no-user-gesture-required", "--virtual-time-budget=5000", "--dump-dom", probe.as_uri()],
        capture_output=True, text=True, timeout=120, check=False)
    found = re.search(r'data-probe="([^"]*)"', result.stdout)
    assert found, result.stderr[-2000:]
    seen = json.loads(found.group(1).replace("&quot;", '"'))
    assert seen["duration"] == pytest.approx(1.0, abs=0.1)  # the whole recording is in the file
    assert seen["t"] >= float(seen["want"]) - 0.01  # the link moved the player to the finding's moment
