"""Whether the app can be heard: one answer for every key that would make a sound ("Say again", Repeat)."""

from __future__ import annotations

from typing import Any


def speech_off(speaker: Any) -> str | None:
    """Why nothing would be heard, or None: no voice at all, or one that went silent since (no output device,
    the audio player failed: mockiv.speech.Speaker.silent_reason)."""
    if speaker is None:
        return "speech output is off"
    return getattr(speaker, "silent_reason", None) or None
