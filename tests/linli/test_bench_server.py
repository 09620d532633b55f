"""The server benchmarks run end to end on a small scale: every alarm and request accounted for.

These check that the benchmarks measure what they say (a band press reaches the console,
the mixed load gets answers), not how fast: speed is read from `linli bench`.
"""

from __future__ import annotations

import pytest

from linli.bench_alerts import run_alerts_benchmark
from linli.bench_load import run_load_benchmark

pytestmark = pytest.mark.slow


def test_alerts_bench_times_pushes_and_band_presses_to_the_console() -> None:
    result = run_alerts_benchmark(["sqlite"], alarms=3, band_presses=2)["sqlite"]
    assert result["missed"] == 0 and result["alarms"] == 3
    assert result["push_to_console_ms_p50"] is not None
    band = result["band_sos_to_console_ms"]
    assert band["presses"] == 2 and band["missed"] == 0
    assert band["p50"] is not None and band["p50"] > 0


def test_load_bench_offers_the_mix_and_every_request_is_answered() -> None:
    result = run_load_benchmark(["sqlite"], rate=20, seconds=1, kiosks=3, warmup=0.5)["results"]["sqlite"]
    assert result["requests"] == 20  # the warm-up's 10 are not counted
    assert result["errors"] == {}
    assert set(result["by_kind_p99_ms"]) == {"push", "pull", "console", "resident"}


def test_soak_accounts_for_every_record_and_alarm() -> None:
    from linli.bench_soak import run_soak

    result = run_soak(minutes=0.1, kiosks=3, bands_per_kiosk=2, alarm_every=1.0, backend="sqlite")
    assert result["records_written"] >= result["alarms"] >= 4
    assert result["lost"] == 0 and result["duplicated"] == 0 and result["drained"]
    assert result["alarms_on_console"] == result["alarms"]
    assert result["server_rss_mib_start"][0] > 0
