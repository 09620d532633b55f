"""UUID conversion between bumble's UUID objects and bleak's lowercase 128-bit strings."""

from __future__ import annotations

from bleak.uuids import normalize_uuid_str
from bumble.core import UUID


def to_bleak(uuid: UUID) -> str:
    """bumble UUID -> '0000180d-0000-1000-8000-00805f9b34fb' (bleak's spelling)."""
    text = uuid.to_hex_str()
    if len(text) == 32:
        text = f"{text[:8]}-{text[8:12]}-{text[12:16]}-{text[16:20]}-{text[20:]}"
    return normalize_uuid_str(text)


_SIG_SUFFIX = "-0000-1000-8000-00805f9b34fb"


def to_bumble(uuid: str | UUID) -> UUID:
    """Any spelling bleak accepts ('2a37', '2A37', full 128-bit) -> bumble UUID.

    SIG UUIDs come back in their 16-bit form, so a GATT database and advertisements
    built from them carry 2 bytes, as a real band's do, not 16.
    """
    if isinstance(uuid, UUID):
        return uuid
    text = normalize_uuid_str(str(uuid))
    if text.startswith("0000") and text.endswith(_SIG_SUFFIX):
        return UUID.from_16_bits(int(text[4:8], 16))
    return UUID(text)
