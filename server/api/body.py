"""Reading a request body with a size cap, whether or not it declares its length."""

from __future__ import annotations

from fastapi import Request

from server.errors import WireError
from sync.wire_errors import ErrorCode


def _too_large(limit: int) -> WireError:
    return WireError(413, ErrorCode.BODY_TOO_LARGE,
                     f"the request body is larger than {limit} bytes; send fewer records per push")


async def read_body_capped(request: Request, limit: int) -> bytes:
    """The whole body, refusing (413 body_too_large) as soon as it passes `limit` bytes."""
    declared = request.headers.get("content-length")
    if declared is not None:
        try:
            length = int(declared)
        except ValueError:
            raise WireError(422, ErrorCode.INVALID_REQUEST, "Content-Length is not a number") from None
        # Refused before reading a byte: a kiosk sending 50 MB learns it at once.
        if length > limit:
            raise _too_large(limit)
    body = bytearray()
    # Chunked bodies declare no length, so the cap is also enforced while reading.
    async for chunk in request.stream():
        body += chunk
        if len(body) > limit:
            raise _too_large(limit)
    return bytes(body)
