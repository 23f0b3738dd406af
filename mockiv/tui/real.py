"""The app's Player on the real audio output (`mockiv.audio.playback`, imported only when something plays, so
tests of the app never touch PortAudio)."""

from __future__ import annotations

import tempfile
import threading
from pathlib import Path

from mockiv import paths


class AudioPlayer:
    """Plays a recording in the calling (worker) thread; `position` follows what has been heard."""

    def __init__(self) -> None:
        self._stop = threading.Event()
        self.position: float | None = None

    def play(self, path: Path, start_s: float = 0.0) -> None:
        from mockiv.audio import playback

        self._stop = threading.Event()
        source = path
        scratch: Path | None = None
        if start_s > 0:
            import soundfile

            samples, rate = playback.read_audio(path)
            scratch = Path(tempfile.mkstemp(dir=paths.sub_dir("tmp"), suffix=".wav")[1])
            soundfile.write(str(scratch), samples[int(start_s * rate):], rate)
            source = scratch

        def at(seconds: float) -> None:
            self.position = start_s + seconds

        try:
            playback.play(source, at, stop=self._stop)
        finally:
            self.position = None
            if scratch is not None:
                scratch.unlink(missing_ok=True)

    def stop(self) -> None:
        self._stop.set()
