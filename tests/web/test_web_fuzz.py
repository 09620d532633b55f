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
from sqlalchemy import Engine

from tests.robustness.fuzzing import every_operation, stored
from tests.web.conftest import csrf_of

pytestmark = pytest.mark.slow

# Streams never end, signing out or in changes the session under test: left out.
SKIP = {"/console/events", "/logout", "/login"}


def web_schema(app) -> dict:  # type: ignore[no-untyped-def]
    from server.web import (board, console, escalation, pages, points, reports, residents,
                            segments, stats, visits, work)

    routes = [route for module in (board, console, escalation, pages, points, reports, residents,
                                   segments, stats, visits, work)
              for route in module.router.routes if route.path not in SKIP]
    return get_openapi(title="Linli web pages", version="1", routes=routes)


@pytest.mark.parametrize("username", [None, "vol", "ca", "se", "adm"], ids=lambda u: u or "anonymous")
def test_no_web_route_fails_or_stores_on_refusal(
    browser_for, server_app, migrated_engine: Engine, username: str | None
) -> None:
    client = browser_for(username)
    token = csrf_of(client.get("/", follow_redirects=True).text) if username else "x"
    cookie = "; ".join(f"{name}={value}" for name, value in client.cookies.items())
    schema = schemathesis.openapi.from_dict(web_schema(server_app))
    schema.app = server_app

    def check(case) -> None:  # type: ignore[no-untyped-def]
        if case.method == "POST":
            body = case.body if isinstance(case.body, dict) else {}
            case.body = {**body, "csrf_token": token}
            case.media_type = "application/x-www-form-urlencoded"
        before = stored(migrated_engine)
        answer = case.call(headers={"Cookie": cookie, "Accept": "text/html"} if cookie
                           else {"Accept": "text/html"}, allow_redirects=False)
        assert answer.status_code < 500, (case.method, case.formatted_path, answer.status_code)
        if answer.status_code >= 400 or "/login" in answer.headers.get("location", ""):
            assert stored(migrated_engine) == before, (case.method, case.formatted_path)

    tried = every_operation(schema, check, examples=8)
    assert len(tried) >= 35
