"""Escalation webhooks against a real HTTP gateway on 127.0.0.1, with a controllable clock.

A gateway that fails the first N times is retried with exponential back-off and then gets
the message; one that always fails ends as failed after the bounded attempts, with a log
line, an audit entry and a note on the console card. Also `linli admin set-escalation`.
"""

from __future__ import annotations

import logging
import uuid
from collections.abc import Iterator
from datetime import datetime, timedelta

import pytest
from sqlalchemy import Engine, select

from linli.cli import main as linli
from server.db import session_factory, session_scope
from server.models import AuditEntry, WebhookDelivery
from server.services import webhooks
from server.services.escalation_chains import Step, set_chain
from tests.web.conftest import Community
from tests.web.gateway import Gateway
from tests.web.test_escalation import arrival, fire
from tests.web.test_web_access import push_call

POLICY = webhooks.RetryPolicy(timeout_seconds=5, max_attempts=4, base_seconds=2, cap_seconds=60)


@pytest.fixture
def server_settings(db_url: str):  # type: ignore[no-untyped-def]
    from server.settings import Settings

    return Settings(database_url=db_url, escalation_tick_seconds=3600)


@pytest.fixture
def gateway() -> Iterator[Gateway]:
    made: list[Gateway] = []

    def start(**options: object) -> Gateway:
        made.append(Gateway(**options).start())  # type: ignore[arg-type]
        return made[-1]

    yield start  # type: ignore[misc]
    for item in made:
        item.stop()


def deliver(engine: Engine, at: datetime) -> list[str | None]:
    """One pass of the webhook sender at `at`: the error of each attempt (None: delivered)."""
    return [attempt.error for attempt in webhooks.deliver_due(session_factory(engine), at, POLICY)]


def delivery(engine: Engine) -> WebhookDelivery:
    with session_scope(engine) as session:
        row = session.scalars(select(WebhookDelivery)).one()
        session.expunge(row)
        return row


def s(seconds: float) -> timedelta:
    return timedelta(seconds=seconds)


def test_a_failing_gateway_is_retried_with_back_off_and_then_gets_the_message(
        server_client, community: Community, migrated_engine: Engine, gateway) -> None:  # type: ignore[no-untyped-def]
    hook = gateway(fail_first=2)
    with session_scope(migrated_engine) as session:
        set_chain(session, community.east_resident, [Step(0, "first_caregiver", hook.url)], actor="test")
    call = push_call(server_client, community, community.east_resident, source="fall")
    t0 = arrival(migrated_engine, call)
    assert deliver(migrated_engine, t0) == []  # nothing until the step fires
    fire(migrated_engine, t0)

    assert deliver(migrated_engine, t0) == ["HTTP 503"]
    assert delivery(migrated_engine).next_attempt_at == t0 + s(2)
    assert deliver(migrated_engine, t0 + s(1.9)) == []  # waiting out the back-off
    assert deliver(migrated_engine, t0 + s(2)) == ["HTTP 503"]
    assert delivery(migrated_engine).next_attempt_at == t0 + s(2 + 4)  # doubled
    assert deliver(migrated_engine, t0 + s(5.9)) == []
    assert deliver(migrated_engine, t0 + s(6)) == [None]
    assert deliver(migrated_engine, t0 + s(600)) == []  # sent once, never again

    row = delivery(migrated_engine)
    assert row.status == "sent" and row.attempts == 3 and row.sent_at == t0 + s(6)
    assert len(hook.received) == 3
    keys = {item.headers["Idempotency-Key"] for item in hook.received}
    assert keys == {str(row.id)}  # the same delivery each time: the gateway can drop repeats
    body = hook.received[-1].body
    assert body["alarm_id"] == str(call) and body["alarm_kind"] == "fall"
    assert body["resident"] == "王秀英" and body["notify"] == [{"username": "ca", "name": "张阿姨"}]
    assert body["console_url"].endswith(f"/console#alert-help_call-{call}")
    # What a gateway needs, and no more: no address, phone or health data.
    text = str(body)
    assert "幸福路" not in text and "13800000001" not in text and "heart" not in text


def test_a_gateway_that_always_fails_ends_as_failed(
        browser_for, community: Community, migrated_engine: Engine, gateway,  # type: ignore[no-untyped-def]
        caplog: pytest.LogCaptureFixture) -> None:
    hook = gateway(always_fail=True)
    with session_scope(migrated_engine) as session:
        set_chain(session, community.east_resident, [Step(0, "grid_staff", hook.url)], actor="test")
    a = browser_for("se")
    call = push_call(a, community, community.east_resident)
    t0 = arrival(migrated_engine, call)
    fire(migrated_engine, t0)

    at = t0
    with caplog.at_level(logging.WARNING, logger="server.services.webhooks"):
        for _ in range(POLICY.max_attempts):
            assert deliver(migrated_engine, at) == ["HTTP 503"]
            next_at = delivery(migrated_engine).next_attempt_at
            if next_at is None:
                break
            at = next_at
    assert deliver(migrated_engine, at + s(3600)) == []  # bounded: no fifth attempt
    row = delivery(migrated_engine)
    assert row.status == "failed" and row.attempts == POLICY.max_attempts == len(hook.received)
    assert row.last_error == "HTTP 503"
    assert at == t0 + s(2 + 4 + 8)
    assert any("FAILED after 4 attempts" in record.getMessage() for record in caplog.records)
    with session_scope(migrated_engine) as session:
        assert session.scalars(select(AuditEntry.action).where(
            AuditEntry.action == "webhook.failed")).all() == ["webhook.failed"]
    # The console says so, where a person is waiting.
    page = a.get("/console").text
    assert "webhook-failed" in page and "短信/电话通知发送失败" in page


def test_an_unreachable_gateway_counts_as_a_failure(server_client, community: Community,
                                                    migrated_engine: Engine) -> None:
    from linli.server_process import free_port

    url = f"http://127.0.0.1:{free_port()}/hook"  # nothing listens there
    with session_scope(migrated_engine) as session:
        set_chain(session, community.east_resident, [Step(0, "first_caregiver", url)], actor="test")
    call = push_call(server_client, community, community.east_resident)
    t0 = arrival(migrated_engine, call)
    fire(migrated_engine, t0)
    [error] = deliver(migrated_engine, t0)
    assert error is not None and error.startswith("ConnectionError")
    assert delivery(migrated_engine).status == "pending"


def test_set_escalation_on_the_command_line(community_db, capsys: pytest.CaptureFixture[str]) -> None:
    db_url, community = community_db
    resident = str(community.east_resident)
    assert linli(["admin", "show-escalation", "--db", db_url, "--resident", resident]) == 0
    assert "default chain" in capsys.readouterr().out

    assert linli(["admin", "set-escalation", "--db", db_url, "--resident", resident,
                  "--step", "0", "account:ca", "--step", "45", "grid_staff", "https://sms.example/hook"]) == 0
    out = capsys.readouterr().out
    assert "own chain" in out and "45 s  grid_staff  webhook https://sms.example/hook" in out

    refused = [
        ["--step", "0", "account:vol"],  # a volunteer never gets alarms
        ["--step", "0", "account:cb"],  # another resident's caregiver
        ["--step", "60", "admins", "--step", "0", "grid_staff"],  # delays going down
        ["--step", "0", "neighbours"],
        ["--step", "0", "admins", "ftp://x"],
        ["--step", "soon", "admins"],
    ]
    for args in refused:
        assert linli(["admin", "set-escalation", "--db", db_url, "--resident", resident, *args]) == 1, args
        assert capsys.readouterr().err.startswith("error: ")
    assert linli(["admin", "set-escalation", "--db", db_url, "--resident", str(uuid.uuid4()),
                  "--step", "0", "admins"]) == 1
    capsys.readouterr()
    assert linli(["admin", "show-escalation", "--db", db_url, "--resident", resident]) == 0
    assert "account:ca" in capsys.readouterr().out  # the refused ones changed nothing

    assert linli(["admin", "set-escalation", "--db", db_url, "--resident", resident, "--default"]) == 0
    assert "default chain" in capsys.readouterr().out
