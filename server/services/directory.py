"""The resident directory and wristband pairings, and the feed changes they send to kiosks.

A kiosk learns only what it needs to greet and help a resident: display name, language and
caregivers' names. Address and phone stay on the server.
"""

from __future__ import annotations

import logging
import uuid
from collections.abc import Sequence

from sqlalchemy import select
from sqlalchemy.orm import Session

from server.errors import InvalidInputError, NotFoundError
from server.models import Resident, Wristband, utcnow
from server.services.audit import audit
from server.services.feed import PendingChange, append_changes
from server.services.kiosks import get_kiosk
from sync.records import ChangeKind, Language, ResidentRemoved, WristbandPairing
from sync.records import Resident as ResidentEntry

log = logging.getLogger(__name__)


def resident_entry(resident: Resident) -> ResidentEntry:
    """The directory entry a kiosk gets: never the address or the phone number."""
    return ResidentEntry(
        resident_id=resident.id,
        display_name=resident.display_name,
        language=Language(resident.language),
        caregivers=list(resident.caregivers),
    )


def pairing_entry(wristband: Wristband, *, paired: bool = True) -> WristbandPairing:
    return WristbandPairing(
        wristband_id=wristband.id,
        ble_address=wristband.ble_address,
        name=wristband.name,
        resident_id=wristband.resident_id if paired else None,
    )


def get_resident(session: Session, resident_id: uuid.UUID) -> Resident:
    resident = session.get(Resident, resident_id)
    if resident is None:
        raise NotFoundError(f"no resident with id {resident_id}")
    return resident


def get_wristband(session: Session, wristband_id: uuid.UUID) -> Wristband:
    wristband = session.get(Wristband, wristband_id)
    if wristband is None:
        raise NotFoundError(f"no wristband with id {wristband_id}")
    return wristband


def create_resident(
    session: Session,
    display_name: str,
    *,
    kiosk_id: uuid.UUID | None = None,
    language: Language | str = Language.ZH,
    caregivers: Sequence[str] = (),
    address: str | None = None,
    phone: str | None = None,
    birth_year: int | None = None,
    actor: str = "admin",
) -> Resident:
    """Add a resident; with `kiosk_id` the kiosk's feed gets their directory entry."""
    if kiosk_id is not None:
        get_kiosk(session, kiosk_id)
    _check_birth_year(birth_year)
    resident = Resident(
        display_name=display_name,
        language=Language(language).value,
        caregivers=list(caregivers),
        address=address,
        phone=phone,
        kiosk_id=kiosk_id,
        birth_year=birth_year,
    )
    session.add(resident)
    session.flush()
    if kiosk_id is not None:
        append_changes(session, kiosk_id, [(ChangeKind.RESIDENT, resident_entry(resident))])
    audit(session, actor=actor, action="resident.created", target=f"resident:{resident.id}",
          detail={"kiosk_id": str(kiosk_id) if kiosk_id else None})
    return resident


def update_resident(
    session: Session,
    resident_id: uuid.UUID,
    *,
    display_name: str | None = None,
    language: Language | str | None = None,
    caregivers: Sequence[str] | None = None,
    actor: str = "admin",
) -> Resident:
    """Change what the kiosk shows about a resident and send the new entry to it."""
    resident = get_resident(session, resident_id)
    if display_name is not None:
        resident.display_name = display_name
    if language is not None:
        resident.language = Language(language).value
    if caregivers is not None:
        resident.caregivers = list(caregivers)
    session.flush()
    if resident.kiosk_id is not None:
        append_changes(session, resident.kiosk_id, [(ChangeKind.RESIDENT, resident_entry(resident))])
    audit(session, actor=actor, action="resident.updated", target=f"resident:{resident.id}")
    return resident


def _check_birth_year(year: int | None) -> None:
    if year is not None and not 1900 <= year <= utcnow().year:
        raise InvalidInputError(f"birth year {year} is not between 1900 and this year")


def set_birth_year(session: Session, resident_id: uuid.UUID, year: int | None, *,
                   actor: str = "admin") -> Resident:
    """Record (or clear, with None) a resident's birth year; server only, for the segments."""
    _check_birth_year(year)
    resident = get_resident(session, resident_id)
    resident.birth_year = year
    audit(session, actor=actor, action="resident.birth_year", target=f"resident:{resident.id}",
          detail={"birth_year": year})
    return resident


def move_resident(
    session: Session, resident_id: uuid.UUID, kiosk_id: uuid.UUID | None, *, actor: str = "admin"
) -> Resident:
    """Assign a resident to another kiosk (None: to no kiosk); both feeds are told.

    The old kiosk gets `resident_removed` and its wristbands unpaired, the new kiosk gets
    the directory entry and the wristband pairings, so the band follows its wearer.
    """
    resident = get_resident(session, resident_id)
    old_kiosk_id = resident.kiosk_id
    if old_kiosk_id == kiosk_id:
        return resident
    if kiosk_id is not None:
        get_kiosk(session, kiosk_id)
    resident.kiosk_id = kiosk_id
    session.flush()
    wristbands = _wristbands_of(session, resident.id)
    feeds: dict[uuid.UUID, list[PendingChange]] = {}
    if old_kiosk_id is not None:
        feeds[old_kiosk_id] = [
            (ChangeKind.RESIDENT_REMOVED, ResidentRemoved(resident_id=resident.id)),
            *((ChangeKind.WRISTBAND_PAIRING, pairing_entry(w, paired=False)) for w in wristbands),
        ]
    if kiosk_id is not None:
        feeds[kiosk_id] = [
            (ChangeKind.RESIDENT, resident_entry(resident)),
            *((ChangeKind.WRISTBAND_PAIRING, pairing_entry(w)) for w in wristbands),
        ]
    _append_in_kiosk_order(session, feeds)
    audit(session, actor=actor, action="resident.moved", target=f"resident:{resident.id}",
          detail={"from": _str(old_kiosk_id), "to": _str(kiosk_id)})
    log.info("resident %s moved from kiosk %s to %s", resident.id, old_kiosk_id, kiosk_id)
    return resident


def remove_resident(session: Session, resident_id: uuid.UUID, *, actor: str = "admin") -> Resident:
    """Take a resident off their kiosk (the row stays for history and statistics)."""
    return move_resident(session, resident_id, None, actor=actor)


def pair_wristband(
    session: Session,
    *,
    ble_address: str,
    name: str,
    resident_id: uuid.UUID,
    actor: str = "admin",
) -> Wristband:
    """Pair the wristband with this BLE address to a resident (creating it if new).

    A band moved from a resident on another kiosk is unpaired on that kiosk first.
    """
    resident = get_resident(session, resident_id)
    wristband = session.scalars(select(Wristband).where(Wristband.ble_address == ble_address)).one_or_none()
    feeds: dict[uuid.UUID, list[PendingChange]] = {}
    if wristband is None:
        wristband = Wristband(ble_address=ble_address, name=name, resident_id=resident.id)
        session.add(wristband)
    else:
        previous_kiosk = _kiosk_of(session, wristband.resident_id)
        if previous_kiosk is not None and previous_kiosk != resident.kiosk_id:
            feeds[previous_kiosk] = [(ChangeKind.WRISTBAND_PAIRING, pairing_entry(wristband, paired=False))]
        wristband.name = name
        wristband.resident_id = resident.id
    session.flush()
    if resident.kiosk_id is not None:
        feeds.setdefault(resident.kiosk_id, []).append(
            (ChangeKind.WRISTBAND_PAIRING, pairing_entry(wristband))
        )
    _append_in_kiosk_order(session, feeds)
    audit(session, actor=actor, action="wristband.paired", target=f"wristband:{wristband.id}",
          detail={"resident_id": str(resident.id), "ble_address": ble_address})
    return wristband


def unpair_wristband(session: Session, wristband_id: uuid.UUID, *, actor: str = "admin") -> Wristband:
    """Unpair a wristband; its wearer's kiosk gets a pairing with `resident_id: null`."""
    wristband = get_wristband(session, wristband_id)
    kiosk_id = _kiosk_of(session, wristband.resident_id)
    previous = wristband.resident_id
    wristband.resident_id = None
    session.flush()
    if kiosk_id is not None:
        append_changes(session, kiosk_id, [(ChangeKind.WRISTBAND_PAIRING, pairing_entry(wristband))])
    audit(session, actor=actor, action="wristband.unpaired", target=f"wristband:{wristband.id}",
          detail={"resident_id": _str(previous)})
    return wristband


def _wristbands_of(session: Session, resident_id: uuid.UUID) -> list[Wristband]:
    return list(session.scalars(
        select(Wristband).where(Wristband.resident_id == resident_id).order_by(Wristband.name)
    ))


def _kiosk_of(session: Session, resident_id: uuid.UUID | None) -> uuid.UUID | None:
    if resident_id is None:
        return None
    return session.scalar(select(Resident.kiosk_id).where(Resident.id == resident_id))


def _append_in_kiosk_order(session: Session, feeds: dict[uuid.UUID, list[PendingChange]]) -> None:
    # Feed appends lock kiosk rows; taking them in one global order means two transactions
    # touching the same two kiosks cannot deadlock.
    for kiosk_id in sorted(feeds):
        append_changes(session, kiosk_id, feeds[kiosk_id])


def _str(value: uuid.UUID | None) -> str | None:
    return None if value is None else str(value)
