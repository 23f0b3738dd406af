"""Rule engine throughput: evaluate() over 1,000 stored answers (transcript + delivery metrics already
computed, as the store keeps them), built by joining two or three answers of the development corpus (about 140
words, one to two minutes spoken), half of them with word timings. Goal: rules_answers_per_s >= 500.
Also one pasted 5 MB answer from text to findings (analyze_5mb_text_s, goal < 5 s: linear in its length)."""

from __future__ import annotations

import time
import tomllib
from pathlib import Path

from mockiv.analysis import analyze
from mockiv.core import delivery
from mockiv.core.delivery import DeliveryMetrics
from mockiv.core.kinds import infer_kind
from mockiv.core.rules import evaluate
from mockiv.core.rules.samples import timed_transcript
from mockiv.core.transcript import Answer, Kind, Transcript

CORPUS = Path(__file__).resolve().parents[2] / "tests" / "core" / "rules" / "corpus.toml"
COUNT = 1000


def stored_answers(count: int = COUNT) -> list[tuple[Answer, DeliveryMetrics]]:
    sources: list[tuple[str, Kind, str]] = []
    for entry in tomllib.loads(CORPUS.read_text(encoding="utf-8"))["answers"]:
        sources.append((entry["question"], infer_kind(entry["question"]), entry["text"]))
    out = []
    for i in range(count):
        question, kind, text = sources[i % len(sources)]
        # Spoken answers run one to three minutes: join two or three corpus answers.
        extra = [sources[(i + k * 7) % len(sources)][2] for k in range(1, 2 + i % 2)]
        text = " ".join([text, *extra])
        transcript = (timed_transcript(text, wpm=110 + (i * 7) % 90, pauses=[(5, 1.5), (12, 2.8)]) if i % 2
                      else Transcript.from_text(text))
        out.append((Answer(question, kind, transcript), delivery.compute(transcript)))
    return out


def run(figures: dict[str, float]) -> None:
    answers = stored_answers()
    started = time.perf_counter()
    evaluate(*answers[0])  # first call loads and compiles the rule data
    figures["rules_first_call_s"] = round(time.perf_counter() - started, 4)
    started = time.perf_counter()
    findings = 0
    for answer, metrics in answers:
        findings += len(evaluate(answer, metrics).findings)
    elapsed = time.perf_counter() - started
    figures["rules_answers_per_s"] = round(len(answers) / elapsed, 1)
    figures["rules_findings_per_answer"] = round(findings / len(answers), 3)
    words = sum(len(a.transcript) for a, _ in answers)
    figures["rules_words_per_answer"] = round(words / len(answers), 1)
    text = " ".join(entry["text"] for entry in tomllib.loads(CORPUS.read_text(encoding="utf-8"))["answers"])
    text = ((text + " ") * (5_000_000 // len(text) + 1))[:5_000_000]
    started = time.perf_counter()
    analyze(Transcript.from_text(text), "Tell me about a project you led.")
    figures["analyze_5mb_text_s"] = round(time.perf_counter() - started, 2)


if __name__ == "__main__":
    result: dict[str, float] = {}
    run(result)
    for key, value in result.items():
        print(f"{key}: {value}")
