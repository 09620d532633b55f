"""The server's error root and the errors that services raise; the app renders them as JSON."""

from __future__ import annotations

from sync.wire_errors import ErrorCode


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
