"""Every route of the service workflow x every role: anonymous -> sign-in, volunteer and
caregiver -> 403, staff -> their own grid only, admin -> everything (SQLite and PostgreSQL)."""

from __future__ import annotations

import uuid

import pytest
from sqlalchemy import Engine

from tests.web.conftest import Community, csrf_of
from tests.web.work_helpers import account_id, add_staff, push_request, repair, status_of

SIGN_IN = "sign-in"  # 303 to /login?next=...
OK, MOVED, FORBIDDEN = 200, 303, 403

# Per role: the answer to each route on a request of grid East and one of grid West.
# POSTs go in this order on each request: assign, progress, close.
EXPECTED = {
    None: dict.fromkeys(("queue", "new_form", "new_post", "east_page", "east_assign", "east_progress",
                         "east_close", "west_page", "west_assign", "west_progress", "west_close"),
                        SIGN_IN),
    "vol": dict.fromkeys(("queue", "new_form", "new_post", "east_page", "east_assign", "east_progress",
                          "east_close", "west_page", "west_assign", "west_progress", "west_close"),
                         FORBIDDEN),
    "ca": dict.fromkeys(("queue", "new_form", "new_post", "east_page", "east_assign", "east_progress",
                         "east_close", "west_page", "west_assign", "west_progress", "west_close"),
                        FORBIDDEN),
    "se": {"queue": OK, "new_form": OK, "new_post": MOVED,
           "east_page": OK, "east_assign": MOVED, "east_progress": MOVED, "east_close": MOVED,
           "west_page": FORBIDDEN, "west_assign": FORBIDDEN, "west_progress": FORBIDDEN,
           "west_close": FORBIDDEN},
    "adm": {"queue": OK, "new_form": OK, "new_post": MOVED,
            "east_page": OK, "east_assign": MOVED, "east_progress": MOVED, "east_close": MOVED,
            "west_page": OK, "west_assign": MOVED, "west_progress": MOVED, "west_close": MOVED},
}


def _outcome(answer) -> object:  # type: ignore[no-untyped-def]
    if answer.status_code == 303 and answer.headers["location"].startswith("/login?next="):
        return SIGN_IN
    return answer.status_code


@pytest.mark.parametrize("username", list(EXPECTED), ids=lambda u: u or "anonymous")
def test_each_route_answers_each_role_as_the_table_says(
    browser_for, community: Community, migrated_engine: Engine, username: str | None
) -> None:
    add_staff(migrated_engine)
    client = browser_for(username)
    east = push_request(client, community, repair(community.east_resident))
    west = push_request(client, community, repair(community.west_resident))
    workers = {"east": account_id(migrated_engine, "se2"), "west": account_id(migrated_engine, "sw")}
    # Anyone signed in has a CSRF token on their home page; anonymous sends a made-up one.
    home = client.get("/", follow_redirects=True) if username else None
    token = csrf_of(home.text) if home is not None else "x"
    html = {"Accept": "text/html"}

    got: dict[str, object] = {}
    got["queue"] = _outcome(client.get("/work", headers=html, follow_redirects=False))
    got["new_form"] = _outcome(client.get("/work/new?type=repair", headers=html, follow_redirects=False))
    got["new_post"] = _outcome(client.post("/work/new", follow_redirects=False, data={
        "csrf_token": token, "type": "mediation", "with_whom": "family", "channel": "walk_in",
        "resident": str(community.east_resident)}))
    for grid, record in (("east", east), ("west", west)):
        got[f"{grid}_page"] = _outcome(client.get(f"/work/request/{record}", headers=html,
                                                  follow_redirects=False))
        for action, data in (("assign", {"worker_id": str(workers[grid])}),
                             ("progress", {"note": "在办"}),
                             ("close", {"outcome": "done", "note": "办好了"})):
            got[f"{grid}_{action}"] = _outcome(client.post(
                f"/work/request/{record}/{action}", data={"csrf_token": token, **data},
                follow_redirects=False))
    assert got == EXPECTED[username]

    # What was refused changed nothing; what was allowed went all the way.
    for grid, record in (("east", east), ("west", west)):
        done = EXPECTED[username][f"{grid}_close"] == MOVED
        assert status_of(migrated_engine, record)[0] == ("done" if done else "received"), grid


def test_an_unknown_request_id_is_refused_like_someone_elses(browser_for, community: Community) -> None:
    se = browser_for("se")
    token = csrf_of(se.get("/work").text)
    for path in (f"/work/request/{uuid.uuid4()}", "/work/request/not-a-uuid"):
        assert se.get(path).status_code in (403, 422)
    refused = se.post(f"/work/request/{uuid.uuid4()}/progress", data={"csrf_token": token, "note": "x"})
    assert refused.status_code == 403
