"""Retry timing for the sync engine: exponential back-off with full jitter, bounded per cycle."""

from __future__ import annotations

import random
from dataclasses import dataclass


@dataclass(slots=True, frozen=True)
class RetryPolicy:
    """How hard the kiosk tries when the server is unreachable.

    Attributes:
        base: first back-off ceiling in seconds; it doubles with every failure.
        cap: the ceiling never grows past this (5 minutes: an alarm is never parked longer).
        quick_tries: attempts of one request within one cycle before the cycle gives up.
        max_inline_wait: a Retry-After up to this is waited out inside the cycle; a longer
            one ends the cycle and the loop sleeps instead.
    """

    base: float = 1.0
    cap: float = 300.0
    quick_tries: int = 3
    max_inline_wait: float = 10.0

    def __post_init__(self) -> None:
        if self.base <= 0 or self.cap < self.base or self.quick_tries < 1:
            raise ValueError("RetryPolicy needs base > 0, cap >= base and quick_tries >= 1")

    def ceiling(self, failures: int) -> float:
        """The largest delay after `failures` consecutive failures (1 = the first)."""
        # Bound the exponent so a kiosk offline for months cannot overflow the float.
        return min(self.cap, self.base * 2 ** min(max(failures - 1, 0), 30))

    def delay(self, failures: int, rng: random.Random | None = None) -> float:
        """Full jitter: uniform in [0, ceiling], so a fleet that lost the server together
        does not come back in lockstep when it returns."""
        return (rng or random).uniform(0.0, self.ceiling(failures))
