"""`linli bench ...`: benchmarks that each print one JSON object (targets are checked here,
not by timed tests)."""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
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

    alerts = kinds.add_parser(
        "alerts", help="live alerts: kiosk push -> caregiver console event stream, per backend "
                       "(two server processes on PostgreSQL)"
    )
    alerts.add_argument("--alarms", type=int, default=100, help="alarms pushed one at a time")
    alerts.add_argument("--band-presses", type=int, default=50,
                        help="virtual wristband SOS presses timed to the console (0: none)")
    alerts.add_argument("--backends", default="sqlite,postgresql", help="comma-separated: sqlite,postgresql")
    alerts.set_defaults(handler=_run_alerts)

    load = kinds.add_parser(
        "load", help="server request latency under mixed kiosk sync and console traffic, per backend"
    )
    load.add_argument("--rate", type=float, default=200.0, help="requests per second offered")
    load.add_argument("--seconds", type=float, default=30.0, help="how long the load is measured")
    load.add_argument("--warmup", type=float, default=5.0,
                      help="seconds of the same load first, not measured (0: a cold server)")
    load.add_argument("--kiosks", type=int, default=50, help="kiosks (each with a resident)")
    load.add_argument("--backends", default="sqlite,postgresql", help="comma-separated: sqlite,postgresql")
    load.add_argument("--pg-processes", type=int, default=2,
                      help="server processes on PostgreSQL (SQLite always runs one)")
    load.set_defaults(handler=_run_load)

    soak = kinds.add_parser(
        "soak", help="N minutes of simulated kiosks with wristband traffic against two server "
                     "processes on PostgreSQL: lost, duplicated, alert latency, server memory")
    soak.add_argument("--minutes", type=float, default=10.0)
    soak.add_argument("--kiosks", type=int, default=200)
    soak.add_argument("--bands", type=int, default=3, help="wristbands per kiosk")
    soak.add_argument("--alarm-every", type=float, default=3.0,
                      help="seconds between alarms across the district")
    soak.add_argument("--backend", default="postgresql", choices=["postgresql", "sqlite"])
    soak.set_defaults(handler=_run_soak)

    ble = kinds.add_parser("ble", help="virtual wristbands: bands held, connect time, SOS latency, CPU")
    ble.add_argument("--bands", default="10,30", help="comma-separated fleet sizes")
    ble.add_argument("--cpu-window", type=float, default=20.0, help="seconds of 1 Hz heart rate measured")
    ble.add_argument("--sos-presses", type=int, default=100, help="SOS presses timed per fleet")
    ble.set_defaults(handler=_run_ble)

    voice = kinds.add_parser(
        "voice", help="speech: intent accuracy on espeak-ng speech, RTF, latency, load time, RSS; "
                      "one JSON object per language"
    )
    voice.add_argument("--languages", default="zh,en,ko", help="comma-separated: zh,en,ko")
    voice.add_argument("--rates", default="120,150,180", help="espeak-ng speaking rates, wpm")
    voice.add_argument("--snr", type=float, default=10.0,
                       help="signal-to-noise ratio of the noisy copies, dB")
    voice.add_argument("--dir", type=Path, default=None, help="speech models directory")
    voice.set_defaults(handler=_run_voice)

    kiosk = kinds.add_parser(
        "kiosk", help="kiosk UI offscreen: cold start to first frame, tap -> screen, memory"
    )
    kiosk.add_argument("--starts", type=int, default=5, help="cold starts, each a new process")
    kiosk.add_argument("--rounds", type=int, default=20, help="times the tap route is walked")
    kiosk.set_defaults(handler=_run_kiosk)
    kiosk_voice = kinds.add_parser(
        "kiosk-voice", help="the kiosk's microphone tile offscreen: model load to the first "
                            "question, spoken SOS (WAV) tap -> countdown; one JSON per language")
    kiosk_voice.add_argument("--languages", default="ko,en,zh", help="comma-separated")
    kiosk_voice.add_argument("--turns", type=int, default=20, help="spoken SOS requests timed")
    kiosk_voice.set_defaults(handler=_run_kiosk_voice)


def _run_sync(args: argparse.Namespace) -> int:
    from linli.bench_sync import run_sync_benchmark

    backends = [name.strip() for name in args.backends.split(",") if name.strip()]
    return _print(run_sync_benchmark(backends, records=args.records, batch_size=args.batch))


def _run_alerts(args: argparse.Namespace) -> int:
    import logging

    from linli.bench_alerts import run_alerts_benchmark

    for name in ("bumble", "devices", "sync"):
        logging.getLogger(name).setLevel(logging.WARNING)

    backends = [name.strip() for name in args.backends.split(",") if name.strip()]
    return _print(run_alerts_benchmark(backends, alarms=args.alarms, band_presses=args.band_presses))


def _run_load(args: argparse.Namespace) -> int:
    from linli.bench_load import run_load_benchmark

    backends = [name.strip() for name in args.backends.split(",") if name.strip()]
    return _print(run_load_benchmark(backends, rate=args.rate, seconds=args.seconds, kiosks=args.kiosks,
                                      pg_processes=args.pg_processes, warmup=args.warmup))


def _run_soak(args: argparse.Namespace) -> int:
    import logging

    from linli.bench_soak import run_soak

    for name in ("sync", "server", "alembic"):
        logging.getLogger(name).setLevel(logging.WARNING)
    return _print(run_soak(minutes=args.minutes, kiosks=args.kiosks, bands_per_kiosk=args.bands,
                           alarm_every=args.alarm_every, backend=args.backend))


def _run_ble(args: argparse.Namespace) -> int:
    import logging

    from linli.bench_ble import run_ble_benchmark

    logging.getLogger("bumble").setLevel(logging.WARNING)
    logging.getLogger("devices").setLevel(logging.WARNING)
    counts = [int(n) for n in args.bands.split(",") if n.strip()]
    return _print(run_ble_benchmark(counts, cpu_window_s=args.cpu_window, sos_presses=args.sos_presses))


def _run_kiosk(args: argparse.Namespace) -> int:
    import logging

    from linli.bench_kiosk import run_kiosk_benchmark

    for name in ("kiosk", "kivy", "sync", "asyncio"):
        logging.getLogger(name).setLevel(logging.WARNING)
    return _print(run_kiosk_benchmark(starts=args.starts, rounds=args.rounds))


def _run_kiosk_voice(args: argparse.Namespace) -> int:
    import logging

    from linli.bench_kiosk_voice import run_kiosk_voice_benchmark

    for name in ("voice", "kiosk", "sync", "alembic"):
        logging.getLogger(name).setLevel(logging.WARNING)
    languages = [name.strip() for name in args.languages.split(",") if name.strip()]
    try:
        results = run_kiosk_voice_benchmark(languages, args.turns)
    except RuntimeError as exc:
        print(f"linli bench kiosk-voice: {exc}", file=sys.stderr)
        return 2
    for result in results:
        _print(result)
    return 0


def _run_voice(args: argparse.Namespace) -> int:
    import logging

    from linli.bench_voice import run_voice_benchmark

    logging.getLogger("voice").setLevel(logging.WARNING)
    languages = [name.strip() for name in args.languages.split(",") if name.strip()]
    rates = [int(n) for n in args.rates.split(",") if n.strip()]
    try:
        for result in run_voice_benchmark(languages, rates=rates, snr_db=args.snr,
                                          models_dir=args.dir):
            _print(result)
            sys.stdout.flush()
    except RuntimeError as exc:
        print(f"linli bench voice: {exc}", file=sys.stderr)
        return 2
    return 0


def _print(result: dict[str, Any]) -> int:
    json.dump(result, sys.stdout, ensure_ascii=False)
    sys.stdout.write("\n")
    return 0
