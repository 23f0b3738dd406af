"""Replay a session: each answer's audio with the word being spoken highlighted, plus its findings. m goes to each
finding (filler, long pause) and plays it from just before it; d redoes that finding's part (mockiv.tui.moments)."""

from __future__ import annotations

import bisect
from pathlib import Path
from typing import Any, ClassVar

from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.message import Message
from textual.screen import Screen
from textual.widgets import Footer, OptionList, Static
from textual.widgets.option_list import Option

from mockiv.core.answer_view import answer_view
from mockiv.core.transcript import Transcript
from mockiv.engine.session import one_line
from mockiv.present import LEGEND, findings_text
from mockiv.tui.moments import MomentCursor, choices_of, moment_line, why_silent
from mockiv.tui.services import Services
from mockiv.tui.widgets import HighlightedTranscript, format_clock


class SessionLoaded(Message):
    def __init__(self, detail: Any) -> None:
        super().__init__()
        self.detail = detail


def word_at(starts: list[float], position: float) -> int | None:
    """The index of the word being spoken at `position` (the last one that has started)."""
    index = bisect.bisect_right(starts, position) - 1
    return index if index >= 0 else None


class ReplayScreen(Screen[None]):
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("space", "play", "Play/pause", show=True, priority=True),
        Binding("b", "seek(-5)", "Back 5 s", show=True),
        Binding("f", "seek(5)", "On 5 s", show=True),
        Binding("m", "next_moment", "Moment", show=True),
        Binding("d", "redo", "Redo part", show=True),
        Binding("escape,q", "back", "Back", show=True),
    ]

    def __init__(self, services: Services, session_id: str) -> None:
        super().__init__()
        self.services = services
        self.session_id = session_id
        self.answers: list[Any] = []
        self.current: Any | None = None
        self.transcript = Transcript(())
        self.starts: list[float] = []
        self.position = 0.0
        self.playing_since: float | None = None
        self.no_sound: str | None = None  # why the player could not play (no output device ...), said once
        self.moments = MomentCursor()

    def compose(self) -> ComposeResult:
        with Horizontal(id="replay"):
            yield OptionList(id="answers")
            with Vertical(id="replay-main"):
                yield Static("", id="replay-question")
                yield Static("", id="replay-status")
                yield Static("", id="replay-moment")
                with VerticalScroll(id="replay-scroll"):
                    yield HighlightedTranscript(id="replay-transcript")
                    yield Static(Text(LEGEND, style="dim"))
                    yield Static("", id="replay-findings")
        yield Footer(show_command_palette=False)

    def on_mount(self) -> None:
        self.query_one("#answers", OptionList).focus()
        if self.services.tick_s > 0:
            self.set_interval(self.services.tick_s, self.tick)
        self.load()

    @work(thread=True, group="replay-load", exit_on_error=False)
    def load(self) -> None:
        assert self.services.store is not None
        self.post_message(SessionLoaded(self.services.store.get_session(self.session_id)))

    @on(SessionLoaded)
    def loaded(self, message: SessionLoaded) -> None:
        self.answers = list(message.detail.answers)
        options = self.query_one("#answers", OptionList)
        options.clear_options()
        for answer in self.answers:
            options.add_option(Option(f"{answer.position}. {answer.question[:40]}", id=answer.id))
        if not self.answers:
            self.query_one("#replay-question", Static).update("This session has no answers.")
            return
        options.highlighted = 0

    @on(OptionList.OptionHighlighted, "#answers")
    def choose(self, event: OptionList.OptionHighlighted) -> None:
        self.stop()
        self.current = next(a for a in self.answers if a.id == event.option.id)
        answer = self.current
        self.transcript = Transcript.from_dict(answer.transcript) if answer.transcript else Transcript(())
        self.starts = [w.start for w in self.transcript.words if w.start is not None] if self.transcript.timed else []
        view = answer_view(answer.to_dict(history=False))
        self.query_one("#replay-question", Static).update(Text(answer.question, style="bold"))
        self.query_one(HighlightedTranscript).show(view.words)
        self.query_one(HighlightedTranscript).chosen = None
        self.moments = MomentCursor(choices_of(view, self.audio(), answer.id))
        self.query_one("#replay-moment", Static).update(moment_line(None, len(self.moments.choices), None))
        self.refresh_bindings()
        self.query_one("#replay-findings", Static).update(findings_text(view.findings) if answer.latest
                                                          else Text("Not scored yet: r in History re-scores it."))
        self.position = 0.0
        self.show_status()

    def audio(self) -> Path | None:
        if self.current is None or self.current.audio_path is None:
            return None
        path = Path(self.current.audio_path)
        return path if path.is_file() else None

    @property
    def duration(self) -> float:
        if self.transcript.duration:
            return float(self.transcript.duration)
        ends = [w.end for w in self.transcript.words if w.end is not None]
        return max(ends, default=0.0)

    def show_status(self) -> None:
        if self.current is None:
            return
        if not self.transcript.timed:
            status = "typed answer: no audio and no word times to replay"
        else:
            sound = "with sound" if self.audio() and self.services.player else "without sound (no audio player)" \
                if self.audio() else "without sound (no recording kept)"
            if self.no_sound and self.audio():
                sound = "without sound (no output device)"
            state = "▶ playing" if self.playing_since is not None else "⏸ paused"
            status = f"{state} {format_clock(self.position)} / {format_clock(self.duration)} · {sound}"
        self.query_one("#replay-status", Static).update(status)

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        allowed = self.moments.allows(action, self.services.store is not None)
        return True if allowed is None else allowed

    def action_next_moment(self) -> None:
        choice = self.moments.step()
        if choice is None:
            return
        self.stop()
        self.query_one(HighlightedTranscript).chosen = choice.words
        silent = why_silent(choice, self.services.player is not None)
        self.query_one("#replay-moment", Static).update(
            moment_line(choice, len(self.moments.choices), silent, self.moments.index))
        if choice.moment.play_from_s is not None:  # from just before it; without sound the words still follow
            self.position = choice.moment.play_from_s
            self.highlight()
            self.action_play()
        self.refresh_bindings()

    def action_redo(self) -> None:
        choice = self.moments.current
        if choice is None or not choice.redoable or choice.answer_id is None or choice.moment.rule is None:
            return
        self.stop()
        from mockiv.tui.screens.redo import RedoScreen

        self.app.push_screen(RedoScreen(self.services, choice.answer_id, choice.moment.rule))

    def action_play(self) -> None:
        if not self.transcript.timed:
            self.notify("This answer was typed: there is nothing to play.")
            return
        if self.playing_since is not None:
            self.stop()
            return
        if self.position >= self.duration:
            self.position = 0.0
        self.playing_since = self.services.clock() - self.position
        audio = self.audio()
        if audio is not None and self.services.player is not None:
            self.play_audio(audio, self.position)
        self.show_status()

    @work(thread=True, group="play", exclusive=True, exit_on_error=False)
    def play_audio(self, path: Path, start_s: float) -> None:
        assert self.services.player is not None
        try:
            self.services.player.play(path, start_s)
        except Exception as error:  # no output device, a busy device: the words still follow the clock
            self.app.call_from_thread(self.sound_failed, one_line(error))

    def sound_failed(self, line: str) -> None:
        if self.no_sound is None:
            self.notify(f"{line}; the words still follow along", severity="warning")
        self.no_sound = line
        self.show_status()

    def stop(self, *, update: bool = True) -> None:
        if self.playing_since is not None and self.services.player is not None:
            try:
                self.services.player.stop()
            except Exception as error:
                self.notify(f"stopping playback failed: {one_line(error)}", severity="warning")
        self.playing_since = None
        if update:
            self.show_status()

    def action_seek(self, seconds: float) -> None:
        playing = self.playing_since is not None
        self.stop()
        self.position = min(max(0.0, self.position + seconds), self.duration)
        self.highlight()
        if playing:
            self.action_play()
        self.show_status()

    def tick(self) -> None:
        if self.playing_since is None:
            return
        heard = getattr(self.services.player, "position", None) if self.audio() else None
        # With sound, follow what the player has actually played; without, the wall clock.
        self.position = heard if heard is not None else self.services.clock() - self.playing_since
        if self.position >= self.duration:
            self.position = self.duration
            self.stop()
        self.highlight()
        self.show_status()

    def highlight(self) -> None:
        self.query_one(HighlightedTranscript).current = word_at(self.starts, self.position)

    def on_unmount(self) -> None:
        self.stop(update=False)

    def action_back(self) -> None:
        self.app.pop_screen()
