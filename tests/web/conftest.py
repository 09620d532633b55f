"""A small community for the web tests: one kiosk, two grids, residents, one account per role.

- caregiver `ca` looks after 王秀英 (grid East); caregiver `cb` looks after 李建国 (grid West)
- staff `se` works in grid East; volunteer `vol`; admin `adm`
Every password is PASSWORD.
"""

from __future__ import annotations

import re
import uuid
from collections.abc import Iterator
from dataclasses import dataclass

import pytest
from sqlalchemy import Engine

PASSWORD = "correct horse battery"
_CSRF = re.compile(r'name="csrf_token" value="([^"]+)"')


@dataclass(frozen=True)
class Community:
    kiosk_id: uuid.UUID
    token: str
    east_resident: uuid.UUID  # 王秀英, cared for by `ca`, grid East (staff `se`)
    west_resident: uuid.UUID  # 李建国, cared for by `cb`, grid West
    east_band: uuid.UUID

    @property
    def kiosk_headers(self) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.token}"}


def build_community(engine: Engine) -> Community:
    from server.db import session_scope
    from server.services import accounts
    from server.services.directory import create_resident, pair_wristband
    from server.services.kiosks import register_kiosk

    with session_scope(engine) as session:
        kiosk, token = register_kiosk(session, "Building 3 lobby", community_phone="010-12345678")
        east = accounts.create_grid(session, "East")
        west = accounts.create_grid(session, "West")
        wang = create_resident(session, "王秀英", kiosk_id=kiosk.id, caregivers=["张阿姨"],
                               address="幸福路 12 号 3 单元 501", phone="13800000001")
        li = create_resident(session, "李建国", kiosk_id=kiosk.id, caregivers=["李华"],
                             address="幸福路 12 号 1 单元 202")
        band = pair_wristband(session, ble_address="C0:4C:1A:00:00:01", name="Linli-Band-01",
                              resident_id=wang.id)
        accounts.place_resident(session, wang.id, east.id)
        accounts.place_resident(session, li.id, west.id)
        ca = accounts.create_account(session, "ca", PASSWORD, "caregiver", display_name="张阿姨")
        cb = accounts.create_account(session, "cb", PASSWORD, "caregiver", display_name="李华")
        accounts.link_caregiver(session, ca, wang.id)
        accounts.link_caregiver(session, cb, li.id)
        se = accounts.create_account(session, "se", PASSWORD, "staff", display_name="网格员小陈")
        accounts.assign_staff_grid(session, se, east.id)
        accounts.create_account(session, "vol", PASSWORD, "volunteer", display_name="志愿者小周")
        accounts.create_account(session, "adm", PASSWORD, "admin", display_name="管理员", language="en")
        return Community(kiosk.id, token, wang.id, li.id, band.id)


@pytest.fixture
def community(migrated_engine: Engine) -> Community:
    return build_community(migrated_engine)


def csrf_of(html: str) -> str:
    match = _CSRF.search(html)
    assert match, "no CSRF field on the page"
    return match.group(1)


def sign_in(client, username: str, password: str = PASSWORD):  # type: ignore[no-untyped-def]
    """Sign in through the real login form; returns the answer to the POST (not followed)."""
    page = client.get("/login")
    return client.post("/login", data={"username": username, "password": password,
                                       "csrf_token": csrf_of(page.text)}, follow_redirects=False)


@pytest.fixture
def browser_for(server_app, community) -> Iterator:  # type: ignore[no-untyped-def]
    """`browser_for("ca")`: a TestClient with its own cookies, signed in as that account."""
    from fastapi.testclient import TestClient

    clients = []

    def make(username: str | None):  # type: ignore[no-untyped-def]
        client = TestClient(server_app, base_url="http://testserver")
        client.__enter__()
        clients.append(client)
        if username is not None:
            answer = sign_in(client, username)
            assert answer.status_code == 303, answer.text
        return client

    yield make
    for client in clients:
        client.__exit__(None, None, None)


@pytest.fixture
def community_db(db_url: str) -> Iterator[tuple[str, Community]]:
    """A migrated database URL with the community in it, for tests that start server processes."""
    from server.db import create_db_engine, upgrade

    upgrade(db_url)
    engine = create_db_engine(db_url)
    community = build_community(engine)
    engine.dispose()
    yield db_url, community
