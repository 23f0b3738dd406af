"""Errors a user can cause. The CLI prints their message as one line, no traceback, and exits with the code."""

from __future__ import annotations

EXIT_OK = 0
EXIT_FAILURE = 1  # the input was analysed and something failed later
EXIT_USAGE = 2  # bad usage or bad input
EXIT_INTERRUPTED = 130


class MockivError(Exception):
    """A failure with a message meant for the user: what happened, and what to do."""

    exit_code = EXIT_FAILURE

    def __init__(self, message: str, exit_code: int | None = None) -> None:
        super().__init__(message)
        if exit_code is not None:
            self.exit_code = exit_code


class UserInputError(MockivError):
    """Bad usage or bad input (a corrupt file, a malformed pack): exit code 2."""

    exit_code = EXIT_USAGE


class ModelError(MockivError):
    """The Whisper model is missing, broken, or would need a download the user did not allow."""

    exit_code = EXIT_USAGE


class AudioError(MockivError):
    """Audio input or output failed: no microphone, silent or corrupt audio."""

    exit_code = EXIT_USAGE
