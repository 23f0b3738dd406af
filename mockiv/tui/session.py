"""One run of the app through a pack: its plan and engine (mockiv.engine.session), and the answers so far.

The store is optional: without it the run is kept in memory and the app says so once. Store failures reach the
app as one-line notices from the engine, never a crash: the candidate's answer on screen matters more than the row.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from typing import Any

from mockiv.engine.analysis import AnswerResult
from mockiv.engine.prompts import Prompt, prompts_from_pack
from mockiv.engine.session import Engine, EngineSettings, Plan
from mockiv.tui.services import Services


@dataclass
class SessionRun:
    pack_id: str
    pack_title: str
    mode: str  # "practice" | "rehearsal"
    plan: Plan
    engine: Engine
    results: list[AnswerResult] = field(default_factory=list)
    skipped: list[Prompt] = field(default_factory=list)

    @classmethod
    def for_pack(cls, pack: Any, mode: str, services: Services) -> SessionRun:
        # A rehearsal shows no words until the end: no live previews to decode.
        listen = services.listen if mode == "practice" else replace(services.listen, preview_every_s=None)
        engine = Engine(pack_id=pack.id, mode=mode, analyzer=services.analyzer, model=services.model,
                        speaker=services.speaker, store=services.store, microphone=services.microphone,
                        speech_probability=services.speech_probability, settings=EngineSettings(listen))
        return cls(pack.id, pack.title, mode, Plan(prompts_from_pack(pack), services.follow_ups), engine)

    @property
    def prompts(self) -> list[Prompt]:
        return self.plan.prompts

    @property
    def session_id(self) -> str | None:
        return self.engine.session_id

    @property
    def ended(self) -> bool:
        return self.engine.ended

    def start(self) -> None:
        self.engine.start()

    def end(self) -> None:
        self.engine.end()
