"""Points on the web: the rewards catalogue (to kiosks), redemptions handed out or returned,
balances that are the ledger's sum, and who may do what."""

from __future__ import annotations

import threading
import uuid

from sqlalchemy import Engine, func, select

from server.db import session_scope
from server.errors import InvalidStateError
from server.models import AuditEntry, PointsLedgerEntry, PointsRedemption, Reward
from server.services import points
from tests.server.factories import envelope
from tests.web.conftest import csrf_of


def _pull(client, community) -> list[dict]:  # type: ignore[no-untyped-def]
    answer = client.get("/api/v1/sync/pull", headers=community.kiosk_headers, params={"limit": 1000})
    assert answer.status_code == 200, answer.text
    return answer.json()["changes"]


def _credit(engine: Engine, resident: uuid.UUID, amount: int) -> None:
    with session_scope(engine) as session:
        points.credit_points(session, resident, amount, "volunteering", actor="test")


def _redeem(client, community, resident: uuid.UUID, cost: int, name: str = "一袋大米") -> uuid.UUID:  # type: ignore[no-untyped-def]
    record = envelope(community.kiosk_id, "points_redemption", {
        "resident_id": str(resident), "catalogue_item_id": "rice",
        "catalogue_item_name": name, "points": cost})
    answer = client.post("/api/v1/sync/push", json={"records": [record]}, headers=community.kiosk_headers)
    assert answer.json()["accepted"] == 1, answer.text
    return uuid.UUID(record["id"])


def _ledger_sum(engine: Engine, resident: uuid.UUID) -> int:
    with engine.connect() as connection:
        return connection.execute(select(func.coalesce(func.sum(PointsLedgerEntry.delta), 0))
                                  .where(PointsLedgerEntry.resident_id == resident)).scalar_one()


def _balance(engine: Engine, resident: uuid.UUID) -> int:
    with session_scope(engine) as session:
        return points.balance_of(session, resident)


def _running_totals_hold(engine: Engine, resident: uuid.UUID) -> None:
    """Each line's balance_after is the sum of the lines up to it: no total ever drifted."""
    with engine.connect() as connection:
        lines = connection.execute(select(PointsLedgerEntry.delta, PointsLedgerEntry.balance_after)
                                   .where(PointsLedgerEntry.resident_id == resident)).all()
    # Lines may share a timestamp: check the totals as a set of prefix sums in some order.
    remaining = list(lines)
    total = 0
    while remaining:
        match = next((line for line in remaining if line[0] + total == line[1]), None)
        assert match is not None, f"no line continues the running total {total}: {remaining}"
        total = match[1]
        remaining.remove(match)
    assert total == _ledger_sum(engine, resident)


def _status(engine: Engine, record_id: uuid.UUID) -> str:
    with engine.connect() as connection:
        return connection.execute(select(PointsRedemption.status)
                                  .where(PointsRedemption.record_id == record_id)).scalar_one()


def test_balance_is_the_ledger_sum_after_credits_redemptions_and_returns(
        browser_for, community, migrated_engine: Engine) -> None:
    staff = browser_for("se")
    east = community.east_resident
    _credit(migrated_engine, east, 300)
    rice = _redeem(staff, community, east, 100)
    visit = _redeem(staff, community, east, 200, "家政服务一次")
    refused = _redeem(staff, community, east, 50, "肥皂")  # nothing left: refused, nothing spent
    assert _status(migrated_engine, refused) == "cancelled"
    assert _balance(migrated_engine, east) == 0 == _ledger_sum(migrated_engine, east)

    page = staff.get("/points")
    assert page.status_code == 200
    assert "一袋大米" in page.text and "家政服务一次" in page.text
    csrf = csrf_of(page.text)
    answer = staff.post(f"/points/redemptions/{community.kiosk_id}/{rice}/hand_out",
                        data={"csrf_token": csrf}, follow_redirects=False)
    assert answer.status_code == 303 and "done=handed_out" in answer.headers["location"]
    answer = staff.post(f"/points/redemptions/{community.kiosk_id}/{visit}/give_back",
                        data={"csrf_token": csrf}, follow_redirects=False)
    assert answer.status_code == 303 and "done=given_back" in answer.headers["location"]
    # A second press finds it no longer waiting: no second refund.
    again = staff.post(f"/points/redemptions/{community.kiosk_id}/{visit}/give_back",
                       data={"csrf_token": csrf}, follow_redirects=False)
    assert "error=" in again.headers["location"]

    assert (_status(migrated_engine, rice), _status(migrated_engine, visit)) == ("delivered", "cancelled")
    assert _balance(migrated_engine, east) == 200 == _ledger_sum(migrated_engine, east)
    with session_scope(migrated_engine) as session:
        actions = list(session.scalars(select(AuditEntry.action)))
    assert "points.redemption_handed_out" in actions and "points.redemption_returned" in actions
    _running_totals_hold(migrated_engine, east)

    # The kiosk hears both: handed out, and returned with the points back.
    changes = _pull(staff, community)
    statuses = {c["payload"]["request_id"]: c["payload"] for c in changes if c["kind"] == "request_status"}
    assert statuses[str(rice)]["status"] == "delivered"
    assert statuses[str(rice)]["handled_by"] == "网格员小陈"
    assert (statuses[str(visit)]["status"], statuses[str(visit)]["note"]) == ("cancelled", "returned")
    entries = [c["payload"] for c in changes if c["kind"] == "points_entry"]
    assert (entries[-1]["delta"], entries[-1]["balance_after"]) == (200, 200)

    history = staff.get(f"/points/residents/{east}")
    assert history.status_code == 200
    assert '<dd id="balance">200</dd>' in history.text
    assert "returned: 家政服务一次" in history.text and "+300" in history.text


def test_a_concurrent_pair_spends_once_and_totals_stay_the_ledger_sum(
        community, migrated_engine: Engine) -> None:
    east = community.east_resident
    _credit(migrated_engine, east, 100)
    barrier = threading.Barrier(2)
    outcomes: list[str] = []

    def spend() -> None:
        barrier.wait()
        try:
            with session_scope(migrated_engine) as session:
                points.credit_points(session, east, -60, "correction", actor="test")
            outcomes.append("spent")
        except InvalidStateError:
            outcomes.append("refused")

    def earn(amount: int) -> None:
        barrier.wait()
        with session_scope(migrated_engine) as session:
            points.credit_points(session, east, amount, "volunteering", actor="test")

    threads = [threading.Thread(target=spend) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(outcomes) == ["refused", "spent"]

    threads = [threading.Thread(target=earn, args=(amount,)) for amount in (10, 20)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert _balance(migrated_engine, east) == 70 == _ledger_sum(migrated_engine, east)
    _running_totals_hold(migrated_engine, east)


def test_reward_add_edit_retire_reach_the_kiosks_pull(browser_for, community, migrated_engine: Engine) -> None:
    admin = browser_for("adm")
    csrf = csrf_of(admin.get("/points").text)
    answer = admin.post("/points/rewards", data={
        "csrf_token": csrf, "name_zh": "一袋大米", "name_en": "A bag of rice", "points": "100",
        "description": "5 kg, 粮油店"}, follow_redirects=False)
    assert answer.status_code == 303 and "done=saved" in answer.headers["location"]
    with session_scope(migrated_engine) as session:
        reward_id = session.scalars(select(Reward.id)).one()
    admin.post(f"/points/rewards/{reward_id}", data={
        "csrf_token": csrf, "name_zh": "一袋好大米", "name_en": "A bag of rice", "points": "120",
        "description": "5 kg"})
    admin.post(f"/points/rewards/{reward_id}/retire", data={"csrf_token": csrf})

    rewards = [c["payload"] for c in _pull(admin, community) if c["kind"] == "reward"]
    assert [(r["name"]["zh"], r["points"], r["active"]) for r in rewards] == [
        ("一袋大米", 100, True), ("一袋好大米", 120, True), ("一袋好大米", 120, False)]
    assert "description" not in rewards[0]
    page = admin.get("/points").text
    assert "一袋好大米" in page and "5 kg" in page
    with session_scope(migrated_engine) as session:
        actions = set(session.scalars(select(AuditEntry.action)))
    assert {"reward.added", "reward.edited", "reward.retired"} <= actions

    bad = admin.post("/points/rewards", data={"csrf_token": csrf, "name_zh": "太贵", "points": "0"},
                     follow_redirects=False)
    assert "error=" in bad.headers["location"]


def test_only_staff_and_admins_and_staff_only_their_grid(browser_for, community, migrated_engine: Engine) -> None:
    _credit(migrated_engine, community.west_resident, 100)
    _credit(migrated_engine, community.east_resident, 100)
    vol = browser_for("vol")
    west = _redeem(vol, community, community.west_resident, 40, "西边的米")
    _redeem(vol, community, community.east_resident, 40, "东边的米")
    for username in ("ca", "vol"):
        client = browser_for(username)
        assert client.get("/points").status_code == 403
        assert client.get(f"/points/residents/{community.east_resident}").status_code == 403

    staff = browser_for("se")
    page = staff.get("/points").text
    assert "东边的米" in page and "西边的米" not in page
    assert "王秀英" in page and "李建国" not in page
    assert staff.get(f"/points/residents/{community.west_resident}").status_code == 403
    csrf = csrf_of(page)
    refused = staff.post(f"/points/redemptions/{community.kiosk_id}/{west}/give_back",
                         data={"csrf_token": csrf})
    assert refused.status_code == 403
    assert _status(migrated_engine, west) == "received"

    admin_page = browser_for("adm").get("/points").text
    assert "东边的米" in admin_page and "西边的米" in admin_page


def test_forms_without_the_csrf_token_store_nothing(browser_for, community, migrated_engine: Engine) -> None:
    _credit(migrated_engine, community.east_resident, 100)
    staff = browser_for("se")
    rice = _redeem(staff, community, community.east_resident, 40)
    assert staff.post("/points/rewards", data={"name_zh": "米", "points": "10"}).status_code == 403
    assert staff.post("/points/rewards", data={"name_zh": "米", "points": "10",
                                               "csrf_token": "wrong"}).status_code == 403
    assert staff.post(f"/points/redemptions/{community.kiosk_id}/{rice}/give_back").status_code == 403
    with session_scope(migrated_engine) as session:
        assert session.scalar(select(func.count()).select_from(Reward)) == 0
    assert _status(migrated_engine, rice) == "received"
    assert _ledger_sum(migrated_engine, community.east_resident) == 60
