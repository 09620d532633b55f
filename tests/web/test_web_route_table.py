"""Every web route x every role, from one table that must name every route the app has.

A route added without a line here fails the first test, so no page ships unclassified.
Then, for anonymous and each role: a route the role may not use answers sign-in (anonymous)
or 403 (a signed-in role) and stores nothing; every page a role may open answers 200 with
the security headers. Ids in paths are random: the role check comes before any lookup, so
the answer cannot depend on what exists. Relations (whose resident, which grid) are tested
per area (test_web_access.py, test_web_work_access.py, test_web_board.py, ...).
"""

from __future__ import annotations

import uuid

import pytest
from sqlalchemy import Engine

from server.web.setup import SECURITY_HEADERS
from tests.robustness.fuzzing import stored
from tests.web.conftest import csrf_of

CARE, STAFF, ADMIN, VOL = "caregiver", "staff", "admin", "volunteer"
WATCHERS = {CARE, STAFF, ADMIN}
OFFICE = {STAFF, ADMIN}
PUBLIC = {("GET", "/login"), ("POST", "/login"), ("POST", "/logout"), ("GET", "/lang/{code}"),
          ("GET", "/")}
ROUTES: dict[tuple[str, str], set[str]] = {
    ("GET", "/console"): WATCHERS,
    ("GET", "/console/events"): WATCHERS,
    ("POST", "/console/help_call/{record_id}/acknowledge"): WATCHERS,
    ("POST", "/console/help_call/{record_id}/resolve"): WATCHERS,
    ("POST", "/console/callback/{record_id}/acknowledge"): WATCHERS,
    ("POST", "/console/callback/{record_id}/done"): WATCHERS,
    ("GET", "/residents"): WATCHERS,
    ("GET", "/residents/{resident_id}"): WATCHERS,
    ("GET", "/residents/{resident_id}/escalation"): OFFICE,
    ("POST", "/residents/{resident_id}/escalation"): OFFICE,
    ("GET", "/stats"): OFFICE,
    ("GET", "/visits"): OFFICE,
    ("GET", "/visits/resident/{resident_id}"): OFFICE,
    ("POST", "/visits/resident/{resident_id}"): OFFICE,
    ("POST", "/visits/resident/{resident_id}/plan"): OFFICE,
    ("GET", "/visits/worker/{account_id}"): OFFICE,
    ("GET", "/segments"): OFFICE,
    ("POST", "/segments/outreach"): OFFICE,
    ("GET", "/points"): OFFICE,
    ("POST", "/points/rewards"): OFFICE,
    ("POST", "/points/rewards/{reward_id}"): OFFICE,
    ("POST", "/points/rewards/{reward_id}/retire"): OFFICE,
    ("POST", "/points/redemptions/{kiosk_id}/{record_id}/hand_out"): OFFICE,
    ("POST", "/points/redemptions/{kiosk_id}/{record_id}/give_back"): OFFICE,
    ("GET", "/points/residents/{resident_id}"): OFFICE,
    ("GET", "/satisfaction"): OFFICE,
    ("GET", "/reports/weekly"): OFFICE,
    ("GET", "/reports/weekly.pdf"): OFFICE,
    ("GET", "/work"): OFFICE,
    ("GET", "/work/request/{record_id}"): OFFICE,
    ("POST", "/work/request/{record_id}/assign"): OFFICE,
    ("POST", "/work/request/{record_id}/progress"): OFFICE,
    ("POST", "/work/request/{record_id}/close"): OFFICE,
    ("GET", "/work/new"): OFFICE,
    ("POST", "/work/new"): OFFICE,
    ("GET", "/volunteer"): {VOL},
    ("POST", "/volunteer/orders/{request_id}/{action}"): {VOL},
    ("GET", "/suggestions"): OFFICE,
    ("POST", "/suggestions/{kiosk_id}/{record_id}/useful"): OFFICE,
}
USERS = {None: None, "ca": CARE, "se": STAFF, "adm": ADMIN, "vol": VOL}


def web_routes() -> set[tuple[str, str]]:
    from server.web import (board, console, escalation, pages, points, reports, residents,
                            segments, stats, visits, work)

    modules = (board, console, escalation, pages, points, reports, residents, segments, stats,
               visits, work)
    return {(method, route.path) for module in modules for route in module.router.routes
            for method in route.methods}


def fill(path: str) -> str:
    return (path.replace("{action}", "claim").replace("{code}", "en")
            .replace("{resident_id}", str(uuid.uuid4())).replace("{record_id}", str(uuid.uuid4()))
            .replace("{kiosk_id}", str(uuid.uuid4())).replace("{reward_id}", str(uuid.uuid4()))
            .replace("{request_id}", str(uuid.uuid4())).replace("{account_id}", str(uuid.uuid4())))


def test_the_table_names_every_route_the_app_has() -> None:
    assert web_routes() == set(ROUTES) | PUBLIC


@pytest.mark.parametrize("username", list(USERS), ids=lambda u: u or "anonymous")
def test_each_route_refuses_the_roles_the_table_does_not_name(
    browser_for, migrated_engine: Engine, username: str | None
) -> None:
    role = USERS[username]
    client = browser_for(username)
    token = csrf_of(client.get("/", follow_redirects=True).text) if username else "x"
    before = stored(migrated_engine)
    refused = []
    for (method, path), roles in ROUTES.items():
        if role in roles:
            continue
        url = fill(path)
        if method == "GET":
            answer = client.get(url, headers={"Accept": "text/html"}, follow_redirects=False)
        else:
            answer = client.post(url, data={"csrf_token": token}, follow_redirects=False)
        if role is None:
            signed_out = (answer.status_code == 401 if path.endswith("/events") else
                          answer.status_code == 303 and answer.headers["location"].startswith("/login"))
            if not signed_out:
                refused.append((method, path, answer.status_code))
        elif answer.status_code != 403:
            refused.append((method, path, answer.status_code))
    assert refused == []
    assert stored(migrated_engine) == before


@pytest.mark.parametrize("username", [u for u in USERS if u], ids=str)
def test_every_page_a_role_may_open_answers_with_the_security_headers(
    browser_for, username: str
) -> None:
    role = USERS[username]
    client = browser_for(username)
    pages = [path for (method, path), roles in ROUTES.items()
             if method == "GET" and role in roles and "{" not in path and not path.endswith("/events")]
    assert pages, "every role has at least one page"
    for path in pages:
        answer = client.get(path, headers={"Accept": "text/html"})
        assert answer.status_code == 200, (path, answer.status_code)
        missing = {name for name, value in SECURITY_HEADERS.items() if answer.headers.get(name) != value}
        assert not missing, (path, missing)
