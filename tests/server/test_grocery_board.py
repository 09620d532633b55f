"""Grocery claims under concurrency, with real threads on real databases (SQLite and PostgreSQL):
two volunteers claiming one order at once, exactly one wins; one volunteer claiming many at
once stays within the limit."""

from __future__ import annotations

import json
import threading
import uuid
from collections.abc import Callable

import pytest
from sqlalchemy import Engine, func, select, text

from server.db import session_scope
from server.models import Account, GroceryClaim, KioskChange, ServiceRequest
from server.services import accounts, grocery_board
from server.services.directory import create_resident
from server.services.ingest import push_batch
from tests.server.factories import envelope, grocery_payload

LIMIT = 2


def _orders(engine: Engine, kiosk_id: uuid.UUID, count: int) -> list[uuid.UUID]:
    with session_scope(engine) as session:
        resident = create_resident(session, "王秀英", kiosk_id=kiosk_id, address="幸福路 12 号").id
    records = [envelope(kiosk_id, "service_request", grocery_payload(resident)) for _ in range(count)]
    with session_scope(engine) as session:
        answer = push_batch(session, kiosk_id, json.dumps({"records": records}).encode(), max_batch=100)
    assert answer.accepted == count
    return [uuid.UUID(record["id"]) for record in records]


def _volunteers(engine: Engine, count: int) -> list[Account]:
    with session_scope(engine) as session:
        return [accounts.create_account(session, f"v{n}", "a long password", "volunteer",
                                        display_name=f"志愿者{n}") for n in range(count)]


def _race(engine: Engine, attempts: list[Callable]) -> list[str]:  # type: ignore[type-arg]
    """Run each attempt in its own thread and transaction, all released at once by a barrier."""
    barrier = threading.Barrier(len(attempts))
    outcomes: list[str] = [""] * len(attempts)

    def run(index: int) -> None:
        barrier.wait()
        try:
            with session_scope(engine) as session:
                attempts[index](session)
            outcomes[index] = "won"
        except grocery_board.BoardError as refused:
            outcomes[index] = refused.reason

    threads = [threading.Thread(target=run, args=(index,)) for index in range(len(attempts))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return outcomes


def _claimed_changes(engine: Engine, order_id: uuid.UUID) -> int:
    with session_scope(engine) as session:
        return session.scalar(select(func.count()).select_from(KioskChange).where(
            KioskChange.kind == "request_status",
            KioskChange.payload["request_id"].as_string() == str(order_id),
            KioskChange.payload["status"].as_string() == "claimed")) or 0


def test_volunteers_claiming_one_order_at_once_exactly_one_wins(
        migrated_engine: Engine, registered_kiosk) -> None:  # type: ignore[no-untyped-def]
    volunteers = _volunteers(migrated_engine, 4)
    for order_id in _orders(migrated_engine, registered_kiosk.id, 3):
        outcomes = _race(migrated_engine, [
            # A high limit here: this test is about the order, not the volunteer's count.
            (lambda session, who=who, order_id=order_id: grocery_board.claim(
                session, who, order_id, limit=10, actor=f"account:{who.username}"))
            for who in volunteers])
        assert sorted(outcomes) == ["not_open"] * 3 + ["won"]
        winner = volunteers[outcomes.index("won")]
        with session_scope(migrated_engine) as session:
            claims = session.scalars(select(GroceryClaim).where(GroceryClaim.record_id == order_id)).all()
            row = session.scalars(select(ServiceRequest).where(ServiceRequest.record_id == order_id)).one()
        assert [claim.account_id for claim in claims] == [winner.id]
        assert (row.status, row.handled_by) == ("claimed", winner.display_name)
        assert _claimed_changes(migrated_engine, order_id) == 1  # the kiosk hears of one claim


def test_one_volunteer_claiming_many_orders_at_once_stays_within_the_limit(
        migrated_engine: Engine, registered_kiosk) -> None:  # type: ignore[no-untyped-def]
    (volunteer,) = _volunteers(migrated_engine, 1)
    orders = _orders(migrated_engine, registered_kiosk.id, 5)
    outcomes = _race(migrated_engine, [
        (lambda session, order_id=order_id: grocery_board.claim(
            session, volunteer, order_id, limit=LIMIT, actor="account:v0"))
        for order_id in orders])
    assert sorted(outcomes) == ["limit"] * 3 + ["won"] * 2
    with session_scope(migrated_engine) as session:
        assert grocery_board.held_count(session, volunteer.id) == LIMIT


def test_postgresql_a_claim_blocked_on_the_lock_sees_the_winner_commit(
        migrated_engine: Engine, registered_kiosk) -> None:  # type: ignore[no-untyped-def]
    """Deterministic interleaving: B's claim is seen waiting on A's row lock before A commits."""
    if migrated_engine.dialect.name != "postgresql":
        pytest.skip("row locks and pg_stat_activity are PostgreSQL's; SQLite writers queue at BEGIN")
    first, second = _volunteers(migrated_engine, 2)
    (order_id,) = _orders(migrated_engine, registered_kiosk.id, 1)
    outcome: list[str] = []
    with session_scope(migrated_engine) as session_a:
        grocery_board.claim(session_a, first, order_id, limit=LIMIT, actor="account:v0")
        session_a.flush()

        def claim_b() -> None:
            try:
                with session_scope(migrated_engine) as session_b:
                    grocery_board.claim(session_b, second, order_id, limit=LIMIT, actor="account:v1")
                outcome.append("won")
            except grocery_board.BoardError as refused:
                outcome.append(refused.reason)

        thread = threading.Thread(target=claim_b)
        thread.start()
        with migrated_engine.connect() as watcher:
            while not watcher.execute(text(
                    "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() "
                    "AND wait_event_type = 'Lock'")).scalar_one():
                assert thread.is_alive(), f"B finished without waiting: {outcome}"
                watcher.rollback()  # a fresh snapshot of pg_stat_activity
                threading.Event().wait(0.01)
    thread.join()
    assert outcome == ["not_open"]
    with session_scope(migrated_engine) as session:
        assert session.scalars(select(GroceryClaim.account_id)).all() == [first.id]
