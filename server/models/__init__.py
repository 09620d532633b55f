"""SQLAlchemy models of the server's tables; import from here, not from the submodules."""

from __future__ import annotations

from server.models.accounts import (
    Account,
    CaregiverLink,
    Grid,
    LoginFailure,
    StaffGrid,
    WebSession,
)
from server.models.base import Base, UtcDateTime, utcnow
from server.models.catalogue import Activity, Reward
from server.models.directory import Kiosk, Resident, Wristband
from server.models.escalation import (
    AlarmEscalation,
    EscalationChain,
    EscalationStep,
    WebhookDelivery,
)
from server.models.feed import AuditEntry, KioskChange
from server.models.identity import ServerIncarnation
from server.models.points import PointsLedgerEntry, PointsLock
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
from server.models.visits import Visit, VisitTask
from server.models.workflow import RequestHandling
from server.models.volunteering import GroceryClaim, SuggestionMark, VolunteerPointsEntry

__all__ = [
    "Account",
    "Activity",
    "AlarmEscalation",
    "AuditEntry",
    "Base",
    "CallbackRequest",
    "CaregiverLink",
    "EscalationChain",
    "EscalationStep",
    "Feedback",
    "Grid",
    "GroceryClaim",
    "HelpCall",
    "HelpCallEvent",
    "Kiosk",
    "KioskChange",
    "LoginFailure",
    "PointsLedgerEntry",
    "PointsLock",
    "PointsRedemption",
    "ReceivedRecord",
    "RequestHandling",
    "Resident",
    "Reward",
    "ServerIncarnation",
    "ServiceRequest",
    "StaffGrid",
    "SuggestionMark",
    "UtcDateTime",
    "Visit",
    "VisitTask",
    "VitalsSample",
    "VolunteerPointsEntry",
    "VolunteerSuggestion",
    "WebSession",
    "WebhookDelivery",
    "Wristband",
    "WristbandAlert",
    "utcnow",
]
