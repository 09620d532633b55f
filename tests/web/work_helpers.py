"""Shared pieces of the service-workflow tests: more staff, pushed requests, status reads."""

from __future__ import annotations

import uuid
from datetime import datetime

from sqlalchemy import Engine, select, update

from server.models import Grid, ReceivedRecord, ServiceRequest
from tests.server.factories import envelope, grocery_payload
from tests.web.conftest import PASSWORD, Community


def add_staff(engine: Engine) -> None:
    """`se2`, a second worker of East; `sw`, the worker of West."""
    from server.db import session_scope
    from server.services import accounts

    with session_scope(engine) as session:
        grids = {grid.name: grid.id for grid in session.scalars(select(Grid))}
        se2 = accounts.create_account(session, "se2", PASSWORD, "staff", display_name="网格员小李")
        accounts.assign_staff_grid(session, se2, grids["East"])
        sw = accounts.create_account(session, "sw", PASSWORD, "staff", display_name="网格员老王")
        accounts.assign_staff_grid(session, sw, grids["West"])


def account_id(engine: Engine, username: str) -> uuid.UUID:
    from server.models import Account

    with engine.connect() as connection:
        return connection.execute(select(Account.id).where(Account.username == username)).scalar_one()


def repair(resident: uuid.UUID, what: str = "water") -> dict:
    return {"resident_id": str(resident), "details": {"type": "repair", "what": what, "description": "厨房漏水"}}


def details(resident: uuid.UUID, **fields: str) -> dict:
    return {"resident_id": str(resident), "details": dict(fields)}


def push_request(client, community: Community, payload: dict) -> uuid.UUID:  # type: ignore[no-untyped-def]
    record = envelope(community.kiosk_id, "service_request", payload)
    answer = client.post("/api/v1/sync/push", json={"records": [record]}, headers=community.kiosk_headers)
    assert answer.json()["accepted"] == 1, answer.text
    return uuid.UUID(record["id"])


def push_grocery(client, community: Community, resident: uuid.UUID) -> uuid.UUID:  # type: ignore[no-untyped-def]
    return push_request(client, community, grocery_payload(resident))


def status_of(engine: Engine, record_id: uuid.UUID) -> tuple[str, str | None, str | None]:
    with engine.connect() as connection:
        return tuple(connection.execute(  # type: ignore[return-value]
            select(ServiceRequest.status, ServiceRequest.handled_by, ServiceRequest.note)
            .where(ServiceRequest.record_id == record_id)).one())


def received_at(engine: Engine, record_id: uuid.UUID, when: datetime) -> None:
    """Move the server's receipt time (the due times count from it): the tests' clock."""
    with engine.begin() as connection:
        connection.execute(update(ReceivedRecord).where(ReceivedRecord.record_id == record_id)
                           .values(received_at=when))
