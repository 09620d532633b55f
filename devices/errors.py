"""The wristband package's errors: one root, `DeviceError`, with specific subclasses."""

from __future__ import annotations


class DeviceError(Exception):
    """Root of every error raised by the devices package."""


class MalformedPayload(DeviceError):
    """A characteristic value that does not follow its format.

    Attributes:
        characteristic: the characteristic's 128-bit UUID, as bleak reports it.
        data: the bytes received, kept for the log line.
    """

    def __init__(self, characteristic: str, data: bytes, message: str) -> None:
        super().__init__(message)
        self.characteristic = characteristic
        self.data = bytes(data)


class TruncatedPayload(MalformedPayload):
    """Fewer bytes than the flags or the format promise."""


class TrailingBytes(MalformedPayload):
    """More bytes than the flags or the format allow (or an odd byte left over)."""


class ValueOutOfRange(MalformedPayload):
    """A well-formed value no device can mean (battery 101 %, 0xFFFF bpm)."""


class InvalidText(MalformedPayload):
    """A text characteristic that is not UTF-8, or holds a NUL before its end."""


class InvalidAlert(MalformedPayload):
    """A Linli alert notification that does not follow devices.alert_format."""


class RecordingFailed(DeviceError):
    """The local store refused an alert record; it is kept in memory and retried.

    The kiosk must say so on screen: an alarm that is not in the store cannot be sent.
    """
