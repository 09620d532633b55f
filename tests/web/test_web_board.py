"""The volunteer grocery board through the real routes, on SQLite and PostgreSQL: who may do
what, the address only while held, the kiosk told each step, points once, suggestions once."""

from __future__ import annotations

import uuid

from sqlalchemy import Engine, select

from server.db import session_scope
from server.models import (
    AuditEntry,
    GroceryClaim,
    ServiceRequest,
    VolunteerPointsEntry,
)
from server.services import accounts, points
from tests.server.factories import envelope, grocery_payload
from tests.web.conftest import PASSWORD, Community, csrf_of

ADDRESS = "幸福路 12 号 3 单元 501"  # 王秀英's, in grid East


def push(client, community: Community, kind: str, payload: dict, record_id: str | None = None) -> str:  # type: ignore[no-untyped-def]
    record = envelope(community.kiosk_id, kind, payload,
                      record_id=uuid.UUID(record_id) if record_id else None)
    answer = client.post("/api/v1/sync/push", json={"records": [record]}, headers=community.kiosk_headers)
    assert answer.status_code == 200 and answer.json()["accepted"] == 1, answer.text
    return record["id"]


def order(client, community: Community, resident: uuid.UUID | None = None) -> str:  # type: ignore[no-untyped-def]
    return push(client, community, "service_request", grocery_payload(resident or community.east_resident))


def act(client, order_id: str, action: str):  # type: ignore[no-untyped-def]
    """Press a board button the way the page does: its form, with the page's CSRF token."""
    page = client.get("/volunteer")
    return client.post(f"/volunteer/orders/{order_id}/{action}", data={"csrf_token": csrf_of(page.text)},
                       follow_redirects=False)


def notice_of(answer) -> str:  # type: ignore[no-untyped-def]
    assert answer.status_code == 303, answer.text
    return answer.headers["location"].split("notice=")[1]


def status_of(engine: Engine, order_id: str) -> str:
    with engine.connect() as connection:
        return connection.execute(select(ServiceRequest.status)
                                  .where(ServiceRequest.record_id == uuid.UUID(order_id))).scalar_one()


def kiosk_steps(client, community: Community, order_id: str) -> list[tuple[str, str | None]]:  # type: ignore[no-untyped-def]
    pull = client.get("/api/v1/sync/pull", headers=community.kiosk_headers).json()
    return [(change["payload"]["status"], change["payload"]["handled_by"]) for change in pull["changes"]
            if change["kind"] == "request_status" and change["payload"]["request_id"] == order_id]


def second_volunteer(engine: Engine) -> None:
    with session_scope(engine) as session:
        accounts.create_account(session, "vol2", PASSWORD, "volunteer", display_name="志愿者小吴")


def test_an_open_order_shows_items_and_area_but_no_address_name_phone_or_health(
    browser_for, community: Community
) -> None:
    vol = browser_for("vol")
    order_id = order(vol, community)
    page = vol.get("/volunteer").text
    assert f'id="open-{order_id}"' in page
    assert "鸡蛋" in page and "East" in page and "不要太大的" in page
    for secret in ("幸福路", "王秀英", "13800000001", "Linli-Band", "心率"):
        assert secret not in page


def test_a_volunteer_claims_sees_the_address_delivers_and_the_address_is_gone(
    browser_for, community: Community, migrated_engine: Engine
) -> None:
    vol = browser_for("vol")
    order_id = order(vol, community)
    assert notice_of(act(vol, order_id, "claim")) == "claimed"
    page = vol.get("/volunteer").text
    assert f'id="held-{order_id}"' in page and ADDRESS in page and "王秀英" in page
    assert "13800000001" not in page  # contact goes through the system, never a private number
    assert f'id="open-{order_id}"' not in page
    assert notice_of(act(vol, order_id, "bought")) == "bought"
    assert ADDRESS in vol.get("/volunteer").text
    assert notice_of(act(vol, order_id, "delivered")) == "delivered"
    assert ADDRESS not in vol.get("/volunteer").text and status_of(migrated_engine, order_id) == "delivered"
    # Every step reached the kiosk with the volunteer's name; each address showing was audited.
    assert kiosk_steps(vol, community, order_id) == [
        ("received", None), ("claimed", "志愿者小周"), ("bought", "志愿者小周"), ("delivered", "志愿者小周")]
    with session_scope(migrated_engine) as session:
        actions = list(session.scalars(select(AuditEntry.action).where(
            AuditEntry.actor == "account:vol", AuditEntry.target == f"request:{order_id}")))
    for expected in ("grocery.claimed", "grocery.address_view", "grocery.bought", "grocery.delivered",
                     "request.status"):
        assert expected in actions
    # Four page loads while held (two to read, two behind the bought and delivered buttons).
    assert actions.count("grocery.address_view") == 4


def test_another_volunteer_can_neither_see_nor_touch_a_held_order(
    browser_for, community: Community, migrated_engine: Engine
) -> None:
    second_volunteer(migrated_engine)
    vol, vol2 = browser_for("vol"), browser_for("vol2")
    order_id = order(vol, community)
    assert notice_of(act(vol, order_id, "claim")) == "claimed"
    page = vol2.get("/volunteer").text
    assert order_id not in page and ADDRESS not in page and "王秀英" not in page
    assert notice_of(act(vol2, order_id, "claim")) == "not_open"
    for action in ("bought", "delivered", "release"):
        assert notice_of(act(vol2, order_id, action)) == "not_held"
    assert status_of(migrated_engine, order_id) == "claimed"
    with session_scope(migrated_engine) as session:
        holder = session.scalar(select(GroceryClaim.account_id))
        assert holder == accounts.find_account(session, "vol").id
        refused = list(session.scalars(select(AuditEntry.action).where(AuditEntry.actor == "account:vol2")))
    assert refused.count("grocery.refused") == 4


def test_the_claim_limit_holds_and_a_released_order_is_open_again(
    browser_for, community: Community, migrated_engine: Engine, server_app
) -> None:
    limit = server_app.state.settings.grocery_claim_limit
    assert limit == 2
    second_volunteer(migrated_engine)
    vol, vol2 = browser_for("vol"), browser_for("vol2")
    orders = [order(vol, community) for _ in range(limit + 1)]
    for order_id in orders[:limit]:
        assert notice_of(act(vol, order_id, "claim")) == "claimed"
    assert notice_of(act(vol, orders[limit], "claim")) == "limit"
    assert status_of(migrated_engine, orders[limit]) == "received"
    # Delivered orders no longer count against the limit; released ones go back to everyone.
    assert notice_of(act(vol, orders[0], "delivered")) == "delivered"
    assert notice_of(act(vol, orders[1], "release")) == "released"
    assert status_of(migrated_engine, orders[1]) == "received"
    assert notice_of(act(vol, orders[1], "bought")) == "not_held"  # released: no more steps
    assert ADDRESS not in vol.get("/volunteer").text
    assert f'id="open-{orders[1]}"' in vol2.get("/volunteer").text
    assert kiosk_steps(vol, community, orders[1]) == [
        ("received", None), ("claimed", "志愿者小周"), ("received", None)]
    assert notice_of(act(vol2, orders[1], "claim")) == "claimed"
    assert kiosk_steps(vol, community, orders[1])[-1] == ("claimed", "志愿者小吴")
    # A delivered order cannot be released or delivered twice.
    assert notice_of(act(vol, orders[0], "release")) == "not_held"
    assert notice_of(act(vol, orders[0], "delivered")) == "not_held"


def test_only_volunteers_use_the_board_and_every_button_needs_csrf(
    browser_for, community: Community, migrated_engine: Engine
) -> None:
    vol = browser_for("vol")
    order_id = order(vol, community)
    for username in ("ca", "se", "adm"):
        other = browser_for(username)
        assert other.get("/volunteer").status_code == 403
        console = other.get("/console").text
        refused = other.post(f"/volunteer/orders/{order_id}/claim", data={"csrf_token": csrf_of(console)})
        assert refused.status_code == 403
    assert vol.post(f"/volunteer/orders/{order_id}/claim", data={}).status_code == 403
    assert vol.post(f"/volunteer/orders/{order_id}/claim", data={"csrf_token": "forged"}).status_code == 403
    anonymous = browser_for(None)
    assert anonymous.get("/volunteer", follow_redirects=False,
                         headers={"Accept": "text/html"}).status_code == 303
    assert status_of(migrated_engine, order_id) == "received"


def test_points_are_credited_once_when_the_resident_rates_the_delivery(
    browser_for, community: Community, migrated_engine: Engine
) -> None:
    vol = browser_for("vol")
    order_id = order(vol, community)
    rating = {"resident_id": str(community.east_resident), "request_id": order_id, "stars": 5}
    act(vol, order_id, "claim")
    push(vol, community, "feedback", rating)  # rated before delivery: nothing to pay yet
    act(vol, order_id, "delivered")
    assert "10" not in vol.get("/volunteer").text.split('id="my-points"')[1].split("</h2>")[0]
    rating_id = push(vol, community, "feedback", rating)
    push(vol, community, "feedback", rating, record_id=rating_id)  # the kiosk replays it
    push(vol, community, "feedback", {**rating, "stars": 4})  # and rates it again
    with session_scope(migrated_engine) as session:
        entries = list(session.scalars(select(VolunteerPointsEntry)))
        vol_id = accounts.find_account(session, "vol").id
        credited = session.scalars(select(AuditEntry.action).where(
            AuditEntry.action == "volunteer_points.credited")).all()
    assert [(entry.account_id, entry.delta) for entry in entries] == [(vol_id, 10)]
    assert len(credited) == 1
    assert status_of(migrated_engine, order_id) == "done"
    assert kiosk_steps(vol, community, order_id)[-1] == ("done", "志愿者小周")
    points = vol.get("/volunteer").text.split('id="my-points"')[1]
    assert "10" in points.split("</h2>")[0] and "+10" in points


def test_a_rating_for_another_resident_pays_nothing(
    browser_for, community: Community, migrated_engine: Engine
) -> None:
    vol = browser_for("vol")
    order_id = order(vol, community)
    act(vol, order_id, "claim")
    act(vol, order_id, "delivered")
    push(vol, community, "feedback", {"resident_id": str(community.west_resident),
                                      "request_id": order_id, "stars": 5})
    with session_scope(migrated_engine) as session:
        assert session.scalars(select(VolunteerPointsEntry)).all() == []
    assert status_of(migrated_engine, order_id) == "delivered"


def audit_count(engine: Engine, action: str) -> int:
    with session_scope(engine) as session:
        return len(session.scalars(select(AuditEntry.id).where(AuditEntry.action == action)).all())


def _balance(engine: Engine, resident: uuid.UUID) -> int:
    with session_scope(engine) as session:
        return points.balance_of(session, resident)


def test_a_useful_suggestion_gives_its_resident_points_once(
    browser_for, community: Community, migrated_engine: Engine
) -> None:
    se = browser_for("se")
    east = push(se, community, "volunteer_suggestion",
                {"resident_id": str(community.east_resident), "text": "希望周末也能代买菜"})
    west = push(se, community, "volunteer_suggestion",
                {"resident_id": str(community.west_resident), "text": "West idea"})
    page = se.get("/suggestions").text
    assert "希望周末也能代买菜" in page and "West idea" not in page  # staff see their grid only
    mark = f"/suggestions/{community.kiosk_id}/{east}/useful"
    assert se.post(mark, data={"csrf_token": csrf_of(page)}, follow_redirects=False).status_code == 303
    assert se.post(mark, data={"csrf_token": csrf_of(page)}, follow_redirects=False).status_code == 303
    assert _balance(migrated_engine, community.east_resident) == 5
    assert audit_count(migrated_engine, "suggestion.useful") == 1
    assert 'class="ok useful"' in se.get("/suggestions").text
    pull = se.get("/api/v1/sync/pull", headers=community.kiosk_headers).json()
    entries = [change["payload"] for change in pull["changes"] if change["kind"] == "points_entry"]
    assert [(entry["resident_id"], entry["delta"], entry["balance_after"]) for entry in entries] == [
        (str(community.east_resident), 5, 5)]
    # Outside the staff's grid: refused, nothing credited; an admin may.
    west_mark = f"/suggestions/{community.kiosk_id}/{west}/useful"
    assert se.post(west_mark, data={"csrf_token": csrf_of(page)}).status_code == 403
    assert _balance(migrated_engine, community.west_resident) == 0
    adm = browser_for("adm")
    admin_page = adm.get("/suggestions").text
    assert "West idea" in admin_page
    adm.post(west_mark, data={"csrf_token": csrf_of(admin_page)})
    assert _balance(migrated_engine, community.west_resident) == 5
    for username in ("vol", "ca"):
        other = browser_for(username)
        assert other.get("/suggestions").status_code == 403
        home = other.get("/volunteer" if username == "vol" else "/console").text
        assert other.post(mark, data={"csrf_token": csrf_of(home)}).status_code == 403
    assert _balance(migrated_engine, community.east_resident) == 5
