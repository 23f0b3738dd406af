"""The practice engine without a screen: keys, the plan of questions and follow-ups, and its events."""

from __future__ import annotations

import threading
from pathlib import Path
from typing import Any

from mockiv.core import delivery
from mockiv.core.transcript import Transcript
from mockiv.engine.analysis import Analyzer, AnswerResult
from mockiv.engine.model import ModelHolder
from mockiv.engine.prompts import Prompt
from mockiv.engine.session import AnswerOutcome, Engine, EngineEvents, Plan
from tests.tui.fakes import KEEPS_TALKING, FakeMicrophone, FakeTranscriber, level_speech_probability, scripted_analyze


class SlowVoice:
    """Speaks until it is stopped."""

    def __init__(self) -> None:
        self.stopped = threading.Event()
        self.said: list[str] = []

    def say(self, text: str) -> None:
        self.said.append(text)
        self.stopped.wait(30)

    def stop(self) -> None:
        self.stopped.set()


class Heard(EngineEvents):
    def __init__(self) -> None:
        self.events: list[str] = []
        self.listening_now = threading.Event()
        self.started = threading.Event()
        self.done = threading.Event()
        self.outcome: AnswerOutcome | None = None

    def listening(self, attempt: int, prompt: Prompt) -> None:
        self.events.append("listening")
        self.listening_now.set()

    def answer_started(self, attempt: int) -> None:
        self.events.append("answer-started")
        self.started.set()

    def answered(self, outcome: AnswerOutcome) -> None:
        self.outcome = outcome
        self.done.set()


def test_the_answer_key_skips_the_voice_then_ends_the_answer(private_home: Path) -> None:
    FakeMicrophone.instances.clear()
    FakeMicrophone.script, FakeMicrophone.speed = KEEPS_TALKING, 1.0
    voice, heard = SlowVoice(), Heard()
    engine = Engine(pack_id="mini", mode="practice", analyzer=Analyzer(scripted_analyze),
                    model=ModelHolder.ready_with(FakeTranscriber()), speaker=voice, microphone=FakeMicrophone,
                    speech_probability=level_speech_probability)
    engine.subscribe(heard)
    engine.start()
    engine.ask(Prompt("Tell me about a project.", "behavioral", "q1"))
    engine.press()  # while the question is spoken: the voice stops and the microphone opens
    assert voice.stopped.wait(5) and heard.listening_now.wait(5) and heard.started.wait(5)
    engine.press()  # after the first word: the answer ends
    assert heard.done.wait(10)
    assert heard.outcome is not None and heard.outcome.stop_reason == "key"
    assert heard.outcome.result.source == "microphone" and heard.outcome.result.findings
    assert FakeMicrophone.instances[0].stopped.is_set()


def result_with(follow_up: str | None) -> AnswerResult:
    transcript = Transcript.from_text("I did stuff.")
    findings = ({"rule": "vague", "severity": "major", "follow_up": follow_up},) if follow_up else ()
    return AnswerResult("Q", "behavioral", transcript, delivery.compute(transcript), findings)


def test_the_plan_asks_the_worst_findings_follow_up_then_moves_on() -> None:
    first = Prompt("Tell me about a project.", "behavioral", "q1", time_budget_s=120, thinking_time_s=5,
                   follow_ups=("What would you change?",))
    second = Prompt("Tell me about a failure.", "failure", "q2")
    plan = Plan([first, second], follow_ups=1)
    follow = plan.after(first, result_with("What exactly did you do?"))
    assert follow is not None and follow.text == "What exactly did you do?" and follow.is_follow_up
    assert follow.time_budget_s == 90 and follow.thinking_time_s == 0 and follow.question_id == "q1-follow-up"
    assert plan.after(follow, result_with("And then?")) is second  # one automatic follow-up per question
    assert plan.after(second, result_with(None), "retry") is second
    assert plan.after(second, result_with(None)) is None  # the pack is done


def test_without_automatic_follow_ups_one_is_asked_only_when_chosen() -> None:
    first = Prompt("Tell me about a project.", "behavioral", "q1", follow_ups=("What would you change?",))
    plan = Plan([first, Prompt("Next?", "behavioral", "q2")])
    chosen: Any = plan.after(first, result_with(None), "follow-up")
    assert chosen.text == "What would you change?" and chosen.follow_ups == ()
    assert plan.after(chosen, result_with(None)).question_id == "q2"  # type: ignore[union-attr]
