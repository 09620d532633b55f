"""Scripted scenarios that drive a virtual wristband over time (resting, SOS, falls, ...).

A scenario sends one heart-rate measurement per scenario second (with RR intervals, and
energy expended while exercising) and fires its scripted events at their times. `speed`
compresses time: speed=10 plays ten scenario seconds per real second. Scenarios run until
`stop_event` is set (or `duration` scenario seconds have passed); after their script they
keep the wearer resting, so a CLI can leave them running.
"""

from __future__ import annotations

import asyncio
import logging
import math
import random
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import Any

from devices.alert_format import ALERT_CHARACTERISTIC_UUID
from devices.gatt import BATTERY_LEVEL_UUID, HEART_RATE_MEASUREMENT_UUID
from devices.sim.band import VirtualWristband

logger = logging.getLogger(__name__)


@dataclass(slots=True)
class ScenarioContext:
    """What a running scenario knows: scenario time, its random source, its own notes."""

    band: VirtualWristband
    rng: random.Random
    t: float = 0.0
    state: dict[str, Any] = field(default_factory=dict)


HeartRateCurve = Callable[[ScenarioContext], float]
Action = Callable[[ScenarioContext], Awaitable[object]]


@dataclass(frozen=True, slots=True)
class Scenario:
    description: str
    heart_rate: HeartRateCurve
    events: tuple[tuple[float, Action], ...] = ()
    on_tick: Action | None = None
    energy: bool = False


# ---- heart-rate curves (scenario seconds -> bpm) -----------------------------------------
def _clamp(value: float, low: float, high: float) -> float:
    return min(max(value, low), high)


def _resting(ctx: ScenarioContext) -> float:
    # A slow breathing-like swing plus beat-to-beat noise, kept in 60-80.
    return _clamp(70 + 5 * math.sin(2 * math.pi * ctx.t / 45) + ctx.rng.gauss(0, 1.5), 60, 80)


def _ramp(t: float, t0: float, t1: float, a: float, b: float) -> float:
    return a + (b - a) * _clamp((t - t0) / (t1 - t0), 0, 1)


def _exercise(ctx: ScenarioContext) -> float:
    t = ctx.t
    if t < 20:
        return _resting(ctx)
    if t < 80:  # walking briskly, then stairs
        base = _ramp(t, 20, 80, 75, 130)
    elif t < 140:
        base = 130
    elif t < 200:  # cooling down
        base = _ramp(t, 140, 200, 130, 78)
    else:
        return _resting(ctx)
    return _clamp(base + ctx.rng.gauss(0, 2), 60, 140)


def _tachycardia(ctx: ScenarioContext) -> float:
    if ctx.t < 10:
        return _resting(ctx)
    return _clamp(142 + 6 * math.sin(2 * math.pi * ctx.t / 30) + ctx.rng.gauss(0, 2), 131, 165)


def _bradycardia(ctx: ScenarioContext) -> float:
    if ctx.t < 10:
        return _resting(ctx)
    return _clamp(40 + 2 * math.sin(2 * math.pi * ctx.t / 30) + ctx.rng.gauss(0, 1), 34, 44)


def _after_fall(ctx: ScenarioContext) -> float:
    # A fright after the fall: the pulse jumps and settles over half a minute.
    fall_at = 5.0
    if ctx.t < fall_at:
        return _resting(ctx)
    surge = 30 * math.exp(-(ctx.t - fall_at) / 15)
    return _clamp(_resting(ctx) + surge, 60, 110)


# ---- scripted actions -------------------------------------------------------------------
async def _press_sos(ctx: ScenarioContext) -> object:
    return await ctx.band.press_sos()


async def _detect_fall(ctx: ScenarioContext) -> object:
    return await ctx.band.detect_fall()


async def _cancel_fall(ctx: ScenarioContext) -> object:
    return await ctx.band.cancel_fall()


async def _leave_range(ctx: ScenarioContext) -> object:
    return await ctx.band.leave_range()


async def _return_to_range(ctx: ScenarioContext) -> object:
    return await ctx.band.return_to_range()


async def _drain_battery(ctx: ScenarioContext) -> object:
    start = ctx.state.setdefault("battery_start", ctx.band.battery)
    # One percent every three scenario seconds, down to the 5 % a band shuts down at.
    target = max(5, start - int(ctx.t // 3))
    if target < ctx.band.battery:
        await ctx.band.set_battery(target)
    return None


# Payloads a buggy or damaged band could send; each breaks a different rule of its format.
MALFORMED_PAYLOADS: tuple[tuple[str, bytes], ...] = (
    (HEART_RATE_MEASUREMENT_UUID, b""),  # no flags byte
    (HEART_RATE_MEASUREMENT_UUID, b"\x01\x48"),  # uint16 announced, one byte follows
    (HEART_RATE_MEASUREMENT_UUID, b"\x10\x48\x00"),  # RR announced, odd byte follows
    (HEART_RATE_MEASUREMENT_UUID, b"\x00\x48\x00\x00"),  # trailing bytes
    (HEART_RATE_MEASUREMENT_UUID, b"\x01\xff\xff"),  # 65535 bpm
    (BATTERY_LEVEL_UUID, b""),
    (BATTERY_LEVEL_UUID, b"\x65"),  # 101 %
    (BATTERY_LEVEL_UUID, b"\x50\x00"),  # two bytes
    (ALERT_CHARACTERISTIC_UUID, b"\x01\x01\x00"),  # three bytes
    (ALERT_CHARACTERISTIC_UUID, b"\x02\x01\x05\x00"),  # unknown format version
    (ALERT_CHARACTERISTIC_UUID, b"\x01\x09\x06\x00"),  # unknown event
)


async def _send_malformed(ctx: ScenarioContext) -> object:
    # Every third second one bad payload, between good measurements.
    second = int(ctx.t)
    if second % 3 == 2:
        uuid, payload = MALFORMED_PAYLOADS[(second // 3) % len(MALFORMED_PAYLOADS)]
        await ctx.band.send_raw(uuid, payload)
    return None


SCENARIOS: dict[str, Scenario] = {
    "resting": Scenario("heart rate 60-80 with natural variation, once a second", _resting),
    "exercise": Scenario("heart rate ramps to ~130, holds, cools down to rest", _exercise, energy=True),
    "tachycardia": Scenario("after 10 s, heart rate sustained above 130", _tachycardia),
    "bradycardia": Scenario("after 10 s, heart rate sustained below 45", _bradycardia),
    "sos": Scenario("the wearer presses SOS after 5 s", _resting, ((5.0, _press_sos),)),
    "fall_ok": Scenario(
        "a fall at 5 s; the wearer answers \"I'm OK\" at 10 s",
        _after_fall,
        ((5.0, _detect_fall), (10.0, _cancel_fall)),
    ),
    "fall_no_response": Scenario("a fall at 5 s and nothing after", _after_fall, ((5.0, _detect_fall),)),
    "battery_drain": Scenario("battery falls 1 % every 3 s down to 5 %", _resting, on_tick=_drain_battery),
    "out_of_range": Scenario(
        "leaves radio range at 10 s, comes back at 40 s",
        _resting,
        ((10.0, _leave_range), (40.0, _return_to_range)),
    ),
    "malformed": Scenario(
        "good measurements with a malformed HR, battery or alert payload every 3 s",
        _resting,
        on_tick=_send_malformed,
    ),
}


async def run_scenario(
    name: str,
    band: VirtualWristband,
    *,
    speed: float = 1.0,
    stop_event: asyncio.Event | None = None,
    duration: float | None = None,
    seed: int | None = None,
) -> None:
    """Play scenario `name` on `band` until `stop_event` is set or `duration` scenario
    seconds have passed. The random source is seeded by the band number unless `seed`."""
    try:
        scenario = SCENARIOS[name.replace("-", "_")]  # the CLI spells them out-of-range
    except KeyError:
        raise ValueError(f"unknown scenario {name!r}; known: {', '.join(SCENARIOS)}") from None
    if speed <= 0:
        raise ValueError(f"speed must be positive, not {speed}")
    stop = stop_event if stop_event is not None else asyncio.Event()
    ctx = ScenarioContext(band, random.Random(band.number if seed is None else seed))
    pending = sorted(scenario.events, key=lambda event: event[0])
    loop = asyncio.get_running_loop()
    started = loop.time()
    energy_kj = 0.0
    tick = 0
    logger.info("%s: scenario %s at %gx", band.name, name, speed)
    while not stop.is_set():
        ctx.t = float(tick)
        if duration is not None and ctx.t > duration:
            break
        while pending and pending[0][0] <= ctx.t:
            _, action = pending.pop(0)
            await action(ctx)
        bpm = round(scenario.heart_rate(ctx))
        # RR intervals: the beat period with a little beat-to-beat variability.
        rr = (max(60 / bpm + ctx.rng.gauss(0, 0.02), 0.2),) if bpm else ()
        energy: int | None = None
        if scenario.energy:
            energy_kj += bpm * 0.0025  # ~ kJ per second at this pulse, roughly
            energy = int(energy_kj)
        await band.set_heart_rate(bpm, contact=True, rr_intervals=rr, energy=energy)
        if scenario.on_tick is not None:
            await scenario.on_tick(ctx)
        tick += 1
        # Absolute schedule, so slow ticks do not make the scenario drift.
        delay = max(started + tick / speed - loop.time(), 0.0)
        try:
            await asyncio.wait_for(stop.wait(), delay)
        except TimeoutError:
            pass
    logger.info("%s: scenario %s ended at t=%gs", band.name, name, ctx.t)
