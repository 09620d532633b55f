"""The home screen's status line: server connection, pending records and wristbands in plain words."""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum


class Connection(StrEnum):
    NOT_SET = "not_set"  # no server configured (a kiosk being set up, or a demo)
    CONNECTING = "connecting"  # no sync cycle has finished yet
    OK = "ok"
    UNREACHABLE = "unreachable"  # retrying by itself
    NOT_AUTHORISED = "not_authorised"
    ERROR = "error"  # a local problem such as a full disk


@dataclass(frozen=True, slots=True)
class KioskStatus:
    connection: Connection = Connection.CONNECTING
    pending: int = 0  # records not yet accepted by the server
    bands_paired: int = 0
    bands_connected: int = 0
    community_phone: str | None = None
    problems: tuple[str, ...] = field(default_factory=tuple)

    @property
    def server_reachable(self) -> bool:
        return self.connection is Connection.OK

    def phrases(self) -> list[tuple[str, dict[str, object]]]:
        """(catalogue key, values) for each part of the status line, most important first."""
        key = {
            Connection.NOT_SET: "status.server_not_set",
            Connection.CONNECTING: "status.server_connecting",
            Connection.OK: "status.server_ok",
            Connection.UNREACHABLE: "status.server_unreachable",
            Connection.NOT_AUTHORISED: "status.not_authorised",
            Connection.ERROR: "status.store_error",
        }[self.connection]
        parts: list[tuple[str, dict[str, object]]] = [(key, {})]
        if self.pending > 0:
            parts.append(("status.pending", {"count": self.pending}))
        elif self.connection is Connection.OK:
            parts.append(("status.all_sent", {}))
        parts.append(self._bands())
        return parts

    def _bands(self) -> tuple[str, dict[str, object]]:
        if self.bands_paired == 0:
            return ("status.bands_none", {})
        if self.bands_connected >= self.bands_paired:
            return ("status.bands_connected", {})
        if self.bands_connected == 0:
            return ("status.bands_missing", {})
        missing = self.bands_paired - self.bands_connected
        return ("status.bands_some", {"connected": self.bands_connected, "missing": missing})
