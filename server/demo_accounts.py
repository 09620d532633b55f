"""Web accounts for `linli demo`: one per role, one shared password made anew at each start.

The demo serves on loopback only; a fresh random password per start means a demo database
copied elsewhere carries no known password.
"""

from __future__ import annotations

import secrets
import uuid
from dataclasses import dataclass

from sqlalchemy import Engine, select

from server.db import session_scope
from server.models import Grid
from server.services import accounts

DEMO_GRID = "幸福路网格"
DEMO_ACTOR = "demo"

# (username, role, display name, index of the demo resident a caregiver looks after)
_ACCOUNTS = (
    ("zhang", "caregiver", "张阿姨", 0),
    ("lihua", "caregiver", "李华", 1),
    ("chen", "staff", "网格员小陈", None),
    ("zhou", "volunteer", "志愿者小周", None),
    ("admin", "admin", "管理员", None),
)


@dataclass(frozen=True, slots=True)
class DemoLogins:
    password: str
    accounts: list[tuple[str, str]]  # (username, role)


def seed_demo_accounts(engine: Engine, resident_ids: list[uuid.UUID]) -> DemoLogins:
    password = secrets.token_urlsafe(12)
    with session_scope(engine) as session:
        grid = session.scalars(select(Grid).where(Grid.name == DEMO_GRID)).first()
        if grid is None:
            grid = accounts.create_grid(session, DEMO_GRID, actor=DEMO_ACTOR)
        for resident_id in resident_ids:
            accounts.place_resident(session, resident_id, grid.id, actor=DEMO_ACTOR)
        for username, role, name, resident in _ACCOUNTS:
            account = accounts.find_account(session, username)
            if account is None:
                account = accounts.create_account(session, username, password, role,
                                                  display_name=name, actor=DEMO_ACTOR)
            else:
                accounts.set_password(session, account, password, actor=DEMO_ACTOR)
            if resident is not None and resident < len(resident_ids):
                accounts.link_caregiver(session, account, resident_ids[resident], actor=DEMO_ACTOR)
            if role == "staff":
                accounts.assign_staff_grid(session, account, grid.id, actor=DEMO_ACTOR)
    return DemoLogins(password, [(username, role) for username, role, _, _ in _ACCOUNTS])
