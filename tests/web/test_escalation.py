"""Escalation chains driven by a controllable clock, on SQLite and PostgreSQL.

Alarms arrive through the real push route; `run_due_steps(session, now)` is called with
chosen times (the app's own worker thread is slowed to once an hour, so the test is the
only clock). Steps fire at their times, exactly once; an acknowledgement stops the chain;
a step that finds nobody goes on at once; consoles show who was told and mark the alarm
"escalated to you".
"""

from __future__ import annotations

import uuid
from datetime import datetime, timedelta

import pytest
from sqlalchemy import Engine, func, select

from server.db import session_scope
from server.models import AlarmEscalation, AuditEntry, EscalationStep, HelpCall
from server.services import accounts
from server.services.escalation import run_due_steps
from server.services.escalation_chains import Step, set_chain
from tests.web.conftest import PASSWORD, Community, csrf_of
from tests.web.test_web_access import push_call


@pytest.fixture
def server_settings(db_url: str):  # type: ignore[no-untyped-def]
    from server.settings import Settings

    return Settings(database_url=db_url, escalation_tick_seconds=3600)


def arrival(engine: Engine, call_id: uuid.UUID) -> datetime:
    with session_scope(engine) as session:
        return session.scalars(select(AlarmEscalation.arrived_at)
                               .where(AlarmEscalation.record_id == call_id)).one()


def fire(engine: Engine, at: datetime) -> list[tuple[int, str, list[str], str]]:
    """Run the scheduler once at `at`: (step number, target, usernames told, reason) fired."""
    with session_scope(engine) as session:
        return [(row.step_index + 1, row.target, [item["username"] for item in row.notified], row.reason)
                for row in run_due_steps(session, at)]


def run_of(engine: Engine, call_id: uuid.UUID) -> AlarmEscalation:
    with session_scope(engine) as session:
        run = session.scalars(select(AlarmEscalation).where(AlarmEscalation.record_id == call_id)).one()
        session.expunge(run)
        return run


def add_caregiver(engine: Engine, username: str, name: str, resident_id: uuid.UUID) -> None:
    with session_scope(engine) as session:
        account = accounts.create_account(session, username, PASSWORD, "caregiver", display_name=name)
        accounts.link_caregiver(session, account, resident_id)


def s(seconds: float) -> timedelta:
    return timedelta(seconds=seconds)


def test_steps_fire_at_their_times_exactly_once(browser_for, community: Community,
                                                 migrated_engine: Engine) -> None:
    add_caregiver(migrated_engine, "cc", "王护士", community.east_resident)
    a = browser_for("ca")
    call = push_call(a, community, community.east_resident)
    t0 = arrival(migrated_engine, call)

    assert fire(migrated_engine, t0 - s(1)) == []
    assert fire(migrated_engine, t0) == [(1, "first_caregiver", ["ca"], "first_step")]
    assert fire(migrated_engine, t0) == []
    assert fire(migrated_engine, t0 + s(59.9)) == []
    with session_scope(migrated_engine) as session:
        assert session.get(HelpCall, (community.kiosk_id, call)).state == "received"

    assert fire(migrated_engine, t0 + s(60)) == [(2, "other_caregivers", ["cc"], "no_answer")]
    with session_scope(migrated_engine) as session:
        row = session.get(HelpCall, (community.kiosk_id, call))
        assert row.state == "escalated" and row.escalated_at == t0 + s(60)
    assert fire(migrated_engine, t0 + s(179)) == []
    assert fire(migrated_engine, t0 + s(181)) == [(3, "grid_staff", ["se"], "no_answer")]
    assert fire(migrated_engine, t0 + s(3600)) == []

    run = run_of(migrated_engine, call)
    assert run.next_due_at is None and run.end_reason == "chain_done"
    with session_scope(migrated_engine) as session:
        assert session.scalar(select(func.count()).select_from(EscalationStep)) == 3
        steps = session.scalars(select(AuditEntry.detail).where(
            AuditEntry.action == "help_call.escalation_step").order_by(AuditEntry.id)).all()
        assert [detail["step"] for detail in steps] == [1, 2, 3]
        assert session.scalar(select(func.count()).select_from(AuditEntry).where(
            AuditEntry.action == "help_call.escalated")) == 1

    # The kiosk hears "escalated" (it stays latched: tests/kiosk) once, on its feed.
    pull = a.get("/api/v1/sync/pull", headers=community.kiosk_headers).json()
    states = [change["payload"]["state"] for change in pull["changes"]
              if change["kind"] == "help_call_status" and change["payload"]["help_call_id"] == str(call)]
    assert states == ["received", "escalated"]

    # The console: every step with who was told; the staff member sees "escalated to you".
    staff = browser_for("se").get("/console").text
    assert "escalated-to-you" in staff and "已升级给您" in staff
    assert "王护士" in staff and "网格员小陈" in staff
    caregiver = a.get("/console").text
    assert "escalated-to-you" not in caregiver  # told by the first step, not escalated to
    assert "升级记录" in a.get(f"/residents/{community.east_resident}").text

    # Acknowledged: the marker goes, the steps stay as the record.
    a.post(f"/console/help_call/{call}/acknowledge", data={"csrf_token": csrf_of(caregiver)})
    assert "escalated-to-you" not in browser_for("se").get("/console").text


def test_acknowledging_stops_the_chain(browser_for, community: Community, migrated_engine: Engine) -> None:
    a = browser_for("ca")
    call = push_call(a, community, community.east_resident)
    t0 = arrival(migrated_engine, call)
    assert fire(migrated_engine, t0) == [(1, "first_caregiver", ["ca"], "first_step")]
    a.post(f"/console/help_call/{call}/acknowledge", data={"csrf_token": csrf_of(a.get("/console").text)})

    assert fire(migrated_engine, t0 + s(600)) == []
    run = run_of(migrated_engine, call)
    assert run.next_due_at is None and run.end_reason == "acknowledged"
    with session_scope(migrated_engine) as session:
        assert session.get(HelpCall, (community.kiosk_id, call)).state == "acknowledged"


def test_a_step_that_finds_nobody_goes_on_at_once(browser_for, community: Community,
                                                  migrated_engine: Engine) -> None:
    a = browser_for("ca")
    # 王秀英 has one caregiver: "other caregivers" at 60 s is nobody, so the grid's staff
    # are told at 60 s, not 180 s.
    call = push_call(a, community, community.east_resident)
    t0 = arrival(migrated_engine, call)
    fire(migrated_engine, t0)
    assert fire(migrated_engine, t0 + s(60)) == [(2, "other_caregivers", [], "no_answer"),
                                                 (3, "grid_staff", ["se"], "nobody_before")]

    # 李建国's grid has no staff: the last step finds nobody and the admins are told.
    west = push_call(a, community, community.west_resident)
    t1 = arrival(migrated_engine, west)
    assert fire(migrated_engine, t1) == [(1, "first_caregiver", ["cb"], "first_step")]
    assert fire(migrated_engine, t1 + s(60)) == [(2, "other_caregivers", [], "no_answer"),
                                                 (3, "admins", ["adm"], "fallback_admins")]

    # A resident the server does not know: nobody at all but the admins, at once.
    unknown = push_call(a, community, uuid.uuid4())
    t2 = arrival(migrated_engine, unknown)
    assert fire(migrated_engine, t2) == [(1, "first_caregiver", [], "first_step"),
                                         (2, "other_caregivers", [], "nobody_before"),
                                         (3, "admins", ["adm"], "fallback_admins")]
    assert "escalated-to-you" in browser_for("adm").get("/console").text


def test_a_resident_s_own_chain_and_a_disabled_account(browser_for, community: Community,
                                                       migrated_engine: Engine) -> None:
    add_caregiver(migrated_engine, "cc", "王护士", community.east_resident)
    with session_scope(migrated_engine) as session:
        set_chain(session, community.east_resident,
                  [Step(0, "account:cc"), Step(30, "caregivers"), Step(90, "admins")], actor="test")
    a = browser_for("ca")
    call = push_call(a, community, community.east_resident)
    t0 = arrival(migrated_engine, call)
    # Changing the chain now does not re-time the alarm already running.
    with session_scope(migrated_engine) as session:
        set_chain(session, community.east_resident, [Step(0, "grid_staff")], actor="test")
        accounts.disable_account(session, accounts.find_account(session, "cc"))
    assert fire(migrated_engine, t0) == [(1, "account:cc", [], "first_step"),
                                         (2, "caregivers", ["ca"], "nobody_before")]
    assert fire(migrated_engine, t0 + s(90)) == [(3, "admins", ["adm"], "no_answer")]


def test_two_sessions_never_fire_the_same_step(community: Community, migrated_engine: Engine,
                                               server_client) -> None:
    if migrated_engine.dialect.name != "postgresql":
        pytest.skip("row locks: PostgreSQL (SQLite has one writer at a time)")
    from server.db import session_factory

    call = push_call(server_client, community, community.east_resident)
    t0 = arrival(migrated_engine, call)
    sessions = session_factory(migrated_engine)
    with sessions() as first, sessions() as second:
        assert [row.step_index for row in run_due_steps(first, t0)] == [0]
        # The first transaction holds the run: the second skips it rather than wait.
        assert run_due_steps(second, t0) == []
        first.commit()
        second.rollback()
        assert run_due_steps(second, t0) == []
    with session_scope(migrated_engine) as session:
        assert session.scalar(select(func.count()).select_from(EscalationStep)) == 1


def test_staff_and_admins_edit_a_chain_in_the_browser(browser_for, community: Community,
                                                      migrated_engine: Engine) -> None:
    from server.services.escalation_chains import chain_for

    page = f"/residents/{community.east_resident}/escalation"
    for username in ("ca", "vol"):  # caregivers and volunteers may not
        assert browser_for(username).get(page).status_code == 403
    se = browser_for("se")
    assert se.get(f"/residents/{community.west_resident}/escalation").status_code == 403  # not their grid
    form = se.get(page)
    assert form.status_code == 200 and "默认升级链" in form.text and 'value="account:ca"' in form.text
    assert 'value="account:cb"' not in form.text  # cannot see 王秀英: never offered
    assert "升级链" in se.get(f"/residents/{community.east_resident}").text

    def post(client, data):  # type: ignore[no-untyped-def]
        return client.post(page, data=data, follow_redirects=False)

    token = csrf_of(form.text)
    rows = {"after_seconds": ["0", "30", ""], "target": ["account:ca", "grid_staff", ""],
            "webhook": ["", "https://sms.example/hook", ""]}
    assert post(se, rows).status_code == 403  # no CSRF token: refused, nothing stored
    with session_scope(migrated_engine) as session:
        assert chain_for(session, community.east_resident)[1] is False

    assert post(se, {**rows, "csrf_token": token}).status_code == 303
    with session_scope(migrated_engine) as session:
        steps, own = chain_for(session, community.east_resident)
        assert own and steps == [Step(0, "account:ca"), Step(30, "grid_staff", "https://sms.example/hook")]
        assert session.scalars(select(AuditEntry.actor).where(
            AuditEntry.action == "escalation.chain_set")).all() == ["account:se"]
    assert "自己的升级链" in se.get(page).text

    wrong = post(se, {"csrf_token": token, "after_seconds": ["60", "0"], "target": ["admins", "grid_staff"],
                      "webhook": ["", ""]})
    assert wrong.status_code == 400 and "must not go down" in wrong.text
    with session_scope(migrated_engine) as session:
        assert chain_for(session, community.east_resident)[0][0] == Step(0, "account:ca")  # unchanged

    assert post(se, {"csrf_token": token, "use_default": "1"}).status_code == 303
    with session_scope(migrated_engine) as session:
        assert chain_for(session, community.east_resident)[1] is False
    assert browser_for("adm").get(f"/residents/{community.west_resident}/escalation").status_code == 200


def test_every_escalation_string_is_in_each_catalogue() -> None:
    from server.services.escalation_chains import ROLE_TARGETS
    from server.web.i18n import LANGUAGES, catalogue

    # Keys the templates build from values: t("escalation.target." ~ ...) and the like.
    used = {f"escalation.target.{target}" for target in (*ROLE_TARGETS, "account")}
    used |= {f"escalation.reason.{reason}"
             for reason in ("first_step", "no_answer", "nobody_before", "fallback_admins")}
    used |= {f"escalation.webhook_{status}" for status in ("pending", "sent", "failed")}
    for lang in LANGUAGES:
        keys = {key.removeprefix("web.") for key in catalogue(lang)}
        assert not used - keys, (lang, used - keys)


def test_the_default_chain_is_data_and_a_broken_one_stops_the_server(tmp_path) -> None:  # type: ignore[no-untyped-def]
    from server.app import create_app
    from server.errors import InvalidInputError
    from server.services.escalation_chains import configure_default_chain, default_chain
    from server.settings import Settings

    good = tmp_path / "chain.yaml"
    good.write_text("steps:\n  - {after_seconds: 0, target: admins}\n", encoding="utf-8")
    bad = tmp_path / "bad.yaml"
    bad.write_text("steps:\n  - {after_seconds: 30, target: neighbours}\n", encoding="utf-8")
    try:
        configure_default_chain(str(good), "https://sms.example/hook")
        assert default_chain() == (Step(0, "admins", "https://sms.example/hook"),)
        with pytest.raises(InvalidInputError, match="neighbours"):
            create_app(Settings(database_url=f"sqlite:///{tmp_path / 'x.sqlite3'}",
                                escalation_chain_file=str(bad)))
    finally:
        configure_default_chain()
    assert [step.target for step in default_chain()] == ["first_caregiver", "other_caregivers", "grid_staff"]
    assert [step.after_seconds for step in default_chain()] == [0, 60, 180]


def test_the_worker_fires_what_is_due_by_its_clock(server_client, community: Community,
                                                   migrated_engine: Engine, server_settings) -> None:  # type: ignore[no-untyped-def]
    from server.services.escalation_worker import EscalationWorker

    call = push_call(server_client, community, community.east_resident)
    t0 = arrival(migrated_engine, call)
    now = [t0 - s(1)]
    worker = EscalationWorker(migrated_engine, server_settings, clock=lambda: now[0])
    assert worker.fire_due_steps() == 0
    now[0] = t0 + s(200)  # late (a server that was down): every step fires, in order
    assert worker.fire_due_steps() == 3
    assert worker.fire_due_steps() == 0
    assert worker.send_due_webhooks() == 0  # no step had a webhook
    with session_scope(migrated_engine) as session:
        assert session.scalars(select(EscalationStep.reason).order_by(EscalationStep.step_index)).all() == [
            "first_step", "no_answer", "nobody_before"]
