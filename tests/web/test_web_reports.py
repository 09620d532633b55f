"""Satisfaction per type, grid and month, and the weekly improvement report (page, PDF, command),
from records pushed by the kiosk through the real sync API."""

from __future__ import annotations

import io
import uuid
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from pypdf import PdfReader
from sqlalchemy import Engine, update

from server.db import session_scope
from server.models import HelpCall, ReceivedRecord, ServiceRequest
from server.services.accounts import find_account
from server.services.satisfaction import month_of, ratings, satisfaction
from server.services.weekly_report import Week, last_full_week, scope_of_account, weekly_report
from tests.server.factories import envelope, grocery_payload
from tests.web.test_web_access import push_call

ZONE = ZoneInfo("Asia/Shanghai")  # the default community_timezone


def _push(client, community, kind: str, payload: dict) -> uuid.UUID:  # type: ignore[no-untyped-def]
    record = envelope(community.kiosk_id, kind, payload)
    answer = client.post("/api/v1/sync/push", json={"records": [record]}, headers=community.kiosk_headers)
    assert answer.json()["accepted"] == 1, answer.text
    return uuid.UUID(record["id"])


def _request(client, community, resident: uuid.UUID, kind: str) -> uuid.UUID:  # type: ignore[no-untyped-def]
    details = {"repair": {"type": "repair", "what": "water"},
               "certificate": {"type": "certificate", "certificate": "residence"}}
    if kind == "grocery":
        return _push(client, community, "service_request", grocery_payload(resident))
    return _push(client, community, "service_request",
                 {"resident_id": str(resident), "details": details[kind]})


def _rate(client, community, resident: uuid.UUID, request_id: uuid.UUID, stars: int,  # type: ignore[no-untyped-def]
          words: list[str] = (), comment: str | None = None) -> uuid.UUID:  # type: ignore[assignment]
    payload = {"resident_id": str(resident), "request_id": str(request_id), "stars": stars,
               "quick_comments": list(words)}
    if comment:
        payload["comment"] = comment
    return _push(client, community, "feedback", payload)


def _received(engine: Engine, record_id: uuid.UUID, at: datetime) -> None:
    with session_scope(engine) as session:
        session.execute(update(ReceivedRecord).where(ReceivedRecord.record_id == record_id)
                        .values(received_at=at))


def _closed(engine: Engine, request_id: uuid.UUID, at: datetime) -> None:
    with session_scope(engine) as session:
        session.execute(update(ServiceRequest).where(ServiceRequest.record_id == request_id)
                        .values(status="done", updated_at=at))


def _answered(engine: Engine, call_id: uuid.UUID, received: datetime, after: float) -> None:
    _received(engine, call_id, received)
    with session_scope(engine) as session:
        session.execute(update(HelpCall).where(HelpCall.record_id == call_id).values(
            state="acknowledged", acknowledged_at=received + timedelta(seconds=after),
            acknowledged_by="张阿姨"))


def _seed_week(client, community, engine: Engine) -> dict:  # type: ignore[no-untyped-def]
    """Last full week: two poorly rated repairs (both late), a grocery done in time and rated
    well, a call-back, West's late certificate, alarms answered in 30 s and 90 s."""
    week = last_full_week(ZONE)
    east, west = community.east_resident, community.west_resident
    day = week.start + timedelta(days=1, hours=10)
    ids = {"week": week}
    ids["late_open"] = _request(client, community, east, "repair")  # due 48 h later: mid-week
    _received(engine, ids["late_open"], week.start - timedelta(days=1))
    ids["late_closed"] = _request(client, community, east, "repair")
    _received(engine, ids["late_closed"], week.start + timedelta(days=1))
    _closed(engine, ids["late_closed"], week.start + timedelta(days=4))  # 24 h late
    ids["in_time"] = _request(client, community, east, "grocery")
    _received(engine, ids["in_time"], week.start + timedelta(days=2))
    _closed(engine, ids["in_time"], week.start + timedelta(days=2, hours=2))
    ids["west"] = _request(client, community, west, "certificate")
    _received(engine, ids["west"], week.start - timedelta(days=5))
    callback = _push(client, community, "callback_request",
                     {"resident_id": str(east), "target": "service_centre"})

    rated = [
        _rate(client, community, east, ids["late_open"], 2, ["太慢了"]),
        _rate(client, community, east, ids["late_closed"], 1, ["太慢了"], "师傅两天没来"),
        _rate(client, community, east, ids["in_time"], 5, ["态度好"]),
        _rate(client, community, east, callback, 4),
        _rate(client, community, west, ids["west"], 1, [], "西边的证明没开"),
    ]
    for feedback in rated:
        _received(engine, feedback, day)
    ids["older"] = _rate(client, community, east, ids["in_time"], 3)
    ids["older_at"] = day - timedelta(days=70)
    _received(engine, ids["older"], ids["older_at"])

    _answered(engine, push_call(client, community, east), week.start + timedelta(hours=30), 30)
    _answered(engine, push_call(client, community, east), week.start + timedelta(hours=31), 90)
    _answered(engine, push_call(client, community, west), week.start + timedelta(hours=32), 5)
    return ids


def test_satisfaction_per_type_grid_and_month(browser_for, community, migrated_engine: Engine) -> None:
    staff = browser_for("se")
    ids = _seed_week(staff, community, migrated_engine)
    week: Week = ids["week"]
    with session_scope(migrated_engine) as session:
        se, adm = find_account(session, "se"), find_account(session, "adm")
        since, until = week.start - timedelta(days=100), week.end
        everyone = satisfaction(session, since, until, None, ZONE)
        east = satisfaction(session, since, until, scope_of_account(session, se).resident_ids, ZONE)
        in_week = ratings(session, week.start, week.end, None)
        del adm

    def table(groups):  # type: ignore[no-untyped-def]
        return {g.key: (g.average, g.count) for g in groups}

    assert table(everyone.by_type) == {"repair": (1.5, 2), "grocery": (4.0, 2), "callback": (4.0, 1),
                                       "certificate": (1.0, 1)}
    assert [g.key for g in everyone.by_type][:2] == ["certificate", "repair"]  # lowest first
    assert table(everyone.by_grid) == {"West": (1.0, 1), "East": (3.0, 5)}
    assert table(east.by_type) == {"repair": (1.5, 2), "grocery": (4.0, 2), "callback": (4.0, 1)}
    assert table(east.by_grid) == {"East": (3.0, 5)}
    this_month, old_month = month_of(in_week[0], ZONE), ids["older_at"].astimezone(ZONE).strftime("%Y-%m")
    assert table(east.by_month) == {old_month: (3.0, 1), this_month: (3.0, 4)}
    assert (everyone.count, everyone.average) == (6, 2.67)

    page = staff.get("/satisfaction?months=12")
    assert page.status_code == 200
    assert "报修" in page.text and "1.50" in page.text and "<svg" in page.text
    assert "证明" not in page.text.split("<main>")[1].split("按网格")[0]  # West's type not shown
    admin = browser_for("adm").get("/satisfaction").text
    assert "West" in admin


def test_weekly_report_sections_page_and_pdf(browser_for, community, migrated_engine: Engine) -> None:
    staff = browser_for("se")
    ids = _seed_week(staff, community, migrated_engine)
    week: Week = ids["week"]
    with session_scope(migrated_engine) as session:
        se = find_account(session, "se")
        report = weekly_report(session, week, scope_of_account(session, se))
    assert [(g.key, g.average, g.count) for g in report.lowest] == [
        ("repair", 1.5, 2), ("callback", 4.0, 1), ("grocery", 5.0, 1)]
    assert report.comments[0].stars == 1 and report.comments[0].text == "师傅两天没来"
    assert all("西边" not in (c.text or "") for c in report.comments)
    assert report.quick_comments == [("太慢了", 2), ("态度好", 1)]
    assert [item.record_id for item in report.overdue] == [ids["late_open"], ids["late_closed"]]
    assert [item.hours_late for item in report.overdue] == [144.0, 24.0]
    assert (report.answers.alarms, report.answers.within) == (2, {60: 1, 180: 2})

    page = staff.get(f"/reports/weekly?week={week.label}")
    assert page.status_code == 200
    html = page.text
    assert week.label in html and "师傅两天没来" in html and "144.0 小时" in html
    assert str(ids["late_open"]) in html and str(ids["in_time"]) not in html
    assert "西边" not in html and html.count("<svg") == 3

    pdf = staff.get(f"/reports/weekly.pdf?week={week.label}")
    assert pdf.status_code == 200 and pdf.headers["content-type"] == "application/pdf"
    assert pdf.content.startswith(b"%PDF-")
    text = "".join(page.extract_text() for page in PdfReader(io.BytesIO(pdf.content)).pages)
    for expected in (f"每周改进报告 {week.label}", "评分最低的服务", "居民的意见", "超时未办的请求",
                     "警报应答时间", "报修", "1.50", "师傅两天没来", "144.0 小时", "50.0% (1/2)"):
        assert expected in text, expected
    assert "西边" not in text


def test_weekly_report_command_writes_the_pdf(browser_for, community, migrated_engine: Engine,
                                               db_url: str, tmp_path, capsys) -> None:  # type: ignore[no-untyped-def]
    from linli.cli import main

    ids = _seed_week(browser_for(None), community, migrated_engine)
    out = tmp_path / "week.pdf"
    assert main(["report", "weekly", "--week", ids["week"].label, "--out", str(out), "--db", db_url]) == 0
    text = "".join(page.extract_text() for page in PdfReader(out).pages)
    assert "西边的证明没开" in text and "范围：全部网格" in text  # the whole community
    assert "3 overdue requests" in capsys.readouterr().out
    assert main(["report", "weekly", "--week", "2026-W99", "--out", str(out), "--db", db_url]) == 1


def test_only_staff_and_admins_see_the_reports(browser_for, community) -> None:
    for username in ("ca", "vol"):
        client = browser_for(username)
        for path in ("/satisfaction", "/reports/weekly", "/reports/weekly.pdf"):
            assert client.get(path).status_code == 403, (username, path)
    assert browser_for(None).get("/reports/weekly.pdf").status_code in (303, 401)
    staff = browser_for("se")
    assert staff.get("/reports/weekly?week=2026-48").status_code == 422
    assert staff.get("/reports/weekly").status_code == 200
    assert staff.get("/satisfaction?months=0").status_code == 422


@pytest.mark.parametrize("lang", ["en", "ko"])
def test_the_pdf_in_other_languages(browser_for, community, lang: str) -> None:
    staff = browser_for("se")
    staff.get(f"/lang/{lang}")
    pdf = staff.get("/reports/weekly.pdf")
    text = "".join(page.extract_text() for page in PdfReader(io.BytesIO(pdf.content)).pages)
    assert {"en": "Weekly improvement report", "ko": "주간 개선 보고서"}[lang] in text


def test_every_service_type_has_a_name_in_each_language() -> None:
    from server.services.satisfaction import CALLBACK, OTHER
    from server.web.i18n import LANGUAGES, catalogue
    from sync.records import RequestType

    for lang in LANGUAGES:
        names = catalogue(lang)
        for kind in [*RequestType, CALLBACK, OTHER]:
            assert f"web.reports.types.{kind}" in names, (lang, kind)


def test_a_week_far_from_now_is_refused_not_overflowed() -> None:
    # Found by the web fuzzer: 0001-W01 overflowed once converted to UTC (a 500).
    from zoneinfo import ZoneInfo

    from server.errors import InvalidInputError
    from server.services.weekly_report import parse_week

    for text in ("0001-W01", "1969-W52", "9999-W52"):
        with pytest.raises(InvalidInputError):
            parse_week(text, ZoneInfo("Asia/Shanghai"))
    assert parse_week("2026-W48", ZoneInfo("Asia/Shanghai")).label == "2026-W48"
