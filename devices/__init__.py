"""Wristbands over BLE (built in its own issue)."""
