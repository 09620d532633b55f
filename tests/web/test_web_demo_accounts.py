"""`linli demo`'s web accounts: one per role, linked and placed, a new password at each start."""

from __future__ import annotations

from sqlalchemy import select

from server.db import session_scope
from server.demo_accounts import seed_demo_accounts
from server.demo_data import seed_demo
from server.models import Account
from server.services import visibility
from server.services.accounts import check_login


def test_demo_accounts_sign_in_and_see_their_residents(migrated_engine) -> None:
    info = seed_demo(migrated_engine)
    first = seed_demo_accounts(migrated_engine, info.resident_ids)
    second = seed_demo_accounts(migrated_engine, info.resident_ids)
    assert first.password != second.password
    with session_scope(migrated_engine) as session:
        assert len(session.scalars(select(Account)).all()) == 5
        assert check_login(session, "zhang", first.password) is None
        zhang = check_login(session, "zhang", second.password)
        assert zhang is not None
        assert visibility.resident_ids_in_scope(session, zhang) == {info.resident_ids[0]}
        chen = check_login(session, "chen", second.password)
        assert visibility.resident_ids_in_scope(session, chen) == set(info.resident_ids)
        zhou = check_login(session, "zhou", second.password)
        assert not visibility.may_see_resident(session, zhou, info.resident_ids[0])
