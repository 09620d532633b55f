"""Alarm answer times against the telecare targets: the numbers, the scope, and who may see them."""

from __future__ import annotations

import uuid
from datetime import timedelta

from sqlalchemy import Engine, update

from server.db import session_scope
from server.models import HelpCall, ReceivedRecord, utcnow
from server.services.accounts import find_account
from server.services.answer_times import answer_times
from server.services.visibility import alert_filter
from tests.server.factories import envelope
from tests.web.test_web_access import push_call


def _age(engine: Engine, call_id: uuid.UUID, received_ago: float, answered_after: float | None,
         *, resolve_only: bool = False) -> None:
    """Set when the server got the call and when (after that) someone answered it."""
    received = utcnow() - timedelta(seconds=received_ago)
    with session_scope(engine) as session:
        session.execute(update(ReceivedRecord).where(ReceivedRecord.record_id == call_id)
                        .values(received_at=received))
        if answered_after is not None:
            answered = received + timedelta(seconds=answered_after)
            values = ({"state": "resolved", "resolved_at": answered} if resolve_only else
                      {"state": "acknowledged", "acknowledged_at": answered, "acknowledged_by": "张阿姨"})
            session.execute(update(HelpCall).where(HelpCall.record_id == call_id).values(**values))


def _scenario(client, community, engine: Engine) -> None:  # type: ignore[no-untyped-def]
    east = community.east_resident
    _age(engine, push_call(client, community, east), 3600, 30)
    _age(engine, push_call(client, community, east), 3600, 90)
    _age(engine, push_call(client, community, east), 3600, 200, resolve_only=True)
    cancelled = push_call(client, community, east)
    client.post("/api/v1/sync/push", headers=community.kiosk_headers, json={"records": [
        envelope(community.kiosk_id, "help_call_event",
                 {"help_call_id": str(cancelled), "event": "cancelled_by_resident"})]})
    _age(engine, push_call(client, community, east), 600, None)  # waiting 10 min: late
    push_call(client, community, east)  # just arrived: pending
    _age(engine, push_call(client, community, community.west_resident), 3600, 5)  # grid West


def test_answer_times_count_what_the_targets_ask(browser_for, community, migrated_engine: Engine) -> None:
    staff = browser_for("se")
    _scenario(staff, community, migrated_engine)
    with session_scope(migrated_engine) as session:
        se = find_account(session, "se")
        adm = find_account(session, "adm")
        now = utcnow()
        east = answer_times(session, now - timedelta(days=1), now, alert_filter(session, se, HelpCall.resident_id))
        everyone = answer_times(session, now - timedelta(days=1), now, alert_filter(session, adm, HelpCall.resident_id))
    assert (east.alarms, east.answered, east.pending, east.cancelled) == (4, 3, 1, 1)
    assert east.within == {60: 1, 180: 2}
    assert (east.percent(60), east.percent(180)) == (25.0, 50.0)
    assert (east.median_seconds, east.p95_seconds) == (90.0, 200.0)
    assert east.meets(60, 97.5) is False
    assert (everyone.alarms, everyone.within[60]) == (5, 2)

    page = staff.get("/stats")
    assert page.status_code == 200
    assert "25.0% (1/4)" in page.text and "50.0% (2/4)" in page.text
    assert "未达标" in page.text


def test_only_staff_and_admins_see_answer_times(browser_for, community) -> None:
    for username in ("ca", "vol"):
        assert browser_for(username).get("/stats").status_code == 403
    assert browser_for("adm").get("/stats?days=7").status_code == 200
    assert browser_for("se").get("/stats?days=0").status_code == 422
