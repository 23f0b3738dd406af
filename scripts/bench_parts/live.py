"""Live answers: how soon after the candidate stops are the transcript and the findings ready?

Side by side in one run, on the same synthesized answers (espeak-ng, about 30 s and 120 s of speech):
- streaming, ended by a key pressed the instant a word ends (the worst case: no closing silence to decode in), at
  several places near the end of each answer (the length of the last piece, hence the wait, depends on where the key
  falls). Audio is fed in 100 ms blocks; the last 20 s before the key at real-time pace, what comes before as fast as
  the decoder takes it (the worker is idle again before the real-time stretch, as it would be after minutes of
  speech at real-time pace). `*_latency_streaming_{30s,120s}_s` is the median from the key, `*_max_s` the worst;
- streaming, ended the default way (120 s answer): by 2.5 s of silence found by the voice activity detector;
  `*_latency_streaming_silence_end_120s_s` run from that end of the answer (2.5 s after the end of speech);
- post-hoc: the whole recording transcribed after it ended, `*_latency_posthoc_*`.
Each latency is measured to the transcript, then to the findings (the rule engine, warmed up first; its one-time
start-up is `rules_warm_up_s`; as in a session, finished sentences are encoded for the judgement layer while the
answer streams, so the findings wait for the last sentence's encoding only). Word error rate: streamed and
whole-file on twelve answers (15 min, five voices; `*_wer_varied`, aggregate over all words), since one answer's
WER moves by points when its audio merely starts 0.2 s later. Also the streaming decoder's real-time factor
while recording.

Streaming and post-hoc run one after the other in two child processes pinned to 2 cores (when there are more), so
each path's peak memory is its own: `peak_rss_mb` is a practice session's (model, voice activity, rules, and 19
streamed answers, 24 min), `peak_rss_posthoc_mb` that of transcribing whole recordings of up to 2 min afterwards.
Other work on the machine inflates every latency: compare within one run.

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
    # Two processes, so that each path's peak memory is its own: a practice session streams; the post-hoc path
    # (transcribing whole recordings, as `mockiv analyze` does) needs more for long audio.
    for mode in ("streaming", "posthoc"):
        done = subprocess.run([sys.executable, __file__, "--child", mode], cwd=REPO, capture_output=True, text=True,
                              timeout=1800, env={**os.environ, "HF_HUB_OFFLINE": "1"})
        if done.returncode != 0:
            last = done.stderr.strip().splitlines()[-1] if done.stderr.strip() else "?"
            raise RuntimeError(f"live bench ({mode}) failed: {last}")
        figures.update(json.loads(done.stdout.strip().splitlines()[-1]))


def _child(mode: str) -> dict[str, float]:
    if hasattr(os, "sched_setaffinity") and len(os.sched_getaffinity(0)) > CORES:
        os.sched_setaffinity(0, sorted(os.sched_getaffinity(0))[:CORES])
    import numpy as np

    from mockiv.analysis import analyze
    from mockiv.asr import load_transcriber
    from mockiv.asr.streaming import StreamingTranscriber
    from mockiv.audio.files import SAMPLE_RATE, load_audio
    from mockiv.audio.vad import EndOfAnswer, VoiceActivity
    from mockiv.core.transcript import Transcript
    from mockiv.engine.analysis import Analyzer, prepare_answer
    from mockiv.nlp.encoder import default_encoder
    from tests.support.evaluation import word_error_rate
    from tests.support.speech_fixtures import long_answer, synthesize, varied_answers

    question = "Tell me about a project where you had to change how your team worked."
    figures: dict[str, float] = {}
    transcriber = load_transcriber(cpu_threads=CORES)
    started = time.perf_counter()
    analyze(Transcript.from_text("I led the project."), question)
    if mode == "streaming":
        figures["rules_warm_up_s"] = round(time.perf_counter() - started, 3)
    block = int(SAMPLE_RATE * BLOCK_S)
    generated = REPO / "tests" / "fixtures" / "generated"

    def stream(audio: np.ndarray, stop_on_silence: bool, real_time_from: int = 0
               ) -> tuple[float, float, StreamingTranscriber]:
        # As in a session: each partial transcript has its finished sentences encoded in the background.
        analyzer = Analyzer()
        streamer = StreamingTranscriber(transcriber, on_partial=lambda words: analyzer.prepare(words, question, None))
        endpoint = EndOfAnswer(streamer.activity)
        default_encoder().clear_cache()  # no sentence known from an earlier run of the same audio
        for start in range(0, real_time_from, block):
            streamer.feed(audio[start:min(start + block, real_time_from)])
        while streamer.busy:
            time.sleep(0.01)
        prepare_answer(streamer.partial(), question, None)  # what was said before ran at real-time pace too
        clock = time.perf_counter()
        for index, start in enumerate(range(real_time_from, audio.size, block)):
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
        return transcript_latency, time.perf_counter() - ended, streamer

    def key_presses(audio: np.ndarray, count: int) -> list[int]:
        """Sample positions 0.2 s after the ends of the last `count` stretches of speech: where a key falls."""
        activity = VoiceActivity()
        ends: list[int] = []
        for start in range(0, audio.size, block):
            was_speaking = activity.in_speech
            activity.feed(audio[start:start + block])
            if was_speaking and not activity.in_speech and activity.last_speech_end_s:
                ends.append(int((activity.last_speech_end_s + 0.2) * SAMPLE_RATE))
        last = int(((activity.last_speech_end_s or audio.size / SAMPLE_RATE) + 0.2) * SAMPLE_RATE)
        ends = sorted({*ends, last})
        return [end for end in ends if end > 25 * SAMPLE_RATE][-count:]

    for seconds in (30, 120):
        audio = load_audio(synthesize(long_answer(seconds), generated))
        label = f"{seconds}s"
        ends = key_presses(audio, 5)
        if mode == "posthoc":
            audio = audio[:ends[-1]]  # the whole answer, ended at its last word
            ended = time.perf_counter()
            whole = transcriber.transcribe(audio)
            figures[f"transcript_latency_posthoc_{label}_s"] = round(time.perf_counter() - ended, 3)
            analyze(whole, question)
            figures[f"findings_latency_posthoc_{label}_s"] = round(time.perf_counter() - ended, 3)
            continue
        transcript_waits, findings_waits, pieces = [], [], []
        for end in ends:
            transcript_s, findings_s, streamer = stream(audio[:end], False, max(0, end - 20 * SAMPLE_RATE))
            transcript_waits.append(transcript_s)
            findings_waits.append(findings_s)
            pieces.append(streamer.stats.final_piece_seconds)
        figures[f"answer_{label}_duration_s"] = round(ends[-1] / SAMPLE_RATE, 1)
        figures[f"key_presses_{label}"] = float(len(ends))
        figures[f"transcript_latency_streaming_{label}_s"] = round(float(np.median(transcript_waits)), 3)
        figures[f"findings_latency_streaming_{label}_s"] = round(float(np.median(findings_waits)), 3)
        figures[f"findings_latency_streaming_{label}_max_s"] = round(max(findings_waits), 3)
        figures[f"streaming_final_piece_{label}_max_s"] = round(max(pieces), 1)
        if seconds == 120:
            closing = np.zeros(int(4 * SAMPLE_RATE), dtype=np.float32)
            whole_answer = audio[:ends[-1]]
            transcript_s, findings_s, streamer = stream(np.concatenate([whole_answer, closing]), True,
                                                        whole_answer.size - 20 * SAMPLE_RATE)
            figures["transcript_latency_streaming_silence_end_120s_s"] = round(transcript_s, 3)
            figures["findings_latency_streaming_silence_end_120s_s"] = round(findings_s, 3)
            figures["streaming_silence_end_used_early_decode"] = float(streamer.stats.speculations_used)

    words = errors = decode_s = audio_s = 0.0
    for fixture in varied_answers():
        audio = load_audio(synthesize(fixture, generated))
        if mode == "streaming":
            streamer = StreamingTranscriber(transcriber)
            for start in range(0, audio.size, block):
                streamer.feed(audio[start:start + block])
            text = streamer.finish().text
            decode_s += streamer.stats.decode_seconds
            audio_s += streamer.stats.audio_seconds
        else:
            text = transcriber.transcribe(audio).text
        count = len(fixture.reference.split())
        words += count
        errors += count * word_error_rate(fixture.reference, text)
    figures[f"{mode}_wer_varied"] = round(errors / words, 4)
    peak_mb = round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1)
    if mode == "streaming":
        figures["varied_answers_s"] = round(audio_s, 1)
        figures["streaming_real_time_factor_ratio"] = round(decode_s / audio_s, 3)
        figures["peak_rss_mb"] = peak_mb
    else:
        figures["peak_rss_posthoc_mb"] = peak_mb
    return figures


if __name__ == "__main__":
    if "--child" in sys.argv:
        # Run as a script, the child sees scripts/bench_parts first on its path, not the repository that holds
        # the speech fixtures (tests.support).
        sys.path.insert(0, str(REPO))
        print(json.dumps(_child(sys.argv[sys.argv.index("--child") + 1])))
    else:
        results: dict[str, float] = {}
        run(results)
        print(json.dumps(results, indent=2))
