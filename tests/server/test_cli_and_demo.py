"""`linli admin ...` through its real parser, and the demo seed."""

from __future__ import annotations

import argparse
import uuid

from sqlalchemy import func, select

from server.cli import add_commands
from server.db import create_db_engine, session_scope
from server.demo_data import seed_demo
from server.models import Kiosk, Resident, ServiceRequest, Wristband
from server.services.kiosks import authenticate


def _run(*argv: str) -> int:
    parser = argparse.ArgumentParser(prog="linli")
    add_commands(parser.add_subparsers(dest="command", required=True))
    args = parser.parse_args(list(argv))
    return args.handler(args)


def test_admin_commands_end_to_end(db_url, capsys):
    assert _run("admin", "register-kiosk", "--db", db_url, "--name", "Lobby", "--phone", "010-1") == 0
    out = capsys.readouterr().out
    kiosk_id = out.split("kiosk id:")[1].split()[0]
    token = out.split("token:")[1].split()[0]
    assert "will not be shown again" in out

    assert _run("admin", "add-resident", "--db", db_url, "--name", "王秀英", "--kiosk", kiosk_id,
                "--caregiver", "张阿姨", "--caregiver", "王小明", "--address", "幸福路") == 0
    resident_id = uuid.UUID(capsys.readouterr().out.strip())
    assert _run("admin", "pair-wristband", "--db", db_url, "--address", "C0:00:00:00:00:09",
                "--name", "Linli-Band-01", "--resident", str(resident_id)) == 0
    capsys.readouterr()
    assert _run("admin", "list-kiosks", "--db", db_url) == 0
    assert f"{kiosk_id}  active" in capsys.readouterr().out

    engine = create_db_engine(db_url)
    try:
        with session_scope(engine) as session:
            assert authenticate(session, token).id == uuid.UUID(kiosk_id)
            assert session.get(Resident, resident_id).caregivers == ["张阿姨", "王小明"]
            assert session.scalars(select(Wristband)).one().resident_id == resident_id
        assert _run("admin", "revoke-kiosk", "--db", db_url, kiosk_id) == 0
        assert "revoked" in capsys.readouterr().out
        with session_scope(engine) as session:
            assert session.get(Kiosk, uuid.UUID(kiosk_id)).revoked_at is not None
    finally:
        engine.dispose()
    # unknown ids are a one-line error and exit code 1, not a traceback
    assert _run("admin", "revoke-kiosk", "--db", db_url, str(uuid.uuid4())) == 1
    assert "no kiosk with id" in capsys.readouterr().err


def test_seed_demo_is_idempotent(migrated_engine):
    first = seed_demo(migrated_engine)
    second = seed_demo(migrated_engine)
    assert (first.created, second.created) == (True, False)
    assert first.kiosk_id == second.kiosk_id
    assert first.resident_ids == second.resident_ids and len(first.resident_ids) == 3
    assert sorted(first.wristband_ids) == sorted(second.wristband_ids)
    with session_scope(migrated_engine) as session:
        assert session.scalar(select(func.count()).select_from(Kiosk)) == 1
        assert session.scalar(select(func.count()).select_from(Resident)) == 3
        assert sorted(session.scalars(select(Wristband.name))) == [f"Linli-Band-0{n}" for n in (1, 2, 3)]
        # no fabricated kiosk records: the demo kiosk makes its own requests
        assert session.scalar(select(func.count()).select_from(ServiceRequest)) == 0
        # the second run's token works, the first one was rotated away
        assert authenticate(session, second.token).id == second.kiosk_id
        assert {r.display_name for r in session.scalars(select(Resident))} == {"王秀英", "李建国", "张桂兰"}
