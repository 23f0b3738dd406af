"""What a report and a replay show beyond one answer's view (mockiv.core.answer_view): the words due at a playback
position, and chart geometry as SVG.

Input is the store's JSON shape (an answer dict with `transcript`, `metrics`, `result`). No I/O: the export
command writes what `svg_*` return, the replay command prints what `Follower.due()` returns.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from html import escape
from typing import Any

from mockiv.core import delivery
from mockiv.core.answer_view import MarkedWord
from mockiv.core.progress import finding_signal
from mockiv.core.rules import rule_specs

SEVERITY_COLOUR = {"minor": "#2a7ab0", "moderate": "#c77c02", "major": "#c0392b"}


# ---------------------------------------------------------------------------------------------------- words


class Follower:
    """Which words are due at a playback position, so the transcript follows the audio word by word."""

    def __init__(self, words: Sequence[MarkedWord]) -> None:
        self._words = list(words)
        self._next = 0

    @property
    def done(self) -> bool:
        return self._next >= len(self._words)

    def due(self, position_s: float) -> list[MarkedWord]:
        """Words that start at or before `position_s` and were not returned yet (untimed words never wait)."""
        out = []
        while self._next < len(self._words):
            word = self._words[self._next]
            if word.start is not None and word.start > position_s:
                break
            out.append(word)
            self._next += 1
        return out

    def rest(self) -> list[MarkedWord]:
        return self.due(float("inf"))


# ---------------------------------------------------------------------------------------------------- charts


def _fmt_time(seconds: float) -> str:
    minutes, secs = divmod(round(seconds), 60)
    return f"{minutes}:{secs:02d}"


@dataclass(frozen=True, slots=True)
class PacePoint:
    t: float  # seconds since the session's first answer began (answers laid end to end)
    wpm: float
    answer: int


def pace_series(answers: Sequence[dict[str, Any]]) -> tuple[list[PacePoint], list[tuple[float, int]]]:
    """Windowed pace over the whole session, and where each answer starts on that axis."""
    points: list[PacePoint] = []
    starts: list[tuple[float, int]] = []
    offset = 0.0
    for answer in answers:
        metrics = answer.get("metrics") or {}
        if not metrics.get("timed"):
            continue
        starts.append((offset, int(answer.get("position", 0))))
        windows = metrics.get("pace_windows") or []
        if not windows and metrics.get("wpm") is not None:
            windows = [{"start": 0.0, "end": metrics.get("duration_s") or 0.0, "wpm": metrics["wpm"]}]
        for window in windows:
            points.append(PacePoint(round(offset + (window["start"] + window["end"]) / 2, 3), window["wpm"],
                                    int(answer.get("position", 0))))
        offset += float(metrics.get("duration_s") or (windows[-1]["end"] if windows else 0.0))
    return points, starts


def svg_pace_chart(answers: Sequence[dict[str, Any]], width: int = 640, height: int = 200,
                   personal_band: Sequence[float] | None = None) -> str:
    """Pace over the session as a line, the conversational band (delivery.toml) shaded behind it, and the
    candidate's own band (their baseline, mockiv.core.baseline) outlined over it when they measured one."""
    points, starts = pace_series(answers)
    if not points:
        return _svg_empty("pace-chart", "Pace over time", width, "no timed answers (typed transcripts have no pace)")
    band = delivery.thresholds()["pace"]
    left, right, top, bottom = 44, 12, 14, 28
    plot_w, plot_h = width - left - right, height - top - bottom
    t_max = max(max(p.t for p in points), max((s for s, _ in starts), default=0.0), 1.0) * 1.05
    y_max = max(max(p.wpm for p in points), band["fast_wpm"], personal_band[1] if personal_band else 0.0) * 1.15

    def x(t: float) -> float:
        return round(left + t / t_max * plot_w, 1)

    def y(wpm: float) -> float:
        return round(top + plot_h - wpm / y_max * plot_h, 1)

    parts = [f'<svg class="chart" id="pace-chart" role="img" aria-labelledby="pace-title" viewBox="0 0 {width} '
             f'{height}" width="{width}" height="{height}" xmlns="http://www.w3.org/2000/svg">',
             '<title id="pace-title">Pace over time (words per minute)</title>',
             f'<rect class="band" x="{left}" y="{y(band["fast_wpm"])}" width="{plot_w}" '
             f'height="{round(y(band["slow_wpm"]) - y(band["fast_wpm"]), 1)}" fill="#e6f2e6"/>']
    for wpm in (band["slow_wpm"], band["fast_wpm"]):
        parts.append(f'<text x="{left - 4}" y="{y(wpm) + 4}" text-anchor="end" font-size="10">{wpm}</text>')
    if personal_band:
        low, high = personal_band
        parts.append(f'<rect class="personal-band" x="{left}" y="{y(high)}" width="{plot_w}" '
                     f'height="{round(y(low) - y(high), 1)}" fill="none" stroke="#9a6fb0" stroke-dasharray="6 3">'
                     f'<title>your own relaxed pace: {low:.0f}-{high:.0f} WPM</title></rect>'
                     f'<text x="{left + plot_w - 4}" y="{y(high) - 3}" text-anchor="end" font-size="10" '
                     f'fill="#9a6fb0">your band {low:.0f}-{high:.0f}</text>')
    for start, position in starts:
        parts.append(f'<line x1="{x(start)}" y1="{top}" x2="{x(start)}" y2="{top + plot_h}" stroke="#bbb" '
                     f'stroke-dasharray="3 3"/><text x="{x(start) + 3}" y="{top + 10}" font-size="10">'
                     f'Q{position}</text>')
    by_answer: dict[int, list[PacePoint]] = {}
    for point in points:
        by_answer.setdefault(point.answer, []).append(point)
    for series in by_answer.values():
        coords = " ".join(f"{x(p.t)},{y(p.wpm)}" for p in series)
        parts.append(f'<polyline class="pace" points="{coords}" fill="none" stroke="#1f5f99" stroke-width="2"/>')
        parts.extend(f'<circle class="pace-point" cx="{x(p.t)}" cy="{y(p.wpm)}" r="3" fill="#1f5f99">'
                     f'<title>Q{p.answer}: {p.wpm:.0f} WPM</title></circle>' for p in series)
    parts.append(f'<line x1="{left}" y1="{top + plot_h}" x2="{left + plot_w}" y2="{top + plot_h}" stroke="#333"/>')
    for i in range(5):
        t = t_max / 1.05 * i / 4
        parts.append(f'<text x="{x(t)}" y="{height - 10}" text-anchor="middle" font-size="10">{_fmt_time(t)}</text>')
    parts.append("</svg>")
    return "".join(parts)


def finding_lanes(spans: Sequence[tuple[float, float]]) -> list[int]:
    """A row per overlapping span (greedy, in order), so no finding hides another on the timeline."""
    lane_ends: list[float] = []
    lanes = []
    for start, end in spans:
        lane = next((i for i, last in enumerate(lane_ends) if start >= last), len(lane_ends))
        if lane == len(lane_ends):
            lane_ends.append(end)
        else:
            lane_ends[lane] = end
        lanes.append(lane)
    return lanes


def svg_timeline(answer: dict[str, Any], width: int = 640) -> str:
    """One answer as a bar: fillers as ticks, pauses as grey blocks, findings as coloured spans above it."""
    metrics = answer.get("metrics") or {}
    position = int(answer.get("position", 0))
    chart_id = f"timeline-{position}"
    if not metrics.get("timed"):
        return _svg_empty(chart_id, f"Q{position} timeline", width, "no word timings")
    duration = float(metrics.get("duration_s") or 0.0) or 1.0
    left, right, lane_h = 8, 8, 9
    plot_w = width - left - right
    spans = [(finding, span) for finding in (answer.get("result") or {}).get("findings", [])
             for span in finding.get("evidence", []) if span.get("start") is not None and span.get("end") is not None]
    lanes = finding_lanes([(span["start"], span["end"]) for _, span in spans])
    bar_y = 6 + (max(lanes) + 1) * lane_h + 4 if lanes else 8
    height = bar_y + 38

    def x(t: float) -> float:
        return round(left + min(max(t, 0.0), duration) / duration * plot_w, 1)

    parts = [f'<svg class="chart timeline" id="{chart_id}" role="img" viewBox="0 0 {width} {height}" '
             f'width="{width}" height="{height}" xmlns="http://www.w3.org/2000/svg">',
             f"<title>Q{position}: findings, fillers and pauses over {duration:.0f} s</title>",
             f'<rect x="{left}" y="{bar_y}" width="{plot_w}" height="14" fill="#f1f1f1" stroke="#ccc"/>']
    for (finding, span), lane in zip(spans, lanes, strict=True):
        colour = SEVERITY_COLOUR.get(finding["severity"], "#555")
        parts.append(f'<rect class="finding" x="{x(span["start"])}" y="{6 + lane * lane_h}" '
                     f'width="{max(x(span["end"]) - x(span["start"]), 2)}" height="{lane_h - 2}" fill="{colour}">'
                     f'<title>{escape(finding["rule"])}: {escape(span.get("text", ""))}</title></rect>')
    for pause in metrics.get("pauses", []):
        parts.append(f'<rect class="pause" x="{x(pause["start"])}" y="{bar_y}" '
                     f'width="{max(x(pause["end"]) - x(pause["start"]), 1)}" height="14" fill="#999">'
                     f'<title>pause {pause["end"] - pause["start"]:.1f} s</title></rect>')
    for filler in metrics.get("disfluencies", []):
        if filler.get("category") not in ("hesitation", "discourse") or filler.get("start") is None:
            continue
        parts.append(f'<line class="filler" x1="{x(filler["start"])}" y1="{bar_y - 2}" x2="{x(filler["start"])}" '
                     f'y2="{bar_y + 16}" stroke="#c0392b" stroke-width="2">'
                     f'<title>filler “{escape(filler["text"])}”</title></line>')
    parts.append(f'<text x="{left}" y="{bar_y + 30}" font-size="10">0:00</text><text x="{left + plot_w}" '
                 f'y="{bar_y + 30}" font-size="10" text-anchor="end">{_fmt_time(duration)}</text></svg>')
    return "".join(parts)


def signal_order() -> list[str]:
    """The signals reports score, in the rule engine's order: its rule families (ownership, evidence, ...).

    Listing them all means a family with no finding in a session scores 100% rather than being left out.
    """
    return list(dict.fromkeys(spec.family for spec in rule_specs()))


def signal_scores(answers: Sequence[dict[str, Any]], signals: Sequence[str] = ()) -> dict[str, float]:
    """Per signal, the share of analysed answers with no finding for it (1.0 = every answer clean)."""
    analysed = [a for a in answers if a.get("result")]
    if not analysed:
        return {}
    flagged = [{finding_signal(f) for f in a["result"].get("findings", [])} for a in analysed]
    every = list(dict.fromkeys([*signals, *sorted(set().union(*flagged))]))
    return {s: round(sum(s not in f for f in flagged) / len(analysed), 3) for s in every}


def svg_signal_bars(scores: dict[str, float], width: int = 640) -> str:
    if not scores:
        return _svg_empty("signal-chart", "Scores by signal", width, "no analysed answers")
    label_w, bar_h, gap, top = 150, 16, 8, 6
    plot_w = width - label_w - 50
    height = top + len(scores) * (bar_h + gap)
    parts = [f'<svg class="chart" id="signal-chart" role="img" viewBox="0 0 {width} {height}" width="{width}" '
             f'height="{height}" xmlns="http://www.w3.org/2000/svg"><title>Scores by signal: share of answers '
             f'with no problem on that signal</title>']
    for i, (signal, score) in enumerate(scores.items()):
        y = top + i * (bar_h + gap)
        colour = "#2e8b57" if score >= 0.75 else "#c77c02" if score >= 0.5 else "#c0392b"
        parts.append(f'<text x="{label_w - 6}" y="{y + 12}" text-anchor="end" font-size="11">{escape(signal)}</text>'
                     f'<rect x="{label_w}" y="{y}" width="{plot_w}" height="{bar_h}" fill="#f1f1f1"/>'
                     f'<rect class="bar" x="{label_w}" y="{y}" width="{round(plot_w * score, 1)}" height="{bar_h}" '
                     f'fill="{colour}"><title>{escape(signal)}: {score:.0%}</title></rect>'
                     f'<text x="{label_w + plot_w + 6}" y="{y + 12}" font-size="11">{score:.0%}</text>')
    parts.append("</svg>")
    return "".join(parts)


def _svg_empty(chart_id: str, title: str, width: int, why: str) -> str:
    return (f'<svg class="chart empty" id="{chart_id}" role="img" viewBox="0 0 {width} 30" width="{width}" '
            f'height="30" xmlns="http://www.w3.org/2000/svg"><title>{escape(title)}</title>'
            f'<text x="4" y="18" font-size="12" fill="#666">{escape(title)}: {escape(why)}</text></svg>')
