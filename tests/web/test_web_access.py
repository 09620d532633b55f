"""Who may see and do what on the web console, on SQLite and PostgreSQL, through the real routes."""

from __future__ import annotations

import uuid

import pytest
from argon2 import PasswordHasher
from sqlalchemy import Engine, func, select

from server.models import Account, AuditEntry, HelpCall, LoginFailure, WebSession
from tests.server.factories import envelope, help_call_payload
from tests.web.conftest import PASSWORD, Community, csrf_of, sign_in


def push_call(client, community: Community, resident_id: uuid.UUID | None, source: str = "fall") -> uuid.UUID:  # type: ignore[no-untyped-def]
    payload = help_call_payload(resident_id, source)
    if resident_id is None:
        payload.pop("resident_id")
    record = envelope(community.kiosk_id, "help_call", payload)
    answer = client.post("/api/v1/sync/push", json={"records": [record]}, headers=community.kiosk_headers)
    assert answer.json()["accepted"] == 1, answer.text
    return uuid.UUID(record["id"])


def state_of(engine: Engine, call_id: uuid.UUID) -> str:
    with engine.connect() as connection:
        return connection.execute(select(HelpCall.state).where(HelpCall.record_id == call_id)).scalar_one()


def audit_actions(engine: Engine, actor: str) -> list[str]:
    with engine.connect() as connection:
        return list(connection.execute(
            select(AuditEntry.action).where(AuditEntry.actor == actor).order_by(AuditEntry.id)).scalars())


PROTECTED_PAGES = ["/console", "/residents", "/volunteer"]


def test_no_page_or_stream_without_a_session(browser_for, community: Community, migrated_engine: Engine) -> None:
    anonymous = browser_for(None)
    for path in [*PROTECTED_PAGES, f"/residents/{community.east_resident}"]:
        answer = anonymous.get(path, follow_redirects=False, headers={"Accept": "text/html"})
        assert answer.status_code == 303, path
        assert answer.headers["location"].startswith("/login?next="), path
        assert "王秀英" not in answer.text
    assert anonymous.get("/console/events").status_code == 401
    call = push_call(anonymous, community, community.east_resident)
    refused = anonymous.post(f"/console/help_call/{call}/acknowledge", data={"csrf_token": "x"},
                             follow_redirects=False)
    assert refused.status_code == 303 and refused.headers["location"].startswith("/login")
    assert state_of(migrated_engine, call) == "received"


def test_a_volunteer_gets_no_health_data(browser_for, community: Community, migrated_engine: Engine) -> None:
    volunteer = browser_for("vol")
    call = push_call(volunteer, community, community.east_resident)
    for path in ["/console", "/console/events", "/residents", f"/residents/{community.east_resident}"]:
        answer = volunteer.get(path)
        assert answer.status_code == 403, path
        assert "王秀英" not in answer.text and "Linli-Band" not in answer.text
    home = volunteer.get("/volunteer")
    assert home.status_code == 200 and "志愿者小周" in home.text
    refused = volunteer.post(f"/console/help_call/{call}/acknowledge",
                             data={"csrf_token": csrf_of(home.text)})
    assert refused.status_code == 403
    assert state_of(migrated_engine, call) == "received"
    assert "help_call.acknowledged" not in audit_actions(migrated_engine, "account:vol")


def test_a_caregiver_sees_only_their_own_residents(browser_for, community: Community, migrated_engine: Engine) -> None:
    a = browser_for("ca")
    east_call = push_call(a, community, community.east_resident)
    west_call = push_call(a, community, community.west_resident)

    console = a.get("/console").text
    assert f"alert-help_call-{east_call}" in console
    assert f"alert-help_call-{west_call}" not in console and "李建国" not in console
    listing = a.get("/residents").text
    assert "王秀英" in listing and "李建国" not in listing
    assert a.get(f"/residents/{community.east_resident}").status_code == 200
    other = a.get(f"/residents/{community.west_resident}")
    assert other.status_code == 403 and "李建国" not in other.text
    assert a.get(f"/residents/{uuid.uuid4()}").status_code == 403  # no hint whether it exists

    refused = a.post(f"/console/help_call/{west_call}/acknowledge", data={"csrf_token": csrf_of(console)})
    assert refused.status_code == 403
    assert state_of(migrated_engine, west_call) == "received"
    assert "health.view_refused" in audit_actions(migrated_engine, "account:ca")

    b = browser_for("cb")
    assert f"alert-help_call-{west_call}" in b.get("/console").text
    assert b.get(f"/residents/{community.east_resident}").status_code == 403


def test_staff_see_their_grid_and_alarms_nobody_can_place(browser_for, community: Community) -> None:
    staff = browser_for("se")
    east_call = push_call(staff, community, community.east_resident)
    west_call = push_call(staff, community, community.west_resident)
    unplaced = push_call(staff, community, None, source="kiosk_button")
    console = staff.get("/console").text
    assert f"alert-help_call-{east_call}" in console
    assert f"alert-help_call-{unplaced}" in console
    assert f"alert-help_call-{west_call}" not in console
    assert staff.get(f"/residents/{community.east_resident}").status_code == 200
    assert staff.get(f"/residents/{community.west_resident}").status_code == 403

    admin = browser_for("adm")
    everything = admin.get("/console").text
    assert all(f"alert-help_call-{call}" in everything for call in (east_call, west_call, unplaced))
    assert admin.get(f"/residents/{community.west_resident}").status_code == 200


def test_a_post_without_the_csrf_token_is_refused_and_stores_nothing(
    browser_for, community: Community, migrated_engine: Engine
) -> None:
    a = browser_for("ca")
    call = push_call(a, community, community.east_resident)
    for data in ({}, {"csrf_token": "forged"}, {"csrf_token": ""}):
        refused = a.post(f"/console/help_call/{call}/acknowledge", data=data)
        assert refused.status_code == 403
        refused = a.post(f"/console/help_call/{call}/resolve", data={**data, "note": "done"})
        assert refused.status_code == 403
    assert state_of(migrated_engine, call) == "received"
    actions = audit_actions(migrated_engine, "account:ca")
    assert "help_call.acknowledged" not in actions and "help_call.resolved" not in actions
    # Sign-out needs the token too: a forged post leaves the session working.
    assert a.post("/logout", data={}).status_code == 403
    assert a.get("/console").status_code == 200

    # The login form's token comes with a cookie only this site sets: without it, no session.
    stranger = browser_for(None)
    answer = stranger.post("/login", data={"username": "ca", "password": PASSWORD, "csrf_token": "x"})
    assert answer.status_code == 403
    with migrated_engine.connect() as connection:
        assert connection.execute(select(func.count()).select_from(WebSession)).scalar_one() == 1


def test_acknowledge_and_resolve_reach_the_kiosk_and_the_audit_log(
    browser_for, community: Community, migrated_engine: Engine
) -> None:
    a = browser_for("ca")
    call = push_call(a, community, community.east_resident)
    console = a.get("/console").text
    done = a.post(f"/console/help_call/{call}/acknowledge", data={"csrf_token": csrf_of(console)},
                  follow_redirects=False)
    assert done.status_code == 303 and done.headers["location"] == "/console"
    assert state_of(migrated_engine, call) == "acknowledged"
    assert "张阿姨" in a.get("/console").text

    pull = a.get("/api/v1/sync/pull", headers=community.kiosk_headers).json()
    statuses = [change["payload"] for change in pull["changes"] if change["kind"] == "help_call_status"
                and change["payload"]["help_call_id"] == str(call)]
    assert statuses[-1]["state"] == "acknowledged" and statuses[-1]["acknowledged_by"] == "张阿姨"

    a.post(f"/console/help_call/{call}/resolve", data={"csrf_token": csrf_of(console), "note": "扶起来了"})
    assert state_of(migrated_engine, call) == "resolved"
    assert f"alert-help_call-{call}" not in a.get("/console").text
    assert "扶起来了" in a.get(f"/residents/{community.east_resident}").text
    actions = audit_actions(migrated_engine, "account:ca")
    for expected in ("account.login", "alerts.view", "help_call.acknowledged", "help_call.resolved",
                     "health.view"):
        assert expected in actions


def test_a_callback_request_has_its_own_lower_urgency_flow(
    browser_for, community: Community, migrated_engine: Engine
) -> None:
    a = browser_for("ca")
    record = envelope(community.kiosk_id, "callback_request",
                      {"resident_id": str(community.east_resident), "target": "caregiver",
                       "caregiver_name": "张阿姨", "reason": "想聊聊"})
    a.post("/api/v1/sync/push", json={"records": [record]}, headers=community.kiosk_headers)
    console = a.get("/console").text
    card = f'id="alert-callback-{record["id"]}"'
    assert card in console
    # Alarms are listed above call-back requests.
    assert console.index('id="alarm-list"') < console.index(card)
    a.post(f"/console/callback/{record['id']}/acknowledge", data={"csrf_token": csrf_of(console)})
    a.post(f"/console/callback/{record['id']}/done", data={"csrf_token": csrf_of(console), "note": "已回电"})
    pull = a.get("/api/v1/sync/pull", headers=community.kiosk_headers).json()
    statuses = [change["payload"]["status"] for change in pull["changes"] if change["kind"] == "request_status"
                and change["payload"]["request_id"] == record["id"]]
    assert statuses == ["received", "assigned", "done"]
    assert card not in a.get("/console").text


def test_login_is_rate_limited_per_username(
    browser_for, community: Community, migrated_engine: Engine, server_app
) -> None:
    limit = server_app.state.settings.login_max_failures
    client = browser_for(None)
    for _ in range(limit):
        assert sign_in(client, "ca", "wrong password!").status_code == 401
    blocked = sign_in(client, "ca", PASSWORD)
    assert blocked.status_code == 429
    assert "linli_session" not in blocked.headers.get("set-cookie", "")
    assert client.get("/console", follow_redirects=False,
                      headers={"Accept": "text/html"}).status_code == 303
    # Another account from the same address is not locked out by ca's failures.
    assert sign_in(client, "cb", PASSWORD).status_code == 303
    with migrated_engine.connect() as connection:
        failures = connection.execute(select(func.count()).select_from(LoginFailure)
                                      .where(LoginFailure.username == "ca")).scalar_one()
    assert failures == limit + 1
    assert audit_actions(migrated_engine, "client:testclient").count("account.login_failed") == limit + 1


def test_the_login_limit_also_counts_per_client_address(browser_for, community: Community, server_app) -> None:
    server_app.state.settings.login_client_max_failures = 3
    client = browser_for(None)
    for name in ("ca", "cb", "se"):
        assert sign_in(client, name, "wrong password!").status_code == 401
    assert sign_in(client, "adm", PASSWORD).status_code == 429


def test_sessions_and_passwords_are_stored_safely(browser_for, community: Community, migrated_engine: Engine) -> None:
    client = browser_for(None)
    answer = sign_in(client, "CA")  # usernames are case-insensitive
    cookie = answer.headers["set-cookie"]
    assert "HttpOnly" in cookie and "SameSite=strict" in cookie and "Path=/" in cookie
    token = client.cookies.get("linli_session")
    with migrated_engine.connect() as connection:
        stored = connection.execute(select(Account.password_hash).where(Account.username == "ca")).scalar_one()
        hashes = list(connection.execute(select(WebSession.token_hash)).scalars())
    assert stored.startswith("$argon2id$") and PASSWORD not in stored
    assert PasswordHasher().verify(stored, PASSWORD)
    assert token not in hashes and len(hashes) == 1

    page = client.get("/console")
    for header in ("Content-Security-Policy", "X-Frame-Options"):
        assert header in page.headers
    client.post("/logout", data={"csrf_token": csrf_of(page.text)})
    client.cookies.set("linli_session", token)  # the old cookie, replayed
    assert client.get("/console", follow_redirects=False,
                      headers={"Accept": "text/html"}).status_code == 303


def test_a_disabled_account_is_signed_out_at_once(browser_for, community: Community, migrated_engine: Engine) -> None:
    from server.db import session_scope
    from server.services import accounts

    a = browser_for("ca")
    assert a.get("/console").status_code == 200
    with session_scope(migrated_engine) as session:
        accounts.disable_account(session, accounts.find_account(session, "ca"))
    assert a.get("/console", follow_redirects=False, headers={"Accept": "text/html"}).status_code == 303
    assert sign_in(browser_for(None), "ca").status_code == 401


@pytest.mark.parametrize("target", ["//evil.example/x", "https://evil.example/", "/\\evil.example"])
def test_sign_in_never_redirects_off_site(browser_for, community: Community, target: str) -> None:
    client = browser_for(None)
    page = client.get("/login")
    answer = client.post("/login", data={"username": "ca", "password": PASSWORD, "next": target,
                                         "csrf_token": csrf_of(page.text)}, follow_redirects=False)
    assert answer.status_code == 303 and answer.headers["location"] == "/console"


def test_pages_speak_chinese_english_and_korean(browser_for, community: Community) -> None:
    a = browser_for("ca")  # account language zh
    assert "告警台" in a.get("/console").text
    a.get("/lang/en?next=/console")
    assert "Alerts" in a.get("/console").text and "告警台" not in a.get("/console").text
    a.get("/lang/ko")
    assert "알림" in a.get("/console").text
    admin = browser_for("adm")  # account language en
    assert "Sign out" in admin.get("/console").text


def test_every_web_string_used_in_templates_is_in_each_catalogue() -> None:
    import re
    from pathlib import Path

    from server.web.i18n import LANGUAGES, catalogue

    from server.services.accounts import Role
    from sync.records import (
        AlertPhase,
        CallbackTarget,
        HelpCallState,
        HelpSource,
        RequestStatus,
        WristbandAlertType,
    )

    templates = Path(__file__).resolve().parents[2] / "server" / "web" / "templates"
    used: set[str] = set()
    for path in templates.glob("*.html"):
        used |= set(re.findall(r't\("([a-z_.]+)"[,)]', path.read_text(encoding="utf-8")))
    assert len(used) > 40
    # Keys built from a value in the templates (t("source." ~ card.what)): every value.
    for prefix, values in (("source.", HelpSource), ("band_alert.", WristbandAlertType),
                           ("phase.", AlertPhase), ("callback.target_", CallbackTarget),
                           ("roles.", Role), ("state.", [*HelpCallState, *RequestStatus]),
                           ("lang.", LANGUAGES)):
        used |= {f"{prefix}{value}" for value in values}
    for lang in LANGUAGES:
        keys = {key.removeprefix("web.") for key in catalogue(lang)}
        assert not used - keys, (lang, used - keys)
