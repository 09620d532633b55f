"""Mounting the web console on the app: templates, static files, routes and error pages."""

from __future__ import annotations

import logging
from pathlib import Path
from typing import Any
from urllib.parse import quote

from fastapi import FastAPI, Request
from fastapi.responses import HTMLResponse, PlainTextResponse, RedirectResponse, Response
from fastapi.staticfiles import StaticFiles
from fastapi.templating import Jinja2Templates

from server.web.deps import CsrfRefused, Forbidden, LoginRequired, translator

log = logging.getLogger(__name__)

WEB_DIR = Path(__file__).resolve().parent
templates = Jinja2Templates(directory=WEB_DIR / "templates")
templates.env.filters["utc"] = lambda value: value.strftime("%Y-%m-%d %H:%M:%S UTC") if value else ""
templates.env.filters["iso"] = lambda value: value.isoformat() if value else ""

# Pages are never cached and never framed; scripts and styles come from this server only.
SECURITY_HEADERS = {
    "Cache-Control": "no-store",
    "X-Frame-Options": "DENY",
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "same-origin",
    "Content-Security-Policy": "default-src 'self'; img-src 'self' data:; style-src 'self'; "
                               "script-src 'self'; frame-ancestors 'none'; form-action 'self'",
}


def render(request: Request, name: str, context: dict[str, Any], status_code: int = 200) -> HTMLResponse:
    viewer = context.get("viewer")
    context.setdefault("t", translator(request, viewer.account if viewer else None))
    response = templates.TemplateResponse(request, name, context, status_code=status_code)
    response.headers.update(SECURITY_HEADERS)
    return response


def _wants_html(request: Request) -> bool:
    return "text/html" in request.headers.get("accept", "") or request.method == "POST"


async def _login_required(request: Request, _exc: Exception) -> Response:
    if request.url.path.endswith("/events") or not _wants_html(request):
        return PlainTextResponse("sign in first", status_code=401)
    target = request.url.path + (f"?{request.url.query}" if request.url.query else "")
    return RedirectResponse(f"/login?next={quote(target)}", status_code=303)


async def _forbidden(request: Request, _exc: Exception) -> Response:
    return render(request, "message.html", {"title_key": "errors.forbidden_title",
                                            "message_key": "errors.forbidden"}, status_code=403)


async def _csrf_refused(request: Request, _exc: Exception) -> Response:
    log.warning("form post to %s without a valid CSRF token refused", request.url.path)
    return render(request, "message.html", {"title_key": "errors.forbidden_title",
                                            "message_key": "errors.csrf"}, status_code=403)


def install_web(app: FastAPI) -> None:
    from server.web import (board, console, escalation, pages, points, reports, residents,
                            segments, stats, visits, work)

    app.mount("/static", StaticFiles(directory=WEB_DIR / "static"), name="static")
    app.add_exception_handler(LoginRequired, _login_required)
    app.add_exception_handler(Forbidden, _forbidden)
    app.add_exception_handler(CsrfRefused, _csrf_refused)
    for router in (pages.router, console.router, residents.router, escalation.router, stats.router,
                   visits.router, segments.router, points.router, reports.router, work.router,
                   board.router):
        app.include_router(router, include_in_schema=False)
