"""Resident segments: clear groups recovered and described, determinism, too few residents,
the outreach list planning visits once, and who may see the page.

The synthetic community (grid North, staff `sn`) has three groups of eight residents whose
records arrive through the real sync push:
- frail: about 89 years old, falls and SOS calls, never visited, no kiosk use;
- active: about 71, an activity booking every week or so, visited a week ago;
- services: about 81, many repair and grocery requests, visited about 40 days ago.
"""

from __future__ import annotations

import uuid
from datetime import timedelta

import pytest
from sqlalchemy import Engine, func, select

from server.db import session_scope
from server.models import AuditEntry, Resident, VisitTask, utcnow
from server.services import accounts, segments, visits
from server.services.directory import create_resident, set_birth_year
from server.services.kiosks import register_kiosk
from tests.server.factories import envelope
from tests.web.conftest import PASSWORD, csrf_of

GROUP_SIZE = 8
TZ = "Asia/Shanghai"


def _push(client, kiosk_id: uuid.UUID, headers: dict[str, str], records: list[dict]) -> None:  # type: ignore[no-untyped-def]
    answer = client.post("/api/v1/sync/push", json={"records": records}, headers=headers)
    assert answer.status_code == 200 and answer.json()["accepted"] == len(records), answer.text


def _request(kiosk_id: uuid.UUID, resident: uuid.UUID, days_ago: float, details: dict) -> dict:
    return envelope(kiosk_id, "service_request", {"resident_id": str(resident), "details": details},
                    created_at=utcnow() - timedelta(days=days_ago))


def _call(kiosk_id: uuid.UUID, resident: uuid.UUID, days_ago: float, source: str) -> dict:
    return envelope(kiosk_id, "help_call", {"resident_id": str(resident), "source": source},
                    created_at=utcnow() - timedelta(days=days_ago))


def build_groups(engine: Engine, client, community) -> dict[str, set[uuid.UUID]]:  # type: ignore[no-untyped-def]
    """The three groups in grid North; returns their resident ids by group name."""
    groups: dict[str, set[uuid.UUID]] = {"frail": set(), "active": set(), "services": set()}
    records: list[dict] = []
    kiosk = community.kiosk_id
    today = visits.local_today(TZ)
    with session_scope(engine) as session:
        north = accounts.create_grid(session, "North")
        sn = accounts.create_account(session, "sn", PASSWORD, "staff", display_name="网格员小孙")
        accounts.assign_staff_grid(session, sn, north.id)
        year = today.year
        for i in range(GROUP_SIZE):
            for name, birth, visited_ago in (("frail", year - 88 - i % 3, None),
                                             ("active", year - 70 - i % 3, 5 + i % 4),
                                             ("services", year - 80 - i % 3, 36 + i % 6)):
                resident = create_resident(session, f"{name}-{i}", kiosk_id=kiosk, address=f"{name} 路 {i} 号")
                accounts.place_resident(session, resident.id, north.id)
                set_birth_year(session, resident.id, birth)
                groups[name].add(resident.id)
                if visited_ago is not None:
                    visits.log_visit(session, resident, visits.VisitForm(
                        visited_on=today - timedelta(days=visited_ago), worker_id=sn.id),
                        logged_by=sn, today=today, actor="test")
                rid = resident.id
                if name == "frail":
                    records += [_call(kiosk, rid, 3 + 9 * n, ("fall", "wristband_sos")[n % 2])
                                for n in range(4 + i % 3)]
                elif name == "active":
                    records += [_request(kiosk, rid, 2 + 6 * n, {"type": "activity_booking", "activity_id": "taichi",
                                                                "activity_name": "太极拳"})
                                for n in range(6 + i % 3)]
                    records.append(_request(kiosk, rid, 20, {"type": "repair", "what": "door"}))
                else:
                    records += [_request(kiosk, rid, 4 + 10 * n, {"type": ("repair", "grocery")[n % 2],
                                                                 **({"what": "water"} if n % 2 == 0 else
                                                                    {"items": [{"name": "米", "quantity": "1", "unit": "袋"}]})})
                                for n in range(5 + i % 2)]
                    records.append(_request(kiosk, rid, 30, {"type": "activity_booking", "activity_id": "talk",
                                                            "activity_name": "健康讲座"}))
                    records.append(_call(kiosk, rid, 15, "kiosk_button"))
    _push(client, kiosk, community.kiosk_headers, records)
    return groups


def _north(engine: Engine) -> set[uuid.UUID]:
    with session_scope(engine) as session:
        sn = accounts.find_account(session, "sn")
        from server.services.visibility import resident_ids_in_scope

        return resident_ids_in_scope(session, sn) or set()


def _segment(engine: Engine, ids) -> segments.Segmentation:  # type: ignore[no-untyped-def]
    with session_scope(engine) as session:
        return segments.segment(session, ids, now=utcnow(), timezone=TZ)


@pytest.fixture
def groups(browser_for, community, migrated_engine) -> dict[str, set[uuid.UUID]]:  # type: ignore[no-untyped-def]
    return build_groups(migrated_engine, browser_for(None), community)


def test_clear_groups_are_recovered_and_described(groups, migrated_engine) -> None:
    result = _segment(migrated_engine, _north(migrated_engine))
    assert result.problem is None and result.residents == 3 * GROUP_SIZE
    assert result.k == 3, result.scores
    by_members = {frozenset(seg.members): seg for seg in result.segments}
    frail, active, services = (by_members[frozenset(groups[name])] for name in ("frail", "active", "services"))
    assert {"age_high", "help_calls_high", "days_since_visit_high", "kiosk_days_low"} <= set(frail.flag_names)
    assert {"age_low", "activities_high", "days_since_visit_low", "help_calls_low"} <= set(active.flag_names)
    assert {"services_high"} <= set(services.flag_names)
    assert not {"help_calls_high", "days_since_visit_high"} & set(services.flag_names + active.flag_names)
    assert frail.centroid["days_since_visit"] == 180 and 88 <= frail.centroid["age"] <= 90
    assert 6 <= active.centroid["activities"] <= 8 and active.centroid["help_calls"] == 0
    # The outreach list is the frail group: many help calls, never visited.
    assert {entry.resident_id for entry in result.outreach} == groups["frail"]
    assert all(entry.days_since_visit == 180 and not entry.task_open for entry in result.outreach)


def test_the_same_data_gives_the_same_segments(groups, migrated_engine) -> None:
    ids = _north(migrated_engine)
    first = _segment(migrated_engine, ids)
    again = _segment(migrated_engine, sorted(ids, key=str, reverse=True))
    assert (first.k, first.silhouette, first.scores) == (again.k, again.silhouette, again.scores)
    assert [(s.number, s.members, s.centroid, s.flag_names) for s in first.segments] == \
           [(s.number, s.members, s.centroid, s.flag_names) for s in again.segments]
    assert first.outreach == again.outreach


def test_too_few_or_identical_residents_get_a_message_not_a_crash(browser_for, community, migrated_engine) -> None:
    result = _segment(migrated_engine, {community.east_resident})
    assert result.problem is segments.Problem.TOO_FEW and result.segments == []
    assert _segment(migrated_engine, set()).problem is segments.Problem.TOO_FEW
    with session_scope(migrated_engine) as session:
        alike = {create_resident(session, f"新居民{i}").id for i in range(segments.MIN_RESIDENTS)}
    assert _segment(migrated_engine, alike).problem is segments.Problem.ALL_ALIKE
    page = browser_for("se").get("/segments")  # grid East: one resident
    assert page.status_code == 200
    assert "只有 1 位居民，至少需要 6 位才能分群" in page.text


def test_the_page_describes_segments_in_words(groups, browser_for, migrated_engine) -> None:
    staff = browser_for("sn")
    page = staff.get("/segments").text
    assert "分为 3 组" in page and "呼救多" in page and "180 天未走访" in page and "常参加活动" in page
    staff.get("/lang/en")
    page = staff.get("/segments").text
    assert "3 segments" in page and "many help calls" in page and "not visited for 180 days" in page
    assert "often at activities" in page and "older (average age" in page
    for name in ("frail-0", "frail-7"):
        assert name in page
    assert "active-0" not in page  # listed for outreach: the frail group only


def test_the_outreach_button_plans_visits_once_and_a_visit_completes_them(groups, browser_for, migrated_engine) -> None:
    staff = browser_for("sn")
    page = staff.get("/segments").text
    chosen = [str(r) for r in groups["frail"]] + [str(next(iter(groups["active"])))]  # not on the list
    answer = staff.post("/segments/outreach", data={"csrf_token": csrf_of(page), "resident": chosen},
                        follow_redirects=False)
    assert answer.status_code == 303 and answer.headers["location"] == f"/segments?planned={GROUP_SIZE}"
    assert f"已安排 {GROUP_SIZE} 个走访任务" in staff.get(answer.headers["location"]).text
    again = staff.post("/segments/outreach", data={"csrf_token": csrf_of(page), "resident": chosen},
                       follow_redirects=False)
    assert again.headers["location"] == "/segments?planned=0"
    with session_scope(migrated_engine) as session:
        tasks = list(session.scalars(select(VisitTask)))
        created = session.scalar(select(func.count()).select_from(AuditEntry)
                                 .where(AuditEntry.action == "visit_task.created"))
    assert {t.resident_id for t in tasks} == groups["frail"] and created == GROUP_SIZE
    assert all(t.reason == "outreach" and "help_calls_high" in t.detail["flags"] for t in tasks)
    assert all(t.due_on == visits.local_today(TZ) + timedelta(days=segments.outreach_rule().due_in_days)
               for t in tasks)
    assert "已有任务" in staff.get("/segments").text

    # Logging a visit completes that resident's outreach task; the diary shows the reason.
    resident = sorted(groups["frail"], key=str)[0]
    diary = staff.get(f"/visits/resident/{resident}").text
    assert "主动关怀" in diary and "呼救多" in diary
    staff.post(f"/visits/resident/{resident}", data={"csrf_token": csrf_of(diary),
                                                    "visited_on": visits.local_today(TZ).isoformat()})
    with session_scope(migrated_engine) as session:
        done = session.scalars(select(VisitTask).where(VisitTask.resident_id == resident)).one()
    assert done.done_at is not None and done.visit_id is not None


def test_only_staff_and_admins_see_segments_each_their_scope(groups, browser_for) -> None:
    for username in ("ca", "cb", "vol"):
        client = browser_for(username)
        assert client.get("/segments").status_code == 403
        token = csrf_of(client.get("/").text)
        assert client.post("/segments/outreach", data={"csrf_token": token}).status_code == 403
    assert "frail-0" not in browser_for("se").get("/segments").text  # grid East only
    admin = browser_for("adm").get("/segments")
    assert admin.status_code == 200 and "26 residents" in admin.text  # everyone (admin reads English)


def test_birth_years_from_the_command_line(db_url, capsys, monkeypatch) -> None:
    from server.db import create_db_engine, upgrade
    from tests.web.test_web_admin_cli import run

    upgrade(db_url)
    engine = create_db_engine(db_url)
    with session_scope(engine) as session:
        kiosk_id = register_kiosk(session, "Lobby")[0].id
    db = ("--db", db_url)
    assert run(monkeypatch, "admin", "add-resident", *db, "--name", "王秀英", "--kiosk", str(kiosk_id),
               "--birth-year", "1941") == 0
    resident_id = uuid.UUID(capsys.readouterr().out.strip())
    assert run(monkeypatch, "admin", "set-birth-year", *db, "--resident", str(resident_id), "--year", "1800") == 1
    assert "between 1900" in capsys.readouterr().err
    with session_scope(engine) as session:
        assert session.get(Resident, resident_id).birth_year == 1941
    assert run(monkeypatch, "admin", "set-birth-year", *db, "--resident", str(resident_id), "--year", "1939") == 0
    with session_scope(engine) as session:
        assert session.get(Resident, resident_id).birth_year == 1939
    assert run(monkeypatch, "admin", "set-birth-year", *db, "--resident", str(resident_id), "--clear") == 0
    with session_scope(engine) as session:
        assert session.get(Resident, resident_id).birth_year is None
        actions = list(session.scalars(select(AuditEntry.action).where(AuditEntry.actor == "cli")))
    assert actions.count("resident.birth_year") == 2
    engine.dispose()


def test_every_flag_and_problem_has_words_in_every_language() -> None:
    from server.services.segment_features import FEATURES
    from server.web.i18n import LANGUAGES, catalogue

    for lang in LANGUAGES:
        keys = catalogue(lang)
        for feature in FEATURES:
            assert f"web.segments.feature.{feature}" in keys
            for direction in ("high", "low"):
                assert f"web.segments.words.{feature}_{direction}" in keys, (lang, feature)
                assert f"web.segments.short.{feature}_{direction}" in keys, (lang, feature)
        for problem in segments.Problem:
            assert f"web.segments.problem.{problem.value}" in keys
