"""The judgement layer's cost: the sentence encoder's load time and memory, its speed, and the extra time the
judgement adds at the end of a 2-minute answer whose earlier sentences were encoded while the candidate spoke.

encoder_load_s and encoder_rss_mb come from a fresh process that has already imported what a practice session
imports anyway (numpy, tokenizers, the engine): load, then encode one 2-minute answer; RSS added is what the
encoder costs (goals: load <= 0.3 s, RSS <= 60 MB). encoder_one_sentence_ms: one typical sentence (25 tokens);
encoder_16_sentences_ms: a batch of 16. judgement_ms_per_answer: median over 2-minute answers (about 290 words)
of evaluate() with the encoder, every sentence but the last already cached, minus evaluate() without it.
"""

from __future__ import annotations

import json
import statistics
import subprocess
import sys
import time
import tomllib
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
CORPUS = ROOT / "tests" / "core" / "rules" / "corpus.toml"
ANSWERS = 12
SENTENCE = "I rewrote the billing service's retry logic and cut failed payments by a third in two months."

_FRESH_PROCESS = """
import json, time, psutil, numpy, tokenizers
import mockiv.core.rules.engine
from mockiv.nlp.encoder import load_encoder
texts = json.loads(input())
process = psutil.Process()
before = process.memory_info().rss
started = time.perf_counter()
encoder = load_encoder()
load_s = time.perf_counter() - started
encoder.encode(texts)
print(json.dumps({"load_s": load_s, "rss_mb": (process.memory_info().rss - before) / 2**20}))
"""


def two_minute_answers(count: int) -> list[tuple[str, str]]:
    """(question, text) pairs of about 290 words: six development-corpus answers joined."""
    entries = tomllib.loads(CORPUS.read_text(encoding="utf-8"))["answers"]
    out = []
    for i in range(count):
        parts = [entries[(i * 13 + k * 29) % len(entries)] for k in range(6)]
        out.append((parts[0]["question"], " ".join(p["text"] for p in parts)))
    return out


def _median_ms(action, repeats: int) -> float:  # type: ignore[no-untyped-def]
    times = []
    for _ in range(repeats):
        started = time.perf_counter()
        action()
        times.append((time.perf_counter() - started) * 1000)
    return statistics.median(times)


def run(figures: dict[str, float]) -> None:
    from mockiv.core.kinds import infer_kind
    from mockiv.core.rules import evaluate
    from mockiv.core.rules.engine import read_answer
    from mockiv.core.rules.judged import sentence_texts
    from mockiv.core.rules.samples import timed_transcript
    from mockiv.core.transcript import Answer
    from mockiv.nlp.encoder import load_encoder

    answers = []
    for question, text in two_minute_answers(ANSWERS):
        answers.append(Answer(question, infer_kind(question), timed_transcript(text, wpm=145)))
    sentences = [sentence_texts(read_answer(a)) for a in answers]

    fresh = subprocess.run([sys.executable, "-c", _FRESH_PROCESS], input=json.dumps(sentences[0]) + "\n",
                           capture_output=True, text=True, check=True, cwd=ROOT)
    measured = json.loads(fresh.stdout)
    figures["encoder_load_s"] = round(measured["load_s"], 3)
    figures["encoder_rss_mb"] = round(measured["rss_mb"], 1)

    encoder = load_encoder()
    batch = [f"{SENTENCE} ({i})" for i in range(400)]
    encoder.encode(batch[:1])
    singles = iter(batch[1:])
    figures["encoder_one_sentence_ms"] = round(_median_ms(lambda: encoder.encode([next(singles)]), 30), 1)
    figures["encoder_16_sentences_ms"] = round(_median_ms(
        lambda: encoder.encode([next(singles) for _ in range(16)]), 5), 1)

    extra = []
    for answer, texts in zip(answers, sentences, strict=True):
        encoder.warm(texts[:-1])  # what the live answer encoded while the candidate spoke
        evaluate(answer)  # the patterns' own caches, so both timings below start warm
        without = _median_ms(lambda a=answer: evaluate(a), 3)
        started = time.perf_counter()
        evaluate(answer, encoder=encoder)
        extra.append((time.perf_counter() - started) * 1000 - without)
    figures["judgement_ms_per_answer"] = round(statistics.median(extra), 1)
    figures["judgement_sentences_per_answer"] = round(statistics.mean(len(t) for t in sentences), 1)


if __name__ == "__main__":
    result: dict[str, float] = {}
    run(result)
    for key, value in result.items():
        print(f"{key}: {value}")
