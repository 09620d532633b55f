"""Escalation in real `linli server` processes: a restart loses nothing; two processes on one
PostgreSQL fire each step once.

The clock here is the real one (the processes run their own worker threads); waits are
bounds on failure, never assertions about speed.
"""

from __future__ import annotations

import time
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from sqlalchemy import func, select

from linli.cli import main as linli
from linli.server_process import ServerProcess, free_port
from server.db import create_db_engine, session_scope
from server.models import AlarmEscalation, EscalationStep, HelpCall, WebhookDelivery, utcnow
from tests.web.gateway import Gateway
from tests.web.test_web_live import HEARTBEAT_ENV, kiosk_sends_alarm, start_server

pytestmark = pytest.mark.slow

STEP_DELAY = 10  # seconds: long enough that pushing and killing the server comes first


@pytest.fixture
def gateway() -> Iterator[Gateway]:
    hook = Gateway().start()
    yield hook
    hook.stop()


def until(check: Callable[[], bool], what: str, bound: float = 60.0) -> None:
    deadline = time.monotonic() + bound
    while not check():
        assert time.monotonic() < deadline, f"not within {bound:.0f} s: {what}"
        time.sleep(0.1)


def test_nothing_is_lost_across_a_restart(community_db, tmp_path: Path, gateway: Gateway) -> None:
    db_url, community = community_db
    assert linli(["admin", "set-escalation", "--db", db_url, "--resident", str(community.east_resident),
                  "--step", "0", "first_caregiver",
                  "--step", str(STEP_DELAY), "grid_staff", gateway.url]) == 0
    server = start_server(db_url, tmp_path, "before")
    try:
        call = kiosk_sends_alarm(server, community, community.east_resident, tmp_path / "kiosk.sqlite3")
    finally:
        server.kill()  # SIGKILL: the process gets no chance to finish anything
    engine = create_db_engine(db_url)
    try:
        with session_scope(engine) as session:
            arrived = session.scalars(select(AlarmEscalation.arrived_at)
                                      .where(AlarmEscalation.record_id == call)).one()
        # Past the step's time with no server running: it cannot have fired.
        time.sleep(max(0.0, (arrived - utcnow()).total_seconds() + STEP_DELAY + 0.5))
        with session_scope(engine) as session:
            assert session.scalar(select(func.count()).select_from(EscalationStep)
                                  .where(EscalationStep.step_index == 1)) == 0
        assert gateway.received == []

        server = start_server(db_url, tmp_path, "after")
        try:
            [message] = gateway.wait_for(1)
            assert message.body["alarm_id"] == str(call) and message.body["step"] == 2
            assert message.body["notify"] == [{"username": "se", "name": "网格员小陈"}]

            def sent() -> bool:
                with session_scope(engine) as session:
                    return session.scalars(select(WebhookDelivery.status)).all() == ["sent"]

            until(sent, "the delivery marked sent")
            with session_scope(engine) as session:
                assert session.get(HelpCall, (community.kiosk_id, call)).state == "escalated"
                steps = session.scalars(select(EscalationStep.step_index)
                                        .where(EscalationStep.record_id == call)
                                        .order_by(EscalationStep.step_index)).all()
                assert steps == [0, 1]
        finally:
            server.stop()
    finally:
        engine.dispose()


def test_two_processes_fire_each_step_once(community_db, tmp_path: Path, gateway: Gateway) -> None:
    db_url, community = community_db
    if not db_url.startswith("postgresql"):
        pytest.skip("several server processes share PostgreSQL only")
    assert linli(["admin", "set-escalation", "--db", db_url, "--resident", str(community.east_resident),
                  "--step", "0", "first_caregiver", gateway.url,
                  "--step", "1", "caregivers", gateway.url,
                  "--step", "2", "grid_staff", gateway.url]) == 0
    fast = {**HEARTBEAT_ENV, "LINLI_ESCALATION_TICK_SECONDS": "0.1"}  # both race for every step
    servers = [ServerProcess(db_url, free_port(), log_path=tmp_path / f"{name}.log", env=fast).start()
               for name in ("a", "b")]
    alarms = 6
    try:
        calls: list[uuid.UUID] = [
            kiosk_sends_alarm(servers[index % 2], community, community.east_resident,
                              tmp_path / "kiosk.sqlite3")
            for index in range(alarms)]
        gateway.wait_for(alarms * 3)
        engine = create_db_engine(db_url)
        try:
            def all_done() -> bool:
                with session_scope(engine) as session:
                    return (session.scalar(select(func.count()).select_from(AlarmEscalation)
                                           .where(AlarmEscalation.ended_at.is_(None))) == 0
                            and session.scalar(select(func.count()).select_from(WebhookDelivery)
                                               .where(WebhookDelivery.status != "sent")) == 0)

            until(all_done, "every chain ended and every delivery sent")
            with session_scope(engine) as session:
                rows = session.execute(select(EscalationStep.record_id, EscalationStep.step_index)).all()
            assert sorted(rows) == sorted((call, index) for call in calls for index in range(3))
        finally:
            engine.dispose()
    finally:
        for server in servers:
            server.stop()
    assert len(gateway.received) == alarms * 3
    assert len({item.headers["Idempotency-Key"] for item in gateway.received}) == alarms * 3
