"""The CLI's own error: one line on stderr and an exit code (standard library only, so every
command module, remote ones included, can raise it without importing the services)."""

from __future__ import annotations

EXIT_DENIED = 3  # the actor may not do this (HTTP 401/403 in remote mode)


class CliError(Exception):
    """An error shown as one line on stderr with a non-zero exit code."""

    def __init__(self, message: str, code: int = 1):
        self.code = code
        super().__init__(message)
