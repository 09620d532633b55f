"""Kiosks whose clocks are hours off: their alarms are stored, listed and timed by the server's clock.

Each skewed kiosk is a real process under libfaketime (`faketime -f -6h` / `+6h`) with its
own store and the real sync client. The server accepts their records (a wrong clock is no
reason to refuse an alarm), the console lists alarms by arrival (a kiosk six hours slow
must not push its new alarm below old ones, or past the list's limit), answer times and
escalation run from the server's own arrival time, and the kiosk's time is kept as sent.
"""

from __future__ import annotations

import shutil
import subprocess
import sys
import uuid
from datetime import timedelta
from pathlib import Path

import pytest
from sqlalchemy import true

from server.db import session_scope
from server.models import Account, AlarmEscalation, HelpCall, utcnow
from server.services import accounts
from server.services.answer_times import answer_times
from server.services.help_calls import acknowledge_help_call
from server.services.kiosks import register_kiosk
from server.web.alerts import open_alerts
from sync.records import HelpCall as WireHelpCall
from sync.records import HelpSource, RecordKind
from tests.e2e.test_record_path import Deployment, deployment, sync_until_sent  # noqa: F401

pytestmark = pytest.mark.slow

SKEWED_KIOSK = """
import sys, uuid
from pathlib import Path
from sync import LocalStore, SyncClient, Syncer, SyncOutcome
from sync.records import HelpCall, HelpSource, RecordKind
store_path, url, token, resident = sys.argv[1:5]
from sync import kiosk_id_from_token
store = LocalStore.open(Path(store_path), kiosk_id_from_token(token))
record = store.create_record(RecordKind.HELP_CALL,
                             HelpCall(resident_id=uuid.UUID(resident), source=HelpSource.KIOSK_BUTTON))
report = Syncer(store, SyncClient(url, token)).sync_once()
assert report.outcome is SyncOutcome.SYNCED and store.outbox_status().pending == 0, report
print(record)
"""


def skewed_alarm(offset: str, store: Path, url: str, token: str, resident: uuid.UUID) -> uuid.UUID:
    done = subprocess.run(["faketime", "-f", offset, sys.executable, "-c", SKEWED_KIOSK,
                           str(store), url, token, str(resident)],
                          capture_output=True, text=True, timeout=120, check=False)
    assert done.returncode == 0, done.stderr[-2000:]
    return uuid.UUID(done.stdout.strip().splitlines()[-1])


def test_alarms_from_skewed_kiosks_are_ordered_and_timed_by_the_server(
    deployment: Deployment, tmp_path: Path,  # noqa: F811
) -> None:
    if shutil.which("faketime") is None:
        pytest.fail("faketime is missing: `make deps` installs it (Debian package faketime)")
    with session_scope(deployment.engine) as session:
        admin = accounts.create_account(session, "duty", "long enough password", "admin",
                                        display_name="值班")
        slow_kiosk, slow_token = register_kiosk(session, "slow clock")
        fast_kiosk, fast_token = register_kiosk(session, "fast clock")
        admin_id = admin.id
    deployment.server.start()
    url = deployment.server.url

    on_time = deployment.store.create_record(
        RecordKind.HELP_CALL, WireHelpCall(resident_id=deployment.resident_id,
                                           source=HelpSource.WRISTBAND_SOS))
    sync_until_sent(deployment.syncer())
    slow = skewed_alarm("-6h", tmp_path / "slow.sqlite3", url, slow_token, deployment.resident_id)
    fast = skewed_alarm("+6h", tmp_path / "fast.sqlite3", url, fast_token, deployment.resident_id)

    now = utcnow()
    with session_scope(deployment.engine) as session:
        stored = {call.record_id: call for call in session.query(HelpCall)}
        # The kiosk's own time is kept as it was sent ...
        assert stored[slow].created_at < now - timedelta(hours=5)
        assert stored[fast].created_at > now + timedelta(hours=5)
        # ... but the console lists by arrival, newest first, and shows the server's time.
        cards = open_alerts(session, session.get(Account, admin_id))
        assert [card.record_id for card in cards] == [fast, slow, on_time]
        assert all(abs(card.received_at - now) < timedelta(minutes=5) for card in cards)
        # Escalation is timed from arrival: nothing is overdue, nothing is hours away.
        for run in session.query(AlarmEscalation):
            assert run.next_due_at is None or abs(run.next_due_at - now) < timedelta(minutes=5)
        for call in (on_time, slow, fast):
            acknowledge_help_call(session, call, by="张阿姨")
    with session_scope(deployment.engine) as session:
        times = answer_times(session, now - timedelta(hours=1), utcnow() + timedelta(seconds=1),
                             true())
        assert times.alarms == 3 and times.within[60] == 3  # minutes, not six hours
