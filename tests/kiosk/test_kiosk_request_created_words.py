"""A request staff entered for a resident reads on "my requests" like one made on the kiosk
(no window needed: the screen's own word functions on the store's list)."""

from __future__ import annotations

import uuid
from pathlib import Path

from kiosk.i18n import Lang, Translator
from kiosk.screens.requests import status_words, what_words
from kiosk.screens.services import detail_words
from sync.store import LocalStore


def _change(seq: int, kind: str, payload: dict) -> dict:
    return {"seq": seq, "kind": kind, "changed_at": "2026-12-03T08:00:00+00:00", "payload": payload}


def test_an_entered_request_reads_like_the_residents_own(tmp_path: Path) -> None:
    resident, entered = uuid.uuid4(), uuid.uuid4()
    translator = Translator()
    with LocalStore.open(tmp_path / "kiosk.sqlite3", uuid.uuid4()) as store:
        store.apply_pull([_change(1, "request_created", {
            "request_id": str(entered), "resident_id": str(resident),
            "created_at": "2026-12-03T07:59:00+00:00",
            "details": {"type": "repair", "what": "water", "description": "厨房漏水"},
            "channel": "phone", "entered_by": "网格员小陈"})], next_cursor=1)
        [view] = store.requests_of(resident)
        title, details = what_words(view, translator, Lang.ZH)
        assert title == translator.text("requests.type_repair", Lang.ZH)
        assert details == detail_words(translator, Lang.ZH, {"type": "repair", "what": "water"}) != ""
        assert status_words(view, translator, Lang.ZH) == translator.text("requests.status_received", Lang.ZH)

        store.apply_pull([_change(2, "request_status", {
            "request_id": str(entered), "status": "in_progress", "handled_by": "网格员小李",
            "note": "师傅明天上午来"})], next_cursor=2)
        [view] = store.requests_of(resident)
        assert status_words(view, translator, Lang.EN) == translator.text("requests.status_in_progress", Lang.EN)
    assert not translator.missing
