"""Migration 0008: the stored balances give way to the ledger's sum, and come back on downgrade."""

from __future__ import annotations

import uuid
from datetime import datetime, timezone

from sqlalchemy import DateTime, Uuid, bindparam, text

from server.db import create_db_engine, downgrade, session_scope, upgrade
from server.services import points

AT = datetime(2026, 11, 30, 8, 0, tzinfo=timezone.utc)
# Raw SQL as the tables stood at 0003, with the column types the models use.
_TYPED = (bindparam("who", type_=Uuid()), bindparam("at", type_=DateTime(timezone=True)))
_ID = bindparam("id", type_=Uuid())


def test_balances_become_the_ledger_sum_and_back(db_url: str) -> None:
    engine = create_db_engine(db_url)
    try:
        upgrade(engine, "0003")
        resident, drifted = uuid.uuid4(), uuid.uuid4()
        with engine.begin() as connection:
            for who, delta, after in ((resident, 100, 100), (resident, -30, 70), (drifted, 50, 50)):
                connection.execute(text(
                    "INSERT INTO points_ledger (id, resident_id, delta, reason, balance_after, actor, created_at) "
                    "VALUES (:id, :who, :delta, 'test', :after, 'test', :at)").bindparams(*_TYPED, _ID),
                    {"id": uuid.uuid4(), "who": who, "delta": delta, "after": after, "at": AT})
            # One stored balance had drifted from its ledger: the ledger must win.
            for who, balance in ((resident, 70), (drifted, 80)):
                connection.execute(text("INSERT INTO points_balances (resident_id, balance, updated_at) "
                                        "VALUES (:who, :balance, :at)").bindparams(*_TYPED), {"who": who, "balance": balance, "at": AT})
        upgrade(engine)
        with session_scope(engine) as session:
            assert points.balance_of(session, resident) == 70
            assert points.balance_of(session, drifted) == 50
            locks = session.execute(text("SELECT COUNT(*) FROM points_locks")).scalar_one()
        assert locks == 2
        downgrade(engine, "0003")
        with engine.connect() as connection:
            balances = dict(connection.execute(text("SELECT resident_id, balance FROM points_balances")).all())
        assert sorted(balances.values()) == [50, 70]
    finally:
        engine.dispose()
