"""Kiosk sync: POST /sync/push and GET /sync/pull (docs/SYNC_PROTOCOL.md is the contract)."""

from __future__ import annotations

import uuid
from typing import Annotated, Any

from fastapi import APIRouter, Query, Request
from fastapi.concurrency import run_in_threadpool

from server.api.body import read_body_capped
from server.api.deps import KioskDep, KioskTokenDep, SettingsDep, admit_kiosk
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
async def push(request: Request, kiosk: KioskDep, settings: SettingsDep) -> PushResponse:
    body = await read_body_capped(request, settings.max_body_bytes)
    # Parsing, validation and the database work are blocking: one trip to the thread pool.
    return await run_in_threadpool(_push, request, kiosk.id, body, settings.max_batch)


def _push(request: Request, kiosk_id: uuid.UUID, body: bytes, max_batch: int) -> PushResponse:
    # A writing session (on SQLite it takes the write lock at its first statement).
    with request.app.state.sessions() as session:
        return ingest.push_batch(session, kiosk_id, body, max_batch=max_batch)


@router.get(
    "/pull",
    response_model=PullResponse,
    summary="Pull the changes after a cursor",
    responses=_errors(401, 403, 422, 429),
)
async def pull(
    request: Request,
    token: KioskTokenDep,
    settings: SettingsDep,
    cursor: Annotated[int, Query(ge=0, le=MAX_CURSOR, description="last seq applied; 0 at first")] = 0,
    limit: Annotated[
        int | None, Query(ge=1, description="page size; default 500, values above 1000 count as 1000")
    ] = None,
) -> PullResponse:
    page_size = min(limit or settings.pull_default_limit, settings.pull_max_limit)
    return await run_in_threadpool(_pull, request, token, cursor, page_size)


def _pull(request: Request, token: str, cursor: int, page_size: int) -> PullResponse:
    # One reading session (it never waits for a writer) checks the token and reads the feed.
    with request.app.state.read_sessions() as session:
        kiosk = admit_kiosk(request, session, token)
        return feed.read_changes(session, kiosk.id, cursor, page_size)
