"""Fuzzing the web routes (caregiver, volunteer, staff, admin) with schemathesis.

The kiosk API is fuzzed against the public /openapi.json (tests/robustness/test_api_fuzz.py).
The web pages are left out of that document on purpose (they are HTML forms, not an API
for others to build on), so their own OpenAPI description is made here from the same
routes with FastAPI's generator, and schemathesis generates requests from it: signed out
and signed in as each role, with the session's real CSRF token put into every form so
requests get past the token check to the route itself. Whatever is sent: no 5xx, and a
refused request (4xx, or a redirect to sign-in) stores nothing.
"""

from __future__ import annotations

import pytest
import schemathesis
from fastapi.openapi.utils import get_openapi
from hypothesis import HealthCheck, given, settings
from sqlalchemy import Engine

from tests.server.factories import row_counts
from tests.web.conftest import csrf_of
from tests.web.test_web_route_table import BOOKKEEPING

pytestmark = pytest.mark.slow

# Streams never end, signing out or in changes the session under test: left out.
SKIP = {"/console/events", "/logout", "/login"}
FUZZ = settings(max_examples=8, deadline=None, database=None,
                suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much])


def web_schema(app) -> dict:  # type: ignore[no-untyped-def]
    from server.web import (board, console, escalation, pages, points, reports, residents,
                            segments, stats, visits, work)

    routes = [route for module in (board, console, escalation, pages, points, reports, residents,
                                   segments, stats, visits, work)
              for route in module.router.routes if route.path not in SKIP]
    return get_openapi(title="Linli web pages", version="1", routes=routes)


def _stored(engine: Engine) -> dict[str, int]:
    return {table: n for table, n in row_counts(engine).items() if table not in BOOKKEEPING}


@pytest.mark.parametrize("username", [None, "vol", "ca", "se", "adm"], ids=lambda u: u or "anonymous")
def test_no_web_route_fails_or_stores_on_refusal(
    browser_for, server_app, migrated_engine: Engine, username: str | None
) -> None:
    client = browser_for(username)
    token = csrf_of(client.get("/", follow_redirects=True).text) if username else "x"
    cookie = "; ".join(f"{name}={value}" for name, value in client.cookies.items())
    schema = schemathesis.openapi.from_dict(web_schema(server_app))
    schema.app = server_app
    tried = []
    for result in schema.get_all_operations():
        operation = result.ok()
        tried.append(operation.label)

        @FUZZ
        @given(case=operation.as_strategy())
        def run(case) -> None:  # type: ignore[no-untyped-def]
            if case.method == "POST":
                body = case.body if isinstance(case.body, dict) else {}
                case.body = {**body, "csrf_token": token}
                case.media_type = "application/x-www-form-urlencoded"
            before = _stored(migrated_engine)
            answer = case.call(headers={"Cookie": cookie, "Accept": "text/html"} if cookie
                               else {"Accept": "text/html"}, allow_redirects=False)
            assert answer.status_code < 500, (case.method, case.formatted_path, answer.status_code)
            if answer.status_code >= 400 or "/login" in answer.headers.get("location", ""):
                assert _stored(migrated_engine) == before, (case.method, case.formatted_path)

        run()
    assert len(tried) >= 35
