"""`linli admin` account, grid and link commands through the real parser; the accounts they
make can sign in and see what their links allow."""

from __future__ import annotations

import argparse
import io
import uuid

import pytest
from sqlalchemy import select

from server.cli import add_commands
from server.db import create_db_engine, session_scope, upgrade
from server.models import Account, AuditEntry, CaregiverLink, Resident, StaffGrid
from server.services.accounts import check_login
from server.services.directory import create_resident
from server.services.kiosks import register_kiosk


def run(monkeypatch, *argv: str, stdin: str = "") -> int:  # type: ignore[no-untyped-def]
    monkeypatch.setattr("sys.stdin", io.StringIO(stdin))
    parser = argparse.ArgumentParser(prog="linli")
    add_commands(parser.add_subparsers(dest="command", required=True))
    args = parser.parse_args(list(argv))
    return args.handler(args)


def test_accounts_grids_and_links_from_the_command_line(db_url, capsys, monkeypatch) -> None:
    upgrade(db_url)
    engine = create_db_engine(db_url)
    with session_scope(engine) as session:
        kiosk, _ = register_kiosk(session, "Lobby")
        resident_id = create_resident(session, "王秀英", kiosk_id=kiosk.id).id
    db = ("--db", db_url)

    assert run(monkeypatch, "admin", "add-grid", *db, "--name", "东网格") == 0
    grid_id = capsys.readouterr().out.strip()
    assert run(monkeypatch, "admin", "create-account", *db, "--username", "Zhang", "--role", "caregiver",
               "--name", "张阿姨", "--resident", str(resident_id), "--password-stdin",
               stdin="a long enough secret\n") == 0
    uuid.UUID(capsys.readouterr().out.strip())
    assert run(monkeypatch, "admin", "create-account", *db, "--username", "chen", "--role", "staff",
               "--grid", grid_id, "--password-stdin", stdin="another long secret\n") == 0
    assert run(monkeypatch, "admin", "place-resident", *db, "--resident", str(resident_id),
               "--grid", grid_id) == 0
    capsys.readouterr()

    # Refusals say why and change nothing.
    assert run(monkeypatch, "admin", "create-account", *db, "--username", "zhang", "--role", "admin",
               "--password-stdin", stdin="a long enough secret\n") == 1
    assert "taken" in capsys.readouterr().err
    assert run(monkeypatch, "admin", "create-account", *db, "--username", "short", "--role", "admin",
               "--password-stdin", stdin="short\n") == 1
    assert "at least 10" in capsys.readouterr().err
    assert run(monkeypatch, "admin", "link-caregiver", *db, "chen", "--resident", str(resident_id)) == 1
    assert "not a caregiver" in capsys.readouterr().err

    assert run(monkeypatch, "admin", "list-accounts", *db) == 0
    listing = capsys.readouterr().out
    assert "caregiver  active    zhang  张阿姨" in listing and "staff" in listing
    assert "short" not in listing

    with session_scope(engine) as session:
        zhang = check_login(session, "ZHANG", "a long enough secret")
        assert zhang is not None and zhang.role == "caregiver"
        assert check_login(session, "zhang", "wrong secret!!") is None
        links = session.scalars(select(CaregiverLink.resident_id).where(CaregiverLink.account_id == zhang.id))
        assert list(links) == [resident_id]
        chen = session.scalars(select(Account).where(Account.username == "chen")).one()
        assert [str(g) for g in session.scalars(select(StaffGrid.grid_id))] == [grid_id]
        assert str(session.get(Resident, resident_id).grid_id) == grid_id
        actions = set(session.scalars(select(AuditEntry.action).where(AuditEntry.actor == "cli")))
        assert {"account.created", "caregiver.linked", "staff.grid_assigned", "resident.grid_set",
                "grid.created"} <= actions
        chen_id = chen.id

    assert run(monkeypatch, "admin", "set-password", *db, "chen", "--password-stdin",
               stdin="a brand new secret\n") == 0
    assert run(monkeypatch, "admin", "disable-account", *db, "zhang") == 0
    with session_scope(engine) as session:
        assert check_login(session, "chen", "a brand new secret").id == chen_id
        assert check_login(session, "zhang", "a long enough secret") is None  # disabled
    engine.dispose()


@pytest.mark.parametrize("username", ["", "two words", "x" * 101])
def test_bad_usernames_are_refused(migrated_engine, username: str) -> None:
    from server.services.accounts import AccountError, create_account

    with session_scope(migrated_engine) as session, pytest.raises(AccountError):
        create_account(session, username, "a long enough secret", "volunteer")
