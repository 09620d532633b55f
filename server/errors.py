"""The server's error root and the errors that services raise; the app renders them as JSON."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from sync.wire_errors import ErrorCode

_MAX_ERRORS_IN_MESSAGE = 3


class ServerError(Exception):
    """Root of every error the server raises on purpose; the message says what to do."""


class WireError(ServerError):
    """A refusal the sync protocol defines: rendered as `{"error": {"code", "message"}}`."""

    def __init__(
        self,
        status_code: int,
        code: ErrorCode,
        message: str,
        headers: dict[str, str] | None = None,
    ) -> None:
        super().__init__(message)
        self.status_code = status_code
        self.code = code
        self.message = message
        self.headers = headers


class NotFoundError(ServerError):
    """A kiosk, resident, wristband or request id that the server does not know."""


class InvalidStateError(ServerError):
    """The change is not allowed from the object's current state (e.g. resolving twice)."""


def describe_validation_errors(errors: Sequence[Mapping[str, Any]]) -> str:
    """Pydantic's errors as one short line, `where: what; ...`, for an error message.

    The one formatter for both per-record refusals and whole-request 422s, so a kiosk
    developer reads the same shape of message from either.
    """
    parts = [
        f"{'.'.join(str(part) for part in error.get('loc', ())) or '(record)'}: {error.get('msg')}"
        for error in errors[:_MAX_ERRORS_IN_MESSAGE]
    ]
    more = len(errors) - _MAX_ERRORS_IN_MESSAGE
    return "; ".join(parts) + (f" (and {more} more)" if more > 0 else "")


class InvalidInputError(ServerError):
    """Staff input that cannot be stored as given (an empty name, a cost of zero ...)."""
