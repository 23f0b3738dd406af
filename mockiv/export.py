"""A session report to keep or send to a coach (Markdown, HTML, JSON): what `mockiv export` and the app's History
write.

The HTML is one self-contained file (inline CSS and SVG, no external reference): pace over time, fillers and
pauses on a timeline per answer, scores by signal, and each answer's recording inside it (MP3 as a data: URI) with
a link per finding that plays it from the finding's moment (mockiv.core.moments); that seeking is the file's one
script, a few lines; without it the links still lead to the player. Files are written atomically (temp file in the
same folder, fsync, rename), so a full disk or a crash never leaves half a report in place of an old one.
"""

from __future__ import annotations

import base64
import contextlib
import errno
import json
import os
import stat
import tempfile
from collections.abc import Mapping, Sequence
from html import escape
from pathlib import Path
from typing import Any

from mockiv.core.answer_view import AnswerView, answer_view
from mockiv.core.export_model import (
    signal_order,
    signal_scores,
    svg_pace_chart,
    svg_signal_bars,
    svg_timeline,
)
from mockiv.core.moments import finding_moments
from mockiv.core.numbering import answer_labels
from mockiv.core.rules import rule_title
from mockiv.errors import MockivError, UserInputError
from mockiv.present import clock, duration, local_time

FORMATS = ("md", "html", "json")


def report_data(session: dict[str, Any]) -> dict[str, Any]:
    """The JSON export: the session, every answer with its latest result and the history of results."""
    answers = session["answers"]
    return {
        "format": "mockiv-session-report",
        "format_version": 1,
        "session": {k: v for k, v in session.items() if k != "answers"},
        "signal_scores": signal_scores(answers, signal_order()),
        "answers": answers,
    }


# ---------------------------------------------------------------------------------------------------- Markdown


def _metrics_line(view: AnswerView) -> str:
    return "Delivery: " + "; ".join(f"{row.label.lower()} {row.value}" for row in view.metrics) + "."


def labels(answers: Sequence[dict[str, Any]]) -> list[str]:
    """Answers numbered as the candidate met the questions: 1, 1a (its follow-up), 2 (mockiv.core.numbering)."""
    return answer_labels([(a.get("question_id"), a["question"]) for a in answers])


def render_markdown(session: dict[str, Any]) -> str:
    lines = [f"# Interview practice: {session.get('pack_id', '')} ({session.get('mode', '')})", "",
             f"Session `{session['id'][:8]}`, {local_time(session.get('started_at'))}, "
             f"{session.get('answers_done', 0)} of {session.get('answer_count', 0)} answers complete.", ""]
    scores = signal_scores(session["answers"], signal_order())
    if scores:
        lines += ["## Scores by signal", "", "Share of answers with no problem on that signal.", "",
                  "| Signal | Score |", "|---|---|"]
        lines += [f"| {signal} | {score:.0%} |" for signal, score in scores.items()]
        lines.append("")
    for answer, label in zip(session["answers"], labels(session["answers"]), strict=True):
        lines += [f"## Q{label}. {answer['question']}", ""]
        result = answer.get("result")
        if answer.get("transcript") is None:
            lines += [f"*{answer['status']}: not transcribed.*", ""]
            continue
        view = answer_view(answer)
        lines += [_metrics_line(view), "", "> " + answer["transcript"].get("text", ""), ""]
        if result is None:
            continue
        lines.append(f"Rules version {view.rules_version or '?'}.")
        lines.append("")
        for finding in view.findings:
            evidence = (finding.get("evidence") or [{}])[0]
            at = f" at {clock(evidence['start'])}" if evidence.get("start") is not None else ""
            title = rule_title(finding["rule"])
            lines.append(f"- **{finding['severity']}: {title}**{at}: {finding.get('message', '')}")
            if evidence.get("text"):
                lines.append(f"  - You said: “{evidence['text']}”")
            if finding.get("rationale"):
                lines.append(f"  - Why it costs you: {finding['rationale']}")
            if finding.get("suggestion"):
                lines.append(f"  - Try: {finding['suggestion']}")
        for strength in view.strengths:
            lines.append(f"- **strength ({strength.get('signal', '')})**: {strength.get('message', '')}")
        lines.append("")
    return "\n".join(lines).rstrip() + "\n"


# ---------------------------------------------------------------------------------------------------- HTML

_CSS = """
body{font:15px/1.5 system-ui,-apple-system,"Segoe UI",sans-serif;max-width:760px;margin:2em auto;padding:0 1em;
color:#222}h1{font-size:1.5em}h2{font-size:1.15em;margin-top:2em;border-bottom:1px solid #ddd}
.meta{color:#555}.transcript{background:#fafafa;border-left:3px solid #ccc;padding:.5em 1em}
mark{background:#fde2e0;padding:0 1px}mark.minor{background:#dcecf7}mark.moderate{background:#fcefd2}
.filler{color:#c0392b;font-style:italic}.pause{color:#888;font-size:.85em}
.finding{margin:.4em 0}.sev{display:inline-block;min-width:5.5em;font-weight:600}.major .sev{color:#c0392b}
.moderate .sev{color:#a86500}.minor .sev{color:#2a7ab0}svg.chart{max-width:100%;height:auto;display:block}
.legend{font-size:.85em;color:#555}
a.seek{font-size:.85em;margin-left:.4em;white-space:nowrap}audio{width:100%;margin:.4em 0}
@media print{body{margin:0}audio,a.seek{display:none}}
"""
# The one script: a finding's link plays the answer's recording from the finding's moment.
_SEEK_SCRIPT = """<script>
document.addEventListener("click", function (event) {
  var link = event.target.closest("a.seek"); if (!link) return;
  var player = document.getElementById(link.getAttribute("href").slice(1)); if (!player) return;
  event.preventDefault(); player.currentTime = parseFloat(link.dataset.t); player.play();
});
</script>"""


def embedded_recordings(answers: Sequence[Mapping[str, Any]]) -> dict[str, str]:
    """Each answer's recording as a data: URI (MP3), by answer id; an answer whose recording is gone or
    unreadable is left out (its report is still written, without the player)."""
    from mockiv.audio.files import encode_mp3, load_audio

    out = {}
    for answer in answers:
        path = answer.get("audio_path")
        if not path or not Path(path).is_file():
            continue
        try:
            data = encode_mp3(load_audio(path))
        except (MockivError, OSError, ValueError, RuntimeError):
            continue
        out[str(answer["id"])] = "data:audio/mpeg;base64," + base64.b64encode(data).decode("ascii")
    return out


def _html_transcript(view: AnswerView) -> str:
    out = []
    for word in view.words:
        text = escape(word.text)
        if word.filler:
            text = f'<span class="filler">{text}</span>'
        if word.rules:
            text = (f'<mark class="{escape(word.severity or "")}" title="{escape(", ".join(word.rules))}">'
                    f"{text}</mark>")
        out.append(text)
        if word.pause_after_s is not None:
            out.append(f'<span class="pause">[{word.pause_after_s:.1f} s]</span>')
    return " ".join(out)


def render_html(session: dict[str, Any], baseline: Mapping[str, Any] | None = None,
                recordings: Mapping[str, str] | None = None) -> str:
    """`baseline`: the candidate's (mockiv.core.baseline dict); the pace chart then outlines their own band.
    `recordings`: data: URIs by answer id (`embedded_recordings`); each answer with one gets a player, and each
    finding a link to its moment."""
    answers = session["answers"]
    personal = ((baseline or {}).get("bands") or {}).get("wpm")
    title = f"Interview practice: {session.get('pack_id', '')}, {local_time(session.get('started_at'))}"
    parts = [
        "<!DOCTYPE html>", '<html lang="en"><head><meta charset="utf-8">',
        '<meta name="viewport" content="width=device-width, initial-scale=1">',
        f"<title>{escape(title)}</title><style>{_CSS}</style></head><body>",
        f"<h1>{escape(title)}</h1>",
        f'<p class="meta">Session {escape(session["id"][:8])} · {escape(session.get("mode", ""))} · '
        f'{session.get("answers_done", 0)} of {session.get("answer_count", 0)} answers complete · '
        f'{escape(duration(session.get("duration_s")))} of speaking</p>',
        "<h2>Pace over time</h2>",
        '<p class="legend">Words per minute in 20 s windows; the shaded band is a conversational pace'
        + ("; the dashed one, your own relaxed pace (your baseline).</p>" if personal else ".</p>"),
        svg_pace_chart(answers, personal_band=personal),
        "<h2>Scores by signal</h2>",
        '<p class="legend">Share of answers with no problem on each signal the interviewer scores.</p>',
        svg_signal_bars(signal_scores(answers, signal_order())),
    ]
    for answer, label in zip(answers, labels(answers), strict=True):
        parts.append(f"<h2>Q{label}. {escape(answer['question'])}</h2>")
        if answer.get("transcript") is None:
            parts.append(f"<p><em>{escape(answer['status'])}: not transcribed.</em></p>")
            continue
        view = answer_view(answer)
        parts.append(f'<p class="meta">{escape(_metrics_line(view))}</p>')
        parts.append('<p class="legend">Timeline: red ticks are fillers, grey blocks pauses, coloured bars the '
                     "words behind each finding.</p>")
        parts.append(svg_timeline(answer))
        parts.append(f'<p class="transcript">{_html_transcript(view)}</p>')
        source = (recordings or {}).get(str(answer.get("id")))
        player = f"rec-{label}"
        if source:
            parts.append(f'<audio id="{player}" controls preload="metadata" src="{source}"></audio>')
        starts = {m.rule: m.play_from_s for m in finding_moments(view.findings, view.words)}
        for finding in view.findings:
            evidence = (finding.get("evidence") or [{}])[0]
            play_from = starts.get(str(finding["rule"]))
            hear = (f' <a class="seek" href="#{player}" data-t="{play_from:.2f}">▶ hear it</a>'
                    if source and play_from is not None else "")
            at = f" at {clock(evidence['start'])}" if evidence.get("start") is not None else ""
            quote = f"<br>You said: “{escape(evidence['text'])}”" if evidence.get("text") else ""
            why = f"<br>Why it costs you: {escape(finding['rationale'])}" if finding.get("rationale") else ""
            tip = f"<br>Try: {escape(finding['suggestion'])}" if finding.get("suggestion") else ""
            parts.append(f'<div class="finding {escape(finding["severity"])}"><span class="sev">'
                         f'{escape(finding["severity"])}</span> <strong>{escape(rule_title(finding["rule"]))}</strong>'
                         f"{escape(at)}{hear}: {escape(finding.get('message', ''))}{quote}{why}{tip}</div>")
        for strength in view.strengths:
            parts.append(f'<div class="finding strength"><span class="sev">strength</span> '
                         f"{escape(strength.get('message', ''))}</div>")
    parts.append(f'<p class="legend">Rules version {escape(", ".join(sorted({str(a["rules_version"]) for a in answers if a.get("rules_version")})) or "-")}'  # noqa: E501
                 "; made by mockiv, offline. Recordings never left this computer.</p>")
    if recordings:
        parts.append(_SEEK_SCRIPT)
    parts.append("</body></html>")
    return "\n".join(parts)


# ---------------------------------------------------------------------------------------------------- writing


def atomic_write(target: Path, text: str) -> None:
    """Write `text` to `target` via a temp file in the same folder, fsync, then rename over it."""
    folder = target.parent
    fd, temp = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".tmp", dir=folder)
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as handle:
            handle.write(text)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(temp, target)
    except BaseException as error:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(temp)
        if isinstance(error, OSError) and error.errno == errno.ENOSPC:
            raise MockivError(f"the disk is full: could not write {target}; free some space and try again "
                              "(nothing else was changed)") from error
        raise
    with contextlib.suppress(OSError):
        dir_fd = os.open(folder, os.O_RDONLY)
        try:
            os.fsync(dir_fd)
        finally:
            os.close(dir_fd)


# How each format begins (or, for HTML, what it ends with): an existing file holding one of these is an earlier
# report, which export may replace; anything else is someone's file.
_REPORT_MARKS = ("# Interview practice:", '"format": "mockiv-session-report"', "made by mockiv, offline.")


def _is_earlier_report(target: Path) -> bool:
    """Whether `target` looks like a report export wrote: only its first and last 4 KB are read."""
    try:
        with target.open("rb") as handle:
            head = handle.read(4096)
            handle.seek(max(0, target.stat().st_size - 4096))
            tail = handle.read(4096)
    except OSError:
        return False
    text = (head + tail).decode("utf-8", errors="replace")
    return any(mark in text for mark in _REPORT_MARKS)


def check_target(target: Path, store_path: Path, recordings_dir: Path, *, force: bool) -> None:
    """Refuse a path export must not replace: the database, a recording, a device or pipe, someone's file."""
    try:
        info = target.stat()  # follows links: what would really be replaced
    except FileNotFoundError:
        return
    except OSError as error:
        raise UserInputError(f"cannot write {target}: {error.strerror}") from error
    if not stat.S_ISREG(info.st_mode):
        raise UserInputError(f"cannot write the report to {target}: it is a device or a pipe, not a file; "
                             "give a file path")
    real = target.resolve()
    database = store_path.resolve()
    if real in {database, database.with_name(database.name + "-wal"), database.with_name(database.name + "-shm")}:
        raise UserInputError(f"{target} is where your practice sessions are stored; write the report elsewhere")
    if real.is_relative_to(recordings_dir.resolve()):
        raise UserInputError(f"{target} is one of your recorded answers; write the report elsewhere")
    if not force and not _is_earlier_report(target):
        raise UserInputError(f"{target} already exists and is not a mockiv report; choose another name, "
                             "or add --force to replace it")


def render(session: dict[str, Any], fmt: str, baseline: Mapping[str, Any] | None = None, *,
           recordings: bool = True) -> str:
    """`recordings`: an HTML report carries each answer's recording, with a link per finding to its moment."""
    if fmt == "json":
        return json.dumps(report_data(session), indent=2, ensure_ascii=False) + "\n"
    if fmt == "html":
        return render_html(session, baseline, embedded_recordings(session["answers"]) if recordings else None)
    return render_markdown(session)


def export_session(detail: Any, folder: Path, baseline: Mapping[str, Any] | None = None) -> list[Path]:
    """The session as Markdown and HTML (with its charts; `baseline`: the candidate's own band drawn on them) in
    `folder`, atomically: what the app's History writes."""
    session = detail.to_dict(history=False)
    folder.mkdir(parents=True, exist_ok=True, mode=0o700)
    written = []
    for fmt in ("md", "html"):
        target = folder / f"mockiv-{detail.session.id[:8]}.{fmt}"
        atomic_write(target, render(session, fmt, baseline))
        written.append(target)
    return written
