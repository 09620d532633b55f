"""Kiosk sync: POST /sync/push and GET /sync/pull (docs/SYNC_PROTOCOL.md is the contract)."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Query, Request
from fastapi.concurrency import run_in_threadpool

from server.api.body import read_body_capped
from server.api.deps import KioskDep, ReadSessionDep, SessionDep, SettingsDep
from server.api.schemas import ErrorResponse
from server.services import feed, ingest
from sync.records import PullResponse, PushResponse

router = APIRouter(prefix="/sync", tags=["sync"])

MAX_CURSOR = 2**31 - 1  # feed seqs are 32-bit integers in the database


def _errors(*statuses: int) -> dict[int | str, dict[str, Any]]:
    descriptions = {
        400: "body is not JSON (malformed_json)",
        401: "token missing or unknown (token_missing, token_invalid)",
        403: "kiosk revoked (kiosk_revoked)",
        413: "too many records or too many bytes (batch_too_large, body_too_large)",
        422: "request not valid (invalid_request, invalid_cursor)",
        429: "too many requests from this kiosk (rate_limited); see Retry-After",
    }
    return {status: {"model": ErrorResponse, "description": descriptions[status]} for status in statuses}


@router.post(
    "/push",
    response_model=PushResponse,
    summary="Push a batch of records",
    description="Each record gets its own result; accepted records are committed together.",
    responses=_errors(400, 401, 403, 413, 422, 429),
    openapi_extra={
        "requestBody": {
            "required": True,
            "content": {"application/json": {"schema": {"$ref": "#/components/schemas/PushRequest"}}},
        }
    },
)
async def push(request: Request, kiosk: KioskDep, session: SessionDep, settings: SettingsDep) -> PushResponse:
    body = await read_body_capped(request, settings.max_body_bytes)
    # Parsing, validation and the database work are blocking; keep them off the event loop.
    return await run_in_threadpool(
        ingest.push_batch, session, kiosk.id, body, max_batch=settings.max_batch
    )


@router.get(
    "/pull",
    response_model=PullResponse,
    summary="Pull the changes after a cursor",
    responses=_errors(401, 403, 422, 429),
)
def pull(
    kiosk: KioskDep,
    session: ReadSessionDep,
    settings: SettingsDep,
    cursor: Annotated[int, Query(ge=0, le=MAX_CURSOR, description="last seq applied; 0 at first")] = 0,
    limit: Annotated[
        int | None, Query(ge=1, description="page size; default 500, values above 1000 count as 1000")
    ] = None,
) -> PullResponse:
    page_size = min(limit or settings.pull_default_limit, settings.pull_max_limit)
    return feed.read_changes(session, kiosk.id, cursor, page_size)
