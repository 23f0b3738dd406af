"""Live answers: how soon after the candidate stops are the transcript and the findings ready?

Side by side in one run, on the same synthesized answers (about 30 s and 120 s of speech, espeak-ng):
- streaming, ended by a key: 100 ms blocks fed at real-time pace into `StreamingTranscriber` (as the recorder does)
  and the answer ended the instant the last word ends, the worst case: no closing silence to decode in.
  `*_latency_streaming_{30s,120s}_s` run from the end of speech;
- streaming, ended the default way (120 s answer): by 2.5 s of silence found by the voice activity detector;
  `*_latency_streaming_silence_end_120s_s` run from that end of the answer (2.5 s after the end of speech);
- post-hoc: the whole recording transcribed after it ended, `*_latency_posthoc_*`.
Each latency is measured to the transcript, then to the findings (the rule engine, warmed up first; its one-time
start-up is `rules_warm_up_s`). Also the streaming decoder's real-time factor while recording, the word error rate
of both transcripts, and the peak memory of the process. Runs in a child process pinned to 2 cores (when there are
more), so the memory is mockiv's alone. Other work on the machine inflates every latency: compare within one run.

Standalone: .venv/bin/python scripts/bench_parts/live.py   (prints the figures as JSON)
"""

from __future__ import annotations

import json
import os
import resource
import subprocess
import sys
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
CORES = 2
BLOCK_S = 0.1


def run(figures: dict[str, float]) -> None:
    done = subprocess.run([sys.executable, __file__, "--child"], cwd=REPO, capture_output=True, text=True,
                          timeout=1800, env={**os.environ, "HF_HUB_OFFLINE": "1"})
    if done.returncode != 0:
        raise RuntimeError(f"live bench failed: {done.stderr.strip().splitlines()[-1] if done.stderr else '?'}")
    figures.update(json.loads(done.stdout.strip().splitlines()[-1]))


def _child() -> dict[str, float]:
    if hasattr(os, "sched_setaffinity") and len(os.sched_getaffinity(0)) > CORES:
        os.sched_setaffinity(0, sorted(os.sched_getaffinity(0))[:CORES])
    import numpy as np

    from mockiv.analysis import analyze
    from mockiv.asr import load_transcriber
    from mockiv.asr.streaming import StreamingTranscriber
    from mockiv.audio.files import SAMPLE_RATE, load_audio
    from mockiv.audio.vad import EndOfAnswer, VoiceActivity
    from mockiv.core.transcript import Transcript
    from mockiv.devtools.evaluation import word_error_rate
    from mockiv.devtools.speech_fixtures import long_answer, synthesize

    question = "Tell me about a project where you had to change how your team worked."
    figures: dict[str, float] = {}
    transcriber = load_transcriber(cpu_threads=CORES)
    started = time.perf_counter()
    analyze(Transcript.from_text("I led the project."), question)
    figures["rules_warm_up_s"] = round(time.perf_counter() - started, 3)
    block = int(SAMPLE_RATE * BLOCK_S)

    def stream(audio: np.ndarray, stop_on_silence: bool) -> tuple[float, float, StreamingTranscriber, Transcript]:
        streamer = StreamingTranscriber(transcriber)
        endpoint = EndOfAnswer(streamer.activity)
        clock = time.perf_counter()
        for index, start in enumerate(range(0, audio.size, block)):
            streamer.feed(audio[start:start + block])
            if stop_on_silence and endpoint.reason == "silence":
                break
            # Real-time pace: the next block exists only 100 ms later.
            delay = clock + (index + 1) * BLOCK_S - time.perf_counter()
            if delay > 0:
                time.sleep(delay)
        ended = time.perf_counter()
        transcript = streamer.finish()
        transcript_latency = time.perf_counter() - ended
        analyze(transcript, question)
        return transcript_latency, time.perf_counter() - ended, streamer, transcript

    for seconds in (30, 120):
        fixture = long_answer(seconds)
        path = synthesize(fixture, REPO / "tests" / "fixtures" / "generated")
        audio = load_audio(path)
        # Trim the closing silence: the key is pressed the moment the last word ends.
        activity = VoiceActivity()
        activity.feed(audio)
        speech_end = int(((activity.last_speech_end_s or audio.size / SAMPLE_RATE) + 0.2) * SAMPLE_RATE)
        audio = audio[:speech_end]
        label = f"{seconds}s"
        figures[f"answer_{label}_duration_s"] = round(audio.size / SAMPLE_RATE, 1)

        transcript_s, findings_s, streamer, streamed = stream(audio, stop_on_silence=False)
        figures[f"transcript_latency_streaming_{label}_s"] = round(transcript_s, 3)
        figures[f"findings_latency_streaming_{label}_s"] = round(findings_s, 3)
        figures[f"streaming_real_time_factor_{label}_ratio"] = round(streamer.stats.real_time_factor, 3)
        figures[f"streaming_final_piece_{label}_s"] = round(streamer.stats.final_piece_seconds, 1)
        figures[f"streaming_wer_{label}"] = round(word_error_rate(fixture.reference, streamed.text), 4)

        ended = time.perf_counter()
        whole = transcriber.transcribe(audio)
        figures[f"transcript_latency_posthoc_{label}_s"] = round(time.perf_counter() - ended, 3)
        analyze(whole, question)
        figures[f"findings_latency_posthoc_{label}_s"] = round(time.perf_counter() - ended, 3)
        figures[f"posthoc_wer_{label}"] = round(word_error_rate(fixture.reference, whole.text), 4)

        if seconds == 120:
            closing = np.zeros(int(4 * SAMPLE_RATE), dtype=np.float32)
            transcript_s, findings_s, streamer, _ = stream(np.concatenate([audio, closing]), stop_on_silence=True)
            figures["transcript_latency_streaming_silence_end_120s_s"] = round(transcript_s, 3)
            figures["findings_latency_streaming_silence_end_120s_s"] = round(findings_s, 3)
            figures["streaming_silence_end_used_early_decode"] = float(streamer.stats.speculations_used)

    figures["peak_rss_mb"] = round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1)
    return figures


if __name__ == "__main__":
    if "--child" in sys.argv:
        print(json.dumps(_child()))
    else:
        results: dict[str, float] = {}
        run(results)
        print(json.dumps(results, indent=2))
