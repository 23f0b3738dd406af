"""Esc asks before it ends something: the first press says what a second press will do, and only a second press
within a few seconds does it. (Esc is the key a new user presses to get out of a menu; it must not quit the app or
throw away the rest of a timed rehearsal by itself.)"""

from __future__ import annotations

from collections.abc import Callable

CONFIRM_WINDOW_S = 4.0


class SecondPress:
    """`confirmed()` is True on a press that follows another within CONFIRM_WINDOW_S, else it arms and is False."""

    def __init__(self, clock: Callable[[], float]) -> None:
        self.clock = clock
        self._armed_at: float | None = None

    def confirmed(self) -> bool:
        now = self.clock()
        if self._armed_at is not None and now - self._armed_at <= CONFIRM_WINDOW_S:
            self._armed_at = None
            return True
        self._armed_at = now
        return False
