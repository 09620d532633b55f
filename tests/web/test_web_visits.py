"""The visit diary: logging visits, tasks they complete, weekly household counts, and who may see it."""

from __future__ import annotations

import uuid
from datetime import date, datetime, timedelta, timezone

from sqlalchemy import Engine, func, select

from server.db import session_scope
from server.models import AuditEntry, Resident, Visit, VisitTask
from server.services import accounts, visits
from server.services.directory import create_resident
from server.web.i18n import LANGUAGES, catalogue
from tests.web.conftest import csrf_of


def _today() -> date:
    return visits.local_today("Asia/Shanghai")


def _count(engine: Engine, model) -> int:  # type: ignore[no-untyped-def]
    with session_scope(engine) as session:
        return session.scalar(select(func.count()).select_from(model)) or 0


def _audit(engine: Engine, action: str) -> list[AuditEntry]:
    with session_scope(engine) as session:
        return list(session.scalars(select(AuditEntry).where(AuditEntry.action == action)))


def _form(client, path: str) -> str:  # type: ignore[no-untyped-def]
    page = client.get(path)
    assert page.status_code == 200, page.text
    return csrf_of(page.text)


def test_a_logged_visit_completes_its_task_and_asks_for_a_follow_up(browser_for, community, migrated_engine) -> None:
    staff = browser_for("se")
    page = f"/visits/resident/{community.east_resident}"
    due = _today() + timedelta(days=3)
    answer = staff.post(f"{page}/plan", data={"csrf_token": _form(staff, page), "due_on": due.isoformat(),
                                              "note": "刚出院"}, follow_redirects=False)
    assert answer.status_code == 303
    shown = staff.get(page).text
    assert due.isoformat() in shown and "刚出院" in shown
    # A second plan while one is open is refused with a reason, and stores nothing.
    again = staff.post(f"{page}/plan", data={"csrf_token": csrf_of(shown), "due_on": due.isoformat()})
    assert again.status_code == 400 and "已有待走访任务" in again.text
    assert _count(migrated_engine, VisitTask) == 1

    with session_scope(migrated_engine) as session:
        se_id = accounts.find_account(session, "se").id
    visited = _today() - timedelta(days=1)
    answer = staff.post(page, data={
        "csrf_token": csrf_of(shown), "visited_on": visited.isoformat(), "worker": str(se_id),
        "companions": "志愿者小周", "needs": ["health", "loneliness"], "note": "膝盖疼，独自在家",
        "follow_up": "yes"}, follow_redirects=False)
    assert answer.status_code == 303
    shown = staff.get(answer.headers["location"]).text
    assert "走访记录已保存" in shown and "膝盖疼，独自在家" in shown and "精神慰藉" in shown

    with session_scope(migrated_engine) as session:
        visit = session.scalars(select(Visit)).one()
        tasks = {task.reason: task for task in session.scalars(select(VisitTask))}
    assert (visit.worker_id, visit.visited_on, visit.needs) == (se_id, visited, ["health", "loneliness"])
    assert tasks["planned"].done_at is not None and tasks["planned"].visit_id == visit.id
    assert tasks["follow_up"].done_at is None
    assert tasks["follow_up"].due_on == visited + timedelta(days=visits.FOLLOW_UP_DAYS)

    logged = _audit(migrated_engine, "visit.logged")
    assert len(logged) == 1 and logged[0].actor == "account:se"
    assert logged[0].detail["completed_tasks"] == [str(tasks["planned"].id)]
    assert "膝盖疼" not in str(logged[0].detail)  # notes stay out of the audit log
    assert len(_audit(migrated_engine, "visit_task.created")) == 2

    # The resident page links to the diary for staff; the overview and worker page list it.
    assert page in staff.get(f"/residents/{community.east_resident}").text
    overview = staff.get("/visits").text
    assert "膝盖疼" in overview and "回访" in overview
    assert "膝盖疼" in staff.get(f"/visits/worker/{se_id}").text


def test_visit_forms_refuse_what_cannot_be_stored(browser_for, community, migrated_engine) -> None:
    staff = browser_for("se")
    page = f"/visits/resident/{community.east_resident}"
    with session_scope(migrated_engine) as session:
        cb_id = accounts.find_account(session, "cb").id
    cases = [
        ({"visited_on": (_today() + timedelta(days=1)).isoformat()}, "走访日期不能晚于今天"),
        ({"visited_on": "not a date"}, "请填写有效的日期"),
        ({"visited_on": _today().isoformat(), "worker": str(cb_id)}, "走访人必须是该居民所在网格的网格员"),
        ({"visited_on": _today().isoformat(), "needs": "nonsense"}, "需求类别无效"),
        ({"visited_on": (_today() - timedelta(days=400)).isoformat()}, "走访日期太早了"),
    ]
    for fields, message in cases:
        answer = staff.post(page, data={"csrf_token": _form(staff, page), **fields})
        assert answer.status_code == 400 and message in answer.text, fields
    answer = staff.post(f"{page}/plan", data={"csrf_token": _form(staff, page),
                                              "due_on": (_today() - timedelta(days=1)).isoformat()})
    assert answer.status_code == 400 and "应走访日期不能早于今天" in answer.text
    assert _count(migrated_engine, Visit) == 0 and _count(migrated_engine, VisitTask) == 0


def test_only_staff_of_the_grid_and_admins_see_or_log_visits(browser_for, community, migrated_engine) -> None:
    east, west = community.east_resident, community.west_resident
    admin = browser_for("adm")
    admin.post(f"/visits/resident/{west}", data={
        "csrf_token": _form(admin, f"/visits/resident/{west}"), "visited_on": _today().isoformat(),
        "note": "西网格的私事"})
    staff = browser_for("se")
    staff.post(f"/visits/resident/{east}", data={
        "csrf_token": _form(staff, f"/visits/resident/{east}"), "visited_on": _today().isoformat(),
        "note": "东网格的私事"})
    assert _count(migrated_engine, Visit) == 2
    with session_scope(migrated_engine) as session:
        se_id = accounts.find_account(session, "se").id
        adm_id = accounts.find_account(session, "adm").id

    for username in ("ca", "cb", "vol"):
        client = browser_for(username)
        token = csrf_of(client.get("/").text)
        for path in ("/visits", f"/visits/resident/{east}", f"/visits/resident/{west}", f"/visits/worker/{se_id}"):
            answer = client.get(path)
            assert answer.status_code == 403, (username, path)
            assert "私事" not in answer.text
        assert client.post(f"/visits/resident/{east}", data={"csrf_token": token}).status_code == 403
    # Staff: their grid only, on every page; a post for another grid stores nothing.
    assert staff.get(f"/visits/resident/{west}").status_code == 403
    refused = staff.post(f"/visits/resident/{west}", data={
        "csrf_token": _form(staff, "/visits"), "visited_on": _today().isoformat()})
    assert refused.status_code == 403 and _count(migrated_engine, Visit) == 2
    overview = staff.get("/visits").text
    assert "东网格的私事" in overview and "西网格的私事" not in overview
    assert "西网格的私事" not in staff.get(f"/visits/worker/{adm_id}").text
    # Admin: everything.
    overview = admin.get("/visits").text
    assert "东网格的私事" in overview and "西网格的私事" in overview
    assert admin.get(f"/visits/resident/{uuid.uuid4()}").status_code == 404


def test_forms_without_the_csrf_token_store_nothing(browser_for, community, migrated_engine) -> None:
    staff = browser_for("se")
    page = f"/visits/resident/{community.east_resident}"
    fields = {"visited_on": _today().isoformat(), "due_on": _today().isoformat()}
    for path in (page, f"{page}/plan", "/segments/outreach"):
        assert staff.post(path, data=fields).status_code == 403
        assert staff.post(path, data={**fields, "csrf_token": "forged"}).status_code == 403
    assert _count(migrated_engine, Visit) == 0 and _count(migrated_engine, VisitTask) == 0


def test_weekly_counts_are_distinct_households_per_local_week(community, migrated_engine) -> None:
    today = date(2026, 12, 2)  # a Wednesday; its week starts on Monday 2026-11-30
    with session_scope(migrated_engine) as session:
        se = accounts.find_account(session, "se")
        wang = session.get(Resident, community.east_resident)
        east = wang.grid_id
        husband = create_resident(session, "王老伯", address="幸福路 12 号  3 单元 501")  # same home
        alone = create_resident(session, "赵奶奶", address="幸福路 14 号")
        for resident in (husband, alone):
            accounts.place_resident(session, resident.id, east)

        def log(resident, day: date) -> None:  # type: ignore[no-untyped-def]
            visits.log_visit(session, resident, visits.VisitForm(visited_on=day, worker_id=se.id),
                             logged_by=se, today=today, actor="test")

        log(wang, date(2026, 11, 30))
        log(husband, date(2026, 12, 1))  # the same household as 王秀英: counts once
        log(wang, date(2026, 12, 2))  # the same resident again: counts once
        log(alone, date(2026, 11, 29))  # Sunday: the week before
        log(alone, date(2026, 11, 16))  # three weeks before
        counts = visits.weekly_counts(session, None, workers=[se], today=today, target=10)
        in_grid = visits.weekly_counts(session, {alone.id}, workers=[se], today=today, target=10)
    assert counts.weeks == [date(2026, 11, 30), date(2026, 11, 23), date(2026, 11, 16), date(2026, 11, 9)]
    assert counts.workers[0].counts == [1, 1, 1, 0]
    assert in_grid.workers[0].counts == [0, 1, 1, 0]  # only visits to residents in scope count


def test_the_week_turns_at_local_midnight() -> None:
    sunday_evening_utc = datetime(2026, 11, 29, 17, 0, tzinfo=timezone.utc)  # Monday 01:00 in Shanghai
    assert visits.local_today("Asia/Shanghai", sunday_evening_utc) == date(2026, 11, 30)
    assert visits.week_start(visits.local_today("Asia/Shanghai", sunday_evening_utc)) == date(2026, 11, 30)
    assert visits.week_start(visits.local_today("UTC", sunday_evening_utc)) == date(2026, 11, 23)


def test_the_weekly_table_shows_the_target(browser_for, community) -> None:
    staff = browser_for("se")
    page = f"/visits/resident/{community.east_resident}"
    staff.post(page, data={"csrf_token": _form(staff, page), "visited_on": _today().isoformat()})
    overview = staff.get("/visits").text
    row = overview[overview.index('id="weeks-se"'):]
    assert "1 / 10" in row[:row.index("</tr>")]


def test_every_need_and_reason_has_words_in_every_language() -> None:
    for lang in LANGUAGES:
        keys = catalogue(lang)
        for need in visits.Need:
            assert f"web.visits.need.{need.value}" in keys, (lang, need)
        for reason in visits.TaskReason:
            assert f"web.visits.reason.{reason.value}" in keys, (lang, reason)
