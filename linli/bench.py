"""`linli bench ...`: benchmarks that each print one JSON object (targets are checked here,
not by timed tests)."""

from __future__ import annotations

import argparse
import json
import sys
from typing import Any


def add_commands(subparsers: argparse._SubParsersAction) -> None:
    bench = subparsers.add_parser("bench", help="run a benchmark; prints one JSON object")
    kinds = bench.add_subparsers(dest="bench_command", metavar="BENCHMARK", required=True)

    sync = kinds.add_parser(
        "sync", help="end-to-end sync: kiosk outbox -> server -> committed, SQLite and PostgreSQL"
    )
    sync.add_argument("--records", type=int, default=20_000, help="records pushed per backend")
    sync.add_argument("--batch", type=int, default=500, help="records per push")
    sync.add_argument(
        "--backends", default="sqlite,postgresql", help="comma-separated: sqlite,postgresql"
    )
    sync.set_defaults(handler=_run_sync)


def _run_sync(args: argparse.Namespace) -> int:
    from linli.bench_sync import run_sync_benchmark

    backends = [name.strip() for name in args.backends.split(",") if name.strip()]
    return _print(run_sync_benchmark(backends, records=args.records, batch_size=args.batch))


def _print(result: dict[str, Any]) -> int:
    json.dump(result, sys.stdout, ensure_ascii=False)
    sys.stdout.write("\n")
    return 0
