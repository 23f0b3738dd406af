"""A pitch (f0) track from 16 kHz mono audio, and how much it moves, in semitones.

YIN (de Cheveigné & Kawahara 2002) per 40 ms frame, vectorised with numpy: the cumulative-mean-normalised
difference function of each frame, the first dip under a threshold, parabolic refinement. Frames that are
too quiet or not periodic enough are unvoiced and left out. Pitch spread is measured in semitones around
the speaker's own median, so a low and a high voice are judged alike; a narrow spread is the "flat,
robotic" delivery seed 000 warns rehearsed answers fall into.

Pure: takes an array, returns data. Settings come from data/recitation.toml ([pitch]).
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache
from typing import TYPE_CHECKING, Any

from mockiv.core import data

if TYPE_CHECKING:  # numpy loads with the first audio analysed, not when the app starts
    import numpy as np
    import numpy.typing as npt

SAMPLE_RATE = 16_000


@cache
def settings() -> dict[str, Any]:
    return dict(data.load("recitation")["pitch"])


@dataclass(frozen=True, slots=True)
class PitchTrack:
    """f0 in Hz per frame (NaN where unvoiced); `times` are frame centres in seconds."""

    times: npt.NDArray[np.float64]
    f0: npt.NDArray[np.float64]

    @property
    def voiced(self) -> npt.NDArray[np.float64]:
        import numpy as np
        return self.f0[~np.isnan(self.f0)]

    @property
    def voiced_ratio(self) -> float:
        import numpy as np
        return float(np.mean(~np.isnan(self.f0))) if self.f0.size else 0.0


@dataclass(frozen=True, slots=True)
class PitchSummary:
    """What the rules need from a pitch track: how many frames were voiced and how far the pitch moved."""

    voiced_frames: int
    median_hz: float | None
    spread_semitones: float | None  # robust spread: the p90 - p10 range of semitones around the median
    stdev_semitones: float | None
    monotone: bool

    def to_dict(self) -> dict[str, Any]:
        return {
            "voiced_frames": self.voiced_frames,
            "median_hz": None if self.median_hz is None else round(self.median_hz, 1),
            "spread_semitones": None if self.spread_semitones is None else round(self.spread_semitones, 2),
            "stdev_semitones": None if self.stdev_semitones is None else round(self.stdev_semitones, 2),
            "monotone": self.monotone,
        }


def as_summary(value: Any) -> PitchSummary | None:
    """A pitch summary as the rule engine's context carries it: the object, its dict (from a child process or the
    store), or None."""
    if value is None or isinstance(value, PitchSummary):
        return value
    return PitchSummary(int(value["voiced_frames"]), value.get("median_hz"), value.get("spread_semitones"),
                        value.get("stdev_semitones"), bool(value.get("monotone")))


def _frames(signal: npt.NDArray[np.float64], length: int, hop: int) -> npt.NDArray[np.float64]:
    """Overlapping frames as a 2-D view (no copy)."""
    import numpy as np
    if signal.size < length:
        return np.zeros((0, length))
    count = 1 + (signal.size - length) // hop
    return np.lib.stride_tricks.sliding_window_view(signal, length)[::hop][:count]


def _cmnd(frames: npt.NDArray[np.float64], window: int, max_lag: int) -> npt.NDArray[np.float64]:
    """YIN's cumulative-mean-normalised difference d'(tau) for tau in [0, max_lag], for every frame at once.

    Each frame holds `window + max_lag` samples; d(tau) = sum_{j<window} (x_j - x_{j+tau})^2, computed with
    FFT cross-correlation so the cost does not grow with max_lag.
    """
    import numpy as np
    size = 1 << int(np.ceil(np.log2(window + max_lag + 1)))
    spectrum = np.fft.rfft(frames, size, axis=1)
    head_spectrum = np.fft.rfft(frames[:, :window], size, axis=1)
    cross = np.fft.irfft(spectrum * np.conj(head_spectrum), size, axis=1)[:, : max_lag + 1]
    squares = np.cumsum(np.concatenate([np.zeros((frames.shape[0], 1)), frames**2], axis=1), axis=1)
    energy_head = squares[:, window][:, None]
    lags = np.arange(max_lag + 1)
    energy_shifted = squares[:, lags + window] - squares[:, lags]
    difference = np.maximum(energy_head + energy_shifted - 2.0 * cross, 0.0)
    cumulative = np.cumsum(difference[:, 1:], axis=1)
    normalised = np.ones_like(difference)
    with np.errstate(divide="ignore", invalid="ignore"):
        normalised[:, 1:] = np.where(cumulative > 0, difference[:, 1:] * lags[1:] / cumulative, 1.0)
    return normalised


# Frames analysed at once (about 50 KB of FFT work each): memory stays near 60 MB however long the answer,
# where all frames of a 15-minute recording at once took 4.7 GB.
_CHUNK_FRAMES = 1024


def pitch_track(audio: npt.ArrayLike, sample_rate: int = SAMPLE_RATE) -> PitchTrack:
    """f0 per frame of mono float audio. Frame length, hop, f0 range and voicing thresholds come from data."""
    import numpy as np
    s = settings()
    signal = np.asarray(audio).ravel()  # converted to float64 a chunk at a time, not as a whole
    window = round(s["frame_s"] * sample_rate)
    hop = round(s["hop_s"] * sample_rate)
    min_lag = max(2, int(sample_rate / s["max_hz"]))
    max_lag = int(np.ceil(sample_rate / s["min_hz"]))
    length = window + max_lag
    count = 1 + (signal.size - length) // hop if signal.size >= length else 0
    if count == 0:
        return PitchTrack(np.zeros(0), np.zeros(0))
    times = (np.arange(count) * hop + window / 2) / sample_rate
    rms = np.empty(count)
    candidate = np.full(count, np.nan)  # f0 wherever the frame is periodic; loudness is judged at the end
    for begin in range(0, count, _CHUNK_FRAMES):
        end = min(count, begin + _CHUNK_FRAMES)
        piece = np.asarray(signal[begin * hop:(end - 1) * hop + length], dtype=np.float64)
        frames = _frames(piece, length, hop)
        frames = frames - frames[:, :window].mean(axis=1, keepdims=True)
        rms[begin:end] = np.sqrt(np.mean(frames[:, :window] ** 2, axis=1))
        search = _cmnd(frames, window, max_lag)[:, min_lag : max_lag + 1]
        below = search < s["yin_threshold"]
        first = np.argmax(below, axis=1)
        for row in np.flatnonzero(below.any(axis=1) & (rms[begin:end] >= s["min_rms"])):
            candidate[begin + row] = sample_rate / _dip_lag(search[row], int(first[row]), min_lag)
    # Loudness relative to the loudest frames: silence and breath between words are unvoiced whatever the gain.
    loud_enough = rms >= max(s["min_rms"], float(np.percentile(rms, 95)) * s["relative_rms"])
    return PitchTrack(times, np.where(loud_enough, candidate, np.nan))


def _dip_lag(values: npt.NDArray[np.float64], k: int, min_lag: int) -> float:
    """From the first lag under the threshold, walk down to the bottom of that dip; refine it by a parabola."""
    while k + 1 < values.size and values[k + 1] < values[k]:
        k += 1
    lag = float(k + min_lag)
    if 0 < k < values.size - 1:
        left, mid, right = values[k - 1], values[k], values[k + 1]
        curvature = left - 2.0 * mid + right
        if curvature > 0:
            lag += 0.5 * (left - right) / curvature
    return lag


def semitones(f0: npt.ArrayLike, reference_hz: float) -> npt.NDArray[np.float64]:
    """Each frequency in semitones above (or below) `reference_hz`."""
    import numpy as np
    return 12.0 * np.log2(np.asarray(f0, dtype=np.float64) / reference_hz)


def summarize(track: PitchTrack) -> PitchSummary:
    """Median pitch and its spread in semitones; `monotone` when the spread is under the data threshold."""
    import numpy as np
    s = settings()
    voiced = track.voiced
    if voiced.size < s["min_voiced_frames"]:
        return PitchSummary(int(voiced.size), None, None, None, False)
    median = float(np.median(voiced))
    tones = semitones(voiced, median)
    low, high = np.percentile(tones, [s["spread_low_percentile"], s["spread_high_percentile"]])
    spread = float(high - low)
    return PitchSummary(int(voiced.size), median, spread, float(np.std(tones)), spread < s["monotone_spread_semitones"])


def analyze_pitch(audio: npt.ArrayLike, sample_rate: int = SAMPLE_RATE) -> PitchSummary:
    return summarize(pitch_track(audio, sample_rate))
