"""The store reads behind the points screens, made on the background loop.

Balance, the newest ledger lines, the points set aside for redemptions the server has not
answered, the rewards offered and what became of the redemption just made: all SQLite reads
(slow flash can take tens of milliseconds), so they never run on the UI thread. A reading
reaches the screens through Kivy's Clock and is merged into the controller's `Wallet`
(`Wallet.with_reading`), which keeps what only the UI knows (the page, the reward chosen).
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from kiosk.screens.points import HISTORY_LINES, progress_key

if TYPE_CHECKING:
    from sync import LocalStore


@dataclass(frozen=True, slots=True)
class PointsReading:
    """One look at the store for the points screens of one opening (`visit`)."""

    visit: int
    balance: int = 0
    uncounted: int = 0
    history: tuple[Any, ...] = ()  # sync.store_views.PointsEntryView, newest first
    rewards: tuple[Any, ...] = ()  # sync.catalogue_views.RewardView, cheapest first
    record_id: uuid.UUID | None = None  # the redemption whose outcome was read
    outcome: str | None = None  # its progress_key


def read_points(store: LocalStore, resident_id: uuid.UUID | None, visit: int,
                record_id: uuid.UUID | None) -> PointsReading:
    """Background loop only: the resident's points and the catalogue's rewards."""
    rewards = tuple(store.rewards())
    outcome = progress_key(*store.record_state(record_id)) if record_id is not None else None
    if resident_id is None:
        return PointsReading(visit, rewards=rewards, record_id=record_id, outcome=outcome)
    return PointsReading(
        visit,
        balance=store.points_balance(resident_id),
        uncounted=store.uncounted_redemption_points(resident_id),
        history=tuple(store.points_ledger(resident_id, HISTORY_LINES)),
        rewards=rewards,
        record_id=record_id,
        outcome=outcome,
    )
