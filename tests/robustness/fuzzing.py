"""Shared by the schemathesis tests: every operation's generated cases, and what a refusal may write."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from hypothesis import HealthCheck, given, settings
from sqlalchemy import Engine

from tests.server.factories import row_counts

# Tables a refused request may still write: who was refused, and sessions of sign-ins.
BOOKKEEPING = {"audit_log", "web_sessions", "login_failures"}


def stored(engine: Engine) -> dict[str, int]:
    """Rows per table, bookkeeping left out: a refused request must leave this unchanged."""
    return {table: n for table, n in row_counts(engine).items() if table not in BOOKKEEPING}


def every_operation(schema: Any, check: Callable[[Any], None], *, examples: int) -> list[str]:
    """Run `check(case)` on up to `examples` generated cases of each operation; returns the
    operations tried (so a caller can assert the ones it expects were reached)."""
    tried = []
    for result in schema.get_all_operations():
        operation = result.ok()
        tried.append(operation.label)
        run = settings(max_examples=examples, deadline=None, database=None,
                       suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much]
                       )(given(case=operation.as_strategy())(check))
        run()
    return tried
