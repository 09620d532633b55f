"""HTTP client for the sync API: push envelopes byte for byte, pull changes, check health."""

from __future__ import annotations

import email.utils
import json
import logging
import time
import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import requests
from pydantic import ValidationError

from sync.errors import (
    BatchTooLarge,
    ConfigurationError,
    NotAuthorised,
    RateLimited,
    RequestRejected,
    ServerError,
    ServerUnavailable,
    UnexpectedResponse,
)
from sync.records import ItemResult, PushResponse
from sync.wire_errors import AUTH_CODES, ErrorCode

log = logging.getLogger(__name__)

PUSH_PATH = "/api/v1/sync/push"
PULL_PATH = "/api/v1/sync/pull"
HEALTH_PATH = "/api/v1/health"

# Whole-request 400/422 codes that are the server's verdict on what was sent (not "you hit a
# proxy"), per call: for a push they let the engine split a batch and, at one item, give up on
# it; for a pull they say the kiosk's cursor is wrong.
_PUSH_REFUSALS = frozenset({ErrorCode.MALFORMED_JSON, ErrorCode.INVALID_REQUEST})
_PULL_REFUSALS = frozenset({ErrorCode.INVALID_CURSOR})

# A Retry-After beyond this is treated as this: a broken header must not park a kiosk for days.
MAX_RETRY_AFTER = 3600.0


@dataclass(slots=True, frozen=True)
class Health:
    status: str
    wire_version: int | None


@dataclass(slots=True, frozen=True)
class PullPage:
    """One page of the feed as the server sent it.

    `changes` are the raw change objects, not yet validated: `LocalStore.apply_pull` checks
    each one, applies what it understands and counts what it skips, so a change this kiosk
    cannot read is counted in one place and never blocks the feed.
    """

    changes: list[Any]
    next_cursor: int
    has_more: bool
    server_incarnation: uuid.UUID | None = None  # None from a server that predates it


def parse_retry_after(value: str | None, default: float = 1.0) -> float:
    """Seconds to wait from a Retry-After header (delta-seconds or an HTTP date)."""
    if not value:
        return default
    value = value.strip()
    try:
        seconds = float(value)
    except ValueError:
        try:
            when = email.utils.parsedate_to_datetime(value)
        except (TypeError, ValueError):
            return default
        seconds = when.timestamp() - time.time()
    return min(max(seconds, 0.0), MAX_RETRY_AFTER)


class SyncClient:
    """Talks to one central server with one kiosk token over one keep-alive session."""

    def __init__(
        self,
        base_url: str,
        token: str,
        session: requests.Session | None = None,
        connect_timeout: float = 3.05,
        read_timeout: float = 15,
    ) -> None:
        if not base_url.startswith(("http://", "https://")):
            raise ConfigurationError(
                f"server URL {base_url!r} must start with http:// or https://, e.g. "
                "http://192.168.1.10:8000"
            )
        self._base_url = base_url.rstrip("/")
        self._session = session or requests.Session()
        self._auth = {"Authorization": f"Bearer {token}"}
        self._timeout = (connect_timeout, read_timeout)

    def __repr__(self) -> str:  # never show the token
        return f"SyncClient({self._base_url!r})"

    @property
    def base_url(self) -> str:
        return self._base_url

    def close(self) -> None:
        self._session.close()

    # --- calls -------------------------------------------------------------------------

    def push(self, envelope_json_texts: Sequence[str]) -> list[ItemResult]:
        """Push stored envelopes exactly as stored; one result per envelope, in order.

        The body is assembled from the stored texts rather than re-serialised, so a retry
        sends byte for byte what the first attempt sent and the server's idempotency check
        compares like with like.
        """
        body = ('{"records":[' + ",".join(envelope_json_texts) + "]}").encode("utf-8")
        response = self._request(
            "POST", PUSH_PATH, _PUSH_REFUSALS, data=body,
            headers={"Content-Type": "application/json"},
        )
        try:
            parsed = PushResponse.model_validate_json(response.content)
        except ValidationError as exc:
            raise UnexpectedResponse(
                f"push answer from {self._base_url} is not a sync push response "
                f"({exc.error_count()} problem(s)); check the server URL and the server version",
                status=response.status_code,
            ) from exc
        results = sorted(parsed.results, key=lambda r: r.index)
        if [r.index for r in results] != list(range(len(envelope_json_texts))):
            raise UnexpectedResponse(
                f"push answer has {len(results)} results for {len(envelope_json_texts)} "
                "records; the records stay queued",
                status=response.status_code,
            )
        return results

    def pull(self, cursor: int, limit: int = 500) -> PullPage:
        """Fetch the changes after `cursor`, unvalidated (see `PullPage`)."""
        response = self._request(
            "GET", PULL_PATH, _PULL_REFUSALS, params={"cursor": cursor, "limit": limit}
        )
        try:
            data = response.json()
            raw_changes = data["changes"]
            next_cursor = int(data["next_cursor"])
            has_more = bool(data["has_more"])
            if not isinstance(raw_changes, list):
                raise TypeError("changes is not a list")
            raw_incarnation = data.get("server_incarnation")
            incarnation = None if raw_incarnation is None else uuid.UUID(str(raw_incarnation))
        except (ValueError, KeyError, TypeError) as exc:
            raise UnexpectedResponse(
                f"pull answer from {self._base_url} is not a sync pull response ({exc}); "
                "check the server URL and the server version",
                status=response.status_code,
            ) from exc
        return PullPage(changes=raw_changes, next_cursor=next_cursor, has_more=has_more,
                        server_incarnation=incarnation)

    def health(self) -> Health:
        """`GET /api/v1/health` (no token): tells "server down" from "not authorised"."""
        response = self._request("GET", HEALTH_PATH, authenticate=False)
        try:
            data = response.json()
            return Health(status=str(data["status"]), wire_version=data.get("wire_version"))
        except (ValueError, KeyError, TypeError, AttributeError) as exc:
            raise UnexpectedResponse(
                f"health answer from {self._base_url} is not Linli's; check the server URL",
                status=response.status_code,
            ) from exc

    # --- plumbing ----------------------------------------------------------------------

    def _request(
        self,
        method: str,
        path: str,
        refusals: frozenset[str] = frozenset(),
        *,
        authenticate: bool = True,
        headers: dict[str, str] | None = None,
        **kwargs: Any,
    ) -> requests.Response:
        url = self._base_url + path
        all_headers = {**(self._auth if authenticate else {}), **(headers or {})}
        try:
            response = self._session.request(
                method, url, headers=all_headers, timeout=self._timeout, **kwargs
            )
        except requests.Timeout as exc:
            raise ServerUnavailable(f"{method} {url} timed out ({type(exc).__name__})") from exc
        except requests.ConnectionError as exc:
            raise ServerUnavailable(f"cannot connect to {self._base_url} ({_reason(exc)})") from exc
        except requests.RequestException as exc:
            raise ServerUnavailable(f"{method} {url} failed ({type(exc).__name__})") from exc
        if response.status_code == 200:
            return response
        raise self._error_for(response, refusals)

    def _error_for(self, response: requests.Response, refusals: frozenset[str]) -> Exception:
        status = response.status_code
        code, message = _error_body(response)
        # Only the server's own word stops syncing: a bare 401/403 (a proxy's login page, a
        # firewall) says nothing about the token, so it is retried like any odd answer.
        if status in (401, 403) and code in AUTH_CODES:
            return NotAuthorised(code, message, status=status)
        if status == 413:
            return BatchTooLarge(code or ErrorCode.BATCH_TOO_LARGE, message)
        if status == 429:
            return RateLimited(parse_retry_after(response.headers.get("Retry-After")))
        if status in (400, 422) and code in refusals:
            return RequestRejected(code, message, status=status)
        if status >= 500:
            return ServerError(
                f"server error {status}{f' ({code})' if code else ''}; will retry", status=status
            )
        return UnexpectedResponse(
            f"unexpected HTTP {status}{f' ({code})' if code else ''} from {response.url}; check "
            "the server URL (it should be the Linli server's base address)",
            status=status,
        )


def _error_body(response: requests.Response) -> tuple[str | None, str | None]:
    """The `{"error": {"code", "message"}}` of a refusal, if the body is one."""
    try:
        error = json.loads(response.content)["error"]
        code = error.get("code")
        message = error.get("message")
        return (str(code) if code else None, str(message) if message else None)
    except (ValueError, KeyError, TypeError, AttributeError):
        return None, None


def _reason(exc: requests.ConnectionError) -> str:
    # requests nests the OS error deep inside urllib3's; its last line is the useful part.
    text = str(exc)
    for marker in ("Connection refused", "Name or service not known", "No route to host",
                   "Network is unreachable", "timed out"):
        if marker in text:
            return marker.lower()
    return type(exc).__name__
