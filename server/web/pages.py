"""Sign in, sign out, the language switch and each role's home page."""

from __future__ import annotations

import hmac
import secrets
from typing import Annotated

from fastapi import APIRouter, Depends, Form, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import RedirectResponse, Response

from server.services import accounts, web_sessions
from server.services.accounts import Role
from server.settings import Settings
from server.web.deps import (
    LANG_COOKIE,
    SESSION_COOKIE,
    CsrfRefused,
    LoginRequired,
    Viewer,
    access,
    client_address,
    signed_in,
)
from server.web.i18n import LANGUAGES
from server.web.setup import render

router = APIRouter()

# Before sign-in there is no session to hold a CSRF token: the login form carries the same
# random value as this cookie (double submit), so another site cannot post it.
LOGIN_CSRF_COOKIE = "linli_login_csrf"
ANY_ROLE = tuple(Role)
HOME_OF = {Role.CAREGIVER: "/console", Role.STAFF: "/console", Role.ADMIN: "/console",
           Role.VOLUNTEER: "/volunteer"}


def _safe_next(target: str | None) -> str | None:
    """Only a path on this site: never an absolute URL (an open redirect)."""
    if target and target.startswith("/") and not target.startswith("//") and "\\" not in target:
        return target
    return None


def _settings(request: Request) -> Settings:
    return request.app.state.settings


def _login_page(request: Request, *, error_key: str | None = None, status_code: int = 200,
                next_path: str | None = None) -> Response:
    token = request.cookies.get(LOGIN_CSRF_COOKIE) or secrets.token_urlsafe(32)
    response = render(request, "login.html", {"csrf": token, "error_key": error_key,
                                               "next": _safe_next(next_path) or ""},
                      status_code=status_code)
    response.set_cookie(LOGIN_CSRF_COOKIE, token, httponly=True, samesite="strict",
                        secure=_settings(request).web_secure_cookies, path="/login")
    return response


@router.get("/login")
def login_form(request: Request, next: str | None = None) -> Response:  # noqa: A002 - query name
    return _login_page(request, next_path=next)


@router.post("/login")
def login(
    request: Request,
    username: Annotated[str, Form(max_length=200)] = "",
    password: Annotated[str, Form(max_length=1000)] = "",
    csrf_token: Annotated[str, Form(max_length=200)] = "",
    next: Annotated[str, Form(max_length=2000)] = "",  # noqa: A002 - form field name
) -> Response:
    cookie = request.cookies.get(LOGIN_CSRF_COOKIE, "")
    if not cookie or not hmac.compare_digest(cookie.encode(), csrf_token.encode()):
        raise CsrfRefused()
    settings = _settings(request)
    name = accounts.normalise_username(username)
    client = client_address(request)
    with request.app.state.sessions() as session:
        if web_sessions.login_blocked(
            session, name, client, max_per_user=settings.login_max_failures,
            max_per_client=settings.login_client_max_failures,
            window_minutes=settings.login_window_minutes,
        ):
            # Refused without checking the password, so guessing on gains nothing.
            web_sessions.record_failure(session, name, client)
            session.commit()
            return _login_page(request, error_key="login.blocked", status_code=429, next_path=next)
        account = accounts.check_login(session, name, password)
        if account is None:
            web_sessions.record_failure(session, name, client)
            session.commit()
            return _login_page(request, error_key="login.failed", status_code=401, next_path=next)
        web_sessions.clear_failures(session, name)
        # A session this browser had before is ended: a signed-in session is always new.
        previous = request.cookies.get(SESSION_COOKIE)
        if previous:
            web_sessions.end_session(session, previous)
        token = web_sessions.start_session(session, account, hours=settings.web_session_hours,
                                           client=client)
        session.commit()
        role = Role(account.role)
    response = RedirectResponse(_safe_next(next) or HOME_OF[role], status_code=303)
    response.set_cookie(SESSION_COOKIE, token, httponly=True, samesite="strict",
                        secure=settings.web_secure_cookies, path="/",
                        max_age=int(settings.web_session_hours * 3600))
    response.delete_cookie(LOGIN_CSRF_COOKIE, path="/login")
    return response


@router.post("/logout")
def logout(request: Request, viewer: Annotated[Viewer, Depends(access(*ANY_ROLE))]) -> Response:
    with request.app.state.sessions() as session:
        web_sessions.end_session(session, viewer.token)
        session.commit()
    response = RedirectResponse("/login", status_code=303)
    response.delete_cookie(SESSION_COOKIE, path="/")
    return response


@router.get("/lang/{code}")
def choose_language(code: str, next: str | None = None) -> Response:  # noqa: A002
    response = RedirectResponse(_safe_next(next) or "/", status_code=303)
    if code in LANGUAGES:
        response.set_cookie(LANG_COOKIE, code, samesite="lax", max_age=365 * 24 * 3600, path="/")
    return response


@router.get("/")
async def home(request: Request) -> Response:
    try:
        viewer = await run_in_threadpool(signed_in, request)
    except LoginRequired:
        return RedirectResponse("/login", status_code=303)
    return RedirectResponse(HOME_OF[viewer.role], status_code=303)

