"""Your own baseline: does judging against it add to the wait after an answer?

After an answer the engine analyses it (mockiv.engine.analysis.analyze_answer: pitch of the recording, delivery,
the rules with the judgement layer). With a baseline, the rules also compare the answer's delivery with it. On the
same answers (30 s and 120 s of espeak-ng speech at 150 WPM, their transcript timed at that pace), the analysis runs
with and without a baseline, alternately, warm (the encoder's sentence cache filled by a first run):
`findings_{30s,120s}_no_baseline_s` and `_with_baseline_s` are medians of 9 runs each, `baseline_extra_{..}_s` the
difference of the medians (noise either way: the comparison itself is `baseline_compare_us`, a few arithmetic steps
per metric). Calibrating (`baseline_measure_s`: the pitch of a 60 s calibration recording and the norms) happens
once, at calibration, never after an answer.
"""

from __future__ import annotations

import re
import statistics
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
RUNS = 9


def run(figures: dict[str, float]) -> None:
    from mockiv.audio.files import load_audio
    from mockiv.core import delivery
    from mockiv.core.baseline import Baseline, compare, measure
    from mockiv.core.pitch import analyze_pitch
    from mockiv.core.rules.samples import timed_transcript
    from mockiv.engine.analysis import analyze_answer
    from tests.support.speech_fixtures import long_answer, synthesize

    question = "Tell me about a project where you had to change how your team worked."
    baseline = Baseline(140.0, 2.0, 3.0, 4.5, 60.0, "2026-12-04T10:00:00+00:00").to_dict()
    generated = REPO / "tests" / "fixtures" / "generated"
    for seconds in (30, 120):
        fixture = long_answer(seconds)
        audio = load_audio(synthesize(fixture, generated))
        words = re.sub(r"\{([^}]*)\}|\[[\d.]+\]", r"\1", fixture.script)
        transcript = timed_transcript(words, 150)
        arguments = (transcript, question, None, None, {}, (), audio)
        analyze_answer(*arguments)  # warm: lexicons, the encoder and its sentence cache
        without, with_ = [], []
        for _ in range(RUNS):
            for times, extra in ((without, {}), (with_, {"baseline": baseline})):
                started = time.perf_counter()
                data, _ = analyze_answer(*arguments, **extra)
                times.append(time.perf_counter() - started)
        assert any("baseline" in f.get("details", {}) or f["rule"] == "off-baseline" for f in data["findings"]), \
            "the baseline was not used"
        label = f"{seconds}s"
        figures[f"findings_{label}_no_baseline_s"] = round(statistics.median(without), 3)
        figures[f"findings_{label}_with_baseline_s"] = round(statistics.median(with_), 3)
        figures[f"baseline_extra_{label}_s"] = round(statistics.median(with_) - statistics.median(without), 3)
    metrics = delivery.compute(transcript)
    pitch = analyze_pitch(audio)
    measured = Baseline.from_dict(baseline)
    started = time.perf_counter()
    for _ in range(1000):
        compare(metrics, pitch, measured)
    figures["baseline_compare_us"] = round((time.perf_counter() - started) / 1000 * 1e6, 1)
    calibration = audio[: 60 * 16_000]
    started = time.perf_counter()
    measure([(delivery.compute(transcript), analyze_pitch(calibration))], "now")
    figures["baseline_measure_s"] = round(time.perf_counter() - started, 3)


if __name__ == "__main__":
    import json
    import sys

    sys.path.insert(0, str(REPO))
    out: dict[str, float] = {}
    run(out)
    print(json.dumps(out, indent=2))
