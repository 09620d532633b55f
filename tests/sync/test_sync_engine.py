"""Syncer outcomes against a scripted HTTP stand-in that can force every server fault on demand.

The stand-in (scripted_server.py) exists because the real server will not answer 413, 429,
503, a 400 for one poisoned record or a per-record 409 when a test asks for it. The store is
a real SQLite file; the client is the real requests client over real HTTP.
"""

from __future__ import annotations

import json
import random
import uuid
from datetime import UTC, datetime, timedelta

from scripted_server import Reply, ScriptedServer, Seen, accept_all, error, per_item
from sync_factories import FAST_POLICY, alert, help_call, repair, vitals

from sync import LocalStore, OutboxState, SyncClient, Syncer, SyncOutcome
from sync.backoff import RetryPolicy
from sync.records import RecordKind


def _fill(
    store: LocalStore, count: int, kind: RecordKind = RecordKind.SERVICE_REQUEST
) -> list[uuid.UUID]:
    make = {RecordKind.SERVICE_REQUEST: repair, RecordKind.VITALS_SAMPLE: vitals}[kind]
    return [store.create_record(kind, make()) for _ in range(count)]


def _pushed_ids(server: ScriptedServer) -> list[list[str]]:
    return [[r["id"] for r in push.records()] for push in server.pushes()]


def test_pushes_everything_in_batches_with_the_stored_bytes(
    store: LocalStore, client: SyncClient, server: ScriptedServer
) -> None:
    ids = _fill(store, 7)
    stored = {item.record_id: item.envelope for item in store.due_batch(100)}
    report = Syncer(store, client, batch_size=3, policy=FAST_POLICY).sync_once()

    assert report.outcome is SyncOutcome.SYNCED
    assert (report.sent, report.dead, report.retry_scheduled) == (7, 0, 0)
    pushes = server.pushes()
    assert [len(p.records()) for p in pushes] == [3, 3, 1]
    sent_in_order = [uuid.UUID(i) for batch in _pushed_ids(server) for i in batch]
    assert sent_in_order == ids
    for push in pushes:  # byte for byte what the outbox froze at creation
        texts = [stored[uuid.UUID(r["id"])] for r in push.records()]
        assert push.body == ('{"records":[' + ",".join(texts) + "]}").encode()
    status = store.outbox_status()
    assert (status.pending, status.sent) == (0, 7)
    assert status.last_success_at is not None and status.last_error is None
    assert len(server.pulls()) == 1


def test_alarms_leave_first(store: LocalStore, client: SyncClient, server: ScriptedServer) -> None:
    _fill(store, 4, RecordKind.VITALS_SAMPLE)
    sos = store.create_record(RecordKind.WRISTBAND_ALERT, alert())
    Syncer(store, client, batch_size=2, policy=FAST_POLICY).sync_once()
    assert _pushed_ids(server)[0][0] == str(sos)


def test_permanent_item_codes_are_dead_with_reasons_and_not_retried(
    store: LocalStore, syncer: Syncer, server: ScriptedServer
) -> None:
    ids = _fill(store, 5)
    server.script("push", per_item({1: (409, "record_id_conflict"), 3: (422, "invalid_payload")}))
    report = syncer.sync_once()
    assert (report.outcome, report.sent, report.dead) == (SyncOutcome.SYNCED, 3, 2)

    status = store.outbox_status()
    assert {(d.record_id, d.code, d.reason) for d in status.dead} == {
        (ids[1], "record_id_conflict", "scripted record_id_conflict"),
        (ids[3], "invalid_payload", "scripted invalid_payload"),
    }
    syncer.sync_once()
    assert len(server.pushes()) == 1  # nothing left to push: dead items are not retried


def test_an_undefined_per_item_answer_is_retried_later_not_killed(
    store: LocalStore, syncer: Syncer, server: ScriptedServer
) -> None:
    ids = _fill(store, 2)
    server.script("push", per_item({0: (500, "internal_error")}))
    report = syncer.sync_once()
    assert (report.sent, report.dead, report.retry_scheduled) == (1, 0, 1)
    assert store.outbox_status().pending == 1
    assert store.due_batch(10, datetime.now(UTC) + timedelta(minutes=6))[0].record_id == ids[0]


def test_server_down_backs_off_with_bounded_tries_and_keeps_items_due(
    store: LocalStore, closed_port: int, token: str
) -> None:
    ids = _fill(store, 3)
    client = SyncClient(f"http://127.0.0.1:{closed_port}", token)
    policy = RetryPolicy(base=0.01, cap=60.0, quick_tries=3)
    syncer = Syncer(store, client, policy=policy, rng=random.Random(1))
    before = datetime.now(UTC)
    report = syncer.sync_once()

    assert report.outcome is SyncOutcome.SERVER_UNREACHABLE
    assert report.requests == 3  # three quick tries, then the cycle ends (no pull)
    assert report.retry_in is not None and 0 <= report.retry_in <= policy.ceiling(4)
    assert "server unreachable" in (report.message or "")
    status = store.outbox_status()
    assert status.pending == 3 and "server unreachable" in (status.last_error or "")
    # The loop's retry_in spaces the cycles; the items are not parked one by one, so whatever
    # cycle runs next (a wake() for a new alarm included) takes them all, in order.
    assert status.next_attempt_at is None
    assert [(i.record_id, i.attempts) for i in store.due_batch(10, before)] == [
        (i, 1) for i in ids
    ]


def test_after_an_outage_a_wake_sends_the_older_alarm_with_the_new_one(
    store: LocalStore, closed_port: int, token: str
) -> None:
    older = store.create_record(RecordKind.HELP_CALL, help_call())
    client = SyncClient(f"http://127.0.0.1:{closed_port}", token)
    # A long back-off, as after a few failed cycles.
    policy = RetryPolicy(base=60.0, cap=300.0, quick_tries=1)
    syncer = Syncer(store, client, policy=policy, rng=_TopOfRange())
    report = syncer.sync_once()
    assert report.outcome is SyncOutcome.SERVER_UNREACHABLE
    assert report.retry_in is not None and report.retry_in >= 60

    server = ScriptedServer(port=closed_port)  # the server is back where it was
    try:
        newer = store.create_record(RecordKind.WRISTBAND_ALERT, alert())
        report = syncer.sync_once()  # what SyncLoop.wake() runs, long before retry_in
        assert (report.outcome, report.sent) == (SyncOutcome.SYNCED, 2)
        assert _pushed_ids(server) == [[str(older), str(newer)]]  # one cycle, oldest first
    finally:
        server.close()


def test_a_record_the_server_cannot_store_is_isolated_and_the_rest_go(
    store: LocalStore, syncer: Syncer, server: ScriptedServer
) -> None:
    poison = store.create_record(RecordKind.HELP_CALL, help_call())  # first in line
    second_alarm = store.create_record(RecordKind.WRISTBAND_ALERT, alert())
    others = _fill(store, 6)

    def cannot_store_the_poison(seen: Seen) -> Reply:
        if str(poison) in [r["id"] for r in seen.records()]:
            return error(500, "internal_error", "unexpected server error")
        return accept_all(seen)

    server.defaults["push"] = cannot_store_the_poison
    before = datetime.now(UTC)
    report = syncer.sync_once()
    assert (report.outcome, report.sent, report.dead) == (SyncOutcome.SYNCED, 7, 0)
    # The whole batch's 3 quick tries, then halves with one try each down to the poison, a
    # pull that shows the server itself works, and the rest: a bisection, in priority order.
    assert [len(p.records()) for p in server.pushes()] == [8, 8, 8, 4, 2, 1, 1, 2, 4]
    assert _pushed_ids(server)[6] == [str(second_alarm)]  # right after the poison
    assert len(server.pulls()) == 2  # the probe, then the cycle's own pull
    sent = {uuid.UUID(i) for push in _pushed_ids(server)[6:] for i in push}
    assert sent == {second_alarm, *others}
    # A 5xx means "retry", never "dead": the poison keeps its place with its own back-off.
    status = store.outbox_status()
    assert (status.pending, status.dead_count) == (1, 0)
    with store.engine.connect() as conn:
        attempts, last_error = conn.exec_driver_sql(
            "SELECT attempts, last_error FROM outbox WHERE record_id = ?",
            (poison.hex,),
        ).one()
    assert attempts == 1 and "500" in last_error
    assert status.next_attempt_at is not None and status.next_attempt_at >= before

    # Later alarms are not held behind it either.
    third_alarm = store.create_record(RecordKind.HELP_CALL, help_call())
    report = syncer.sync_once()
    assert report.sent == 1 and _pushed_ids(server)[-1] == [str(third_alarm)]


def test_a_server_failing_every_push_is_an_outage_not_a_bisection(
    store: LocalStore, syncer: Syncer, server: ScriptedServer
) -> None:
    ids = _fill(store, 16)
    server.defaults["push"] = error(503, "internal_error")
    server.defaults["pull"] = error(503, "internal_error")
    report = syncer.sync_once()
    assert report.outcome is SyncOutcome.SERVER_UNREACHABLE
    # 3 quick tries, halves down to the first record (16 -> 8 -> 4 -> 2 -> 1), then one pull
    # to ask whether the server works at all: it does not, so nothing more is tried.
    assert len(server.pushes()) == 3 + 4
    assert len(server.pulls()) == 1
    status = store.outbox_status()
    assert (status.pending, status.next_attempt_at) == (16, None)  # nobody parked alone
    assert [i.record_id for i in store.due_batch(100)] == ids


class _TopOfRange(random.Random):
    """Always picks the top of the jitter range, so the ceiling itself is observable."""

    def uniform(self, a: float, b: float) -> float:
        return b


def test_back_off_grows_with_consecutive_failed_cycles(
    store: LocalStore, closed_port: int, token: str
) -> None:
    policy = RetryPolicy(base=0.001, cap=0.004, quick_tries=1)
    client = SyncClient(f"http://127.0.0.1:{closed_port}", token)
    syncer = Syncer(store, client, policy=policy, rng=_TopOfRange())
    delays = []
    for _ in range(4):
        report = syncer.sync_once()
        assert report.outcome is SyncOutcome.SERVER_UNREACHABLE
        assert "cannot connect" in (report.message or "")
        delays.append(report.retry_in)
    assert delays == [0.002, 0.004, 0.004, 0.004]  # doubling, then capped


def test_a_transient_failure_within_the_quick_tries_is_absorbed(
    store: LocalStore, syncer: Syncer, server: ScriptedServer
) -> None:
    _fill(store, 2)
    server.script("push", error(500, "internal_error"), Reply(503, b""))
    report = syncer.sync_once()
    assert (report.outcome, report.sent) == (SyncOutcome.SYNCED, 2)
    assert len(server.pushes()) == 3


def test_read_timeout_counts_as_unreachable(
    store: LocalStore, server: ScriptedServer, token: str
) -> None:
    _fill(store, 1)
    server.defaults["push"] = Reply(200, b"{}", delay=0.5)
    client = SyncClient(server.url, token, read_timeout=0.1)
    report = Syncer(store, client, policy=FAST_POLICY).sync_once()
    assert report.outcome is SyncOutcome.SERVER_UNREACHABLE
    assert "timed out" in (report.message or "")
    assert store.outbox_status().pending == 1


def test_a_403_without_a_linli_code_is_retried_not_a_stop(
    store: LocalStore, syncer: Syncer, server: ScriptedServer
) -> None:
    _fill(store, 1)
    server.defaults["push"] = Reply(403, b"<html>Access denied by the building firewall</html>")
    report = syncer.sync_once()
    assert report.outcome is SyncOutcome.SERVER_UNREACHABLE
    status = store.outbox_status()
    assert not status.not_authorised and status.pending == 1


def test_not_authorised_stops_the_cycle_and_is_remembered(
    store: LocalStore, syncer: Syncer, server: ScriptedServer
) -> None:
    _fill(store, 2)
    server.script("push", error(403, "kiosk_revoked"))
    report = syncer.sync_once()
    assert report.outcome is SyncOutcome.NOT_AUTHORISED
    assert len(server.requests) == 1  # no retries, no pull
    status = store.outbox_status()
    assert status.not_authorised and status.not_authorised_code == "kiosk_revoked"
    assert status.pending == 2
    assert store.due_batch(10) != []  # items were not pushed back: they go when re-authorised

    report = syncer.sync_once()  # e.g. after a new token: success clears the flag
    assert report.outcome is SyncOutcome.SYNCED
    assert not store.outbox_status().not_authorised


def test_413_halves_the_batch_until_it_fits(
    store: LocalStore, client: SyncClient, server: ScriptedServer
) -> None:
    _fill(store, 10)

    def at_most_three(seen: Seen) -> Reply:
        if len(seen.records()) > 3:
            return error(413, "batch_too_large")
        return accept_all(seen)

    server.defaults["push"] = at_most_three
    syncer = Syncer(store, client, batch_size=10, policy=FAST_POLICY)
    report = syncer.sync_once()
    assert (report.outcome, report.sent, report.dead) == (SyncOutcome.SYNCED, 10, 0)
    sizes = [len(p.records()) for p in server.pushes()]
    assert sizes[:3] == [10, 5, 2]  # halved until it fits
    assert syncer.batch_size <= 3  # and remembered for the next batches
    assert all(size <= 3 for size in sizes[3:])


def test_400_splits_the_batch_and_kills_only_the_poisoned_record(
    store: LocalStore, syncer: Syncer, server: ScriptedServer
) -> None:
    ids = _fill(store, 8)
    poisoned = ids[5]
    # Corrupt one frozen envelope (as a failing disk might), so the server cannot parse it.
    with store.engine.begin() as conn:
        conn.exec_driver_sql(
            "UPDATE outbox SET envelope = substr(envelope, 1, 20) WHERE record_id = ?",
            (poisoned.hex,),
        )

    def strict(seen: Seen) -> Reply:
        try:
            json.loads(seen.body)
        except ValueError:
            return error(400, "malformed_json", "body is not JSON")
        return accept_all(seen)

    server.defaults["push"] = strict
    report = syncer.sync_once()
    assert (report.outcome, report.sent, report.dead) == (SyncOutcome.SYNCED, 7, 1)
    [dead] = store.outbox_status().dead
    assert (dead.record_id, dead.code, dead.reason) == (poisoned, "malformed_json",
                                                        "body is not JSON")
    assert len(server.pushes()) <= 1 + 2 * 3  # a bisection, not one request per record


def test_429_short_retry_after_is_waited_out(
    store: LocalStore, syncer: Syncer, server: ScriptedServer
) -> None:
    _fill(store, 1)
    server.script("push", error(429, "rate_limited", **{"Retry-After": "0.2"}))
    report = syncer.sync_once()
    assert (report.outcome, report.sent) == (SyncOutcome.SYNCED, 1)
    first, second = server.pushes()
    assert second.body == first.body


def test_429_long_retry_after_ends_the_cycle_and_reschedules(
    store: LocalStore, syncer: Syncer, server: ScriptedServer
) -> None:
    _fill(store, 2)
    server.script("push", error(429, "rate_limited", **{"Retry-After": "120"}))
    report = syncer.sync_once()
    assert report.outcome is SyncOutcome.RATE_LIMITED
    assert report.retry_in == 120  # the loop waits that long
    assert len(server.pushes()) == 1
    # Not parked one by one: a wake() for an alarm takes the older records along, in order.
    assert len(store.due_batch(10)) == 2


def test_pull_pages_until_has_more_is_false(
    store: LocalStore, syncer: Syncer, server: ScriptedServer
) -> None:
    def resident(seq: int) -> dict:
        return {"seq": seq, "kind": "resident", "changed_at": "2026-11-24T08:00:00+00:00",
                "payload": {"resident_id": str(uuid.uuid4()), "display_name": f"r{seq}"}}

    server.script(
        "pull",
        Reply(200, {"changes": [resident(1), resident(2)], "next_cursor": 2, "has_more": True}),
        Reply(200, {"changes": [resident(3)], "next_cursor": 3, "has_more": False}),
    )
    report = syncer.sync_once()
    assert (report.outcome, report.pulled) == (SyncOutcome.SYNCED, 3)
    assert [p.query["cursor"] for p in server.pulls()] == [["0"], ["2"]]
    assert store.cursor() == 3 and len(store.residents()) == 3
    syncer.sync_once()
    assert server.pulls()[-1].query["cursor"] == ["3"]


def test_unreadable_pulled_changes_are_skipped_and_counted(
    store: LocalStore, syncer: Syncer, server: ScriptedServer
) -> None:
    at = "2026-11-24T08:00:00+00:00"
    kept = str(uuid.uuid4())
    server.script("pull", Reply(200, {"changes": [
        {"seq": 1, "kind": "weather_report", "changed_at": at, "payload": {}},  # newer server
        {"seq": 2, "kind": "resident", "changed_at": at, "payload": {"nope": 1}},
        {"seq": 3, "kind": "resident", "changed_at": at,
         "payload": {"resident_id": kept, "display_name": "王奶奶"}},
    ], "next_cursor": 3, "has_more": False}))
    report = syncer.sync_once()
    assert (report.outcome, report.pulled, report.skipped_changes) == (SyncOutcome.SYNCED, 1, 2)
    assert store.cursor() == 3  # the feed moves past what this kiosk cannot read
    assert [str(r.resident_id) for r in store.residents()] == [kept]


def test_pull_failure_mid_feed_keeps_the_committed_pages(
    store: LocalStore, syncer: Syncer, server: ScriptedServer
) -> None:
    page = {"changes": [{"seq": 1, "kind": "resident_removed", "changed_at":
                         "2026-11-24T08:00:00+00:00",
                         "payload": {"resident_id": str(uuid.uuid4())}}],
            "next_cursor": 1, "has_more": True}
    server.script("pull", Reply(200, page), *[error(503, "internal_error")] * 3)
    report = syncer.sync_once()
    assert report.outcome is SyncOutcome.SERVER_UNREACHABLE
    assert store.cursor() == 1


def test_help_call_status_round_trip(
    store: LocalStore, syncer: Syncer, server: ScriptedServer
) -> None:
    call = store.create_record(RecordKind.HELP_CALL, help_call())
    view = store.help_call_status(call)
    assert view is not None and view.delivery is OutboxState.PENDING and view.state is None
    server.script("pull", Reply(200, {"changes": [
        {"seq": 1, "kind": "help_call_status", "changed_at": "2026-11-24T08:00:05+00:00",
         "payload": {"help_call_id": str(call), "state": "acknowledged",
                     "acknowledged_by": "张阿姨"}}], "next_cursor": 1, "has_more": False}))
    syncer.sync_once()
    view = store.help_call_status(call)
    assert view is not None
    assert (view.delivery, view.state, view.acknowledged_by) == (OutboxState.SENT, "acknowledged",
                                                                 "张阿姨")


def test_a_successful_cycle_prunes_sent_items_past_retention(
    store: LocalStore, client: SyncClient, server: ScriptedServer
) -> None:
    resident = uuid.uuid4()
    store.create_record(RecordKind.SERVICE_REQUEST, repair(resident))
    store.create_record(RecordKind.VITALS_SAMPLE, vitals(resident))
    syncer = Syncer(store, client, policy=FAST_POLICY, retention=timedelta(0))
    assert syncer.sync_once().sent == 2
    syncer = Syncer(store, client, policy=FAST_POLICY, retention=timedelta(0))
    syncer.sync_once()
    assert store.outbox_status().sent == 0
    assert [r.delivery for r in store.requests_of(resident)] == [OutboxState.SENT]
