"""The staff's one window (一窗受理) through the real routes, on SQLite and PostgreSQL:
scope per grid, the assignment rules, the status flow into the kiosk's feed, overdue order,
requests entered for a resident, and forged CSRF."""

from __future__ import annotations

import uuid
from datetime import timedelta

import pytest
from sqlalchemy import Engine, select

from server.db import session_scope
from server.models import AuditEntry, RequestHandling, utcnow
from server.services import workflow
from server.services.due_times import overdue_requests
from tests.server.factories import row_counts
from tests.web.conftest import Community, csrf_of
from tests.web.work_helpers import (
    account_id,
    add_staff,
    details,
    push_grocery,
    push_request,
    received_at,
    repair,
    status_of,
)


@pytest.fixture
def staffed(community: Community, migrated_engine: Engine) -> Community:
    add_staff(migrated_engine)
    return community


def feed(client, community: Community, kind: str) -> list[dict]:  # type: ignore[no-untyped-def]
    pull = client.get("/api/v1/sync/pull", params={"limit": 1000}, headers=community.kiosk_headers).json()
    return [change["payload"] for change in pull["changes"] if change["kind"] == kind]


def test_staff_see_and_handle_only_their_grids_requests(browser_for, staffed: Community, migrated_engine: Engine) -> None:
    se = browser_for("se")
    east = push_request(se, staffed, repair(staffed.east_resident))
    west = push_request(se, staffed, repair(staffed.west_resident, "door"))
    grocery = push_grocery(se, staffed, staffed.east_resident)

    page = se.get("/work")
    assert page.status_code == 200
    assert f"request-{east}" in page.text
    assert f"request-{west}" not in page.text and "李建国" not in page.text
    assert f"request-{grocery}" not in page.text  # the volunteers' board has groceries
    groceries = se.get("/work", params={"type": "grocery"}).text
    assert f"request-{grocery}" in groceries
    grocery_page = se.get(f"/work/request/{grocery}").text
    assert "/assign" not in grocery_page and "鸡蛋" in grocery_page  # read-only

    assert se.get(f"/work/request/{west}").status_code == 403
    assert se.get(f"/work/request/{uuid.uuid4()}").status_code == 403  # same answer: no hint
    token = csrf_of(page.text)
    sw_id = account_id(migrated_engine, "sw")
    for action, data in (("assign", {"worker_id": str(sw_id)}), ("progress", {"note": "x"}),
                         ("close", {"outcome": "cancelled", "note": "x"})):
        refused = se.post(f"/work/request/{west}/{action}", data={"csrf_token": token, **data})
        assert refused.status_code == 403 and "李建国" not in refused.text
    assert status_of(migrated_engine, west) == ("received", None, None)

    # A grid filter naming someone else's grid shows nothing of it.
    sw = browser_for("sw")
    assert f"request-{west}" in sw.get("/work").text and f"request-{east}" not in sw.get("/work").text

    admin = browser_for("adm")
    everything = admin.get("/work").text
    assert f"request-{east}" in everything and f"request-{west}" in everything
    with session_scope(migrated_engine) as session:
        west_grid = workflow.get_item(session, _account(session, "adm"), west).grid_id
    only_west = admin.get("/work", params={"grid": str(west_grid)}).text
    assert f"request-{west}" in only_west and f"request-{east}" not in only_west
    assert f"request-{west}" not in se.get("/work", params={"grid": str(west_grid)}).text


def _account(session, username: str):  # type: ignore[no-untyped-def]
    from server.services.accounts import find_account

    return find_account(session, username)


def test_assignment_progress_and_close_follow_the_rules(browser_for, staffed: Community, migrated_engine: Engine) -> None:
    se = browser_for("se")
    east = push_request(se, staffed, repair(staffed.east_resident))
    token = csrf_of(se.get("/work").text)

    def post(action: str, **data: str):  # type: ignore[no-untyped-def]
        return se.post(f"/work/request/{east}/{action}", data={"csrf_token": token, **data},
                       follow_redirects=False)

    # Nobody assigned yet: no progress, no "done".
    assert post("progress", note="在办").status_code == 409
    assert post("close", outcome="done", note="好了").status_code == 409
    # Only staff of the resident's grid: not West's worker, not the admin, not a volunteer.
    for username in ("sw", "adm", "vol", "ca"):
        refused = post("assign", worker_id=str(account_id(migrated_engine, username)))
        assert refused.status_code == 409, username
        assert "只能指派给老人所在网格的工作人员" in refused.text
    assert post("assign", worker_id="not-a-uuid").status_code == 409
    assert status_of(migrated_engine, east) == ("received", None, None)

    assert post("assign", worker_id=str(account_id(migrated_engine, "se2"))).status_code == 303
    assert status_of(migrated_engine, east) == ("assigned", "网格员小李", None)
    assert post("progress", note="").status_code == 409  # a note is needed
    assert post("progress", note="师傅明天上午来").status_code == 303
    assert status_of(migrated_engine, east) == ("in_progress", "网格员小李", "师傅明天上午来")
    # Reassigned while in progress: still in progress, the kiosk hears the new name.
    assert post("assign", worker_id=str(account_id(migrated_engine, "se"))).status_code == 303
    assert status_of(migrated_engine, east)[:2] == ("in_progress", "网格员小陈")
    assert post("close", outcome="maybe", note="x").status_code == 409
    assert post("close", outcome="done", note="换了新水管").status_code == 303
    assert status_of(migrated_engine, east) == ("done", "网格员小陈", "换了新水管")
    assert post("progress", note="again").status_code == 409  # closed stays closed

    with migrated_engine.connect() as connection:
        handling = connection.execute(select(RequestHandling)).one()
        actions = list(connection.execute(select(AuditEntry.action).where(
            AuditEntry.target == f"request:{east}").order_by(AuditEntry.id)).scalars())
    assert handling.assigned_account_id == account_id(migrated_engine, "se")
    assert (handling.outcome, handling.outcome_note, handling.channel) == ("done", "换了新水管", "kiosk")
    assert actions == ["request.assigned", "request.status", "request.status",
                       "request.assigned", "request.status", "request.closed", "request.status"]
    page = se.get(f"/work/request/{east}").text
    assert "换了新水管" in page and 'id="actions"' not in page and "网格员小李" in page  # history

    statuses = [(c["status"], c["handled_by"], c["note"]) for c in feed(se, staffed, "request_status")
                if c["request_id"] == str(east)]
    assert statuses == [("received", None, None), ("assigned", "网格员小李", None),
                        ("in_progress", "网格员小李", "师傅明天上午来"),
                        ("in_progress", "网格员小陈", "师傅明天上午来"),
                        ("done", "网格员小陈", "换了新水管")]

    # Cancelling needs no assignee, only a reason; groceries cannot be moved here at all.
    other = push_request(se, staffed, repair(staffed.east_resident, "gas"))
    se.post(f"/work/request/{other}/close", data={"csrf_token": token, "outcome": "cancelled",
                                                  "note": "老人说不用了"})
    assert status_of(migrated_engine, other) == ("cancelled", None, "老人说不用了")
    grocery = push_grocery(se, staffed, staffed.east_resident)
    refused = se.post(f"/work/request/{grocery}/assign",
                      data={"csrf_token": token, "worker_id": str(account_id(migrated_engine, "se"))})
    assert refused.status_code == 409 and status_of(migrated_engine, grocery)[0] == "received"


def test_overdue_requests_come_first_and_say_so(browser_for, staffed: Community, migrated_engine: Engine) -> None:
    se = browser_for("se")
    now = utcnow()
    # Due: repair 48 h, clinic 24 h, mediation 120 h, certificate 72 h (assets/workflow/due_times.yaml).
    fresh = push_request(se, staffed, repair(staffed.east_resident))
    clinic = push_request(se, staffed, details(staffed.east_resident, type="clinic_booking", department="eye"))
    mediation = push_request(se, staffed, details(staffed.east_resident, type="mediation", with_whom="neighbour"))
    certificate = push_request(se, staffed, details(staffed.east_resident, type="certificate", certificate="income"))
    received_at(migrated_engine, fresh, now - timedelta(hours=1))  # due in 47 h
    received_at(migrated_engine, clinic, now - timedelta(hours=30))  # 6 h overdue
    received_at(migrated_engine, mediation, now - timedelta(hours=100))  # due in 20 h
    received_at(migrated_engine, certificate, now - timedelta(hours=90))  # 18 h overdue

    with session_scope(migrated_engine) as session:
        account = _account(session, "se")
        ordered = [item.record_id for item in workflow.queue(session, account, now=now).items]
        assert ordered == [certificate, clinic, mediation, fresh]
        # The clock moved on a day: the mediation request is late too, and still behind the others.
        later = workflow.queue(session, account, now=now + timedelta(hours=21))
        assert [i.record_id for i in later.items][:3] == [certificate, clinic, mediation]
        assert later.overdue == 3
        # due_times.overdue_requests agrees.
        assert [r.record_id for r, _ in overdue_requests(session, now=now)] == [certificate, clinic]

    page = se.get("/work").text
    positions = [page.index(f'id="request-{rid}"') for rid in (certificate, clinic, mediation, fresh)]
    assert positions == sorted(positions)
    assert page.count('class="overdue-mark"') == 2 and "已超时" in page
    assert "共 4 件，其中 2 件已超时" in page
    assert "已超时" in se.get(f"/work/request/{clinic}").text
    assert "已超时" not in se.get(f"/work/request/{fresh}").text


def test_a_request_entered_for_a_resident_is_stored_like_a_kiosk_request(
    browser_for, staffed: Community, migrated_engine: Engine
) -> None:
    se = browser_for("se")
    form = se.get("/work/new", params={"type": "repair"})
    assert form.status_code == 200 and "王秀英" in form.text and "李建国" not in form.text
    token = csrf_of(form.text)
    answer = se.post("/work/new", data={"csrf_token": token, "type": "repair", "channel": "phone",
                                        "resident": str(staffed.east_resident), "what": "heating",
                                        "description": "暖气不热"}, follow_redirects=False)
    assert answer.status_code == 303, answer.text
    record_id = uuid.UUID(answer.headers["location"].rsplit("/", 1)[1])
    assert status_of(migrated_engine, record_id) == ("received", None, None)

    created = [c for c in feed(se, staffed, "request_created") if c["request_id"] == str(record_id)]
    assert len(created) == 1
    assert created[0]["resident_id"] == str(staffed.east_resident)
    assert created[0]["details"] == {"type": "repair", "what": "heating", "description": "暖气不热"}
    assert (created[0]["channel"], created[0]["entered_by"]) == ("phone", "网格员小陈")
    page = se.get(f"/work/request/{record_id}").text
    assert "电话" in page and "暖气不热" in page
    se_id = account_id(migrated_engine, "se")
    with session_scope(migrated_engine) as session:
        # Due times count from its entry like any request's receipt.
        late = overdue_requests(session, now=utcnow() + timedelta(hours=49))
        assert record_id in [r.record_id for r, _ in late]
        handling = session.get(RequestHandling, (staffed.kiosk_id, record_id))
        assert handling.channel == "phone"
        assert handling.entered_by_account_id == se_id

    # West's resident, a bad choice, a missing resident, a grocery order, a kiosk "channel":
    # each refused with nothing stored.
    before = row_counts(migrated_engine)
    for data in ({"type": "repair", "what": "water", "resident": str(staffed.west_resident)},
                 {"type": "repair", "what": "spaceship", "resident": str(staffed.east_resident)},
                 {"type": "repair", "what": "water"},
                 {"type": "grocery", "resident": str(staffed.east_resident)},
                 {"type": "repair", "what": "water", "resident": str(staffed.east_resident), "channel": "kiosk"},
                 {"type": "activity_booking", "activity_id": str(uuid.uuid4()),
                  "resident": str(staffed.east_resident)}):
        refused = se.post("/work/new", data={"csrf_token": token, "channel": "walk_in", **data})
        assert refused.status_code == 422, data
        assert 'id="invalid"' in refused.text
    assert row_counts(migrated_engine) == before


def test_every_form_refuses_a_forged_csrf_token_and_stores_nothing(
    browser_for, staffed: Community, migrated_engine: Engine
) -> None:
    se = browser_for("se")
    east = push_request(se, staffed, repair(staffed.east_resident))
    before = row_counts(migrated_engine)
    posts = [(f"/work/request/{east}/assign", {"worker_id": str(account_id(migrated_engine, "se"))}),
             (f"/work/request/{east}/progress", {"note": "x"}),
             (f"/work/request/{east}/close", {"outcome": "cancelled", "note": "x"}),
             ("/work/new", {"type": "repair", "what": "water", "channel": "phone",
                            "resident": str(staffed.east_resident)})]
    for path, data in posts:
        for token in ({}, {"csrf_token": "forged"}, {"csrf_token": ""}):
            refused = se.post(path, data={**data, **token})
            assert refused.status_code == 403, (path, token)
    assert row_counts(migrated_engine) == before
    assert status_of(migrated_engine, east) == ("received", None, None)


def test_every_work_string_is_in_each_catalogue() -> None:
    """Keys the work pages build from values (type, status, choices) exist in zh, en and ko."""
    from server.web.i18n import LANGUAGES, catalogue
    from server.web.work import STATUS_CHOICES, TYPE_CHOICES
    from server.web.work_forms import FIELDS
    from sync.records import RequestChannel

    used = {f"work.type.{t}" for t in TYPE_CHOICES} | {f"work.status.{s}" for s in STATUS_CHOICES}
    used |= {f"work.channel.{c.value}" for c in RequestChannel}
    for fields in FIELDS.values():
        for field in fields:
            used.add(f"work.field.{field.name}")
            used |= {f"work.choice.{field.name}.{value}" for value in field.choices}
    used |= {f"work.refused.{code}" for code in ("grocery", "closed", "not_in_grid", "not_assigned",
                                                 "note_needed", "outcome", "channel")}
    used |= {f"work.action.request.{a}" for a in ("status", "assigned", "closed", "entered")}
    for lang in LANGUAGES:
        keys = {key.removeprefix("web.") for key in catalogue(lang)}
        assert not used - keys, (lang, used - keys)
