"""A recording process for the crash tests: one finished answer, then a second recorded until it is killed.

It writes the way the recorder does (pitfalls.md §2): a WAV opened 0600 with O_EXCL, CPython's `wave` patching
the header on every write, an fsync after each block. Prints `READY <session> <answer>` once enough audio
is on disk, then keeps recording until a signal ends it. Run as `python -m tests.store.record_child`;
with `--microphone`, the second answer is recorded by mockiv's own Recorder from the (virtual) microphone.
"""

from __future__ import annotations

import os
import sys
import time
import wave
from pathlib import Path

import numpy as np

from mockiv.store import Store
from tests.store.helpers import analysed, rule_result, write_wav

RATE = 16_000
BLOCK = RATE // 10
READY_AFTER_BLOCKS = 12  # 1.2 s of audio on disk before the parent may kill us


def main() -> None:
    store = Store.open()
    session = store.create_session("general", "practice")
    first = store.begin_answer(session.id, question="Tell me about yourself", kind="intro", question_id="q1")
    write_wav(first.audio_path, 0.5).replace(first.final_audio_path)
    transcript, metrics = analysed()
    store.finish_answer(first.id, transcript=transcript, metrics=metrics, result=rule_result(transcript),
                        model="tiny.en")
    second = store.begin_answer(session.id, question="Tell me about a failure", kind="failure", question_id="q2")
    if "--microphone" in sys.argv:
        record_from_microphone(second.audio_path, second.final_audio_path, f"READY {session.id} {second.id}")
    fd = os.open(second.audio_path, os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_NOFOLLOW, 0o600)
    with os.fdopen(fd, "wb") as handle:
        writer = wave.open(handle, "wb")  # noqa: SIM115  (never closed: the test kills us mid-write)
        writer.setnchannels(1)
        writer.setsampwidth(2)
        writer.setframerate(RATE)
        tone = (0.2 * np.sin(2 * np.pi * 330 * np.arange(BLOCK) / RATE) * 32767).astype("<i2").tobytes()
        blocks = 0
        while True:
            writer.writeframes(tone)
            handle.flush()
            os.fsync(handle.fileno())
            blocks += 1
            if blocks == READY_AFTER_BLOCKS:
                print(f"READY {session.id} {second.id}", flush=True)
            time.sleep(0.01)


def record_from_microphone(partial: Path, final: Path, ready: str) -> None:
    import soundfile

    from mockiv.audio.capture import Recorder

    recorder = Recorder(final, partial_path=partial).start()
    deadline = time.monotonic() + 30  # a fresh PulseAudio server can take a second or two to deliver audio
    frames = 0
    while frames < RATE // 2 and time.monotonic() < deadline:
        time.sleep(0.1)
        frames = soundfile.info(str(partial)).frames
    assert recorder.failed is None, recorder.failed
    print(f"{ready} {frames}", flush=True)  # what is on disk now must survive the kill
    while True:
        time.sleep(1)


if __name__ == "__main__":
    sys.exit(main())
