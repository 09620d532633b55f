"""`linli sync status` and `linli sync run`, through their argparse entry point."""

from __future__ import annotations

import argparse
import json
import uuid
from pathlib import Path

import pytest
from scripted_server import ScriptedServer, per_item
from sync_factories import help_call, repair

from sync import LocalStore
from sync.cli import add_commands, default_store_path
from sync.records import RecordKind


def _run(*argv: str) -> int:
    parser = argparse.ArgumentParser(prog="linli")
    add_commands(parser.add_subparsers(dest="command", required=True))
    args = parser.parse_args(argv)
    return args.handler(args)


def test_default_store_path(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.delenv("LINLI_KIOSK_STORE", raising=False)
    assert default_store_path() == Path("~/.local/share/linli/kiosk.sqlite3").expanduser()
    monkeypatch.setenv("LINLI_KIOSK_STORE", str(tmp_path / "k.db"))
    assert default_store_path() == tmp_path / "k.db"


def test_status_of_a_missing_store(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert _run("sync", "status", "--store", str(tmp_path / "none.sqlite3")) == 1
    assert "no kiosk store" in capsys.readouterr().err
    assert not (tmp_path / "none.sqlite3").exists()


def test_run_once_then_status(
    store_path: Path, kiosk_id: uuid.UUID, token: str, server: ScriptedServer,
    capsys: pytest.CaptureFixture[str],
) -> None:
    with LocalStore.open(store_path, kiosk_id) as store:
        store.create_record(RecordKind.HELP_CALL, help_call())
        bad = store.create_record(RecordKind.SERVICE_REQUEST, repair())
        store.create_record(RecordKind.SERVICE_REQUEST, repair())
    server.script("push", per_item({1: (409, "record_id_conflict")}))

    code = _run("sync", "run", "--store", str(store_path), "--server", server.url,
                "--token", token, "--once")
    out = json.loads(capsys.readouterr().out)
    assert code == 0
    assert (out["outcome"], out["sent"], out["dead"], out["pending"]) == ("synced", 2, 1, 0)

    assert _run("sync", "status", "--store", str(store_path), "--json") == 0
    status = json.loads(capsys.readouterr().out)
    assert (status["pending"], status["sent"], status["dead_count"]) == (0, 2, 1)
    assert status["dead"][0]["id"] == str(bad)
    assert status["dead"][0]["code"] == "record_id_conflict"
    assert status["last_success_at"] is not None and status["not_authorised"] is False
    assert status["kiosk_id"] == str(kiosk_id)

    assert _run("sync", "status", "--store", str(store_path)) == 0
    text = capsys.readouterr().out
    assert "dead:             1" in text and "record_id_conflict" in text
    assert token.split(".")[2] not in text


def test_run_refuses_a_malformed_token(
    store_path: Path, server: ScriptedServer, capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("LINLI_KIOSK_TOKEN", "lk1.nothex.Zq9xWv")
    assert _run("sync", "run", "--store", str(store_path), "--server", server.url, "--once") == 1
    err = capsys.readouterr().err
    assert "malformed" in err and "Zq9xWv" not in err
    assert not store_path.exists()


def test_run_once_not_authorised_and_unreachable_exit_codes(
    store_path: Path, token: str, server: ScriptedServer, closed_port: int,
    capsys: pytest.CaptureFixture[str],
) -> None:
    from scripted_server import error

    server.defaults["pull"] = error(401, "token_invalid")
    assert _run("sync", "run", "--store", str(store_path), "--server", server.url,
                "--token", token, "--once") == 4
    assert json.loads(capsys.readouterr().out)["outcome"] == "not_authorised"
    assert _run("sync", "status", "--store", str(store_path)) == 0
    assert "NOT AUTHORISED:   token_invalid" in capsys.readouterr().out

    code = _run("sync", "run", "--store", str(store_path), "--server",
                f"http://127.0.0.1:{closed_port}", "--token", token, "--once")
    assert code == 3
