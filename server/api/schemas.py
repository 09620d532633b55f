"""HTTP shapes that are not part of the sync wire format (that lives in sync/records.py)."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, Field

from sync.records import WIRE_VERSION
from sync.wire_errors import ErrorCode


class ErrorDetail(BaseModel):
    code: ErrorCode = Field(description="stable code from sync/wire_errors.py; match on this")
    message: str = Field(description="what went wrong and what to do, for people")


class ErrorResponse(BaseModel):
    """Every refusal of a whole request has this body."""

    error: ErrorDetail


class Health(BaseModel):
    status: Literal["ok"] = "ok"
    wire_version: int = WIRE_VERSION
