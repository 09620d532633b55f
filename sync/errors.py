"""The sync package's errors: one root, `SyncError`, with a subclass per thing that can go wrong."""

from __future__ import annotations


class SyncError(Exception):
    """Root of every error raised by the kiosk's store, sync client and sync engine."""


# --- configuration ---------------------------------------------------------------------


class InvalidTokenError(SyncError, ValueError):
    """The kiosk token does not have the `lk1.<kiosk uuid hex>.<secret>` shape."""


class ConfigurationError(SyncError, ValueError):
    """A setting (server URL, batch size, ...) cannot work; fix the configuration."""


# --- local store -----------------------------------------------------------------------


class StoreError(SyncError):
    """The kiosk's local database refused an operation."""


class StoreFullError(StoreError):
    """The disk (or the database's size limit) is full; nothing of the operation was written."""

    def __init__(self, path: str) -> None:
        super().__init__(
            f"the kiosk store {path} cannot grow: the disk is full. Nothing of this operation "
            "was written. Free disk space (old logs, downloads) or move the store to a larger "
            "disk, then try again; records already stored are safe."
        )
        self.path = path


class StoreKioskMismatchError(StoreError):
    """The store file was created for another kiosk than the token now configured."""


class InvalidRecordError(StoreError, ValueError):
    """A record's payload does not match its kind's model; nothing was written."""


class StoreNotFoundError(StoreError, FileNotFoundError):
    """There is no store file at the given path (read-only commands never create one)."""


# --- talking to the server -------------------------------------------------------------


class ServerUnavailable(SyncError):
    """The server could not be reached or failed (connection refused, timeout, 5xx).

    Transient: the records stay in the outbox and are sent again after a back-off.
    """

    def __init__(self, message: str, *, status: int | None = None) -> None:
        super().__init__(message)
        self.status = status


class ServerError(ServerUnavailable):
    """The server answered 5xx: it is up, but failed this request.

    Still transient ("retry"), but it may be this request's content the server cannot
    store, so the engine splits a failing batch instead of holding every record behind it.
    """


class UnexpectedResponse(ServerUnavailable):
    """The server's answer is not the sync protocol (wrong URL, a proxy's page, a server bug).

    Treated like an outage, never as a verdict on the records: nothing is marked dead
    because of an answer the kiosk does not understand.
    """


class NotAuthorised(SyncError):
    """401/403: the kiosk token is missing, unknown or the kiosk was revoked."""

    def __init__(self, code: str, message: str | None = None, *, status: int) -> None:
        super().__init__(
            f"kiosk not authorised ({code}): {message or 'the server refused the kiosk token'}. "
            "Syncing is paused; ask staff for a new token (linli admin register-kiosk) and "
            "configure it on this kiosk."
        )
        self.code = code
        self.status = status


class RateLimited(SyncError):
    """429: the server asks this kiosk to wait `retry_after` seconds."""

    def __init__(self, retry_after: float) -> None:
        super().__init__(f"the server is rate limiting this kiosk; retry in {retry_after:.0f} s")
        self.retry_after = retry_after


class BatchTooLarge(SyncError):
    """413: too many records or too many bytes in one push; send smaller batches."""

    def __init__(self, code: str, message: str | None = None) -> None:
        super().__init__(f"push refused as too large ({code}): {message or 'send a smaller batch'}")
        self.code = code


class RequestRejected(SyncError):
    """400/422 with a protocol error code: the server refused the whole request as invalid."""

    def __init__(self, code: str, message: str | None = None, *, status: int) -> None:
        super().__init__(f"request refused ({status} {code}): {message or 'no details given'}")
        self.code = code
        self.status = status
        self.detail = message
