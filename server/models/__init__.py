"""SQLAlchemy models of the server's tables; import from here, not from the submodules."""

from __future__ import annotations

from server.models.base import Base, UtcDateTime, utcnow
from server.models.catalogue import Activity, Reward
from server.models.directory import Kiosk, Resident, Wristband
from server.models.feed import AuditEntry, KioskChange
from server.models.points import PointsBalance, PointsLedgerEntry
from server.models.records import (
    CallbackRequest,
    Feedback,
    HelpCall,
    HelpCallEvent,
    PointsRedemption,
    ReceivedRecord,
    ServiceRequest,
    VitalsSample,
    VolunteerSuggestion,
    WristbandAlert,
)

__all__ = [
    "Activity",
    "AuditEntry",
    "Base",
    "CallbackRequest",
    "Feedback",
    "HelpCall",
    "HelpCallEvent",
    "Kiosk",
    "KioskChange",
    "PointsBalance",
    "PointsLedgerEntry",
    "PointsRedemption",
    "ReceivedRecord",
    "Resident",
    "Reward",
    "ServiceRequest",
    "UtcDateTime",
    "VitalsSample",
    "VolunteerSuggestion",
    "Wristband",
    "WristbandAlert",
    "utcnow",
]
