"""The candidate's own relaxed delivery (a baseline) and how an answer compares with it. Pure.

`mockiv baseline` has the candidate read a short passage aloud and answer one easy question; `measure` turns
the delivery metrics (and pitch) of those two recordings into a `Baseline`: their own pace, pause rate, filler
rate and pitch range, each with a personal band around it (data/baseline.toml). From then on `compare` says,
per metric, where an answer sits against that band ("you spoke 25 % faster than your baseline: nerves?"). The
rule engine reads the baseline from its `context` (key "baseline"); without one nothing changes.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import asdict, dataclass
from functools import cache
from typing import Any

from mockiv.core import data
from mockiv.core.delivery import DeliveryMetrics
from mockiv.core.pitch import PitchSummary

CONTEXT_KEY = "baseline"  # where the rule engine's `context` carries it

# metric -> (label, unit) as users read them, in the order they are shown
METRICS: dict[str, tuple[str, str]] = {
    "wpm": ("pace", "WPM"),
    "pauses_per_min": ("pauses", "a minute"),
    "fillers_per_min": ("fillers", "a minute"),
    "pitch_spread_semitones": ("pitch range", "semitones"),
}


@cache
def settings() -> dict[str, Any]:
    return data.load("baseline")


@dataclass(frozen=True, slots=True)
class Baseline:
    """The candidate's relaxed delivery. None: not measurable (no pitch without audio)."""

    wpm: float | None
    fillers_per_min: float | None
    pauses_per_min: float | None
    pitch_spread_semitones: float | None
    speaking_s: float
    measured_at: str = ""
    version: str = ""

    def value(self, metric: str) -> float | None:
        return getattr(self, metric)

    def band(self, metric: str) -> tuple[float, float] | None:
        """The personal band of `metric`: baseline -/+ max(relative * baseline, absolute)."""
        value = self.value(metric)
        if value is None:
            return None
        band = settings()["band"]
        half = max(band[f"{metric.removesuffix('_semitones')}_relative"] * value,
                   band[f"{metric.removesuffix('_semitones')}_absolute"])
        return max(0.0, value - half), value + half

    def to_dict(self) -> dict[str, Any]:
        out = asdict(self)
        out["bands"] = {m: [round(edge, 2) for edge in band] if (band := self.band(m)) else None for m in METRICS}
        return out

    @classmethod
    def from_dict(cls, value: Mapping[str, Any]) -> Baseline:
        return cls(value.get("wpm"), value.get("fillers_per_min"), value.get("pauses_per_min"),
                   value.get("pitch_spread_semitones"), float(value.get("speaking_s") or 0.0),
                   str(value.get("measured_at", "")), str(value.get("version", "")))


def _pauses_per_min(metrics: DeliveryMetrics) -> float | None:
    if not metrics.timed or not metrics.speaking_time_s:
        return None
    return len(metrics.pauses) / metrics.speaking_time_s * 60.0


def measure(recordings: Sequence[tuple[DeliveryMetrics, PitchSummary | None]], measured_at: str = "") -> Baseline:
    """The baseline of the calibration recordings: rates over their speaking time taken together, the pitch range
    as the mean of those that had one. ValueError (with what to do) when there is too little timed speech."""
    timed = [(m, p) for m, p in recordings if m.timed and m.speaking_time_s]
    speaking = sum(m.speaking_time_s or 0.0 for m, _ in timed)
    minimum = settings()["calibration"]["min_speaking_s"]
    if speaking < minimum:
        raise ValueError(f"only {speaking:.0f} s of speech was heard; the baseline needs at least {minimum:.0f} s: "
                         "read the whole passage aloud and answer in a few sentences")
    minutes = speaking / 60.0
    spreads = [p.spread_semitones for _, p in timed if p is not None and p.spread_semitones is not None]
    return Baseline(
        wpm=round(sum(m.word_count for m, _ in timed) / minutes, 1),
        fillers_per_min=round(sum(m.filler_count for m, _ in timed) / minutes, 2),
        pauses_per_min=round(sum(len(m.pauses) for m, _ in timed) / minutes, 2),
        pitch_spread_semitones=round(sum(spreads) / len(spreads), 2) if spreads else None,
        speaking_s=round(speaking, 1),
        measured_at=measured_at,
        version=str(settings()["version"]),
    )


@dataclass(frozen=True, slots=True)
class Shift:
    """One metric of an answer against the baseline: `direction` is "above", "below" or "inside" the band;
    `concern` when the move is the kind stress brings (faster or slower, more fillers or pauses, flatter)."""

    metric: str
    value: float
    baseline: float
    low: float
    high: float
    direction: str
    concern: bool
    line: str

    @property
    def change(self) -> float:
        """Relative change against the baseline (0.25: 25 % more)."""
        return (self.value - self.baseline) / self.baseline if self.baseline else 0.0

    def to_dict(self) -> dict[str, Any]:
        return {**asdict(self), "change": round(self.change, 3)}


def _line(metric: str, value: float, baseline: float, low: float, high: float, direction: str) -> str:
    percent = abs(round((value - baseline) / baseline * 100)) if baseline else 0
    if metric == "wpm":
        if direction == "inside":
            return (f"{value:.0f} WPM is inside your own relaxed band ({low:.0f}-{high:.0f} WPM): "
                    "that is your natural pace")
        if direction == "above":
            return f"you spoke {percent} % faster than your baseline ({value:.0f} vs {baseline:.0f} WPM): nerves?"
        return (f"you spoke {percent} % slower than your baseline ({value:.0f} vs {baseline:.0f} WPM): "
                "searching for the next point?")
    if metric == "pitch_spread_semitones":
        if direction == "below":
            return (f"your pitch moved {percent} % less than in your baseline ({value:.1f} vs {baseline:.1f} "
                    "semitones): tense, or reciting?")
        return f"your pitch range ({value:.1f} semitones) is within or above your baseline ({baseline:.1f})"
    what = "fillers" if metric == "fillers_per_min" else "pauses"
    if direction == "above":
        cue = "the question caught you unprepared?" if what == "fillers" else "hesitating?"
        return f"{value:.1f} {what} a minute against {baseline:.1f} in your baseline: {cue}"
    return f"{value:.1f} {what} a minute, no more than your baseline's {baseline:.1f}"


def _answer_values(metrics: DeliveryMetrics, pitch: PitchSummary | None) -> dict[str, float | None]:
    return {
        "wpm": metrics.wpm,
        "fillers_per_min": metrics.fillers_per_min,
        "pauses_per_min": _pauses_per_min(metrics),
        "pitch_spread_semitones": pitch.spread_semitones if pitch is not None else None,
    }


# Which way a metric moves under stress (the direction worth a remark)
_CONCERN = {"wpm": ("above", "below"), "fillers_per_min": ("above",), "pauses_per_min": ("above",),
            "pitch_spread_semitones": ("below",)}


def compare(metrics: DeliveryMetrics, pitch: PitchSummary | None, baseline: Baseline | None) -> dict[str, Shift]:
    """Each metric the answer and the baseline both have, against the personal band. Empty without a baseline
    or on an answer too short (or untimed) to compare."""
    if baseline is None or not metrics.timed or (metrics.speaking_time_s or 0.0) < \
            settings()["calibration"]["min_answer_speaking_s"]:
        return {}
    out: dict[str, Shift] = {}
    for metric, value in _answer_values(metrics, pitch).items():
        reference, band = baseline.value(metric), baseline.band(metric)
        if value is None or reference is None or band is None:
            continue
        low, high = band
        direction = "above" if value > high else "below" if value < low else "inside"
        out[metric] = Shift(metric, round(value, 2), reference, round(low, 2), round(high, 2), direction,
                            direction in _CONCERN[metric], _line(metric, value, reference, low, high, direction))
    return out


def with_note(message: str, note: str | None) -> str:
    """A finding's message followed by its baseline note as a sentence of its own."""
    if not note:
        return message
    return f"{message} {note[0].upper()}{note[1:]}{'' if note.endswith(('?', '.')) else '.'}"


def from_context(context: Mapping[str, Any] | None) -> Baseline | None:
    """The baseline a rule engine `context` carries (a Baseline or its dict), else None."""
    value = (context or {}).get(CONTEXT_KEY)
    if value is None or isinstance(value, Baseline):
        return value
    return Baseline.from_dict(value)
