"""SyncClient against a scripted HTTP stand-in that can force every server fault on demand.

The stand-in (scripted_server.py) exists because the real server will not produce 500s,
503s, 413s, 429s, slow answers or a closed port when a test asks; the mapping from those
answers to typed errors is what is tested here.
"""

from __future__ import annotations

import time
from email.utils import formatdate

import pytest
from scripted_server import Reply, ScriptedServer, error

from sync import (
    BatchTooLarge,
    ConfigurationError,
    NotAuthorised,
    RateLimited,
    RequestRejected,
    ServerError,
    ServerUnavailable,
    SyncClient,
    UnexpectedResponse,
)
from sync.client import parse_retry_after

ENVELOPES = [
    '{"id":"7d0c6a52-3c2e-4f57-9d7e-0a6f8d1c2b3a","kind":"help_call","x":"邻里"}',
    '{"id":"8d0c6a52-3c2e-4f57-9d7e-0a6f8d1c2b3a","kind":"help_call"}',
]


def test_push_sends_the_stored_bytes_and_the_token(
    client: SyncClient, server: ScriptedServer, token: str
) -> None:
    results = client.push(ENVELOPES)
    assert [(r.index, r.status, r.code) for r in results] == [(0, 200, "accepted"),
                                                              (1, 200, "accepted")]
    [seen] = server.pushes()
    assert seen.method == "POST"
    assert seen.body == ('{"records":[' + ",".join(ENVELOPES) + "]}").encode("utf-8")
    assert seen.headers["Authorization"] == f"Bearer {token}"
    assert seen.headers["Content-Type"] == "application/json"
    assert token not in repr(client)


@pytest.mark.parametrize(
    ("reply", "expected", "attrs"),
    [
        (error(500, "internal_error"), ServerError, {"status": 500}),
        (Reply(503, b"<html>maintenance</html>"), ServerError, {"status": 503}),
        (error(401, "token_invalid"), NotAuthorised, {"code": "token_invalid", "status": 401}),
        (error(401, "token_missing"), NotAuthorised, {"code": "token_missing"}),
        (error(403, "kiosk_revoked"), NotAuthorised, {"code": "kiosk_revoked", "status": 403}),
        # Only Linli's own auth codes stop syncing; a proxy's or firewall's 401/403 is retried.
        (Reply(403, b"<html>forbidden by proxy</html>"), UnexpectedResponse, {"status": 403}),
        (Reply(401, b"<html>log in to the guest wifi</html>"), UnexpectedResponse,
         {"status": 401}),
        (error(403, "forbidden"), UnexpectedResponse, {"status": 403}),
        (error(413, "batch_too_large"), BatchTooLarge, {"code": "batch_too_large"}),
        (Reply(413, b"<html>nginx: too large</html>"), BatchTooLarge, {"code": "batch_too_large"}),
        (error(429, "rate_limited", **{"Retry-After": "7"}), RateLimited, {"retry_after": 7.0}),
        (error(400, "malformed_json"), RequestRejected, {"code": "malformed_json", "status": 400}),
        (error(422, "invalid_request"), RequestRejected, {"code": "invalid_request"}),
        # A pull-only code says nothing about pushed content.
        (error(422, "invalid_cursor"), UnexpectedResponse, {"status": 422}),
        # Not the server's own verdict on the content: never a reason to kill records.
        (Reply(400, b"<html>bad request from a proxy</html>"), UnexpectedResponse, {}),
        (error(404, "not_found"), UnexpectedResponse, {"status": 404}),
        (Reply(200, b"<html>captive portal</html>"), UnexpectedResponse, {"status": 200}),
        (Reply(200, {"results": [], "accepted": 0, "rejected": 0}), UnexpectedResponse, {}),
    ],
)
def test_push_maps_answers_to_typed_errors(
    client: SyncClient, server: ScriptedServer, reply: Reply, expected: type, attrs: dict
) -> None:
    server.script("push", reply)
    with pytest.raises(expected) as caught:
        client.push(ENVELOPES)
    assert type(caught.value) is expected
    for name, value in attrs.items():
        assert getattr(caught.value, name) == value


def test_not_authorised_says_what_to_do(client: SyncClient, server: ScriptedServer) -> None:
    server.script("push", error(403, "kiosk_revoked", "revoked by staff"))
    with pytest.raises(NotAuthorised, match=r"kiosk not authorised.*new token"):
        client.push(ENVELOPES)


def test_read_timeout_is_server_unavailable(server: ScriptedServer, token: str) -> None:
    slow = SyncClient(server.url, token, read_timeout=0.2)
    valid = {"results": [{"index": i, "id": None, "status": 200, "code": "accepted"}
                         for i in range(len(ENVELOPES))], "accepted": 2, "rejected": 0}
    server.script("push", Reply(200, valid, delay=2.0))
    # The answer would be a valid one: only the client's own timeout can make this fail.
    with pytest.raises(ServerUnavailable, match="timed out") as caught:
        slow.push(ENVELOPES)
    assert type(caught.value) is ServerUnavailable
    slow.close()


def test_connection_refused_is_server_unavailable(closed_port: int, token: str) -> None:
    with pytest.raises(ServerUnavailable, match="cannot connect") as caught:
        SyncClient(f"http://127.0.0.1:{closed_port}", token).push(ENVELOPES)
    assert token not in str(caught.value)


def test_pull_hands_every_change_on_unjudged(client: SyncClient, server: ScriptedServer) -> None:
    # Judging (and counting) changes it cannot read is the store's job: see
    # test_sync_engine.test_unreadable_pulled_changes_are_skipped_and_counted.
    changes = [
        {"seq": 5, "kind": "weather_report", "changed_at": "2026-11-24T08:00:00+00:00",
         "payload": {}},
        {"seq": 6, "kind": "resident_removed", "changed_at": "2026-11-24T08:00:00+00:00",
         "payload": {"resident_id": "0f5e6a52-3c2e-4f57-9d7e-0a6f8d1c2b3a"}},
    ]
    server.script("pull", Reply(200, {"changes": changes, "next_cursor": 6, "has_more": True}))
    page = client.pull(4, limit=2)
    assert page.changes == changes
    assert (page.next_cursor, page.has_more) == (6, True)
    [seen] = server.pulls()
    assert seen.query == {"cursor": ["4"], "limit": ["2"]}


def test_pull_errors(client: SyncClient, server: ScriptedServer) -> None:
    server.script("pull", error(422, "invalid_cursor"), Reply(200, {"changes": "nope"}))
    with pytest.raises(RequestRejected, match="invalid_cursor"):
        client.pull(-1)
    with pytest.raises(UnexpectedResponse):
        client.pull(0)


def test_health_needs_no_token(client: SyncClient, server: ScriptedServer) -> None:
    health = client.health()
    assert (health.status, health.wire_version) == ("ok", 1)


def test_bad_server_url_is_a_configuration_error(token: str) -> None:
    with pytest.raises(ConfigurationError, match="http://"):
        SyncClient("10.0.0.2:8000", token)


def test_retry_after_forms() -> None:
    assert parse_retry_after("12") == 12.0
    assert parse_retry_after(None) == 1.0
    assert parse_retry_after("soon") == 1.0
    assert parse_retry_after("-5") == 0.0
    assert parse_retry_after("99999999") == 3600.0
    in_30s = parse_retry_after(formatdate(time.time() + 30, usegmt=True))
    assert 25 <= in_30s <= 31
