"""Simulated wristbands for tests and the demo: bumble virtual radio, bands, bleak backend.

Only tests, `linli demo` and `linli sim` import this package; production code in devices/
talks to bleak and never to bumble.
"""

from __future__ import annotations

from devices.sim.backend import BumbleClient, BumbleScanner
from devices.sim.band import VirtualWristband, band_address, band_name
from devices.sim.fleet import WristbandFleet
from devices.sim.radio import VirtualRadio
from devices.sim.scenarios import SCENARIOS, run_scenario

__all__ = [
    "SCENARIOS",
    "BumbleClient",
    "BumbleScanner",
    "VirtualRadio",
    "VirtualWristband",
    "WristbandFleet",
    "band_address",
    "band_name",
    "run_scenario",
]
