"""API fuzzing with schemathesis against the server's own /openapi.json.

Every operation of the kiosk API is called with generated requests, with the kiosk's valid
token and without one, on SQLite and on PostgreSQL. Whatever is sent: no 5xx, every answer
matches the documented schema (status codes, bodies, content types), and a refused request
stores nothing.
"""

from __future__ import annotations

import pytest
import schemathesis
from hypothesis import HealthCheck, given, settings
from sqlalchemy import Engine, func, select

from server.models import KioskChange, ReceivedRecord

pytestmark = pytest.mark.slow


FUZZ = settings(max_examples=40, deadline=None, database=None,
                suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much])


def _stored(engine: Engine) -> tuple[int, int]:
    with engine.connect() as conn:
        return (conn.execute(select(func.count()).select_from(ReceivedRecord)).scalar_one(),
                conn.execute(select(func.count()).select_from(KioskChange)).scalar_one())


def _fuzz(app, engine: Engine, token_headers: dict[str, str] | None) -> list[str]:  # type: ignore[no-untyped-def]
    """Runs every operation's generated cases; returns the operations tried."""
    schema = schemathesis.openapi.from_asgi("/openapi.json", app)
    tried = []
    for result in schema.get_all_operations():
        operation = result.ok()
        tried.append(operation.label)

        @FUZZ
        @given(case=operation.as_strategy())
        def run(case) -> None:  # type: ignore[no-untyped-def]
            headers = dict(case.headers or {})
            headers.pop("Authorization", None)
            if token_headers:
                headers.update(token_headers)
            before = _stored(engine)
            response = case.call(headers=headers)
            assert response.status_code < 500, (
                case.method, case.path, response.status_code, response.text[:300])
            case.validate_response(response)
            if response.status_code >= 400:
                assert _stored(engine) == before, "a refused request stored something"

        run()
    return tried


def test_every_operation_with_the_kiosk_token(server_app, registered_kiosk, migrated_engine) -> None:  # type: ignore[no-untyped-def]
    tried = _fuzz(server_app, migrated_engine, registered_kiosk.headers)
    assert {"POST /api/v1/sync/push", "GET /api/v1/sync/pull"} <= set(tried)


def test_every_operation_without_a_token(server_app, migrated_engine) -> None:  # type: ignore[no-untyped-def]
    tried = _fuzz(server_app, migrated_engine, None)
    assert "GET /api/v1/health" in tried
