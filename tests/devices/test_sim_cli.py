"""`linli sim wristbands` through the real command: each scenario leaves the records it should."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest


def simulate(scenario: str, duration: float, bands: int = 2, speed: float = 5.0) -> dict:
    command = [sys.executable, "-m", "linli", "sim", "wristbands", str(bands), "--scenario", scenario,
               "--speed", str(speed), "--duration", str(duration)]
    done = subprocess.run(command, capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr[-2000:]
    return json.loads(done.stdout)


def test_sos_becomes_one_help_call_per_band() -> None:
    summary = simulate("sos", duration=4)
    assert summary["records"].get("help_call") == 2
    assert summary["states"] == {"connected": 2}


def test_fall_then_im_ok_sends_no_alarm_and_records_the_cancel() -> None:
    # At speed 5 the fall comes at 1 s, "I'm OK" at 2 s, inside the 6 s countdown.
    summary = simulate("fall_ok", duration=5)
    assert "help_call" not in summary["records"]
    assert summary["records"].get("wristband_alert") == 2


def test_fall_without_an_answer_becomes_a_help_call_after_the_countdown() -> None:
    summary = simulate("fall_no_response", duration=9, bands=1)
    assert summary["records"].get("help_call") == 1


def test_malformed_data_is_counted_and_the_bands_stay_connected() -> None:
    summary = simulate("malformed", duration=5, bands=1)
    assert summary["rejected_payloads"] > 0
    assert summary["states"] == {"connected": 1}


@pytest.mark.parametrize("bad", [["0"], ["61"], ["2", "--speed", "0"]])
def test_bad_arguments_are_refused(bad: list[str]) -> None:
    done = subprocess.run([sys.executable, "-m", "linli", "sim", "wristbands", *bad],
                          capture_output=True, text=True, timeout=60)
    assert done.returncode == 2 and "N must be" in done.stderr


def test_scenario_names_as_people_type_them() -> None:
    from linli.sim_cli import SCENARIO_NAMES, scenario_name

    assert scenario_name("out-of-range") == "out_of_range"
    assert scenario_name("low-battery") == "battery_drain"
    assert scenario_name("fall") == "fall_no_response"
    from devices.sim import SCENARIOS

    assert set(SCENARIO_NAMES) == set(SCENARIOS)  # the CLI's list matches the simulator's
