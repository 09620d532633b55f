"""`linli sim wristbands N --scenario ...`: virtual wristbands and a kiosk's wristband side,
printing what the kiosk sees and records."""

from __future__ import annotations

import argparse
import asyncio
import dataclasses
import json
import logging
import sys
import tempfile
from collections import Counter
from pathlib import Path
from typing import Any

# The scenario names, listed here so `--help` works without loading the simulator.
SCENARIO_NAMES = (
    "resting", "exercise", "tachycardia", "bradycardia", "sos", "fall_ok", "fall_no_response",
    "battery_drain", "out_of_range", "malformed",
)
# Shorter names people type; hyphens are accepted for underscores too.
SCENARIO_ALIASES = {"fall": "fall_no_response", "low_battery": "battery_drain"}


def scenario_name(text: str) -> str:
    name = text.replace("-", "_")
    return SCENARIO_ALIASES.get(name, name)


def add_commands(subparsers: argparse._SubParsersAction) -> None:
    sim = subparsers.add_parser("sim", help="simulated devices on a virtual radio")
    kinds = sim.add_subparsers(dest="sim_command", metavar="WHAT", required=True)
    bands = kinds.add_parser("wristbands", help="N virtual wristbands and a kiosk recording their alerts")
    bands.add_argument("count", type=int, metavar="N", help="number of wristbands (1-60)")
    bands.add_argument("--scenario", type=scenario_name, choices=SCENARIO_NAMES, default="resting",
                       help="one of: " + ", ".join(SCENARIO_NAMES) + " (also fall, low-battery, out-of-range)")
    bands.add_argument("--speed", type=float, default=1.0,
                       help="play the scenario this many times faster (the alert rules' timings shrink alike)")
    bands.add_argument("--duration", type=float, default=None, help="stop after this many real seconds")
    bands.add_argument("--cap", type=int, default=7, help="simultaneous connections (default 7)")
    bands.add_argument("--store", type=Path, default=None, help="kiosk store to record into (default: a temporary one)")
    bands.set_defaults(handler=_run_wristbands)


def _run_wristbands(args: argparse.Namespace) -> int:
    if not 1 <= args.count <= 60 or args.speed <= 0:
        print("N must be 1..60 and --speed positive", file=sys.stderr)
        return 2
    if not args.verbose:
        # The lines printed below are the story; the radio's own chatter is for debugging.
        for noisy in ("bumble", "devices"):
            logging.getLogger(noisy).setLevel(logging.WARNING)
    try:
        summary = asyncio.run(_simulate(args))
    except KeyboardInterrupt:
        return 130
    json.dump(summary, sys.stdout, ensure_ascii=False)
    sys.stdout.write("\n")
    return 0


def scaled_thresholds(speed: float) -> Any:
    """Default alert rules with every duration divided by `speed`, to match the scenario."""
    from devices.rules import AlertThresholds

    defaults = AlertThresholds()
    timings = {name: getattr(defaults, name) / speed
               for name in ("sustain_s", "clear_after_s", "no_data_s", "fall_countdown_s")}
    return dataclasses.replace(defaults, **timings)


async def _simulate(args: argparse.Namespace) -> dict[str, Any]:
    from devices.band_events import StateChanged
    from devices.sim.kiosk import simulated_kiosk

    with tempfile.TemporaryDirectory(prefix="linli-sim-") as tmp:
        store_path = args.store or Path(tmp) / "kiosk.sqlite3"
        stop = asyncio.Event()
        async with simulated_kiosk(store_path, args.count, max_connections=args.cap,
                                   thresholds=scaled_thresholds(args.speed)) as kiosk:
            kiosk.manager.add_listener(
                lambda e: isinstance(e, StateChanged) and _say(f"{e.address} {e.previous} -> {e.state} ({e.reason})")
            )
            kiosk.service.on_alert(lambda c: _say(f"{c.band} {c.kind} {c.phase}"
                                                  + (f" value={c.value:g}" if c.value is not None else "")))
            scenario = asyncio.create_task(kiosk.fleet.run_scenario(args.scenario, speed=args.speed, stop_event=stop))
            try:
                await asyncio.wait_for(asyncio.shield(scenario), timeout=args.duration)
            except TimeoutError:
                pass
            finally:
                stop.set()
                await scenario
            records = Counter(json.loads(item.envelope)["kind"] for item in kiosk.store.due_batch(100_000))
            snapshot = kiosk.manager.snapshot()
            return {
                "scenario": args.scenario,
                "bands": args.count,
                "states": dict(Counter(snap.state.value for snap in snapshot.values())),
                "rejected_payloads": sum(snap.rejected_payloads for snap in snapshot.values()),
                "records": dict(records),
                "store": str(args.store) if args.store else None,
            }


def _say(line: str) -> None:
    print(line, file=sys.stderr, flush=True)
