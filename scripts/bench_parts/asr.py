"""Transcription: model load time, real-time factor on 30 s and 120 s answers, filler recall with and
without the filler-keeping prompt, word error rate, per voice family, on speech synthesized in this run:
- espeak-ng (several voices and paces): `filler_recall`, `filler_precision`, `wer` (and `_plain` without the
  prompt) on the 16 disfluent and fluent answers; `wer_self_corrections` on 4 answers that correct themselves
  and pause 2-3.5 s;
- the natural voice (Piper en_US-joe-medium): `filler_recall_neural`, `filler_precision_neural`, `wer_neural` on
  the same 16 answers plus the 4 self-corrections, fillers drawn out as people say them; `*_neural_clipped` with
  the fillers read at the pace of the words (Whisper hears a clipped "uh" as "a" or "now")."""

from __future__ import annotations

import sys
import tempfile
import time
from pathlib import Path

from mockiv.asr import load_transcriber
from mockiv.audio.files import SAMPLE_RATE, load_audio
from tests.support.evaluation import score_fillers
from tests.support.speech_fixtures import DISFLUENT, FLUENT, SELF_CORRECTING, in_voice, long_answer, synthesize


def run(figures: dict[str, float]) -> None:
    started = time.perf_counter()
    transcriber = load_transcriber()
    figures["model_load_s"] = round(time.perf_counter() - started, 3)
    audio_dir = Path(tempfile.gettempdir()) / "mockiv-bench-speech"
    for seconds in (30, 120):
        audio = load_audio(synthesize(long_answer(seconds), audio_dir))
        transcriber.transcribe(audio[: SAMPLE_RATE * 5])  # warm-up: first call pays one-off costs
        started = time.perf_counter()
        transcriber.transcribe(audio)
        elapsed = time.perf_counter() - started
        duration = audio.size / SAMPLE_RATE
        figures[f"transcribe_{seconds}s_s"] = round(elapsed, 3)
        figures[f"rtf_{seconds}s"] = round(elapsed / duration, 4)
        print(f"  {duration:.0f} s of speech in {elapsed:.2f} s", file=sys.stderr)
    with_prompt = score_fillers(transcriber, DISFLUENT + FLUENT, audio_dir)
    plain = score_fillers(transcriber.with_options(keep_fillers=False), DISFLUENT + FLUENT, audio_dir)
    figures["filler_recall"] = round(with_prompt.recall, 3)
    figures["filler_precision"] = round(with_prompt.precision, 3)
    figures["filler_recall_plain"] = round(plain.recall, 3)
    figures["wer"] = round(with_prompt.wer, 3)
    figures["wer_plain"] = round(plain.wer, 3)
    figures["wer_self_corrections"] = round(score_fillers(transcriber, SELF_CORRECTING, audio_dir).wer, 3)
    started = time.perf_counter()
    neural = score_fillers(transcriber, in_voice(DISFLUENT + FLUENT + SELF_CORRECTING), audio_dir)
    figures["filler_recall_neural"] = round(neural.recall, 3)
    figures["filler_precision_neural"] = round(neural.precision, 3)
    figures["wer_neural"] = round(neural.wer, 3)
    clipped = score_fillers(transcriber, in_voice(DISFLUENT + FLUENT + SELF_CORRECTING, filler_drawl=1.0), audio_dir)
    figures["filler_recall_neural_clipped"] = round(clipped.recall, 3)
    figures["filler_precision_neural_clipped"] = round(clipped.precision, 3)
    figures["wer_neural_clipped"] = round(clipped.wer, 3)
    print(f"  natural voice: 40 answers synthesized and scored in {time.perf_counter() - started:.1f} s",
          file=sys.stderr)
