"""The stable error codes of the sync API: one catalogue shared by server and kiosk.

The server answers every refusal with `{"error": {"code": ..., "message": ...}}` (whole
request) or an `ItemResult` with `code` (one record of a batch). Kiosks match on `code`,
never on message text.
"""

from __future__ import annotations

from enum import StrEnum


class ErrorCode(StrEnum):
    # per record (ItemResult.code); a record refused with one of these is never retried
    ACCEPTED = "accepted"
    INVALID_ENVELOPE = "invalid_envelope"
    UNKNOWN_KIND = "unknown_kind"
    INVALID_PAYLOAD = "invalid_payload"
    KIOSK_MISMATCH = "kiosk_mismatch"
    RECORD_ID_CONFLICT = "record_id_conflict"

    # whole request
    MALFORMED_JSON = "malformed_json"
    INVALID_REQUEST = "invalid_request"
    BATCH_TOO_LARGE = "batch_too_large"
    BODY_TOO_LARGE = "body_too_large"
    RATE_LIMITED = "rate_limited"
    TOKEN_MISSING = "token_missing"
    TOKEN_INVALID = "token_invalid"
    KIOSK_REVOKED = "kiosk_revoked"
    INVALID_CURSOR = "invalid_cursor"
    NOT_FOUND = "not_found"
    INTERNAL_ERROR = "internal_error"


# Content the server will never take, however often it is sent: the kiosk marks it dead.
PERMANENT_ITEM_CODES = frozenset(
    {
        ErrorCode.INVALID_ENVELOPE,
        ErrorCode.UNKNOWN_KIND,
        ErrorCode.INVALID_PAYLOAD,
        ErrorCode.KIOSK_MISMATCH,
        ErrorCode.RECORD_ID_CONFLICT,
    }
)

# The kiosk's credentials are wrong: stop syncing and tell staff.
AUTH_CODES = frozenset({ErrorCode.TOKEN_MISSING, ErrorCode.TOKEN_INVALID, ErrorCode.KIOSK_REVOKED})
