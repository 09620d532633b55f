"""API fuzzing with schemathesis against the server's own /openapi.json.

Every operation of the kiosk API is called with generated requests, with the kiosk's valid
token and without one, on SQLite and on PostgreSQL. Whatever is sent: no 5xx, every answer
matches the documented schema (status codes, bodies, content types), and a refused request
stores nothing.
"""

from __future__ import annotations

import pytest
import schemathesis
from sqlalchemy import Engine

from tests.robustness.fuzzing import every_operation, stored

pytestmark = pytest.mark.slow


def _fuzz(app, engine: Engine, token_headers: dict[str, str] | None) -> list[str]:  # type: ignore[no-untyped-def]
    def check(case) -> None:  # type: ignore[no-untyped-def]
        headers = dict(case.headers or {})
        headers.pop("Authorization", None)
        if token_headers:
            headers.update(token_headers)
        before = stored(engine)
        response = case.call(headers=headers)
        assert response.status_code < 500, (
            case.method, case.path, response.status_code, response.text[:300])
        case.validate_response(response)
        if response.status_code >= 400:
            assert stored(engine) == before, "a refused request stored something"

    return every_operation(schemathesis.openapi.from_asgi("/openapi.json", app), check, examples=40)


def test_every_operation_with_the_kiosk_token(server_app, registered_kiosk, migrated_engine) -> None:  # type: ignore[no-untyped-def]
    tried = _fuzz(server_app, migrated_engine, registered_kiosk.headers)
    assert {"POST /api/v1/sync/push", "GET /api/v1/sync/pull"} <= set(tried)


def test_every_operation_without_a_token(server_app, migrated_engine) -> None:  # type: ignore[no-untyped-def]
    tried = _fuzz(server_app, migrated_engine, None)
    assert "GET /api/v1/health" in tried
