"""Residents and wristband pairings as a kiosk learns them: pulled changes in its store."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime
from typing import Any


def add_residents(store: Any, *names: str) -> list[uuid.UUID]:
    """One pulled `resident` change per name; returns their ids in the order given."""
    cursor = store.cursor()
    ids = [uuid.uuid4() for _ in names]
    now = datetime.now(UTC).isoformat()
    store.apply_pull([{"seq": cursor + n, "kind": "resident", "changed_at": now,
                       "payload": {"resident_id": str(rid), "display_name": name}}
                      for n, (rid, name) in enumerate(zip(ids, names, strict=True), 1)],
                     next_cursor=cursor + len(names))
    return ids


def pair_band(store: Any, address: str, resident_id: uuid.UUID) -> None:
    cursor = store.cursor() + 1
    store.apply_pull([{"seq": cursor, "kind": "wristband_pairing",
                       "changed_at": datetime.now(UTC).isoformat(),
                       "payload": {"wristband_id": str(uuid.uuid4()), "ble_address": address,
                                   "name": f"Linli-Band-{address[-2:]}",
                                   "resident_id": str(resident_id)}}], next_cursor=cursor)
