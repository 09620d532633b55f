"""The server being down changes nothing for the resident but the plain-words status.

The same taps run twice on the real kiosk with a real sync loop: once against a real
`linli server` process, once against a port nothing listens on. The screens, the records
stored and the buttons are the same; only the status line (and the "not reached the
community yet" words) differ, and nothing is lost: the records wait in the outbox.
"""

from __future__ import annotations

import json
import uuid
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from kiosk_harness import ManualTime, make_kiosk

from linli.server_process import ServerProcess, free_port

pytestmark = pytest.mark.slow

# (button, the screen it must lead to); the order and the repair go through read-backs.
TAPS = (
    ("groceries", "groceries"), ("plus_eggs", "groceries"), ("plus_rice", "groceries"),
    ("grocery_next", "grocery_confirm"), ("grocery_yes", "grocery_sent"), ("home", "home"),
    ("services", "services"), ("service_repair", "service_choose"),
    ("choice_water", "service_confirm"), ("service_yes", "service_sent"), ("home", "home"),
)
RESIDENT = "王秀英"


@pytest.fixture
def server(tmp_path: Path) -> Iterator[tuple[str, str]]:
    """A real server with this kiosk and its one resident registered: (url, token)."""
    from server.db import create_db_engine, session_scope, upgrade
    from server.services.directory import create_resident
    from server.services.kiosks import register_kiosk

    db_url = f"sqlite:///{tmp_path / 'server.sqlite3'}"
    upgrade(db_url)
    engine = create_db_engine(db_url)
    with session_scope(engine) as session:
        kiosk, token = register_kiosk(session, "3号楼大厅", community_phone="010-12345678")
        create_resident(session, RESIDENT, kiosk_id=kiosk.id, actor="test")
    engine.dispose()
    with ServerProcess(db_url, log_path=tmp_path / "server.log") as process:
        yield process.url, token


def _walk(store: Any, url: str, token: str) -> dict[str, Any]:
    """Tap through TAPS on a kiosk syncing with `url`; what the resident saw and what was kept."""
    from sync import SyncClient, Syncer, SyncLoop

    loop = SyncLoop(Syncer(store, SyncClient(url, token, connect_timeout=2.0, read_timeout=5.0)), interval=0.2)
    kiosk = make_kiosk(store, ManualTime(), sync_loop=loop)
    controller = kiosk.controller
    try:
        kiosk.until(lambda: [r.display_name for r in store.residents()] == [RESIDENT],
                    timeout=30, what="the resident known")
        kiosk.until(lambda: controller.status.connection.value != "connecting", timeout=30,
                    what="the first sync answer")
        screens = []
        for button, expected in TAPS:
            kiosk.tap(button)
            kiosk.until(lambda: kiosk.root.current == expected, what=f"{button} -> {expected}")
            if expected in ("grocery_sent", "service_sent"):
                kiosk.until(lambda: controller.grocery.stored or controller.service.stored,
                            what="the request stored")
            screens.append(kiosk.root.current)
        records = sorted(
            (str(item.kind), json.loads(item.envelope)["payload"]["details"]["type"])
            for item in store.due_batch(100, now=datetime(2100, 1, 1, tzinfo=UTC)))
        return {"screens": screens, "status": controller.status_text,
                "connection": controller.status.connection.value,
                "said": list(controller.speech.said), "pending": records}
    finally:
        kiosk.close()


def test_the_server_down_changes_only_the_status_words(tmp_path: Path,
                                                       server: tuple[str, str]) -> None:
    from sync import LocalStore, kiosk_id_from_token
    from sync.records import ChangeKind

    url, token = server
    up_store = LocalStore.open(tmp_path / "up.sqlite3", kiosk_id_from_token(token))
    down_store = LocalStore.open(tmp_path / "down.sqlite3", kiosk_id_from_token(token))
    # The kiosk that cannot reach the server learnt its resident earlier (a pull of old).
    down_store.apply_pull([{"seq": 1, "kind": ChangeKind.RESIDENT.value,
                            "changed_at": datetime.now(UTC).isoformat(),
                            "payload": {"resident_id": str(uuid.uuid4()),
                                        "display_name": RESIDENT}}], next_cursor=1)
    try:
        up = _walk(up_store, url, token)
        down = _walk(down_store, f"http://127.0.0.1:{free_port()}", token)
    finally:
        up_store.close()
        down_store.close()

    assert down["screens"] == up["screens"] == [expected for _, expected in TAPS]
    assert (up["connection"], down["connection"]) == ("ok", "unreachable")
    assert up["status"] != down["status"]
    # Nothing is lost while the server is down: both requests wait in the outbox.
    assert down["pending"] == [("service_request", "grocery"), ("service_request", "repair")]
    # The resident hears the same read-backs; the down kiosk also says the request has not
    # reached the community yet.
    readbacks = [line for line in up["said"] if "对吗" in line]
    assert readbacks and readbacks == [line for line in down["said"] if "对吗" in line]
    assert any("还没送到社区" in line for line in down["said"])
