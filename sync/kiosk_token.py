"""Kiosk tokens: reading the kiosk id out of `lk1.<kiosk uuid hex>.<secret>` without the server."""

from __future__ import annotations

import re
import uuid

from sync.errors import InvalidTokenError

TOKEN_PREFIX = "lk1"

_HEX32 = re.compile(r"[0-9a-fA-F]{32}")
# Visible ASCII only: the token travels in an HTTP header, where anything else breaks.
_SECRET = re.compile(r"[\x21-\x7e]+")

_ADVICE = (
    "expected lk1.<kiosk id as 32 hex digits>.<secret>; copy the whole token printed by "
    "`linli admin register-kiosk`"
)


def kiosk_id_from_token(token: str) -> uuid.UUID:
    """Return the kiosk id carried in a kiosk token.

    Records need their kiosk id at creation, before the kiosk ever reaches the server, so
    the id is read from the token itself. The secret part is not checked here (only the
    server can), and never appears in the error message.

    Raises:
        InvalidTokenError: the token does not have the documented shape.
    """
    if not isinstance(token, str):
        raise InvalidTokenError(f"kiosk token is not text; {_ADVICE}")
    parts = token.split(".", 2)
    if len(parts) != 3 or parts[0] != TOKEN_PREFIX:
        raise InvalidTokenError(f"kiosk token is malformed (wrong prefix or parts); {_ADVICE}")
    hex_id, secret = parts[1], parts[2]
    if not _HEX32.fullmatch(hex_id):
        raise InvalidTokenError(f"kiosk token is malformed (kiosk id part); {_ADVICE}")
    if not _SECRET.fullmatch(secret):
        raise InvalidTokenError(
            f"kiosk token is malformed (secret part empty or has spaces/non-ASCII); {_ADVICE}"
        )
    return uuid.UUID(hex=hex_id)
