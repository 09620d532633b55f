"""`linli report weekly --week 2026-W48 --out FILE.pdf`: the weekly improvement report as a PDF."""

from __future__ import annotations

import argparse
import sys
import uuid
from pathlib import Path


def add_commands(subparsers: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    report = subparsers.add_parser("report", help="make a report from the server's database")
    kinds = report.add_subparsers(dest="report_command", metavar="REPORT", required=True)
    weekly = kinds.add_parser("weekly", help="the weekly improvement report as a PDF")
    weekly.add_argument("--week", metavar="YYYY-Www",
                        help="ISO week, e.g. 2026-W48 (default: the last full week)")
    weekly.add_argument("--out", required=True, type=Path, metavar="FILE.pdf")
    weekly.add_argument("--grid", type=uuid.UUID, metavar="GRID_ID",
                        help="one grid's residents only (default: the whole community)")
    weekly.add_argument("--lang", choices=("zh", "en", "ko"), default="zh")
    weekly.add_argument("--db", metavar="URL",
                        help="database URL (default: $LINLI_DATABASE_URL or sqlite:///linli-server.sqlite3)")
    weekly.set_defaults(handler=_weekly)


def _weekly(args: argparse.Namespace) -> int:
    from zoneinfo import ZoneInfo

    from server.cli import with_session
    from server.errors import NotFoundError
    from server.models import Grid
    from server.reports.pdf import weekly_pdf
    from server.services.weekly_report import last_full_week, parse_week, scope_of_grid, weekly_report
    from server.settings import Settings
    from server.web.i18n import Translator

    zone = ZoneInfo(Settings().community_timezone)
    t = Translator(args.lang)

    def action(session) -> int:  # type: ignore[no-untyped-def]
        week = parse_week(args.week, zone) if args.week else last_full_week(zone)
        if args.grid is not None:
            grid = session.get(Grid, args.grid)
            if grid is None:
                raise NotFoundError(f"no grid {args.grid}; `linli admin list-grids` lists them")
            scope_text = t("reports.weekly.scope_grids", grids=grid.name)
        else:
            scope_text = t("reports.weekly.scope_all")
        report = weekly_report(session, week, scope_of_grid(session, args.grid))
        args.out.write_bytes(weekly_pdf(report, t, zone=zone.key, scope_text=scope_text))
        print(f"{args.out}: weekly report {week.label}, {report.ratings} ratings, "
              f"{len(report.overdue)} overdue requests, {report.answers.alarms} alarms counted")
        return 0

    try:
        return with_session(args, action)
    except OSError as exc:
        print(f"error: cannot write {args.out}: {exc}", file=sys.stderr)
        return 1
