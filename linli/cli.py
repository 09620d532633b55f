"""The `linli` command: one argument parser, each package adding its own subcommands.

Packages are imported lazily by their handlers, so `linli sync status` never loads the
server and `linli server` never loads Kivy.
"""

from __future__ import annotations

import argparse
import logging
import sys
from collections.abc import Sequence

# (module, function) pairs; each function receives the subparsers object.
_COMMAND_PROVIDERS = (
    ("server.cli", "add_commands"),  # server, admin
    ("server.report_cli", "add_commands"),  # report
    ("sync.cli", "add_commands"),  # sync
    ("linli.demo", "add_commands"),  # demo
    ("linli.sim_cli", "add_commands"),  # sim
    ("linli.bench", "add_commands"),  # bench
    ("voice.cli", "add_commands"),  # voice
    ("kiosk.cli", "add_commands"),  # kiosk
)


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="linli", description="Linli 邻里 community care")
    parser.add_argument("-v", "--verbose", action="store_true", help="log at DEBUG level")
    subparsers = parser.add_subparsers(dest="command", metavar="COMMAND", required=True)
    import importlib

    for module_name, function_name in _COMMAND_PROVIDERS:
        getattr(importlib.import_module(module_name), function_name)(subparsers)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    logging.basicConfig(
        level=logging.DEBUG if args.verbose else logging.INFO,
        format="%(asctime)s %(levelname)s %(name)s: %(message)s",
        stream=sys.stderr,
    )
    if not args.verbose:
        # Migrations run at every start; their step-by-step lines are noise to an operator.
        logging.getLogger("alembic").setLevel(logging.WARNING)
    return int(args.handler(args) or 0)
