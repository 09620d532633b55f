"""Percentiles for the benchmarks: nearest rank, so every reported value was really observed."""

from __future__ import annotations

import math
from collections.abc import Iterable


def percentile(values: Iterable[float], q: float) -> float | None:
    """The `q`-th percentile (0 < q <= 100) by nearest rank; None for no values."""
    ordered = sorted(values)
    if not ordered:
        return None
    if not 0 < q <= 100:
        raise ValueError(f"percentile {q} is outside (0, 100]")
    return ordered[max(0, math.ceil(q / 100 * len(ordered)) - 1)]
