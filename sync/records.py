"""Record schemas: the payloads that kiosks push and the changes they pull (the wire format).

Everything a kiosk creates travels inside an `Envelope` whose `kind` names one of the
payload models in `PAYLOAD_MODELS`. Everything the server tells a kiosk travels as a
`Change` whose `kind` names one of the models in `CHANGE_MODELS`. docs/SYNC_PROTOCOL.md
describes the same format for people.
"""

from __future__ import annotations

import uuid
from datetime import date, datetime
from decimal import Decimal
from enum import StrEnum
from typing import Annotated, Literal, Union

from pydantic import (
    AwareDatetime,
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    TypeAdapter,
    field_validator,
)

WIRE_VERSION = 1

Text = Annotated[str, Field(min_length=1, max_length=200)]
LongText = Annotated[str, Field(min_length=1, max_length=2000)]


def _iso_text_only(value: object) -> object:
    # A bare number would be read as a Unix time; the protocol asks for ISO 8601 with a zone.
    if not isinstance(value, (str, datetime)):
        raise ValueError("a time must be ISO 8601 text with a zone, e.g. 2026-11-24T08:00:00+00:00")
    return value


Time = Annotated[AwareDatetime, BeforeValidator(_iso_text_only)]


def _has_nul(value: object) -> bool:
    if isinstance(value, str):
        return "\x00" in value
    if isinstance(value, list):
        return any(_has_nul(item) for item in value)
    return False


class _Wire(BaseModel):
    """Strict base: unknown fields are errors, so a typo never silently loses data."""

    model_config = ConfigDict(extra="forbid", frozen=True, allow_inf_nan=False)

    @field_validator("*", mode="after")
    @classmethod
    def _no_nul_characters(cls, value: object) -> object:
        # PostgreSQL text cannot hold NUL: refused here it is a clear 422 for the kiosk,
        # instead of a database error the kiosk would retry for ever.
        if _has_nul(value):
            raise ValueError("text must not contain NUL characters")
        return value


# --- kinds -----------------------------------------------------------------------------


class RecordKind(StrEnum):
    """What a kiosk pushes."""

    HELP_CALL = "help_call"
    HELP_CALL_EVENT = "help_call_event"
    CALLBACK_REQUEST = "callback_request"
    SERVICE_REQUEST = "service_request"
    VITALS_SAMPLE = "vitals_sample"
    WRISTBAND_ALERT = "wristband_alert"
    FEEDBACK = "feedback"
    POINTS_REDEMPTION = "points_redemption"
    VOLUNTEER_SUGGESTION = "volunteer_suggestion"


class ChangeKind(StrEnum):
    """What a kiosk pulls."""

    KIOSK_INFO = "kiosk_info"
    RESIDENT = "resident"
    RESIDENT_REMOVED = "resident_removed"
    WRISTBAND_PAIRING = "wristband_pairing"
    REQUEST_STATUS = "request_status"
    HELP_CALL_STATUS = "help_call_status"
    POINTS_ENTRY = "points_entry"
    ACTIVITY = "activity"  # an upcoming activity, added, changed or retired
    REWARD = "reward"  # a points reward, added, changed or retired
    REQUEST_CREATED = "request_created"  # a request staff entered for a resident (phone, walk-in)


class Language(StrEnum):
    ZH = "zh"
    EN = "en"
    KO = "ko"


# --- pushed by kiosks ----------------------------------------------------------------


class HelpSource(StrEnum):
    KIOSK_BUTTON = "kiosk_button"
    VOICE = "voice"
    WRISTBAND_SOS = "wristband_sos"
    FALL = "fall"


class HelpCall(_Wire):
    """A resident needs help now. `resident_id` may be unknown when nobody was chosen."""

    resident_id: uuid.UUID | None = None
    source: HelpSource
    wristband_id: uuid.UUID | None = None
    note: Annotated[str, Field(max_length=500)] | None = None


class HelpCallEventType(StrEnum):
    CANCELLED_BY_RESIDENT = "cancelled_by_resident"  # false alarm, "I'm OK" after sending
    REMINDER_PLAYED = "reminder_played"  # the latched alarm reminded the resident again


class HelpCallEvent(_Wire):
    help_call_id: uuid.UUID
    event: HelpCallEventType
    note: Annotated[str, Field(max_length=500)] | None = None


class CallbackTarget(StrEnum):
    CAREGIVER = "caregiver"
    SERVICE_CENTRE = "service_centre"


class CallbackRequest(_Wire):
    """"Please call me": there is no telephony on the kiosk, a person calls back."""

    resident_id: uuid.UUID | None = None
    target: CallbackTarget
    caregiver_name: Text | None = None
    reason: Annotated[str, Field(max_length=500)] | None = None


class RequestType(StrEnum):
    REPAIR = "repair"  # 报修
    CERTIFICATE = "certificate"  # 证明
    CLINIC_BOOKING = "clinic_booking"
    ACTIVITY_BOOKING = "activity_booking"
    MEDIATION = "mediation"  # 调解
    GROCERY = "grocery"  # 代购


class RepairDetails(_Wire):
    type: Literal["repair"] = "repair"
    what: Literal["water", "electricity", "gas", "door", "window", "appliance", "heating", "other"]
    description: Annotated[str, Field(max_length=1000)] | None = None


class CertificateDetails(_Wire):
    type: Literal["certificate"] = "certificate"
    certificate: Literal["residence", "living_status", "income", "elderly_card", "other"]
    purpose: Annotated[str, Field(max_length=500)] | None = None


class ClinicBookingDetails(_Wire):
    type: Literal["clinic_booking"] = "clinic_booking"
    department: Literal["general", "chronic_disease", "dental", "eye", "rehabilitation", "tcm", "other"]
    preferred_date: date | None = None
    time_of_day: Literal["morning", "afternoon", "any"] = "any"


class ActivityBookingDetails(_Wire):
    type: Literal["activity_booking"] = "activity_booking"
    activity_id: Text
    activity_name: Text


class MediationDetails(_Wire):
    type: Literal["mediation"] = "mediation"
    with_whom: Literal["neighbour", "family", "property_management", "other"]
    description: Annotated[str, Field(max_length=1000)] | None = None


class GroceryItem(_Wire):
    name: Text
    quantity: Annotated[Decimal, Field(gt=0, le=1000, max_digits=8, decimal_places=2)]
    unit: Annotated[str, Field(min_length=1, max_length=20)]  # 斤, 袋, 个, kg, bag ...


class GroceryDetails(_Wire):
    type: Literal["grocery"] = "grocery"
    items: Annotated[list[GroceryItem], Field(min_length=1, max_length=50)]
    note: Annotated[str, Field(max_length=500)] | None = None


RequestDetails = Annotated[
    Union[
        RepairDetails,
        CertificateDetails,
        ClinicBookingDetails,
        ActivityBookingDetails,
        MediationDetails,
        GroceryDetails,
    ],
    Field(discriminator="type"),
]


class ServiceRequest(_Wire):
    resident_id: uuid.UUID
    details: RequestDetails


class VitalsSample(_Wire):
    """One stored heart-rate / battery reading (downsampled on the kiosk)."""

    resident_id: uuid.UUID
    wristband_id: uuid.UUID
    measured_at: Time
    heart_rate: Annotated[int, Field(ge=20, le=250)] | None = None
    battery_percent: Annotated[int, Field(ge=0, le=100)] | None = None
    abnormal: bool = False


class WristbandAlertType(StrEnum):
    SOS = "sos"
    FALL = "fall"
    FALL_CANCELLED = "fall_cancelled"
    HEART_RATE_HIGH = "heart_rate_high"
    HEART_RATE_LOW = "heart_rate_low"
    NO_DATA = "no_data"
    BATTERY_LOW = "battery_low"
    BATTERY_CRITICAL = "battery_critical"


class AlertPhase(StrEnum):
    STARTED = "started"
    ENDED = "ended"


class WristbandAlert(_Wire):
    resident_id: uuid.UUID | None = None
    wristband_id: uuid.UUID
    alert: WristbandAlertType
    phase: AlertPhase = AlertPhase.STARTED
    detected_at: Time
    value: float | None = None  # the bpm or battery level that triggered it
    band_sequence: Annotated[int, Field(ge=0, le=0xFFFF)] | None = None


class Feedback(_Wire):
    resident_id: uuid.UUID
    request_id: uuid.UUID
    stars: Annotated[int, Field(ge=1, le=5)]
    quick_comments: Annotated[list[Text], Field(max_length=10)] = []
    comment: Annotated[str, Field(max_length=1000)] | None = None


class PointsRedemption(_Wire):
    resident_id: uuid.UUID
    catalogue_item_id: Text
    catalogue_item_name: Text
    points: Annotated[int, Field(gt=0, le=100_000)]


class VolunteerSuggestion(_Wire):
    resident_id: uuid.UUID | None = None
    text: LongText


PAYLOAD_MODELS: dict[RecordKind, type[_Wire]] = {
    RecordKind.HELP_CALL: HelpCall,
    RecordKind.HELP_CALL_EVENT: HelpCallEvent,
    RecordKind.CALLBACK_REQUEST: CallbackRequest,
    RecordKind.SERVICE_REQUEST: ServiceRequest,
    RecordKind.VITALS_SAMPLE: VitalsSample,
    RecordKind.WRISTBAND_ALERT: WristbandAlert,
    RecordKind.FEEDBACK: Feedback,
    RecordKind.POINTS_REDEMPTION: PointsRedemption,
    RecordKind.VOLUNTEER_SUGGESTION: VolunteerSuggestion,
}

# Alarms jump the outbox queue; bulk vitals go last.
URGENT_KINDS = frozenset({RecordKind.HELP_CALL, RecordKind.HELP_CALL_EVENT, RecordKind.WRISTBAND_ALERT})


def priority_of(kind: RecordKind) -> int:
    """Outbox priority: 0 goes first."""
    if kind in URGENT_KINDS:
        return 0
    if kind is RecordKind.VITALS_SAMPLE:
        return 2
    return 1


class Envelope(_Wire):
    """One record as pushed: identified by (kiosk_id, id) forever."""

    id: uuid.UUID
    kind: RecordKind
    created_at: Time
    kiosk_id: uuid.UUID
    payload: dict


class PushRequest(BaseModel):
    """The documented request body; the server validates each envelope on its own."""

    # The server refuses any other top-level key (422 invalid_request): say so in the schema.
    model_config = ConfigDict(extra="forbid")

    records: list[Envelope]


class ItemResult(BaseModel):
    index: int
    id: uuid.UUID | None
    status: int  # HTTP-like: 200 stored (now or before), 409 conflict, 422 invalid
    code: str
    message: str | None = None


class PushResponse(BaseModel):
    results: list[ItemResult]
    accepted: int
    rejected: int


# --- pulled by kiosks ----------------------------------------------------------------


class KioskInfo(_Wire):
    kiosk_id: uuid.UUID
    name: Text
    location: Text | None = None
    community_phone: Annotated[str, Field(max_length=40)] | None = None


class Resident(_Wire):
    """The resident directory entry a kiosk needs; no address, no health data."""

    resident_id: uuid.UUID
    display_name: Text
    language: Language = Language.ZH
    caregivers: Annotated[list[Text], Field(max_length=10)] = []


class ResidentRemoved(_Wire):
    resident_id: uuid.UUID


class WristbandPairing(_Wire):
    wristband_id: uuid.UUID
    ble_address: Annotated[str, Field(min_length=1, max_length=64)]
    name: Text
    resident_id: uuid.UUID | None  # None: unpaired from this kiosk's residents


class RequestStatus(StrEnum):
    RECEIVED = "received"
    ASSIGNED = "assigned"
    IN_PROGRESS = "in_progress"
    CLAIMED = "claimed"  # grocery: a volunteer took it
    BOUGHT = "bought"
    DELIVERED = "delivered"
    DONE = "done"
    CANCELLED = "cancelled"


class RequestStatusChange(_Wire):
    request_id: uuid.UUID  # the kiosk's record id of the service or call-back request
    status: RequestStatus
    handled_by: Text | None = None
    note: Annotated[str, Field(max_length=1000)] | None = None


class RequestChannel(StrEnum):
    """How a service request reached the community."""

    KIOSK = "kiosk"
    PHONE = "phone"  # the resident (or family) phoned the service centre
    WALK_IN = "walk_in"  # the resident came to the service centre's window


class RequestCreated(_Wire):
    """A service request staff entered on a resident's behalf. The kiosk lists it with the
    resident's own requests; later `request_status` changes refer to `request_id`."""

    request_id: uuid.UUID
    resident_id: uuid.UUID
    created_at: Time
    details: RequestDetails
    channel: Literal[RequestChannel.PHONE, RequestChannel.WALK_IN]
    entered_by: Text | None = None


class HelpCallState(StrEnum):
    RECEIVED = "received"
    ACKNOWLEDGED = "acknowledged"
    ESCALATED = "escalated"
    RESOLVED = "resolved"


class HelpCallStatus(_Wire):
    help_call_id: uuid.UUID
    state: HelpCallState
    acknowledged_by: Text | None = None
    note: Annotated[str, Field(max_length=1000)] | None = None


class PointsEntry(_Wire):
    """One line of a resident's points ledger with the balance after it."""

    entry_id: uuid.UUID
    resident_id: uuid.UUID
    delta: int
    reason: Text
    balance_after: int


class CatalogueName(_Wire):
    """A catalogue item's name (or place) per language; Chinese always, the others if known."""

    zh: Text
    en: Text | None = None
    ko: Text | None = None

    def in_language(self, lang: str) -> str:
        """The name in `lang`, falling back to Chinese (which every resident's staff read)."""
        return getattr(self, lang, None) or self.zh


class Activity(_Wire):
    """An activity residents can book. The whole item is sent on every change; a retired
    item (`active` false) is sent too, so kiosks take it off their screens."""

    activity_id: uuid.UUID
    name: CatalogueName
    starts_at: Time
    place: CatalogueName
    capacity: Annotated[int, Field(gt=0, le=10_000)] | None = None
    active: bool = True


class Reward(_Wire):
    """A reward residents can redeem points for; retired items are sent with `active` false."""

    reward_id: uuid.UUID
    name: CatalogueName
    points: Annotated[int, Field(gt=0, le=100_000)]
    active: bool = True


CHANGE_MODELS: dict[ChangeKind, type[_Wire]] = {
    ChangeKind.KIOSK_INFO: KioskInfo,
    ChangeKind.RESIDENT: Resident,
    ChangeKind.RESIDENT_REMOVED: ResidentRemoved,
    ChangeKind.WRISTBAND_PAIRING: WristbandPairing,
    ChangeKind.REQUEST_STATUS: RequestStatusChange,
    ChangeKind.HELP_CALL_STATUS: HelpCallStatus,
    ChangeKind.POINTS_ENTRY: PointsEntry,
    ChangeKind.ACTIVITY: Activity,
    ChangeKind.REWARD: Reward,
    ChangeKind.REQUEST_CREATED: RequestCreated,
}


class Change(BaseModel):
    seq: int
    kind: ChangeKind
    changed_at: datetime
    payload: dict


class PullResponse(BaseModel):
    changes: list[Change]
    next_cursor: int
    has_more: bool
    # Changes when the server's database is restored from a backup (docs/SYNC_PROTOCOL.md);
    # None from a server that predates it.
    server_incarnation: uuid.UUID | None = None


ENVELOPE_ADAPTER = TypeAdapter(Envelope)


def validate_payload(kind: RecordKind, payload: dict) -> _Wire:
    """Validate a pushed payload against its kind's model; raises pydantic.ValidationError."""
    return PAYLOAD_MODELS[kind].model_validate(payload)


def validate_change(kind: ChangeKind, payload: dict) -> _Wire:
    """Validate a pulled change's payload; raises pydantic.ValidationError."""
    return CHANGE_MODELS[kind].model_validate(payload)
