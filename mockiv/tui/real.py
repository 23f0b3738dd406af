"""The app's Player on the real audio output (`mockiv.audio.playback`, imported only when something plays, so
tests of the app never touch PortAudio)."""

from __future__ import annotations

import threading
from pathlib import Path


class AudioPlayer:
    """Plays a recording in the calling (worker) thread; `position` follows what has been heard."""

    def __init__(self) -> None:
        self._stop = threading.Event()
        self.position: float | None = None

    def play(self, path: Path, start_s: float = 0.0, end_s: float | None = None) -> None:
        from mockiv.audio import playback

        self._stop = threading.Event()

        def at(seconds: float) -> None:  # seconds from the recording's start, wherever playing began
            self.position = seconds

        try:
            playback.play(path, at, stop=self._stop, start_s=start_s, end_s=end_s)
        finally:
            self.position = None

    def stop(self) -> None:
        self._stop.set()
