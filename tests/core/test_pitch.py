"""Pitch track on signals whose pitch is known: pure tones, harmonic tones, chirps, glides, silence, noise."""

from __future__ import annotations

import numpy as np
import pytest

from mockiv.core import pitch
from mockiv.core.pitch import PitchTrack, pitch_track, semitones, summarize

RATE = 16_000


def harmonic(f0: np.ndarray | float, seconds: float, harmonics: int = 5, amplitude: float = 0.3) -> np.ndarray:
    """A voice-like tone: f0 and its harmonics at falling amplitude; f0 may vary per sample (a glide)."""
    n = int(seconds * RATE)
    freq = np.broadcast_to(np.asarray(f0, dtype=np.float64), (n,))
    phase = 2 * np.pi * np.cumsum(freq) / RATE
    wave = sum(np.sin(k * phase) / k for k in range(1, harmonics + 1))
    return (amplitude * wave / np.max(np.abs(wave))).astype(np.float32)


@pytest.mark.parametrize("f0", [80.0, 110.0, 155.0, 220.0, 310.0])
def test_pure_and_harmonic_tones_are_tracked_within_one_percent(f0: float) -> None:
    for signal in (harmonic(f0, 1.0, harmonics=1), harmonic(f0, 1.0)):
        track = pitch_track(signal)
        assert track.voiced_ratio > 0.9
        assert np.median(track.voiced) == pytest.approx(f0, rel=0.01)
        # No octave errors anywhere in a steady tone.
        assert np.all(np.abs(track.voiced / f0 - 1) < 0.03)


def test_frames_are_40_ms_every_10_ms() -> None:
    assert pitch.settings()["frame_s"] == 0.04
    track = pitch_track(harmonic(150.0, 1.0))
    assert np.allclose(np.diff(track.times), 0.01)
    assert track.times[0] == pytest.approx(0.02)


def test_chirp_is_followed_frame_by_frame() -> None:
    # A linear glide from 100 to 200 Hz over 2 s: the tracked f0 at each frame centre matches the glide.
    seconds = 2.0
    n = int(seconds * RATE)
    glide = np.linspace(100.0, 200.0, n)
    track = pitch_track(harmonic(glide, seconds))
    voiced = ~np.isnan(track.f0)
    expected = np.interp(track.times, np.arange(n) / RATE, glide)
    assert voiced.mean() > 0.9
    assert np.allclose(track.f0[voiced], expected[voiced], rtol=0.03)


def test_silence_and_noise_are_unvoiced() -> None:
    rng = np.random.default_rng(7)
    assert np.isnan(pitch_track(np.zeros(RATE, dtype=np.float32)).f0).all()
    noise = (0.2 * rng.standard_normal(RATE)).astype(np.float32)
    assert pitch_track(noise).voiced_ratio < 0.1


def test_quiet_gaps_between_syllables_are_unvoiced() -> None:
    syllable = harmonic(140.0, 0.3)
    gap = np.zeros(int(0.2 * RATE), dtype=np.float32)
    track = pitch_track(np.concatenate([syllable, gap, syllable, gap, syllable]))
    assert 0.45 < track.voiced_ratio < 0.75


def test_semitones_are_relative_to_the_reference() -> None:
    assert semitones([220.0, 440.0, 110.0], 220.0) == pytest.approx([0.0, 12.0, -12.0])


def test_a_steady_voice_is_monotone_and_a_moving_one_is_not() -> None:
    steady = harmonic(120.0, 3.0)
    flat = summarize(pitch_track(steady))
    assert flat.spread_semitones is not None and flat.spread_semitones < 0.2
    assert flat.monotone
    # Intonation: a rise and fall of an octave over each 1.5 s phrase.
    t = np.arange(int(3.0 * RATE)) / RATE
    contour = 120.0 * 2 ** (np.sin(2 * np.pi * t / 1.5) * 0.5)
    lively = summarize(pitch_track(harmonic(contour, 3.0)))
    assert lively.spread_semitones is not None and lively.spread_semitones > 8.0
    assert not lively.monotone
    assert lively.median_hz == pytest.approx(120.0, rel=0.05)


def test_the_monotone_threshold_is_data() -> None:
    threshold = pitch.settings()["monotone_spread_semitones"]
    just_under = 120.0 * 2 ** (np.linspace(0, threshold * 0.8 / 12, int(3.0 * RATE)))
    just_over = 120.0 * 2 ** (np.linspace(0, threshold * 1.6 / 12, int(3.0 * RATE)))
    assert summarize(pitch_track(harmonic(just_under, 3.0))).monotone
    assert not summarize(pitch_track(harmonic(just_over, 3.0))).monotone


def test_too_little_voice_is_not_judged() -> None:
    summary = summarize(pitch_track(harmonic(120.0, 0.5)))
    assert summary.spread_semitones is None and not summary.monotone
    empty = summarize(PitchTrack(np.zeros(0), np.zeros(0)))
    assert empty.voiced_frames == 0 and empty.median_hz is None


def test_short_input_gives_an_empty_track() -> None:
    track = pitch_track(np.zeros(100, dtype=np.float32))
    assert track.f0.size == 0 and track.voiced_ratio == 0.0


def test_pitch_track_is_pure() -> None:
    signal = harmonic(150.0, 1.0)
    before = signal.copy()
    first = pitch_track(signal)
    second = pitch_track(signal)
    assert np.array_equal(signal, before)
    assert np.array_equal(first.f0, second.f0, equal_nan=True)


def test_a_15_minute_answer_is_measured_in_bounded_memory() -> None:
    """All frames at once took 4.7 GB for a 14.5-minute recording; a chunk at a time stays far under 600 MB."""
    import subprocess
    import sys

    script = (
        "import numpy as np\n"
        "from mockiv.core.pitch import analyze_pitch\n"
        "t = np.arange(15 * 60 * 16000, dtype=np.float32) / 16000\n"
        "audio = (0.3 * np.sin(2 * np.pi * (140 * t + 20 * np.sin(t)))).astype(np.float32)\n"
        "del t\n"
        "summary = analyze_pitch(audio)\n"
        "assert summary.voiced_frames > 80_000, summary\n"
        "print(next(int(l.split()[1]) for l in open('/proc/self/status') if l.startswith('VmHWM')) // 1024)\n"
    )
    # A child of its own, with one BLAS thread and none of the suite's environment. Its peak is read from
    # VmHWM, which starts afresh at exec: ru_maxrss keeps the forking parent's peak across exec, so inside the full
    # suite it reported the suite's own 1,098 MB.
    import os

    env = {k: v for k, v in os.environ.items() if k in ("PATH", "HOME", "LANG", "PYTHONPATH")}
    env.update(OPENBLAS_NUM_THREADS="1", OMP_NUM_THREADS="1", MKL_NUM_THREADS="1")
    done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, timeout=600, check=True,
                          env=env)
    assert int(done.stdout.strip()) < 600, done.stdout
