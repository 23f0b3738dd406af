"""The candidate's baseline, measured and kept: the shell around mockiv.core.baseline.

`calibration_plan()` is what `mockiv baseline` and the app's Baseline screen ask (a passage read aloud, one easy
question), through the same practice engine as any session; `measure_results` turns the two answers into a
`Baseline` (pace, pauses and fillers from their transcripts, pitch range from their recordings); the store keeps
it, and `current_baseline` hands the newest one to the analyzer, so every later answer is judged against it.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Any

from mockiv.core.baseline import METRICS, Baseline, measure, settings
from mockiv.core.pitch import PitchSummary, analyze_pitch
from mockiv.engine.prompts import Prompt
from mockiv.engine.session import Plan
from mockiv.errors import UserInputError

PASSAGE_ID = "baseline-passage"
QUESTION_ID = "baseline-question"
PASSAGE_INSTRUCTION = "Please read the passage on the screen aloud, at your usual, relaxed pace."


def passage() -> str:
    return str(settings()["script"]["passage"])


def calibration_plan() -> Plan:
    """The passage, then the easy question: spoken like any interview question, answered aloud."""
    script = settings()["script"]
    return Plan([
        Prompt(PASSAGE_INSTRUCTION, "intro", PASSAGE_ID, time_budget_s=int(script["passage_budget_s"])),
        Prompt(str(script["question"]), "intro", QUESTION_ID, time_budget_s=int(script["question_budget_s"])),
    ])


def _pitch_of(path: Path | None) -> PitchSummary | None:
    if path is None or not Path(path).is_file():
        return None
    from mockiv.audio.files import load_audio

    audio = load_audio(path)
    return analyze_pitch(audio) if audio.size else None


def measure_results(results: Sequence[Any], measured_at: str) -> Baseline:
    """The baseline of the calibration answers (the engine's `AnswerResult`s); one line saying what to do when
    they hold too little timed speech (typed answers, silence). The calibration's recordings (in the data
    folder's recordings, never in a session) are removed once read: the baseline keeps numbers, not the voice."""
    try:
        recordings = [(r.metrics, _pitch_of(r.audio_path)) for r in results]
        return measure(recordings, measured_at)
    except ValueError as error:
        raise UserInputError(f"no baseline kept: {error}") from error
    finally:
        discard_scratch([r.audio_path for r in results])


def discard_scratch(audio_paths: Sequence[Path | None]) -> None:
    """Remove recordings the engine made outside any session (its scratch files in the data folder's recordings):
    the calibration's, a dictation's. Anything elsewhere (a session's, the candidate's own files) is untouched."""
    from mockiv import paths

    folder = paths.sub_dir("recordings").resolve()
    for path in audio_paths:
        if path is not None and Path(path).resolve().parent == folder:
            Path(path).unlink(missing_ok=True)


def current_baseline(store: Any) -> dict[str, Any] | None:
    """The newest baseline in the store (None when the candidate never measured one)."""
    return store.latest_baseline() if store is not None else None


def baseline_when_given(answer: Any, store: Any) -> dict[str, Any] | None:
    """The baseline in use when a stored answer's session began (None: none measured yet then), so a rescore
    judges the answer as it was judged."""
    latest = getattr(store, "latest_baseline", None)
    if not callable(latest):
        return None
    return latest(before=store.get_session(answer.session_id).session.started_at)


def stored_baseline() -> dict[str, Any] | None:
    """The newest baseline in the user's store, for a command that has no store open."""
    from mockiv.store import Store

    with Store.open() as store:
        return store.latest_baseline()


def describe(baseline: Baseline) -> list[str]:
    """The baseline as lines a candidate reads: each norm with its personal band."""
    lines = []
    for metric, (label, unit) in METRICS.items():
        value, band = baseline.value(metric), baseline.band(metric)
        if value is None or band is None:
            lines.append(f"{label.capitalize()}: not measured (no recording)")
            continue
        digits = 0 if metric == "wpm" else 1
        lines.append(f"{label.capitalize()}: {value:.{digits}f} {unit} "
                     f"(your band {band[0]:.{digits}f}-{band[1]:.{digits}f})")
    return lines
