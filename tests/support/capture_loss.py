"""How much of a live answer a kill -9 loses: speech plays into the (virtual) microphone while a child process
records it the way a practice answer is recorded (voice activity and streaming transcription on every block);
the child is killed at a random moment and what is on disk is compared with what the microphone delivered.

The microphone delivers in real time from the first block on, so by the kill it has delivered
`kill time - first block's start` seconds; the partial WAV holds `frames / 16 kHz` of them. Clocks are
CLOCK_MONOTONIC (time.monotonic), shared by the two processes.

    python -m tests.support.capture_loss [--kills 10] [--speech WAV]   prints the worst and each loss in seconds
"""

from __future__ import annotations

import argparse
import os
import random
import select
import signal
import subprocess
import sys
import tempfile
import time
import wave
from pathlib import Path
from typing import Any

import numpy as np

SAMPLE_RATE = 16_000


def _child(partial: Path, stream: bool) -> None:
    """Record like a practice answer until killed; print `ORIGIN <monotonic start of the first block>`."""
    import faulthandler

    from mockiv.audio.capture import Recorder

    # SIGUSR1 prints every thread's stack: how the parent learns where a stop that never ends is waiting.
    faulthandler.register(signal.SIGUSR1, all_threads=True)

    consumers: list[Any] = []
    if stream:
        from mockiv.asr import load_transcriber
        from mockiv.asr.streaming import PREVIEW_EVERY_S, StreamingTranscriber

        # As in a practice answer: finished pieces decoded while the candidate speaks, and live previews.
        streamer = StreamingTranscriber(load_transcriber(cpu_threads=2), preview_every_s=PREVIEW_EVERY_S)
        consumers.append(streamer.feed)
    origin: list[float] = []

    def on_audio(block: np.ndarray) -> None:
        for consume in consumers:
            consume(block)

    recorder = Recorder(partial.with_name("answer.wav"), on_audio=on_audio, partial_path=partial)
    recorder.start()
    while not origin:
        time.sleep(0.01)
        first = recorder.first_block_at
        if first is not None:
            origin.append(first)
    print(f"ORIGIN {origin[0]:.6f}", flush=True)
    try:
        while True:
            time.sleep(1)
    except KeyboardInterrupt:  # Ctrl-C: the clean stop the CLI makes (the WAV gets its final name)
        recorder.stop("interrupted")
        sys.exit(130)


def frames_on_disk(path: Path) -> int:
    with wave.open(str(path), "rb") as handle:
        return handle.getnframes()


def one_kill(folder: Path, speech: Path | None, stream: bool, after_s: float, signum: int = signal.SIGKILL
             ) -> float:
    """Seconds the microphone delivered that are not on disk after kill -9 (or Ctrl-C: SIGINT) `after_s` into the
    recording."""
    partial = folder / "answer.partial.wav"
    partial.unlink(missing_ok=True)
    final = partial.with_name("answer.wav")
    final.unlink(missing_ok=True)
    command = [sys.executable, "-m", "tests.support.capture_loss", "--child", str(partial)]
    child = subprocess.Popen([*command, *(["--stream"] if stream else [])], stdout=subprocess.PIPE,
                             stderr=subprocess.PIPE, text=True)
    player = None
    try:
        ready, _, _ = select.select([child.stdout], [], [], 120)
        assert ready and child.stdout is not None, "the recording process never got going"
        line = child.stdout.readline().split()
        assert line[:1] == ["ORIGIN"], child.stderr.read() if child.stderr else line
        origin = float(line[1])
        if speech is not None:
            player = subprocess.Popen(["paplay", f"--device={os.environ.get('MOCKIV_PULSE_MIC', 'mockiv_mic')}",
                                       str(speech)])
        time.sleep(max(0.0, origin + after_s - time.monotonic()))
        killed_at = time.monotonic()
        child.send_signal(signum)
        try:
            child.wait(30)
        except subprocess.TimeoutExpired:
            child.send_signal(signal.SIGUSR1)
            time.sleep(1)
            child.kill()
            _, stacks = child.communicate()
            raise AssertionError(f"the recording did not stop within 30 s of the signal; where it waited:\n{stacks}"
                                 ) from None
    finally:
        if child.poll() is None:
            child.kill()
            child.wait()
        if player is not None:
            player.kill()
            player.wait()
    return (killed_at - origin) - frames_on_disk(final if final.exists() else partial) / SAMPLE_RATE


def worst_loss(kills: int, speech: Path | None, stream: bool = True, seed: int = 0,
               signum: int = signal.SIGKILL) -> list[float]:
    """Losses of `kills` recordings killed between 3 and 25 s in (mid-speech, mid-decode, between pieces)."""
    chance = random.Random(seed)
    with tempfile.TemporaryDirectory(prefix="mockiv-kill9-") as folder:
        return [one_kill(Path(folder), speech, stream, chance.uniform(3.0, 25.0), signum) for _ in range(kills)]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--child", type=Path, help=argparse.SUPPRESS)
    parser.add_argument("--stream", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--kills", type=int, default=10)
    parser.add_argument("--speech", type=Path, help="a WAV to play into the microphone (default: none)")
    parser.add_argument("--no-stream", action="store_true", help="record without streaming transcription")
    parser.add_argument("--ctrl-c", action="store_true", help="stop with SIGINT (Ctrl-C) instead of kill -9")
    args = parser.parse_args(argv)
    if args.child:
        _child(args.child, args.stream)
        return 0
    losses = worst_loss(args.kills, args.speech, stream=not args.no_stream,
                        signum=signal.SIGINT if args.ctrl_c else signal.SIGKILL)
    name = "ctrl_c_audio_lost_s" if args.ctrl_c else "kill9_audio_lost_s"
    print(f"{name} {max(losses):.3f}  ({', '.join(f'{x:.2f}' for x in losses)})")
    return 0


if __name__ == "__main__":
    sys.exit(main())
