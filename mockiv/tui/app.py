"""The mockiv Textual app and its factory.

`create_app(services, pack_id=...)` builds the app around injected services (see `mockiv.tui.services`), so the
same app runs with the real microphone, model and store, or with fakes in tests. The model loads in a
background worker from the first frame: the first question never waits for it.
"""

from __future__ import annotations

import os
import time
from typing import Any, ClassVar

from textual import work
from textual.app import App
from textual.binding import Binding, BindingType
from textual.worker import Worker, WorkerState

from mockiv.tui.screens.home import HomeScreen
from mockiv.tui.services import Services

MODEL_AFTER_HOME_S = 1.0


class MockivApp(App[None]):
    CSS_PATH = "app.tcss"
    TITLE = "mockiv"
    ENABLE_COMMAND_PALETTE = True
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("ctrl+q", "quit", "Quit", show=False, priority=True),
    ]

    def __init__(self, services: Services, packs: list[Any], pack_id: str) -> None:
        super().__init__()
        self.services = services
        self.packs = packs
        self.pack_id = pack_id
        self._model_started = False
        self.first_question_at: float | None = None
        if os.environ.get("NO_COLOR"):
            self.theme = "ansi-dark"
        if services.frozen:
            # Snapshots: no cursor blink, no animation, nothing that depends on when the frame was taken.
            self.animation_level = "none"

    def on_mount(self) -> None:
        # What this installation cannot do, and what start-up recovered, Home says in its own lines.
        self.push_screen(HomeScreen(self.services, self.packs, self.pack_id))
        # The model loads behind the first screen: after the first question is painted, or after a moment on
        # Home, whichever comes first. Its imports and load share the GIL with drawing, so they wait for the
        # first frames; it is still ready long before the first answer ends. The rules' warm-up (numpy and the
        # sentence encoder, in the analysis process) waits with it: on two busy cores it took CPU from drawing
        # and put the first question at 1.04 s instead of 0.46 s (median of 6 runs each, load 3.5).
        self.set_timer(MODEL_AFTER_HOME_S, self.start_model)

    def question_painted(self) -> None:
        """Called after the refresh that drew a question: the moment `scripts/bench` measures."""
        if self.first_question_at is None:
            self.first_question_at = time.perf_counter()
        self.start_model()

    def start_model(self) -> None:
        if self._model_started:
            return
        self._model_started = True
        self.warm_rules()  # in the analysis process: done before the first answer, which waits behind it
        if not self.services.model.done:
            self.load_model()

    @work(thread=True, group="model", exit_on_error=False)
    def load_model(self) -> None:
        self.services.model.load()

    @work(thread=True, group="rules", exit_on_error=False)
    def warm_rules(self) -> None:
        self.services.analyzer.warm()

    def on_worker_state_changed(self, event: Worker.StateChanged) -> None:
        if event.worker.group != "model" or event.state != WorkerState.SUCCESS:
            return
        if self.services.model.error:
            self.notify(f"Speech recognition is unavailable ({self.services.model.error}): type your answers.",
                        severity="warning", timeout=10)

    async def action_quit(self) -> None:
        for screen in self.screen_stack:
            engine = getattr(screen, "engine", None)
            if engine is not None:
                engine.shutdown()  # an answer being recorded is kept, and closed before the process ends
        self.services.close()
        self.exit()


def create_app(services: Services, pack_id: str | None = None, packs: list[Any] | None = None) -> MockivApp:
    """The app factory. `packs` defaults to every pack installed (shipped and the user's)."""
    from mockiv.packs import DEFAULT_PACK_ID, list_packs

    return MockivApp(services, packs if packs is not None else list_packs(), pack_id or DEFAULT_PACK_ID)
