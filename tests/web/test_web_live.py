"""Live alerts over server-sent events from real `linli server` processes.

A kiosk's real sync client pushes an alarm; a console's event stream shows it. With two
server processes on one PostgreSQL database an alarm pushed to one reaches a console
connected to the other (LISTEN/NOTIFY). Streams are read with a bound on events, not time.
"""

from __future__ import annotations

import json
import uuid
from dataclasses import dataclass
from pathlib import Path

import pytest
import requests

from linli.server_process import ServerProcess, free_port
from sync import LocalStore, RetryPolicy, SyncClient, Syncer, SyncOutcome
from sync.records import HelpCall, HelpSource, RecordKind
from tests.web.conftest import PASSWORD, Community, csrf_of

pytestmark = pytest.mark.slow

HEARTBEAT_ENV = {"LINLI_LIVE_HEARTBEAT_SECONDS": "0.5"}
MAX_BEATS = 60  # a stream that shows nothing in this many heartbeats has failed


@dataclass
class Event:
    name: str
    data: dict


class Console:
    """A signed-in browser's event stream, read line by line."""

    def __init__(self, base_url: str, username: str) -> None:
        self.http = requests.Session()
        page = self.http.get(f"{base_url}/login", timeout=10)
        answer = self.http.post(f"{base_url}/login", timeout=10, allow_redirects=False, data={
            "username": username, "password": PASSWORD, "csrf_token": csrf_of(page.text)})
        assert answer.status_code == 303, answer.text
        self.stream = self.http.get(f"{base_url}/console/events", stream=True, timeout=(5, 30))
        assert self.stream.status_code == 200
        assert self.stream.headers["content-type"].startswith("text/event-stream")
        self._lines = self.stream.iter_lines(decode_unicode=True)

    def next_event(self) -> Event:
        name, data, beats = None, None, 0
        for line in self._lines:
            if line.startswith(":"):
                beats += 1
                assert beats < MAX_BEATS, "no event within the bound"
            elif line.startswith("event: "):
                name = line.removeprefix("event: ")
            elif line.startswith("data: "):
                data = json.loads(line.removeprefix("data: "))
            elif line == "" and name is not None:
                return Event(name, data or {})
        raise AssertionError("the stream ended")

    def next_alert(self) -> Event:
        while True:
            event = self.next_event()
            if event.name == "alert":
                return event

    def close(self) -> None:
        self.stream.close()
        self.http.close()


def start_server(db_url: str, tmp_path: Path, name: str) -> ServerProcess:
    return ServerProcess(db_url, free_port(), log_path=tmp_path / f"{name}.log", env=HEARTBEAT_ENV).start()


def kiosk_sends_alarm(server: ServerProcess, community: Community, resident_id: uuid.UUID,
                      store_path: Path) -> uuid.UUID:
    """The kiosk's own path: local store, outbox, the real sync client."""
    store = LocalStore.open(store_path, community.kiosk_id)
    try:
        record_id = store.create_record(
            RecordKind.HELP_CALL, HelpCall(resident_id=resident_id, source=HelpSource.WRISTBAND_SOS))
        syncer = Syncer(store, SyncClient(server.url, community.token, connect_timeout=2, read_timeout=20),
                        policy=RetryPolicy(base=0.01, cap=0.1, quick_tries=2, max_inline_wait=1.0))
        assert syncer.sync_once().outcome is SyncOutcome.SYNCED
        assert store.outbox_status().pending == 0
    finally:
        store.close()
    return record_id


def test_an_alarm_from_a_kiosk_appears_on_the_console_stream(community_db, tmp_path: Path) -> None:
    db_url, community = community_db
    server = start_server(db_url, tmp_path, "server")
    ca = cb = None
    try:
        ca, cb = Console(server.url, "ca"), Console(server.url, "cb")
        for console in (ca, cb):
            snapshot = console.next_event()
            assert snapshot.name == "snapshot" and snapshot.data["open"] == []

        call_id = kiosk_sends_alarm(server, community, community.east_resident, tmp_path / "kiosk.sqlite3")
        alert = ca.next_alert()
        assert alert.data["id"] == f"alert-help_call-{call_id}"
        assert alert.data["open"] is True and alert.data["acknowledged"] is False
        assert "王秀英" in alert.data["html"]

        # 李华 (cb) never hears of 王秀英's alarm: the next alert cb gets is one of their own.
        own = kiosk_sends_alarm(server, community, community.west_resident, tmp_path / "kiosk.sqlite3")
        assert cb.next_alert().data["id"] == f"alert-help_call-{own}"

        # Acknowledged on one console, every console with the alarm sees it change.
        page = ca.http.get(f"{server.url}/console", timeout=10)
        ca.http.post(f"{server.url}/console/help_call/{call_id}/acknowledge",
                     data={"csrf_token": csrf_of(page.text)}, timeout=10)
        changed = ca.next_alert()
        assert changed.data["id"] == f"alert-help_call-{call_id}"
        assert changed.data["acknowledged"] is True and "张阿姨" in changed.data["html"]
    finally:
        for console in (ca, cb):
            if console is not None:
                console.close()
        server.stop()


def test_an_alarm_pushed_to_one_process_reaches_a_console_on_another(community_db, tmp_path: Path) -> None:
    db_url, community = community_db
    if not db_url.startswith("postgresql"):
        pytest.skip("several server processes share one database only on PostgreSQL")
    a = start_server(db_url, tmp_path, "a")
    b = start_server(db_url, tmp_path, "b")
    console = None
    try:
        console = Console(b.url, "se")
        assert console.next_event().name == "snapshot"
        call_id = kiosk_sends_alarm(a, community, community.east_resident, tmp_path / "kiosk.sqlite3")
        alert = console.next_alert()
        assert alert.data["id"] == f"alert-help_call-{call_id}"
        assert "王秀英" in alert.data["html"]
    finally:
        if console is not None:
            console.close()
        a.stop()
        b.stop()
