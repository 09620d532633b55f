"""SyncLoop in its daemon thread, against the scripted HTTP stand-in (which can refuse the
token or go silent on demand, unlike the real server)."""

from __future__ import annotations

import random
import threading
import time
from collections.abc import Callable, Iterator

import pytest
from scripted_server import ScriptedServer, error
from sync_factories import FAST_POLICY, alert, help_call, repair

from sync import LocalStore, SyncClient, Syncer, SyncLoop, SyncState, SyncStatus
from sync.backoff import RetryPolicy
from sync.records import RecordKind


class _Recorder:
    def __init__(self) -> None:
        self.states: list[SyncStatus] = []
        self._changed = threading.Condition()

    def __call__(self, status: SyncStatus) -> None:
        with self._changed:
            self.states.append(status)
            self._changed.notify_all()

    def wait_for(self, predicate: Callable[[SyncStatus], bool], timeout: float = 5.0) -> SyncStatus:
        with self._changed:
            ok = self._changed.wait_for(
                lambda: any(predicate(s) for s in self.states), timeout=timeout
            )
        assert ok, f"never reached; states were {self.states}"
        return next(s for s in self.states if predicate(s))


def _eventually(check: Callable[[], bool], timeout: float = 30.0) -> bool:
    """Polls `check` until it holds; the timeout only bounds a hung test, it is no benchmark."""
    deadline = time.monotonic() + timeout
    while not check():
        if time.monotonic() > deadline:
            return False
        time.sleep(0.01)
    return True


MakeLoop = Callable[..., tuple[SyncLoop, _Recorder]]


@pytest.fixture
def loop_parts(store: LocalStore, client: SyncClient) -> Iterator[MakeLoop]:
    syncer = Syncer(store, client, policy=FAST_POLICY)
    loops: list[SyncLoop] = []

    def make(interval: float = 60.0) -> tuple[SyncLoop, _Recorder]:
        loop = SyncLoop(syncer, interval=interval)
        recorder = _Recorder()
        loop.on_state(recorder)
        loops.append(loop)
        return loop, recorder

    yield make
    for loop in loops:
        assert loop.stop(timeout=5)


def test_syncs_and_reports_synced(
    loop_parts: MakeLoop, store: LocalStore, server: ScriptedServer
) -> None:
    store.create_record(RecordKind.SERVICE_REQUEST, repair())
    loop, states = loop_parts()
    loop.start()
    states.wait_for(lambda s: s.state is SyncState.SYNCED)
    assert store.outbox_status().sent == 1
    assert loop.status is not None and loop.status.describe() == "synced"


def test_wake_pushes_an_alarm_at_once(
    loop_parts: MakeLoop, store: LocalStore, server: ScriptedServer
) -> None:
    # An interval no test outlives: only wake() can start the second cycle.
    loop, states = loop_parts(interval=3600.0)
    loop.start()
    states.wait_for(lambda s: s.state is SyncState.SYNCED)
    call = store.create_record(RecordKind.HELP_CALL, help_call())
    loop.wake()
    # "synced, 0 pending" again is no state change, so there is no callback to wait on.
    assert _eventually(lambda: store.help_call_status(call).delivery == "sent")


def test_after_an_outage_wake_sends_the_older_alarm_with_the_new_one(
    store: LocalStore, closed_port: int, token: str
) -> None:
    older = store.create_record(RecordKind.HELP_CALL, help_call())
    client = SyncClient(f"http://127.0.0.1:{closed_port}", token)
    # Back-off of minutes, interval of an hour: only wake() can start the next cycle.
    syncer = Syncer(store, client, policy=RetryPolicy(base=120.0, cap=300.0, quick_tries=1))
    loop = SyncLoop(syncer, interval=3600.0)
    states = _Recorder()
    loop.on_state(states)
    loop.start()
    server = None
    try:
        states.wait_for(lambda s: s.state is SyncState.SERVER_UNREACHABLE)
        server = ScriptedServer(port=closed_port)  # the server is back
        newer = store.create_record(RecordKind.WRISTBAND_ALERT, alert())
        loop.wake()
        states.wait_for(lambda s: s.state is SyncState.SYNCED, timeout=30)
        pushes = [[r["id"] for r in push.records()] for push in server.pushes()]
        assert pushes == [[str(older), str(newer)]]  # both in that one cycle, oldest first
    finally:
        assert loop.stop(timeout=5)
        if server is not None:
            server.close()


def test_not_authorised_stops_the_loop_until_reconfigured(
    loop_parts: MakeLoop, store: LocalStore, server: ScriptedServer, token: str
) -> None:
    store.create_record(RecordKind.SERVICE_REQUEST, repair())
    server.defaults["push"] = error(401, "token_invalid")
    loop, states = loop_parts(interval=0.05)
    loop.start()
    status = states.wait_for(lambda s: s.state is SyncState.NOT_AUTHORISED)
    assert status.describe() == "kiosk not authorised"
    assert store.outbox_status().not_authorised

    seen = len(server.requests)
    loop.wake()  # even an alarm does not make it retry a refused token
    time.sleep(0.3)  # six intervals
    assert len(server.requests) == seen
    assert loop.running

    from scripted_server import accept_all

    server.defaults["push"] = accept_all
    loop.reconfigure(SyncClient(server.url, token))
    states.wait_for(lambda s: s.state is SyncState.SYNCED)
    assert not store.outbox_status().not_authorised


class _TopOfRange(random.Random):
    """Always waits the longest the back-off allows."""

    def uniform(self, a: float, b: float) -> float:
        return b


def test_unreachable_server_is_reported_and_stop_is_prompt(
    store: LocalStore, closed_port: int, token: str
) -> None:
    store.create_record(RecordKind.HELP_CALL, help_call())
    # Every wait is 30 s or more (quick tries, then the back-off): stop() returning within
    # its 5 s means it cut the wait short, whichever wait the loop was in.
    syncer = Syncer(store, SyncClient(f"http://127.0.0.1:{closed_port}", token),
                    policy=RetryPolicy(base=30.0, cap=300.0, quick_tries=3), rng=_TopOfRange())
    loop = SyncLoop(syncer, interval=60.0)
    states = _Recorder()
    loop.on_state(states)
    loop.start()
    time.sleep(0.2)  # most likely inside the first quick-try wait
    assert loop.stop(timeout=5)
    assert store.outbox_status().pending == 1  # nothing lost

    syncer = Syncer(store, SyncClient(f"http://127.0.0.1:{closed_port}", token),
                    policy=RetryPolicy(base=0.001, cap=0.01, quick_tries=2))
    loop = SyncLoop(syncer, interval=60.0)
    states = _Recorder()
    loop.on_state(states)
    loop.start()
    status = states.wait_for(lambda s: s.state is SyncState.SERVER_UNREACHABLE)
    assert status.pending == 1
    assert status.describe() == "server unreachable (retrying), pending 1"
    assert loop.stop(timeout=5)


def test_listener_cancel_and_failing_listener(
    loop_parts: MakeLoop, store: LocalStore, server: ScriptedServer
) -> None:
    loop, states = loop_parts(interval=0.05)
    cancelled = _Recorder()
    cancel = loop.on_state(cancelled)
    cancel()

    def broken(status: SyncStatus) -> None:
        raise RuntimeError("listener bug")

    loop.on_state(broken)  # must not kill the loop
    loop.start()
    states.wait_for(lambda s: s.state is SyncState.SYNCED)
    store.create_record(RecordKind.SERVICE_REQUEST, repair())
    store.create_record(RecordKind.SERVICE_REQUEST, repair())
    # A server that is down answers 503 everywhere (the pull too), so this is an outage.
    server.defaults["push"] = server.defaults["pull"] = error(503, "internal_error")
    states.wait_for(lambda s: s.state is SyncState.SERVER_UNREACHABLE and s.pending == 2)
    assert cancelled.states == []
    assert loop.running
