"""Kiosk tokens: format, authentication codes, revocation and the per-kiosk rate limit."""

from __future__ import annotations

import uuid

import pytest

from server.db import session_scope
from server.ratelimit import TokenBucketLimiter
from server.services.kiosks import (
    hash_token,
    kiosk_id_from_token,
    register_kiosk,
    revoke_kiosk,
    rotate_kiosk_token,
)
from sync.errors import InvalidTokenError
from tests.server.factories import envelope, row_counts

PUSH = "/api/v1/sync/push"
PULL = "/api/v1/sync/pull"


def test_token_names_its_kiosk(session):
    kiosk, token = register_kiosk(session, "Lobby")
    prefix, id_hex, secret = token.split(".")
    assert (prefix, id_hex) == ("lk1", kiosk.id.hex)
    assert len(secret) >= 43
    assert kiosk_id_from_token(token) == kiosk.id
    assert kiosk.token_hash == hash_token(token) and token not in kiosk.token_hash


@pytest.mark.parametrize("bad", ["", "lk1", "lk2.%s.x" % ("0" * 32), "lk1.%s." % ("0" * 32),
                                 "lk1.xyz.secret", "lk1.%s.secret" % ("g" * 32)])
def test_malformed_tokens_are_rejected_by_the_parser(bad):
    with pytest.raises(InvalidTokenError):
        kiosk_id_from_token(bad)


def _refused(response, status, code):  # type: ignore[no-untyped-def]
    assert response.status_code == status, response.text
    assert response.json()["error"]["code"] == code


def test_missing_and_malformed_authorization(server_client, registered_kiosk, migrated_engine):
    before = row_counts(migrated_engine)
    body = {"records": [envelope(registered_kiosk.id)]}
    _refused(server_client.post(PUSH, json=body), 401, "token_missing")
    _refused(server_client.post(PUSH, json=body, headers={"Authorization": "Basic abc"}), 401, "token_missing")
    _refused(server_client.post(PUSH, json=body, headers={"Authorization": "Bearer"}), 401, "token_missing")
    _refused(server_client.get(PULL), 401, "token_missing")
    assert row_counts(migrated_engine) == before


def test_wrong_token(server_client, registered_kiosk, migrated_engine):
    before = row_counts(migrated_engine)
    body = {"records": [envelope(registered_kiosk.id)]}
    forged = registered_kiosk.token[:-4] + "AAAA"  # right kiosk id, wrong secret
    for token in (forged, "lk1.%s.secret" % uuid.uuid4().hex, "garbage"):
        _refused(server_client.post(PUSH, json=body, headers={"Authorization": f"Bearer {token}"}),
                 401, "token_invalid")
    assert row_counts(migrated_engine) == before


def test_revoked_kiosk(server_client, registered_kiosk, migrated_engine):
    with session_scope(migrated_engine) as session:
        revoke_kiosk(session, registered_kiosk.id)
    before = row_counts(migrated_engine)
    response = server_client.post(PUSH, json={"records": [envelope(registered_kiosk.id)]},
                                  headers=registered_kiosk.headers)
    _refused(response, 403, "kiosk_revoked")
    _refused(server_client.get(PULL, headers=registered_kiosk.headers), 403, "kiosk_revoked")
    assert row_counts(migrated_engine) == before


def test_rotated_token_replaces_the_old_one(server_client, registered_kiosk, migrated_engine):
    with session_scope(migrated_engine) as session:
        token = rotate_kiosk_token(session, registered_kiosk.id)
    _refused(server_client.get(PULL, headers=registered_kiosk.headers), 401, "token_invalid")
    assert server_client.get(PULL, headers={"Authorization": f"Bearer {token}"}).status_code == 200


def test_rate_limit_answers_429_with_retry_after(server_app, server_client, registered_kiosk, migrated_engine):
    server_app.state.rate_limiter = TokenBucketLimiter(rate=0.5, burst=3)
    for _ in range(3):
        assert server_client.get(PULL, headers=registered_kiosk.headers).status_code == 200
    before = row_counts(migrated_engine)
    response = server_client.post(PUSH, json={"records": [envelope(registered_kiosk.id)]},
                                  headers=registered_kiosk.headers)
    _refused(response, 429, "rate_limited")
    assert response.headers["Retry-After"] == "2"
    assert row_counts(migrated_engine) == before
    # another kiosk has its own bucket
    with session_scope(migrated_engine) as session:
        _, other_token = register_kiosk(session, "Other")
    assert server_client.get(PULL, headers={"Authorization": f"Bearer {other_token}"}).status_code == 200


def test_token_bucket_refills_at_its_rate():
    now = [0.0]
    limiter = TokenBucketLimiter(rate=2.0, burst=2, clock=lambda: now[0])
    assert [limiter.acquire("k") for _ in range(3)] == [0.0, 0.0, 0.5]
    now[0] = 0.5
    assert limiter.acquire("k") == 0.0
    assert limiter.acquire("k") == pytest.approx(0.5)
    now[0] = 100.0  # refill is capped at the burst
    assert [limiter.acquire("k") for _ in range(3)] == [0.0, 0.0, 0.5]
