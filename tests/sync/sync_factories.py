"""Factories for the kiosk sync tests: valid payloads of each kind, fast retry timings."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime

from sync.backoff import RetryPolicy
from sync.records import HelpCall, ServiceRequest, VitalsSample, WristbandAlert

# Fast timings so back-off paths run in milliseconds; the shape of the policy is the same.
FAST_POLICY = RetryPolicy(base=0.01, cap=0.05, quick_tries=3, max_inline_wait=1.0)


def help_call(resident_id: uuid.UUID | None = None) -> HelpCall:
    return HelpCall(resident_id=resident_id or uuid.uuid4(), source="kiosk_button")


def alert(resident_id: uuid.UUID | None = None) -> WristbandAlert:
    return WristbandAlert(resident_id=resident_id, wristband_id=uuid.uuid4(), alert="fall",
                          detected_at=datetime.now(UTC))


def repair(resident_id: uuid.UUID | None = None) -> ServiceRequest:
    return ServiceRequest(resident_id=resident_id or uuid.uuid4(),
                          details={"type": "repair", "what": "water"})


def vitals(resident_id: uuid.UUID | None = None, bpm: int = 72) -> VitalsSample:
    return VitalsSample(resident_id=resident_id or uuid.uuid4(), wristband_id=uuid.uuid4(),
                        measured_at=datetime.now(UTC), heart_rate=bpm)
