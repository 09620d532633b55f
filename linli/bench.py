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

    ble = kinds.add_parser("ble", help="virtual wristbands: bands held, connect time, SOS latency, CPU")
    ble.add_argument("--bands", default="10,30", help="comma-separated fleet sizes")
    ble.add_argument("--cpu-window", type=float, default=20.0, help="seconds of 1 Hz heart rate measured")
    ble.add_argument("--sos-presses", type=int, default=100, help="SOS presses timed per fleet")
    ble.set_defaults(handler=_run_ble)


def _run_sync(args: argparse.Namespace) -> int:
    from linli.bench_sync import run_sync_benchmark

    backends = [name.strip() for name in args.backends.split(",") if name.strip()]
    return _print(run_sync_benchmark(backends, records=args.records, batch_size=args.batch))


def _run_ble(args: argparse.Namespace) -> int:
    import logging

    from linli.bench_ble import run_ble_benchmark

    logging.getLogger("bumble").setLevel(logging.WARNING)
    logging.getLogger("devices").setLevel(logging.WARNING)
    counts = [int(n) for n in args.bands.split(",") if n.strip()]
    return _print(run_ble_benchmark(counts, cpu_window_s=args.cpu_window, sos_presses=args.sos_presses))


def _print(result: dict[str, Any]) -> int:
    json.dump(result, sys.stdout, ensure_ascii=False)
    sys.stdout.write("\n")
    return 0
