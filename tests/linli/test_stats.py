"""Benchmark percentiles: nearest rank, so a reported p99 is a value that was observed."""

from __future__ import annotations

import pytest

from linli.stats import percentile


def test_nearest_rank_on_a_hundred_values() -> None:
    values = list(range(100, 0, -1))  # unsorted on purpose: 100 .. 1
    assert percentile(values, 50) == 50
    assert percentile(values, 95) == 95
    assert percentile(values, 99) == 99
    assert percentile(values, 100) == 100


def test_small_samples_give_observed_values() -> None:
    assert percentile([3.0, 1.0, 2.0], 99) == 3.0
    assert percentile([7.5], 50) == 7.5
    assert percentile([], 50) is None


@pytest.mark.parametrize("q", [0, -1, 101])
def test_a_percentile_outside_the_range_is_refused(q: float) -> None:
    with pytest.raises(ValueError):
        percentile([1.0], q)
