"""Long lists shown a page at a time (SENIOR_UX: at most six choices on a screen)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any


def page_count(items: Sequence[Any], per_page: int) -> int:
    """Pages needed for `items`; an empty list still has its one (empty) page."""
    return max(1, -(-len(items) // per_page))


def on_page(items: Sequence[Any], page: int, slot: int, per_page: int) -> Any:
    """The item in `slot` of `page`, or None for an empty slot."""
    index = page * per_page + slot
    return items[index] if index < len(items) else None
