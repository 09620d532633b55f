"""GET /health: tells kiosks "server up" apart from "not authorised"; no authentication."""

from __future__ import annotations

from fastapi import APIRouter

from server.api.schemas import Health

router = APIRouter(tags=["health"])


@router.get("/health", response_model=Health, summary="Is the server up?")
def health() -> Health:
    return Health()
